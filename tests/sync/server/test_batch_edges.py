"""Batched push edge cases: duplicates and conflicts inside one batch, savepoint rollbacks after queued
rows were written, counters first locked inside a rolled-back savepoint, the refuse-after-adding guard."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlalchemy import func, select

from models import AuditEvent, Change, Device, Incident, MutationRecord, Site
from sync.protocol import payload_sha256
from sync.server import audit, counters, feed
from sync.server import push as push_service
from sync.server.accounts import actor_for_user


def report(site_id, n, rid=None, title=None):
    """A quick near-miss report.create args with one photo in its manifest."""
    return {
        "id": str(rid or uuid.uuid4()),
        "site_id": str(site_id),
        "form_id": "quick",
        "form_version": 1,
        "values": {
            "kind": "near_miss",
            "title": title or f"R{n}",
            "occurred_at": "2026-01-05T10:00:00+00:00",
        },
        "device_recorded_at": "2026-01-05T10:01:00+00:00",
        "attachments": [
            {
                "slot": "photo-1",
                "sha256": hashlib.sha256(str(n).encode()).hexdigest(),
                "size": 5,
                "mime": "image/jpeg",
            }
        ],
    }


def m(seq, name, args, mid=None):
    """One pushed mutation with its payload hash."""
    return {
        "seq": seq,
        "mutation_id": mid or str(uuid.uuid4()),
        "name": name,
        "args": args,
        "payload_sha256": payload_sha256(args),
    }


def setup(sessions, people):
    """A registered device for the worker; returns (site id, device id, actor)."""
    with sessions.begin() as s:
        user = people["worker"]
        dev = Device(user_id=user.id, name="d")
        s.add(dev)
        s.flush()
        site = s.scalar(select(Site).where(Site.code == "S1"))
        actor = actor_for_user(session=s, user=s.get(type(user), user.id))
        return site.id, str(dev.id), actor


def check_invariants(sessions):
    """The chain verifies, server_seq is gap-free, and references are gap-free; returns the event count."""
    with sessions() as s:
        v = audit.verify(s)
        assert v.ok, v.problem
        seqs = list(s.scalars(select(Change.server_seq).order_by(Change.server_seq)))
        assert seqs == list(range(1, len(seqs) + 1))
        assert counters.peek(s, "server_seq") == len(seqs)
        refs = sorted(s.scalars(select(Incident.ref)))
        assert refs == [f"S1-2026-{n:04d}" for n in range(1, len(refs) + 1)], refs
        return v.events


def test_mixed_batch(sessions, people):
    site_id, device_id, actor = setup(sessions, people)
    a, b = report(site_id, 1), report(site_id, 2)
    conflict = dict(a, values=dict(a["values"], title="other"))
    stmt = {
        "id": str(uuid.uuid4()),
        "incident_id": a["id"],
        "witness_name": "W",
        "relation": "employee",
        "statement": "saw it",
        "taken_at": "2026-01-05T11:00:00+00:00",
    }
    bad = report(site_id, 3)
    bad["values"] = {"kind": "near_miss"}  # validation fails
    amend = {"id": str(uuid.uuid4()), "incident_id": a["id"], "changes": {"title": "Amended"}}
    amend_bad = {"id": str(uuid.uuid4()), "incident_id": str(uuid.uuid4()), "changes": {"title": "x"}}
    same_mid = str(uuid.uuid4())
    muts = [
        m(1, "report.create", a),
        m(2, "report.create", a),
        m(3, "report.create", conflict),
        m(4, "statement.create", stmt),
        m(5, "report.create", bad),
        m(6, "report.amend", amend),
        m(7, "report.amend", amend_bad),
        m(8, "report.create", b, same_mid),
        m(9, "report.create", b, same_mid),
        m(10, "report.create", report(site_id, 10), same_mid),
    ]
    with sessions.begin() as s:
        out = push_service.push(s, actor, device_id, muts)
    st = [(r["status"], r.get("code")) for r in out["results"]]
    assert st[0] == ("applied", None)
    assert st[1] == ("duplicate", None)
    assert st[2] == ("rejected", "id_conflict")
    assert st[3] == ("applied", None)
    assert st[4] == ("rejected", "validation_failed")
    assert st[5] == ("applied", None)
    assert st[6] == ("rejected", "not_found")
    assert st[7] == ("applied", None)
    assert st[8][0] == "duplicate" and out["results"][8]["original_status"] == "applied"
    assert st[9] == ("rejected", "mutation_id_reused")
    check_invariants(sessions)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(MutationRecord)) == 10
        # one audit event per mutation (+ notes)
        actions = list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
        assert (
            sum(1 for a_ in actions if not a_.startswith("incident.")) == 10 - 2
        )  # replays at seq 9,10 are not executed
        assert s.get(Incident, uuid.UUID(a["id"])).title == "Amended"
    # replay the same batch: all answered from stored records
    with sessions.begin() as s:
        again = push_service.push(s, actor, device_id, muts)
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 10
    check_invariants(sessions)


def test_savepoint_rollback_takes_back_numbers_and_written_rows(sessions, people):
    site_id, device_id, actor = setup(sessions, people)
    with sessions.begin() as s:
        a1 = audit.append(s, action="t.one", entity="x", entity_id="1", at=audit_now())
        sp = s.begin_nested()
        audit.append(s, action="t.two", entity="x", entity_id="2", at=audit_now())
        feed.publish(s, s.get(Site, site_id))
        # a read of the queued table writes inside the savepoint
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 2
        sp.rollback()
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 1  # written again? a1 must be there
        a3 = audit.append(s, action="t.three", entity="x", entity_id="3", at=audit_now())
        assert a3 == a1 + 1
        feed.publish(s, s.get(Site, site_id))
    with sessions() as s:
        assert list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq))) == ["t.one", "t.three"]
        assert list(s.scalars(select(Change.server_seq))) == [1]
        assert audit.verify(s).ok


def test_counter_first_locked_inside_rolled_back_savepoint(sessions, people):
    with sessions.begin() as s:
        sp = s.begin_nested()
        assert counters.next_value(s, "ref:T:1") == 1
        sp.rollback()
        assert counters.next_value(s, "ref:T:1") == 1
        assert counters.next_value(s, "ref:T:1") == 2
    with sessions() as s:
        assert counters.peek(s, "ref:T:1") == 2


def test_rollback_of_whole_transaction_writes_nothing(sessions, people):
    with pytest.raises(RuntimeError):
        with sessions.begin() as s:
            audit.append(s, action="t.x", entity="x", entity_id="1", at=audit_now())
            raise RuntimeError
    with sessions.begin() as s:
        assert audit.append(s, action="t.y", entity="x", entity_id="1", at=audit_now()) == 1
    with sessions() as s:
        assert audit.verify(s).ok


def audit_now():
    """The current time for audit assertions."""
    from models import utcnow

    return utcnow()


def test_conflict_after_unflushed_reports(sessions, people):
    site_id, device_id, actor = setup(sessions, people)
    a, b = report(site_id, 1), report(site_id, 2)
    conflict = dict(a, values=dict(a["values"], title="other"))
    muts = [
        m(1, "report.create", a),
        m(2, "report.create", b),
        m(3, "report.create", conflict),
        m(4, "report.create", report(site_id, 4)),
        m(5, "report.create", b),
    ]
    with sessions.begin() as s:
        out = push_service.push(s, actor, device_id, muts)
    assert [(r["status"], r.get("code")) for r in out["results"]] == [
        ("applied", None),
        ("applied", None),
        ("rejected", "id_conflict"),
        ("applied", None),
        ("duplicate", None),
    ]
    check_invariants(sessions)


def test_guard_catches_refusal_after_adding(sessions, people, monkeypatch):
    from models import Problem
    from sync.mutations import base
    from sync.mutations.base import Rejected

    site_id, device_id, actor = setup(sessions, people)

    def bad(ctx, args):
        ctx.session.add(Problem(id=uuid.uuid4(), site_id=site_id, title="x", description=""))
        raise Rejected("nope", "refused late")

    monkeypatch.setitem(base.REGISTRY, "report.create", bad)
    with pytest.raises(RuntimeError, match="refused after changing rows"):
        with sessions.begin() as s:
            push_service.push(s, actor, device_id, [m(1, "report.create", report(site_id, 1))])
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Problem)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 0
