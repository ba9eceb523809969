"""Investigation edits from two devices: field-level three-way merge, stored conflicts, resolution."""

from __future__ import annotations

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

from models import Attachment, Investigation, InvestigationConflict, WitnessStatement
from models.enums import RootCauseCategory, WitnessRelation


def patch(sessions, who, iid, fields, base_version=0, **kw):
    """Send an investigation.patch of {field: (old, new)}."""
    body = {name: {"old": old, "new": new} for name, (old, new) in fields.items()}
    return run(
        sessions,
        who,
        "investigation.patch",
        {"incident_id": str(iid), "base_version": base_version, "fields": body},
        **kw,
    )


def investigation(sessions, iid) -> Investigation:
    """The stored investigation of an incident."""
    with sessions() as session:
        return session.scalar(select(Investigation).where(Investigation.incident_id == iid))


def started(sessions) -> uuid.UUID:
    """An incident under investigation with findings, a root cause and five whys written."""
    iid = file_incident(sessions)
    first = ok(
        patch(
            sessions,
            "officer",
            iid,
            {
                "findings": ("", "Guard left open"),
                "root_cause": ("", "No interlock"),
                "five_whys": ([], ["Guard open", "No interlock fitted"]),
            },
        )
    )
    assert sorted(first.details["applied"]) == ["findings", "five_whys", "root_cause"]
    return iid


def test_the_first_edit_creates_the_investigation(sessions, people) -> None:
    iid = started(sessions)
    stored = investigation(sessions, iid)
    assert stored.findings == "Guard left open" and stored.five_whys == ["Guard open", "No interlock fitted"]
    assert stored.id == uuid.uuid5(iid, "investigation"), "the phone and the server derive the same id"


def test_edits_to_different_fields_both_land(sessions, people) -> None:
    iid = started(sessions)
    version = investigation(sessions, iid).version
    ok(
        patch(
            sessions,
            "officer",
            iid,
            {"findings": ("Guard left open", "Guard left open after die change")},
            version,
        )
    )
    # The second device started from the same version and changed another field.
    second = ok(
        patch(
            sessions,
            "supervisor",
            iid,
            {"root_cause": ("No interlock", "Interlock missing on press 4")},
            version,
        )
    )
    assert second.details["applied"] == ["root_cause"] and second.details["conflicts"] == []
    stored = investigation(sessions, iid)
    assert stored.findings == "Guard left open after die change"
    assert stored.root_cause == "Interlock missing on press 4"


def test_the_same_change_on_both_sides_is_no_conflict(sessions, people) -> None:
    iid = started(sessions)
    version = investigation(sessions, iid).version
    ok(patch(sessions, "officer", iid, {"root_cause_category": (None, "procedures")}, version))
    same = ok(patch(sessions, "supervisor", iid, {"root_cause_category": (None, "procedures")}, version))
    assert same.details["unchanged"] == ["root_cause_category"] and same.details["applied"] == []
    assert investigation(sessions, iid).root_cause_category is RootCauseCategory.PROCEDURES


def test_a_field_changed_on_both_sides_keeps_the_current_value_and_waits_for_review(sessions, people) -> None:
    iid = started(sessions)
    version = investigation(sessions, iid).version
    ok(patch(sessions, "officer", iid, {"findings": ("Guard left open", "Officer's findings")}, version))
    result = patch(
        sessions,
        "supervisor",
        iid,
        {
            "findings": ("Guard left open", "Supervisor's findings"),
            "root_cause": ("No interlock", "Bypassed"),
        },
        version,
    )
    assert result.status.value == "conflict"
    assert result.details["applied"] == ["root_cause"]
    [conflict] = result.details["conflicts"]
    assert (conflict["field"], conflict["base"], conflict["current"], conflict["incoming"]) == (
        "findings",
        "Guard left open",
        "Officer's findings",
        "Supervisor's findings",
    )
    stored = investigation(sessions, iid)
    assert stored.findings == "Officer's findings" and stored.root_cause == "Bypassed"
    with sessions() as session:
        row = session.get(InvestigationConflict, uuid.UUID(conflict["id"]))
        assert (row.field, row.incoming_value, row.resolved_at) == ("findings", "Supervisor's findings", None)


def conflicted(sessions) -> tuple[uuid.UUID, str]:
    """An incident with one open conflict on findings; returns (incident id, conflict id)."""
    iid = started(sessions)
    version = investigation(sessions, iid).version
    ok(patch(sessions, "officer", iid, {"findings": ("Guard left open", "Mine")}, version))
    result = patch(sessions, "supervisor", iid, {"findings": ("Guard left open", "Theirs")}, version)
    return iid, result.details["conflicts"][0]["id"]


def test_resolving_a_conflict_by_taking_the_incoming_value(sessions, people) -> None:
    iid, conflict = conflicted(sessions)
    ok(run(sessions, "officer", "conflict.resolve", {"id": conflict, "resolution": "took_incoming"}))
    assert investigation(sessions, iid).findings == "Theirs"
    again = refused(
        run(sessions, "officer", "conflict.resolve", {"id": conflict, "resolution": "kept_current"}),
        "conflict_resolved",
    )
    assert again.details["resolution"] == "took_incoming"


def test_resolving_by_keeping_or_editing(sessions, people) -> None:
    iid, conflict = conflicted(sessions)
    refused(
        run(sessions, "officer", "conflict.resolve", {"id": conflict, "resolution": "edited"}), "invalid_args"
    )
    refused(
        run(sessions, "officer", "conflict.resolve", {"id": conflict, "resolution": "merge"}), "invalid_args"
    )
    refused(
        run(sessions, "worker", "conflict.resolve", {"id": conflict, "resolution": "kept_current"}),
        "role_required",
    )
    ok(
        run(
            sessions,
            "officer",
            "conflict.resolve",
            {"id": conflict, "resolution": "edited", "value": "Mine and theirs"},
        )
    )
    assert investigation(sessions, iid).findings == "Mine and theirs"
    iid2, conflict2 = conflicted(sessions)
    ok(run(sessions, "supervisor", "conflict.resolve", {"id": conflict2, "resolution": "kept_current"}))
    assert investigation(sessions, iid2).findings == "Mine"
    with sessions() as session:
        row = session.get(InvestigationConflict, uuid.UUID(conflict2))
        assert row.resolution == "kept_current" and row.resolved_at == T0


def test_bad_fields_and_values_are_refused_by_name(sessions, people) -> None:
    iid = started(sessions)
    for fields, code, field in (
        ({"blame": ("", "Bob")}, "invalid_args", "fields"),
        ({"five_whys": ([], ["1", "2", "3", "4", "5", "6"])}, "invalid_args", "five_whys"),
        ({"root_cause_category": (None, "bad_luck")}, "invalid_args", "root_cause_category"),
        ({"contributing_factors": ([], [{"category": "weather"}])}, "invalid_args", "contributing_factors"),
        ({"lead_id": (None, str(uuid.uuid4()))}, "unknown_user", "lead_id"),
        ({"lead_id": (None, str(people["worker2"].id))}, "not_a_member", "lead_id"),
        ({"evidence": ([], [{"type": "attachment", "id": str(uuid.uuid4())}])}, "invalid_args", "evidence"),
    ):
        result = refused(patch(sessions, "officer", iid, fields, 1), code)
        assert result.details["field"] == field, result.message
    refused(patch(sessions, "officer", iid, {"findings": ("x", "y")}, 99), "invalid_args")


def test_evidence_references_this_incidents_photos_and_statements(sessions, people) -> None:
    iid = started(sessions)
    photo, statement = uuid.uuid4(), uuid.uuid4()
    with sessions.begin() as session:
        session.add(
            Attachment(
                id=photo, incident_id=iid, slot="photo-1", sha256="ab" * 32, size=10, mime="image/jpeg"
            )
        )
        session.add(
            WitnessStatement(
                id=statement,
                incident_id=iid,
                witness_name="Ali",
                relation=WitnessRelation.EMPLOYEE,
                statement="I saw the guard open.",
                taken_by_id=people["officer"].id,
                taken_at=T0,
            )
        )
    refs = [{"type": "attachment", "id": str(photo)}, {"type": "statement", "id": str(statement)}]
    factors = [{"category": "equipment", "description": "No interlock"}]
    ok(patch(sessions, "officer", iid, {"evidence": ([], refs), "contributing_factors": ([], factors)}, 1))
    stored = investigation(sessions, iid)
    assert stored.evidence == refs and stored.contributing_factors == factors


def test_assigned_people_may_edit_and_a_closed_incident_may_not_change(sessions, people) -> None:
    iid = file_incident(sessions)
    refused(patch(sessions, "worker", iid, {"findings": ("", "x")}), "role_required")
    ok(
        run(
            sessions,
            "officer",
            "incident.assign_role",
            {"id": str(iid), "role": "investigator", "user_id": str(people["worker"].id)},
        )
    )
    ok(patch(sessions, "worker", iid, {"findings": ("", "Seen from the floor")}))
    refused(patch(sessions, "worker2", iid, {"findings": ("", "x")}), "not_found")
    for step in (
        {"to": "acknowledged"},
        {"to": "investigating"},
        {"to": "resolved", "resolution_type": "permanent_fix", "summary": "s"},
        {"to": "closed", "service_restored": True, "affected_informed": True},
    ):
        ok(run(sessions, "officer", "incident.transition", {"id": str(iid), **step}))
    closed = refused(
        patch(sessions, "officer", iid, {"findings": ("Seen from the floor", "late")}, 2), "incident_closed"
    )
    assert "reopen" in closed.message
    assert investigation(sessions, iid).findings == "Seen from the floor"
