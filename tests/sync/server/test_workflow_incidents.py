"""Incident workflow mutations on the central store: acknowledge, priority, roles, lifecycle, checklist,
problems and changes, status updates; each refusal is specific, audited, and changes nothing."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from support.workflow import (  # noqa: F401  (the module shares one store per backend)
    OUTAGE,
    T0,
    file_incident,
    incident,
    ok,
    refused,
    run,
    shared_people,
    shared_sessions,
    shared_store,
)

from models import AuditEvent, Change, IncidentRole, StatusUpdate
from models.enums import IncidentRoleKind, IncidentStatus, Priority
from sync.server import audit

MIN = dt.timedelta(minutes=1)


def audit_actions(sessions: sessionmaker[Session], entity_id: uuid.UUID) -> list[tuple[str, dict]]:
    """The audit events naming an entity, in order."""
    with sessions() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.entity_id == str(entity_id)).order_by(AuditEvent.seq)
        )
        return [(e.action, e.data) for e in events]


def test_acknowledging_records_the_time_and_makes_the_officer_commander(sessions, people) -> None:
    iid = file_incident(sessions, priority=Priority.P2)
    result = ok(run(sessions, "officer", "incident.acknowledge", {"id": str(iid)}, now=T0 + 12 * MIN))
    assert result.details == {"response_seconds": 720, "took_command": True, "within_target": True}
    stored = incident(sessions, iid)
    assert stored.status is IncidentStatus.ACKNOWLEDGED and stored.acknowledged_at == T0 + 12 * MIN
    with sessions() as session:
        roles = session.scalars(select(IncidentRole).where(IncidentRole.incident_id == iid)).all()
        published = session.scalars(select(Change.entity).where(Change.entity_id == str(iid))).all()
    assert [(r.role, r.user_id) for r in roles] == [(IncidentRoleKind.COMMANDER, people["officer"].id)]
    assert published, "the acknowledged incident is on the pull feed"

    again = refused(
        run(sessions, "supervisor", "incident.acknowledge", {"id": str(iid)}), "illegal_transition"
    )
    assert again.details["current"] == "acknowledged"
    late = file_incident(sessions, priority=Priority.P2)
    slow = ok(
        run(
            sessions,
            "officer",
            "incident.acknowledge",
            {"id": str(late), "take_command": False},
            now=T0 + 31 * MIN,
        )
    )
    assert slow.details["within_target"] is False and slow.details["took_command"] is False
    actions = [action for action, _ in audit_actions(sessions, iid)]
    assert actions == ["incident.acknowledge", "incident.acknowledge.rejected"]


def test_who_may_acknowledge(sessions, people) -> None:
    iid = file_incident(sessions)
    refused(run(sessions, "worker", "incident.acknowledge", {"id": str(iid)}), "role_required")
    refused(run(sessions, "worker2", "incident.acknowledge", {"id": str(iid)}), "not_found")
    refused(run(sessions, "admin", "incident.acknowledge", {"id": str(iid)}), "role_required")
    refused(run(sessions, "officer", "incident.acknowledge", {"id": str(uuid.uuid4())}), "not_found")
    assert incident(sessions, iid).status is IncidentStatus.REPORTED
    ok(run(sessions, "manager", "incident.acknowledge", {"id": str(iid)}))


def test_setting_the_priority_by_hand_needs_a_reason(sessions, people) -> None:
    iid = file_incident(sessions, priority=Priority.P4)
    no_reason = refused(
        run(sessions, "officer", "incident.set_priority", {"id": str(iid), "priority": "P1"}),
        "reason_required",
    )
    assert "why" in no_reason.message
    refused(
        run(sessions, "officer", "incident.set_priority", {"id": str(iid), "priority": "P9", "reason": "x"}),
        "invalid_args",
    )
    result = ok(
        run(
            sessions,
            "officer",
            "incident.set_priority",
            {"id": str(iid), "priority": "P1", "reason": "Crane still unsafe"},
        )
    )
    assert result.details == {"previous": "P4", "priority": "P1"}
    stored = incident(sessions, iid)
    assert (
        stored.priority is Priority.P1
        and stored.priority_reason == "Crane still unsafe (set by Olga Officer)"
    )


def test_roles_keep_their_history_and_the_fill_time_is_measured(sessions, people) -> None:
    iid = file_incident(sessions)
    officer, supervisor, worker = (str(people[n].id) for n in ("officer", "supervisor", "worker"))
    first = ok(
        run(
            sessions,
            "officer",
            "incident.assign_role",
            {"id": str(iid), "role": "incident_commander", "user_id": officer},
            now=T0 + 4 * MIN,
        )
    )
    assert first.details["fill_seconds"] == 240
    second = ok(
        run(
            sessions,
            "officer",
            "incident.assign_role",
            {"id": str(iid), "role": "incident_commander", "user_id": supervisor},
            now=T0 + 9 * MIN,
        )
    )
    assert second.details["replaced"] == [officer] and "fill_seconds" not in second.details
    refused(
        run(
            sessions,
            "officer",
            "incident.assign_role",
            {"id": str(iid), "role": "incident_commander", "user_id": supervisor},
        ),
        "already_assigned",
    )
    for user in (worker, officer):  # investigators: several at once
        ok(
            run(
                sessions,
                "officer",
                "incident.assign_role",
                {"id": str(iid), "role": "investigator", "user_id": user},
            )
        )
    refused(
        run(
            sessions,
            "officer",
            "incident.assign_role",
            {"id": str(iid), "role": "resolver", "user_id": str(people["worker2"].id)},
        ),
        "not_a_member",
    )
    refused(
        run(sessions, "officer", "incident.assign_role", {"id": str(iid), "role": "boss", "user_id": worker}),
        "invalid_args",
    )
    ok(
        run(
            sessions,
            "officer",
            "incident.assign_role",
            {"id": str(iid), "role": "investigator", "user_id": worker, "remove": True},
        )
    )
    refused(
        run(
            sessions,
            "officer",
            "incident.assign_role",
            {"id": str(iid), "role": "investigator", "user_id": worker, "remove": True},
        ),
        "not_assigned",
    )
    refused(
        run(
            sessions,
            "worker",
            "incident.assign_role",
            {"id": str(iid), "role": "resolver", "user_id": worker},
        ),
        "role_required",
    )
    with sessions() as session:
        rows = session.scalars(
            select(IncidentRole)
            .where(IncidentRole.incident_id == iid)
            .order_by(IncidentRole.assigned_at, IncidentRole.role)
        ).all()
    history = [(r.role.value, str(r.user_id), r.ended_at is None) for r in rows]
    assert ("incident_commander", officer, False) in history and (
        "incident_commander",
        supervisor,
        True,
    ) in history
    assert ("investigator", worker, False) in history and ("investigator", officer, True) in history
    assigned = [
        data["args"]["user_id"]
        for action, data in audit_actions(sessions, iid)
        if action == "incident.assign_role"
    ]
    assert assigned == [officer, supervisor, worker, officer, worker]


def walk(sessions, iid, *steps, who="officer"):
    """Apply transitions in order, each must apply."""
    for step in steps:
        ok(run(sessions, who, "incident.transition", {"id": str(iid), **step}))


def test_a_p3_goes_through_its_whole_lifecycle_and_reopens_with_a_reason(sessions, people) -> None:
    iid = file_incident(sessions)
    refused(
        run(sessions, "officer", "incident.transition", {"id": str(iid), "to": "investigating"}),
        "illegal_transition",
    )
    walk(sessions, iid, {"to": "acknowledged"}, {"to": "investigating"})
    refused(
        run(sessions, "officer", "incident.transition", {"id": str(iid), "to": "resolved"}),
        "resolution_required",
    )
    walk(sessions, iid, {"to": "resolved", "resolution_type": "permanent_fix", "summary": "Racking repaired"})
    stored = incident(sessions, iid)
    assert stored.resolved_at == T0 and stored.resolution_summary == "Racking repaired"
    blocked = refused(
        run(sessions, "officer", "incident.transition", {"id": str(iid), "to": "closed"}),
        "checklist_incomplete",
    )
    assert blocked.details["missing"] == ["service_restored", "affected_informed"]
    assert incident(sessions, iid).status is IncidentStatus.RESOLVED
    walk(sessions, iid, {"to": "closed", "service_restored": True, "affected_informed": True})
    assert incident(sessions, iid).closed_at == T0
    refused(
        run(sessions, "officer", "incident.transition", {"id": str(iid), "to": "resolved"}),
        "illegal_transition",
    )
    refused(
        run(sessions, "officer", "incident.transition", {"id": str(iid), "to": "investigating"}),
        "reason_required",
    )
    walk(sessions, iid, {"to": "investigating", "reason": "The pallet fell again"})
    reopened = incident(sessions, iid)
    assert reopened.status is IncidentStatus.INVESTIGATING
    assert (reopened.closed_at, reopened.resolved_at, reopened.service_restored) == (None, None, False)


def test_a_refused_close_changes_nothing_and_is_audited(sessions, people) -> None:
    iid = file_incident(sessions)
    walk(
        sessions,
        iid,
        {"to": "acknowledged"},
        {"to": "investigating"},
        {"to": "resolved", "resolution_type": "permanent_fix"},
    )
    before = incident(sessions, iid)
    refused(
        run(
            sessions,
            "officer",
            "incident.transition",
            {"id": str(iid), "to": "closed", "service_restored": True},
        ),
        "checklist_incomplete",
    )
    after = incident(sessions, iid)
    assert (after.version, after.service_restored, after.status) == (
        before.version,
        False,
        IncidentStatus.RESOLVED,
    )
    action, data = audit_actions(sessions, iid)[-1]
    assert action == "incident.transition.rejected" and data["code"] == "checklist_incomplete"
    with sessions() as session:
        assert audit.verify(session).ok


def test_p1_and_p2_need_a_scheduled_review_before_closing(sessions, people) -> None:
    iid = file_incident(sessions, priority=Priority.P2)
    done = {"service_restored": True, "affected_informed": True, "summary": "Fixed"}
    walk(
        sessions,
        iid,
        {"to": "acknowledged"},
        {"to": "investigating"},
        {"to": "resolved", "resolution_type": "permanent_fix", **done},
    )
    blocked = refused(
        run(sessions, "officer", "incident.transition", {"id": str(iid), "to": "closed"}),
        "checklist_incomplete",
    )
    assert blocked.details["missing"] == ["review_scheduled"]
    review = str(uuid.uuid4())
    ok(run(sessions, "officer", "pir.create", {"id": review, "incident_id": str(iid)}))
    refused(
        run(sessions, "officer", "incident.transition", {"id": str(iid), "to": "closed"}),
        "checklist_incomplete",
    )
    ok(run(sessions, "officer", "pir.patch", {"id": review, "scheduled_for": "2025-03-21T09:00:00+00:00"}))
    walk(sessions, iid, {"to": "closed"})


def test_a_workaround_closes_only_with_a_problem_or_change_request(sessions, people) -> None:
    site = str(incident(sessions, file_incident(sessions)).site_id)
    for link in ("problem", "change"):
        iid = file_incident(sessions)
        done = {"service_restored": True, "affected_informed": True, "summary": "Rerouted"}
        walk(
            sessions,
            iid,
            {"to": "acknowledged"},
            {"to": "investigating"},
            {"to": "resolved", "resolution_type": "workaround", **done},
        )
        blocked = refused(
            run(sessions, "officer", "incident.transition", {"id": str(iid), "to": "closed"}),
            "checklist_incomplete",
        )
        assert blocked.details["missing"] == ["fix_linked"]
        record = str(uuid.uuid4())
        if link == "problem":
            ok(
                run(
                    sessions,
                    "officer",
                    "problem.create",
                    {"id": record, "site_id": site, "title": "Racking overload"},
                )
            )
            ok(run(sessions, "officer", "incident.link_problem", {"id": str(iid), "problem_id": record}))
            assert incident(sessions, iid).problem_id == uuid.UUID(record)
        else:
            args = {"id": record, "site_id": site, "title": "Replace racking", "incident_id": str(iid)}
            ok(run(sessions, "officer", "change_request.create", args))
            assert incident(sessions, iid).change_request_id == uuid.UUID(record)
        walk(sessions, iid, {"to": "closed"})


def test_problems_and_changes_stay_within_their_site(sessions, people) -> None:
    here = file_incident(sessions)
    there = file_incident(sessions, site="S2", reporter="worker2")
    s1, s2 = (str(incident(sessions, i).site_id) for i in (here, there))
    problem = str(uuid.uuid4())
    ok(run(sessions, "manager", "problem.create", {"id": problem, "site_id": s2, "title": "Forklift brakes"}))
    refused(
        run(sessions, "manager", "incident.link_problem", {"id": str(here), "problem_id": problem}),
        "site_mismatch",
    )
    refused(
        run(sessions, "officer", "problem.create", {"id": str(uuid.uuid4()), "site_id": s2, "title": "x"}),
        "role_required",
    )
    refused(
        run(sessions, "officer", "problem.create", {"id": problem, "site_id": s1, "title": "x"}),
        "already_exists",
    )
    refused(run(sessions, "officer", "incident.link_problem", {"id": str(here)}), "invalid_args")
    refused(
        run(
            sessions,
            "officer",
            "problem.create",
            {"id": str(uuid.uuid4()), "site_id": s1, "title": "x", "incident_ids": [str(there)]},
        ),
        "not_found",
    )


def post(sessions, who, iid, *, now=T0, **args):
    """Post a status update."""
    return run(
        sessions,
        who,
        "status_update.create",
        {"id": str(uuid.uuid4()), "incident_id": str(iid), **args},
        now=now,
    )


def test_the_holding_message_and_the_update_cadence(sessions, people) -> None:
    p1 = file_incident(sessions, "outage", OUTAGE, priority=Priority.P1)
    result = ok(post(sessions, "officer", p1, audience="external", template="holding", now=T0 + 5 * MIN))
    assert result.details["body"] == (
        "2025-03-20 08:05 UTC | Mail down for everyone · Status: Investigating · "
        "Impact: Nobody can send or receive mail · Affected services: Mail · "
        "next update by 2025-03-20 08:35 UTC"
    )
    p2 = file_incident(sessions, priority=Priority.P2)
    ok(post(sessions, "officer", p2, audience="internal", template="update", message="Crane isolated"))
    p3 = file_incident(sessions, priority=Priority.P3)
    ok(post(sessions, "officer", p3, audience="internal", template="holding"))
    ok(post(sessions, "officer", p3, audience="internal", template="update", message="Tidied", now=T0 + MIN))
    with sessions() as session:
        due = {
            (u.incident_id, u.template): u.next_update_due_at for u in session.scalars(select(StatusUpdate))
        }
    assert due[(p1, "holding")] == T0 + 35 * MIN
    assert due[(p2, "update")] == T0 + 60 * MIN
    assert due[(p3, "holding")] == T0 + 30 * MIN  # a holding message always promises the next one
    assert due[(p3, "update")] is None  # P3 and P4 have no cadence


def test_status_updates_in_the_site_time_zone_and_by_the_communication_lead(sessions, people) -> None:
    there = file_incident(sessions, site="S2", reporter="worker2", priority=Priority.P1)
    body = ok(post(sessions, "manager", there, audience="external", template="holding")).details["body"]
    assert body.startswith("2025-03-20 16:00 +08 | ") and body.endswith("next update by 2025-03-20 16:30 +08")

    iid = file_incident(sessions, priority=Priority.P2)
    refused(
        post(sessions, "worker", iid, audience="internal", template="custom", message="Hi"), "role_required"
    )
    ok(
        run(
            sessions,
            "officer",
            "incident.assign_role",
            {"id": str(iid), "role": "communication_lead", "user_id": str(people["worker"].id)},
        )
    )
    ok(post(sessions, "worker", iid, audience="internal", template="custom", message="Area closed"))
    refused(post(sessions, "officer", iid, audience="internal", template="custom"), "invalid_args")
    refused(
        post(sessions, "officer", iid, audience="everyone", template="custom", message="x"), "invalid_args"
    )
    refused(
        post(
            sessions,
            "officer",
            iid,
            audience="internal",
            template="custom",
            message="x",
            next_update_at="2025-03-20T07:00:00+00:00",
        ),
        "invalid_args",
    )


def test_no_status_updates_on_a_closed_incident(sessions, people) -> None:
    iid = file_incident(sessions)
    done = {"service_restored": True, "affected_informed": True, "summary": "Done"}
    walk(
        sessions,
        iid,
        {"to": "acknowledged"},
        {"to": "investigating"},
        {"to": "resolved", "resolution_type": "permanent_fix", **done},
        {"to": "closed"},
    )
    refused(post(sessions, "officer", iid, audience="internal", template="update"), "incident_closed")
    refused(
        run(
            sessions,
            "officer",
            "incident.assign_role",
            {"id": str(iid), "role": "resolver", "user_id": str(people["worker"].id)},
        ),
        "incident_closed",
    )
