"""Reactions to filed reports: automatic priority with reasons (unless set by hand), repeat linking."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from support.workflow import T0, incident, ok, run, site_id

from models import AuditEvent, Incident, Problem, Site, SiteArea
from models.enums import Priority

DAY = dt.timedelta(days=1)


def report(sessions, form_id: str, values: dict, *, who="worker", site="S1", now=T0) -> uuid.UUID:
    """File a report through report.create, as a phone's push does."""
    iid = uuid.uuid4()
    args = {
        "id": str(iid),
        "site_id": str(site_id(sessions, site)),
        "form_id": form_id,
        "form_version": 1,
        "values": values,
        "device_recorded_at": now.isoformat(),
    }
    ok(run(sessions, who, "report.create", args, now=now))
    return iid


def near_miss(severity: str = "low", at: dt.datetime = T0, **extra) -> dict:
    """Near-miss form values."""
    return {
        "title": "Pallet nearly fell",
        "occurred_at": (at - dt.timedelta(hours=1)).isoformat(),
        "hazard_type": "falling_object",
        "what_could_have_happened": "It could have hit the picker.",
        "potential_severity": severity,
        **extra,
    }


INJURY = {
    "case_type": "injury",
    "title": "Crushed hand in press 4",
    "occurred_at": "2025-03-20T07:00:00+00:00",
    "employee_name": "Ana Lima",
    "what_happened": "The press cycled during a die change.",
    "injury_description": "Crush injury, right hand",
    "inpatient": "treatment",
    "inpatient_date": "2025-03-20",
}


def test_a_hospitalisation_is_p1_with_its_reasons(sessions, people) -> None:
    iid = report(sessions, "injury", INJURY)
    stored = incident(sessions, iid)
    assert stored.priority is Priority.P1
    assert "in-patient hospitalisation for treatment: at least P1" in stored.priority_reason
    with sessions() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "incident.triaged"))
    assert event.entity_id == str(iid)
    assert (
        event.data["priority"] == "P1"
        and "the person needs hospital or emergency care" in event.data["reasons"]
    )


def test_amendments_re_triage_until_a_person_sets_the_priority(sessions, people) -> None:
    iid = report(sessions, "near_miss", near_miss("low"))
    assert incident(sessions, iid).priority is Priority.P4
    amend = {"id": str(uuid.uuid4()), "incident_id": str(iid), "changes": {"potential_severity": "high"}}
    ok(run(sessions, "worker", "report.amend", amend))
    raised = incident(sessions, iid)
    assert (
        raised.priority is Priority.P3
        and "the hazard could have caused serious harm" in raised.priority_reason
    )

    manual = {"id": str(iid), "priority": "P1", "reason": "Racking may collapse"}
    ok(run(sessions, "officer", "incident.set_priority", manual))
    amend = {"id": str(uuid.uuid4()), "incident_id": str(iid), "changes": {"potential_severity": "low"}}
    ok(run(sessions, "worker", "report.amend", amend))
    kept = incident(sessions, iid)
    assert kept.priority is Priority.P1 and kept.priority_reason.startswith("Racking may collapse")


def area(sessions, name: str, site: str = "S1") -> str:
    """A new area of a site."""
    with sessions.begin() as session:
        row = SiteArea(site_id=site_id(sessions, site), name=name)
        session.add(row)
        session.flush()
        return str(row.id)


def problems(sessions) -> list[tuple[str, set[uuid.UUID]]]:
    """Every problem with the incidents linked to it."""
    with sessions() as session:
        found = []
        for problem in session.scalars(select(Problem)):
            linked = set(session.scalars(select(Incident.id).where(Incident.problem_id == problem.id)))
            found.append((problem.title, linked))
        return found


def test_incidents_in_the_same_area_within_the_window_are_linked_as_repeats(sessions, people) -> None:
    bay = area(sessions, "Warehouse Bay 4")
    old = report(sessions, "near_miss", near_miss(area_id=bay, at=T0 - 130 * DAY), now=T0 - 130 * DAY)
    first = report(sessions, "near_miss", near_miss(area_id=bay, at=T0 - 30 * DAY), now=T0 - 30 * DAY)
    assert problems(sessions) == []
    second = report(sessions, "near_miss", near_miss(area_id=bay, at=T0), now=T0)
    assert problems(sessions) == [("Repeated incidents at Warehouse Bay 4", {first, second})]
    assert incident(sessions, old).problem_id is None
    third = report(sessions, "near_miss", near_miss(area_id=bay, at=T0 + DAY), now=T0 + DAY)
    [(_title, linked)] = problems(sessions)
    assert linked == {first, second, third}, "a further repeat joins the same problem"
    with sessions() as session:
        notes = session.scalars(
            select(AuditEvent.data).where(AuditEvent.action == "incident.repeat_linked")
        ).all()
    assert [sorted(n["linked"]) for n in notes] == [sorted([str(second), str(first)]), [str(third)]]


def test_the_window_is_a_site_setting(sessions, people) -> None:
    with sessions.begin() as session:
        site = session.scalar(select(Site).where(Site.code == "S1"))
        site.settings = {"repeat_window_days": 10}
    bay = area(sessions, "Loading Dock")
    report(sessions, "near_miss", near_miss(area_id=bay, at=T0 - 30 * DAY), now=T0 - 30 * DAY)
    report(sessions, "near_miss", near_miss(area_id=bay, at=T0), now=T0)
    assert problems(sessions) == []


def test_incidents_sharing_a_root_cause_category_are_linked_when_investigated(sessions, people) -> None:
    earlier = T0 - 5 * DAY
    one = report(
        sessions, "near_miss", near_miss(area_id=area(sessions, "Paint Shop"), at=earlier), now=earlier
    )
    two = report(sessions, "near_miss", near_miss(area_id=area(sessions, "Press Line")))
    assert problems(sessions) == []
    for iid in (one, two):
        fields = {"root_cause_category": {"old": None, "new": "maintenance"}}
        ok(
            run(
                sessions,
                "officer",
                "investigation.patch",
                {"incident_id": str(iid), "base_version": 0, "fields": fields},
            )
        )
    assert problems(sessions) == [("Repeated root cause: maintenance", {one, two})]
