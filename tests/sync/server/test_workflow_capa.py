"""Corrective actions: the state machine, stale states, evidence, signed verification (never by the owner),
supervisor-only send-back and cancel, effectiveness checks at 30/60/90 days."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from support.workflow import (  # noqa: F401  (the module shares one store per backend)
    T0,
    file_incident,
    ok,
    refused,
    run,
    shared_people,
    shared_sessions,
    shared_store,
    site_id,
)

from models import Change, CorrectiveAction, EffectivenessCheck, SignOff
from models.enums import CapaStatus, Role
from models.workflow import capa_content, content_digest

SIGNATURE = "5e" * 32


def create(sessions, people, owner="worker", **extra) -> str:
    """A new open action on a fresh incident, owned by `owner`; returns its id."""
    iid = file_incident(sessions)
    action = str(uuid.uuid4())
    args = {
        "id": action,
        "incident_id": str(iid),
        "control_level": "engineering",
        "title": "Fit an interlock to press 4",
        "owner_id": str(people[owner].id),
        "due_on": "2025-04-01",
        **extra,
    }
    ok(run(sessions, "officer", "ca.create", args))
    return action


def move(sessions, who, action, frm, to, **args):
    """Run ca.transition."""
    return run(sessions, who, "ca.transition", {"id": action, "from": frm, "to": to, **args})


def stored(sessions, action) -> CorrectiveAction:
    """The stored action."""
    with sessions() as session:
        return session.get(CorrectiveAction, uuid.UUID(action))


def done(sessions, people, owner="worker") -> str:
    """An action its owner has finished with evidence."""
    action = create(sessions, people, owner)
    ok(move(sessions, owner, action, "open", "in_progress"))
    ok(
        move(
            sessions, owner, action, "in_progress", "done", evidence=[{"note": "Interlock fitted and tested"}]
        )
    )
    return action


def test_creating_an_action_checks_owner_date_and_role(sessions, people) -> None:
    iid = str(file_incident(sessions))
    base = {"incident_id": iid, "control_level": "ppe", "title": "Gloves", "due_on": "2025-04-01"}
    refused(
        run(
            sessions,
            "worker",
            "ca.create",
            {"id": str(uuid.uuid4()), "owner_id": str(people["worker"].id), **base},
        ),
        "role_required",
    )
    refused(
        run(
            sessions,
            "officer",
            "ca.create",
            {"id": str(uuid.uuid4()), "owner_id": str(people["worker2"].id), **base},
        ),
        "not_a_member",
    )
    past = {**base, "due_on": "2025-03-01"}
    refused(
        run(
            sessions,
            "officer",
            "ca.create",
            {"id": str(uuid.uuid4()), "owner_id": str(people["worker"].id), **past},
        ),
        "invalid_args",
    )
    refused(
        run(
            sessions,
            "officer",
            "ca.create",
            {"id": str(uuid.uuid4()), "owner_id": str(people["worker"].id), **base, "control_level": "luck"},
        ),
        "invalid_args",
    )
    action = str(uuid.uuid4())
    ok(run(sessions, "officer", "ca.create", {"id": action, "owner_id": str(people["worker"].id), **base}))
    refused(
        run(sessions, "officer", "ca.create", {"id": action, "owner_id": str(people["worker"].id), **base}),
        "already_exists",
    )
    created = stored(sessions, action)
    assert (created.status, created.type.value, created.control_level.value) == (
        CapaStatus.OPEN,
        "corrective",
        "ppe",
    )


def test_the_owner_starts_and_finishes_with_evidence(sessions, people) -> None:
    action = create(sessions, people)
    refused(move(sessions, "worker2", action, "open", "in_progress"), "not_found")
    ok(move(sessions, "worker", action, "open", "in_progress"))
    needs = refused(move(sessions, "worker", action, "in_progress", "done"), "evidence_required")
    assert "evidence" in needs.message
    refused(
        move(sessions, "worker", action, "in_progress", "done", evidence=[{"note": "  "}]), "invalid_args"
    )
    photo = {"sha256": "ab" * 32, "caption": "Interlock"}
    ok(move(sessions, "worker", action, "in_progress", "done", evidence=[{"note": "Fitted"}, photo]))
    finished = stored(sessions, action)
    assert finished.status is CapaStatus.DONE and finished.done_at == T0
    assert finished.evidence == [{"note": "Fitted"}, photo]


def test_a_transition_from_a_stale_state_is_refused_with_the_current_one(sessions, people) -> None:
    action = create(sessions, people)
    ok(move(sessions, "officer", action, "open", "in_progress"))
    # A second device still shows the action as open.
    stale = refused(move(sessions, "worker", action, "open", "in_progress"), "stale_state")
    assert stale.details == {"current": "in_progress"}
    assert stored(sessions, action).status is CapaStatus.IN_PROGRESS
    refused(move(sessions, "officer", action, "in_progress", "open"), "illegal_transition")
    refused(move(sessions, "officer", action, "in_progress", "closed"), "invalid_args")


def test_verifying_needs_a_signature_through_ca_verify(sessions, people) -> None:
    action = done(sessions, people)
    refused(move(sessions, "supervisor", action, "done", "verified"), "signature_required")
    refused(
        run(sessions, "supervisor", "ca.verify", {"id": action, "signer_name": "Sam"}), "signature_required"
    )
    refused(
        run(sessions, "supervisor", "ca.verify", {"id": action, "signature_sha256": SIGNATURE}),
        "signature_required",
    )
    refused(
        run(
            sessions,
            "supervisor",
            "ca.verify",
            {"id": action, "signature_sha256": "xyz", "signer_name": "Sam"},
        ),
        "invalid_args",
    )
    refused(
        run(
            sessions,
            "officer",
            "ca.verify",
            {"id": action, "signature_sha256": SIGNATURE, "signer_name": "Olga"},
        ),
        "role_required",
    )
    assert stored(sessions, action).status is CapaStatus.DONE


def test_the_owner_can_never_verify(sessions, people) -> None:
    action = done(sessions, people, owner="supervisor")
    owner = refused(
        run(
            sessions,
            "supervisor",
            "ca.verify",
            {"id": action, "signature_sha256": SIGNATURE, "signer_name": "Sam"},
        ),
        "owner_cannot_verify",
    )
    assert "another supervisor" in owner.message
    ok(
        run(
            sessions,
            "manager",
            "ca.verify",
            {"id": action, "signature_sha256": SIGNATURE, "signer_name": "Hana M"},
        )
    )


def test_a_signed_verification_records_what_was_signed_and_schedules_checks(sessions, people) -> None:
    action = done(sessions, people)
    signed_at = T0 + dt.timedelta(hours=2)
    before = stored(sessions, action)
    result = ok(
        run(
            sessions,
            "supervisor",
            "ca.verify",
            {
                "id": action,
                "signature_sha256": SIGNATURE,
                "signer_name": "Sam Supervisor",
                "signed_at": signed_at.isoformat(),
            },
            now=signed_at + dt.timedelta(minutes=5),
        )
    )
    assert result.details["content_sha256"] == content_digest(capa_content(before))
    assert result.details["checks"] == ["2025-04-19", "2025-05-19", "2025-06-18"]
    with sessions() as session:
        sign = session.scalar(select(SignOff).where(SignOff.subject_id == uuid.UUID(action)))
        checks = session.scalars(
            select(EffectivenessCheck)
            .where(EffectivenessCheck.action_id == uuid.UUID(action))
            .order_by(EffectivenessCheck.days_after)
        ).all()
    assert (sign.meaning, sign.signer_name, sign.signer_role, sign.signature_sha256) == (
        "verified",
        "Sam Supervisor",
        Role.SUPERVISOR,
        SIGNATURE,
    )
    assert sign.signed_at == signed_at and sign.content_sha256 == result.details["content_sha256"]
    with sessions() as session:
        published = session.scalar(
            select(Change).where(Change.entity == "sign_off", Change.entity_id == str(sign.id))
        )
    assert published.site_id == site_id(sessions), "supervisors of the site pull the sign-off"
    assert [(c.days_after, c.due_on) for c in checks] == [
        (30, dt.date(2025, 4, 19)),
        (60, dt.date(2025, 5, 19)),
        (90, dt.date(2025, 6, 18)),
    ]
    verified = stored(sessions, action)
    assert verified.status is CapaStatus.VERIFIED and verified.verified_at == signed_at
    refused(move(sessions, "supervisor", action, "verified", "in_progress"), "illegal_transition")
    refused(run(sessions, "officer", "ca.patch", {"id": action, "title": "New"}), "action_closed")


def test_only_a_supervisor_sends_back_and_only_with_a_reason(sessions, people) -> None:
    action = done(sessions, people)
    refused(move(sessions, "officer", action, "done", "in_progress", reason="Not tested"), "role_required")
    refused(move(sessions, "worker", action, "done", "in_progress", reason="Not tested"), "role_required")
    refused(move(sessions, "supervisor", action, "done", "in_progress"), "reason_required")
    ok(move(sessions, "supervisor", action, "done", "in_progress", reason="Interlock not tested under load"))
    back = stored(sessions, action)
    assert (
        back.status is CapaStatus.IN_PROGRESS and back.sent_back_reason == "Interlock not tested under load"
    )
    assert back.done_at is None
    with sessions() as session:
        sign = session.scalar(select(SignOff).where(SignOff.subject_id == back.id))
    assert (sign.meaning, sign.reason, sign.signature_sha256) == (
        "sent_back",
        "Interlock not tested under load",
        None,
    )


def test_only_a_supervisor_cancels_and_only_with_a_reason(sessions, people) -> None:
    action = create(sessions, people)
    refused(move(sessions, "officer", action, "open", "cancelled", reason="Duplicate"), "role_required")
    refused(move(sessions, "supervisor", action, "open", "cancelled"), "reason_required")
    ok(
        move(
            sessions, "supervisor", action, "open", "cancelled", reason="Duplicate of the press guard action"
        )
    )
    assert stored(sessions, action).cancelled_reason == "Duplicate of the press guard action"
    refused(move(sessions, "supervisor", action, "cancelled", "open"), "illegal_transition")


def test_the_owner_edits_only_the_description_and_evidence(sessions, people) -> None:
    action = create(sessions, people)
    ok(
        run(
            sessions,
            "worker",
            "ca.patch",
            {"id": action, "description": "Ordered part", "add_evidence": [{"note": "PO 4411"}]},
        )
    )
    limited = refused(
        run(sessions, "worker", "ca.patch", {"id": action, "due_on": "2025-06-01"}), "role_required"
    )
    assert "due_on" in limited.message
    ok(
        run(
            sessions,
            "officer",
            "ca.patch",
            {"id": action, "due_on": "2025-06-01", "control_level": "elimination"},
        )
    )
    edited = stored(sessions, action)
    assert (edited.description, edited.evidence, edited.due_on) == (
        "Ordered part",
        [{"note": "PO 4411"}],
        dt.date(2025, 6, 1),
    )
    assert edited.control_level.value == "elimination"
    refused(run(sessions, "officer", "ca.patch", {"id": action}), "invalid_args")


def test_effectiveness_checks_are_recorded_once(sessions, people) -> None:
    action = done(sessions, people)
    ok(
        run(
            sessions,
            "supervisor",
            "ca.verify",
            {"id": action, "signature_sha256": SIGNATURE, "signer_name": "Sam"},
        )
    )
    with sessions() as session:
        first = session.scalar(
            select(EffectivenessCheck.id).where(
                EffectivenessCheck.action_id == uuid.UUID(action), EffectivenessCheck.days_after == 30
            )
        )
    check = str(first)
    refused(
        run(sessions, "worker", "effectiveness.record", {"id": check, "effective": True}), "role_required"
    )
    refused(
        run(sessions, "officer", "effectiveness.record", {"id": check, "effective": "yes"}), "invalid_args"
    )
    refused(
        run(sessions, "officer", "effectiveness.record", {"id": check, "effective": False}), "reason_required"
    )
    ok(
        run(
            sessions,
            "officer",
            "effectiveness.record",
            {"id": check, "effective": False, "notes": "Guard bypassed again"},
        )
    )
    refused(
        run(sessions, "officer", "effectiveness.record", {"id": check, "effective": True}), "already_recorded"
    )
    with sessions() as session:
        row = session.get(EffectivenessCheck, first)
    assert (row.effective, row.notes, row.checked_by_id) == (
        False,
        "Guard bypassed again",
        people["officer"].id,
    )
