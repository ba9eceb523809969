"""The workflow reads on a phone's local database, after the phone's own optimistic applies: the same
handlers and queries run there, and the timeline falls back to the records' times (no audit trail)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

import models
import sync.mutations as mutations
from app import queries_workflow as q
from app.i18n import LANGUAGES, Translator, catalogue
from app.store import View
from forms.convert import build_incident
from models import AuditEvent, InvestigationConflict, Membership, Site, User
from models.enums import CapaStatus, Priority, Role
from sync.mutations.base import Actor, Context

T0 = dt.datetime(2025, 3, 20, 8, 0, tzinfo=dt.UTC)
MIN = dt.timedelta(minutes=1)


@pytest.fixture
def phone(tmp_path) -> Iterator[sessionmaker[Session]]:
    """A phone-like local SQLite database with a site and three people."""
    engine = create_engine(f"sqlite:///{tmp_path / 'phone.db'}")
    models.Base.metadata.create_all(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions.begin() as session:
        site = Site(code="S1", name="Plant One")
        session.add(site)
        session.flush()
        for name, role in (
            ("worker", Role.REPORTER),
            ("officer", Role.SAFETY_OFFICER),
            ("boss", Role.HSE_MANAGER),
        ):
            user = User(username=name, display_name=name.title())
            session.add(user)
            session.flush()
            session.add(Membership(user_id=user.id, site_id=site.id, role=role))
    yield sessions
    engine.dispose()


def who(sessions, username: str) -> Actor:
    """The actor of a local user, as the phone builds it from the signed-in account."""
    with sessions() as session:
        user = session.query(User).filter_by(username=username).one()
        roles = tuple((m.site_id, m.role) for m in session.query(Membership).filter_by(user_id=user.id))
        return Actor(user.id, user.username, user.display_name, roles)


def apply(sessions, username: str, name: str, args: dict, now: dt.datetime = T0):
    """Apply a mutation the way the phone does before queueing it: locally, optimistically."""
    with sessions.begin() as session:
        ctx = Context(session=session, actor=who(sessions, username), now=now, on_server=False)
        return mutations.apply(ctx, name, args)


def injured(sessions, *, privacy: bool = False) -> uuid.UUID:
    """An injury on the phone's database, received at T0."""
    values = {
        "case_type": "injury",
        "title": "Cut hand",
        "occurred_at": "2025-03-20T07:00:00+00:00",
        "employee_name": "Siti Aminah",
        "what_happened": "Press",
        "injury_description": "Cut",
        **({"privacy_concern": "employee_request"} if privacy else {}),
    }
    with sessions.begin() as session:
        site = session.query(Site).one()
        reporter = session.query(User).filter_by(username="worker").one()
        incident = build_incident(
            "injury", values, incident_id=uuid.uuid4(), site_id=site.id, reporter_id=reporter.id, now=T0
        )
        incident.priority, incident.server_received_at = Priority.P2, T0
        session.add(incident)
        return incident.id


def read(sessions, username: str, fn, **kw):
    """Run a query the way the phone store does."""
    with sessions() as session:
        return fn(session, View(actor=who(sessions, username)), **kw)


def test_the_queue_flags_what_is_overdue(phone) -> None:
    iid = injured(phone)
    [row] = read(phone, "officer", q.queue_rows, now=T0 + 29 * MIN)
    assert (row.ack_due_at, row.ack_overdue, row.overdue) == (T0 + 30 * MIN, False, False)
    [row] = read(phone, "officer", q.queue_rows, now=T0 + 31 * MIN)
    assert row.ack_overdue and row.overdue
    apply(phone, "officer", "incident.acknowledge", {"id": str(iid)}, T0 + 40 * MIN)
    [row] = read(phone, "officer", q.queue_rows, now=T0 + 45 * MIN)
    assert not row.ack_overdue and row.commander_name == "Officer"
    assert row.next_update_due_at == T0 + 60 * MIN and not row.update_overdue
    assert read(phone, "officer", q.queue_rows, now=T0 + 45 * MIN, overdue=True) == []
    assert [r.id for r in read(phone, "officer", q.queue_rows, now=T0 + 61 * MIN, overdue=True)] == [iid]


def test_privacy_names_and_the_derived_timeline(phone) -> None:
    iid = injured(phone, privacy=True)
    assert read(phone, "officer", q.incident_detail, incident_id=iid).injured_person == "Privacy case"
    assert read(phone, "boss", q.incident_detail, incident_id=iid).injured_person == "Siti Aminah"
    apply(phone, "officer", "incident.acknowledge", {"id": str(iid)}, T0 + 5 * MIN)
    update = {"id": str(uuid.uuid4()), "incident_id": str(iid), "audience": "internal", "template": "custom"}
    apply(phone, "officer", "status_update.create", {**update, "message": "Area closed"}, T0 + 6 * MIN)
    entries = read(phone, "officer", q.timeline, incident_id=iid)
    assert [(e.at, e.source, e.text) for e in entries] == [
        (T0, "record", "Reported"),
        (T0 + 5 * MIN, "record", "Acknowledged"),
        (T0 + 5 * MIN, "record", "Officer assigned as incident commander"),
        (T0 + 6 * MIN, "status_update", "Area closed"),
    ]
    assert [e.words(Translator("en")) for e in entries] == [
        "Reported",
        "Acknowledged",
        "Officer assigned as Incident commander",
        "Area closed",
    ]
    assert [e.words(Translator("ms")) for e in entries] == [
        "Dilaporkan",
        "Diakui",
        "Officer ditugaskan sebagai Komander insiden",
        "Area closed",
    ]
    detail = read(phone, "officer", q.incident_detail, incident_id=iid)
    assert detail.role_fill_minutes == {"incident_commander": 5.0}
    assert [c.code for c in detail.checklist if not c.done] == [
        "service_restored",
        "affected_informed",
        "resolution_summary",
        "review_scheduled",
    ]


def test_a_conflict_on_the_phone_is_reported_but_only_the_server_stores_it(phone) -> None:
    iid = injured(phone)
    fields = {"findings": {"old": "", "new": "Mine"}}
    apply(
        phone,
        "officer",
        "investigation.patch",
        {"incident_id": str(iid), "base_version": 0, "fields": fields},
    )
    clash = {"findings": {"old": "", "new": "Theirs"}}
    outcome = apply(
        phone, "officer", "investigation.patch", {"incident_id": str(iid), "base_version": 1, "fields": clash}
    )
    assert outcome.status.value == "conflict" and outcome.details["conflicts"][0]["current"] == "Mine"
    with phone() as session:
        assert session.query(InvestigationConflict).count() == 0
    assert read(phone, "officer", q.conflicts) == []
    assert read(phone, "officer", q.incident_detail, incident_id=iid).investigation.findings == "Mine"


def test_the_signoff_inbox_on_the_phone(phone) -> None:
    iid = injured(phone)
    action = str(uuid.uuid4())
    owner = str(who(phone, "worker").user_id)
    args = {
        "id": action,
        "incident_id": str(iid),
        "control_level": "ppe",
        "title": "Gloves",
        "owner_id": owner,
        "due_on": "2025-04-01",
    }
    apply(phone, "officer", "ca.create", args)
    apply(phone, "worker", "ca.transition", {"id": action, "from": "open", "to": "in_progress"})
    apply(
        phone,
        "worker",
        "ca.transition",
        {"id": action, "from": "in_progress", "to": "done", "evidence": [{"note": "Issued"}]},
    )
    assert read(phone, "officer", q.signoff_inbox) == []
    [item] = read(phone, "boss", q.signoff_inbox)
    assert (str(item.action_id), item.owner_name, item.evidence) == (action, "Worker", ({"note": "Issued"},))
    [row] = read(phone, "boss", q.incident_detail, incident_id=iid).actions
    assert row.status is CapaStatus.DONE and not row.overdue


def test_the_phone_never_loads_server_code_for_these_reads() -> None:
    probe = (
        "import sys, app.queries_workflow, sync.mutations\n"
        "bad = [m for m in sys.modules if m.startswith(('sync.server', 'fastapi', 'reportlab', 'reports'))]\n"
        "print(bad)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_review_clock_shows_before_a_review_exists(phone) -> None:
    iid = injured(phone)
    for step in ({"to": "acknowledged"}, {"to": "investigating"}):
        apply(phone, "officer", "incident.transition", {"id": str(iid), **step})
    resolve = {"id": str(iid), "to": "resolved", "resolution_type": "permanent_fix"}
    apply(phone, "officer", "incident.transition", resolve, T0 + dt.timedelta(hours=1))
    states = {
        hours: read(phone, "officer", q.incident_detail, incident_id=iid, now=T0 + dt.timedelta(hours=hours))
        for hours in (2, 60, 74)
    }
    assert {d.review_due_at for d in states.values()} == {T0 + dt.timedelta(hours=73)}
    assert [d.review_due_state for d in states.values()] == ["ok", "warning", "overdue"]
    assert states[2].review is None


SOMEONE = uuid.uuid4()
EVENTS = [
    ("incident.transition.rejected", {"message": "finish the close checklist first"}),
    ("report.create", {}),
    ("report.amend", {"args": {"reason": "wrong aisle"}}),
    ("report.amend", {}),
    ("report.retract", {}),
    ("statement.create", {}),
    ("attachment.add", {}),
    ("incident.triaged", {"priority": "P2", "reasons": ["injury"]}),
    ("incident.acknowledge", {"took_command": True}),
    ("incident.acknowledge", {}),
    ("incident.set_priority", {"args": {"priority": "P1", "reason": "spreading"}}),
    ("incident.assign_role", {"args": {"role": "resolver", "user_id": str(SOMEONE)}}),
    ("incident.assign_role", {"args": {"role": "resolver", "user_id": str(SOMEONE), "remove": True}}),
    ("incident.assign_role", {"args": {"role": "investigator", "user_id": str(SOMEONE)}}),
    ("incident.assign_role", {"args": {"role": "investigator", "user_id": str(SOMEONE), "remove": True}}),
    ("incident.transition", {"from": "reported", "to": "acknowledged"}),
    ("incident.transition", {"from": "closed", "to": "investigating", "args": {"reason": "moved again"}}),
    (
        "incident.transition",
        {"from": "investigating", "to": "resolved", "args": {"resolution_type": "workaround"}},
    ),
    (
        "incident.transition",
        {
            "from": "investigating",
            "to": "resolved",
            "args": {"reason": "done", "resolution_type": "permanent_fix"},
        },
    ),
    ("incident.escalated", {"role": "hse_manager", "minutes_late": 12}),
    ("incident.repeat_linked", {"because": "Pallet fell"}),
    ("incident.link_problem", {}),
    ("investigation.patch", {"applied": ["findings", "five_whys"]}),
    ("investigation.patch", {"applied": ["findings"], "conflicts": ["root_cause"]}),
    ("investigation.patch", {"applied": [], "conflicts": ["root_cause"]}),
    ("investigation.patch", {}),
    ("conflict.resolve", {"field": "root_cause", "resolution": "kept"}),
    ("ca.create", {"args": {"title": "Fit a guard", "owner_id": str(SOMEONE)}}),
    ("ca.transition", {"args": {"from": "open", "to": "in_progress"}}),
    ("ca.transition", {"args": {"from": "done", "to": "open", "reason": "no photo"}}),
    ("ca.patch", {"changed": ["title", "due_on"]}),
    ("ca.verify", {"args": {"signer_name": "Sam Supervisor"}}),
    ("effectiveness.record", {"args": {"effective": True}}),
    ("effectiveness.record", {"args": {"effective": False}}),
    ("pir.create", {}),
    ("pir.patch", {"changed": ["what_happened"]}),
    ("pir.complete", {"actions": [{}, {}]}),
]
"""One audit event for each sentence the timeline has."""


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_timeline_sentence_is_said_in_every_language_with_its_codes_named(language: str) -> None:
    t = Translator(language)
    keys = set()
    for action, data in EVENTS:
        key, params = q.describe(AuditEvent(action=action, data=data), {SOMEONE: "Nur Aisyah"})
        keys.add(key)
        assert key in catalogue(language), key
        entry = q.TimelineEntry(T0, "audit", action, "", "", None, key, params)
        said = entry.words(t)  # every placeholder filled: a missing one raises KeyError
        assert "{" not in said, (key, said)
        codes = {name: value for name, value in params.items() if name in q.CODE_KEYS}
        for name, value in codes.items():  # codes are named in the reader's words
            for code in value if isinstance(value, list) else [value]:
                named = t(q.CODE_KEYS[name].format(code))
                assert named in said and named != q.CODE_KEYS[name].format(code), (key, said)
    assert len(keys) == len(EVENTS)  # each sample shows a sentence of its own
    assert sorted(k for k in catalogue("en") if k.startswith("wf.tl.")) == sorted(
        keys | {"wf.tl.resolved", "wf.tl.closed", "wf.tl.ca_verified_title"}
    )
