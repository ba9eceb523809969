"""Post-incident reviews: the due clock, the five blameless questions, actions that become CAPAs."""

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
)

from models import CorrectiveAction, PostIncidentReview, ReviewAction
from models.enums import CapaStatus, CapaType, ControlLevel, Priority

ANSWERS = {
    "what_happened": "The press cycled during a die change; one cut finger, line stopped 2 h.",
    "root_cause": "The interlock could be bypassed with the maintenance key.",
    "detection": "The operator shouted; no sensor would have told us. A light curtain alarm would.",
    "went_well": "First aid in 2 minutes. Slowed by finding the key holder.",
}


def resolved_p1(sessions) -> uuid.UUID:
    """A P1 resolved at T0 + 1 h."""
    iid = file_incident(sessions, priority=Priority.P1)
    for step in ({"to": "acknowledged"}, {"to": "investigating"}):
        ok(run(sessions, "officer", "incident.transition", {"id": str(iid), **step}))
    resolve = {"id": str(iid), "to": "resolved", "resolution_type": "permanent_fix"}
    ok(run(sessions, "officer", "incident.transition", resolve, now=T0 + dt.timedelta(hours=1)))
    return iid


def review_of(sessions, review: str) -> PostIncidentReview:
    """The stored review."""
    with sessions() as session:
        return session.get(PostIncidentReview, uuid.UUID(review))


def test_a_p1_review_is_due_72_hours_after_resolution(sessions, people) -> None:
    iid = resolved_p1(sessions)
    review = str(uuid.uuid4())
    result = ok(run(sessions, "officer", "pir.create", {"id": review, "incident_id": str(iid)}))
    assert result.details["due_at"] == "2025-03-23T09:00:00+00:00"
    assert review_of(sessions, review).due_at == T0 + dt.timedelta(hours=73)
    refused(
        run(sessions, "officer", "pir.create", {"id": str(uuid.uuid4()), "incident_id": str(iid)}),
        "already_exists",
    )


def test_a_review_scheduled_early_gets_its_due_time_at_resolution(sessions, people) -> None:
    iid = file_incident(sessions, priority=Priority.P2)
    review = str(uuid.uuid4())
    ok(run(sessions, "officer", "pir.create", {"id": review, "incident_id": str(iid)}))
    assert review_of(sessions, review).due_at is None
    for step in (
        {"to": "acknowledged"},
        {"to": "investigating"},
        {"to": "resolved", "resolution_type": "workaround"},
    ):
        ok(run(sessions, "officer", "incident.transition", {"id": str(iid), **step}))
    assert review_of(sessions, review).due_at == T0 + dt.timedelta(hours=72)


def test_the_commander_may_write_the_review_but_a_worker_may_not(sessions, people) -> None:
    iid = resolved_p1(sessions)
    review = str(uuid.uuid4())
    refused(run(sessions, "worker", "pir.create", {"id": review, "incident_id": str(iid)}), "role_required")
    commander = {"id": str(iid), "role": "incident_commander", "user_id": str(people["worker"].id)}
    ok(run(sessions, "officer", "incident.assign_role", commander))
    ok(run(sessions, "worker", "pir.create", {"id": review, "incident_id": str(iid)}))
    ok(run(sessions, "worker", "pir.patch", {"id": review, "what_happened": ANSWERS["what_happened"]}))
    refused(run(sessions, "worker2", "pir.patch", {"id": review, "root_cause": "x"}), "not_found")


def test_completing_needs_every_answer_and_an_action_then_actions_become_capas(sessions, people) -> None:
    iid = resolved_p1(sessions)
    review = str(uuid.uuid4())
    ok(run(sessions, "officer", "pir.create", {"id": review, "incident_id": str(iid)}))
    ok(run(sessions, "officer", "pir.patch", {"id": review, "what_happened": ANSWERS["what_happened"]}))
    missing = refused(run(sessions, "officer", "pir.complete", {"id": review}), "review_incomplete")
    assert missing.details["missing"] == ["root_cause", "detection", "went_well", "actions"]
    first, second, dropped = (str(uuid.uuid4()) for _ in range(3))
    owner = str(people["worker"].id)
    actions = [
        {
            "id": first,
            "description": "Remove the maintenance key bypass",
            "owner_id": owner,
            "due_on": "2025-04-15",
        },
        {
            "id": second,
            "description": "Light curtain alarm to the control room",
            "owner_id": owner,
            "due_on": "2025-05-01",
        },
        {"id": dropped, "description": "Retrain everyone", "owner_id": owner, "due_on": "2025-04-01"},
    ]
    ok(run(sessions, "officer", "pir.patch", {"id": review, **ANSWERS, "actions": actions}))
    ok(run(sessions, "officer", "pir.patch", {"id": review, "remove_actions": [dropped]}))
    refused(
        run(
            sessions,
            "officer",
            "pir.patch",
            {
                "id": review,
                "actions": [
                    {
                        "id": str(uuid.uuid4()),
                        "description": "x",
                        "owner_id": str(people["worker2"].id),
                        "due_on": "2025-05-01",
                    }
                ],
            },
        ),
        "not_a_member",
    )
    controls = {first: {"control_level": "elimination", "type": "corrective"}}
    result = ok(run(sessions, "officer", "pir.complete", {"id": review, "controls": controls}))
    assert sorted(result.details["actions"]) == sorted(
        str(uuid.uuid5(uuid.UUID(a), "capa")) for a in (first, second)
    )
    with sessions() as session:
        capas = {
            c.title: c
            for c in session.scalars(
                select(CorrectiveAction).where(CorrectiveAction.review_id == uuid.UUID(review))
            )
        }
        items = session.scalars(select(ReviewAction).where(ReviewAction.review_id == uuid.UUID(review))).all()
    assert set(capas) == {"Remove the maintenance key bypass", "Light curtain alarm to the control room"}
    bypass = capas["Remove the maintenance key bypass"]
    assert (bypass.control_level, bypass.type, bypass.status) == (
        ControlLevel.ELIMINATION,
        CapaType.CORRECTIVE,
        CapaStatus.OPEN,
    )
    alarm = capas["Light curtain alarm to the control room"]
    assert (alarm.control_level, alarm.type) == (ControlLevel.ADMINISTRATIVE, CapaType.PREVENTIVE)
    assert (alarm.owner_id, alarm.due_on, alarm.incident_id) == (
        people["worker"].id,
        dt.date(2025, 5, 1),
        iid,
    )
    assert all(item.action_id is not None for item in items) and len(items) == 2
    assert review_of(sessions, review).completed_at == T0
    refused(run(sessions, "officer", "pir.patch", {"id": review, "went_well": "edit"}), "review_completed")
    refused(run(sessions, "officer", "pir.complete", {"id": review}), "review_completed")
