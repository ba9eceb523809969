"""Server reactions to reports: set the priority automatically (with reasons) and link repeat incidents.

Automatic triage runs on `report.create` and `report.amend` unless a person has set the priority
(`incident.set_priority` in the audit trail). Repeats are linked on those and on investigation edits:
incidents of the same site sharing an asset, a root-cause category or an area within the site's
repeat window are linked to one Problem record. Both run in the mutation's transaction; for a new
report they read its rows as built, and repeats are found with one query.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from models import Amendment, Asset, AuditEvent, Incident, Investigation, Problem, Site, SiteArea
from models.workflow import (
    DEFAULT_REPEAT_WINDOW_DAYS,
    WorkflowError,
    derived_id,
    facts_of,
    repeat_window,
    triage,
)
from sync.mutations.base import Context, Outcome
from sync.server.reactions import filed, get, reaction

log = logging.getLogger("ims.triage")

REPORT_MUTATIONS = ("report.create", "report.amend")
LINK_MUTATIONS = (*REPORT_MUTATIONS, "investigation.patch", "conflict.resolve")


def incident_of(session: Session, ctx: Context, outcome: Outcome) -> Incident | None:
    """The incident an outcome is about (directly, through an amendment, or named in its details)."""
    if outcome.entity == "incident":
        return get(session, ctx, Incident, uuid.UUID(outcome.entity_id))
    if outcome.entity == "amendment":
        amendment = session.get(Amendment, uuid.UUID(outcome.entity_id))
        return session.get(Incident, amendment.incident_id) if amendment else None
    named = outcome.details.get("incident_id")
    return session.get(Incident, uuid.UUID(named)) if named else None


def priority_set_by_hand(session: Session, incident_id: uuid.UUID) -> bool:
    """Whether a person has ever set this incident's priority."""
    query = select(AuditEvent.seq).where(
        AuditEvent.action == "incident.set_priority", AuditEvent.entity_id == str(incident_id)
    )
    return session.scalar(query.limit(1)) is not None


@reaction
def auto_priority(session: Session, ctx: Context, name: str, outcome: Outcome) -> None:
    """Set the priority of a new or amended report from its facts, with the reasons, unless set by hand."""
    if name not in REPORT_MUTATIONS:
        return
    incident = incident_of(session, ctx, outcome)
    if incident is None or incident.retracted_at is not None:
        return
    if not filed(name, outcome) and priority_set_by_hand(session, incident.id):
        return
    result = triage(facts_of(incident))
    reason = "; ".join(result.reasons)
    if incident.priority is result.priority and incident.priority_reason == reason:
        return
    incident.priority = result.priority
    incident.priority_reason = reason
    ctx.touch(incident)
    ctx.note(
        "incident.triaged",
        incident_id=str(incident.id),
        priority=result.priority.value,
        impact=result.impact,
        urgency=result.urgency,
        reasons=list(result.reasons),
    )


def _window(site: Site) -> Any:
    """The site's repeat window; a malformed setting falls back to the default and is logged."""
    try:
        return repeat_window(site.settings)
    except WorkflowError as error:
        log.warning("site %s: %s; using %d days", site.code, error.message, DEFAULT_REPEAT_WINDOW_DAYS)
        return repeat_window()


def _matchers(
    session: Session, incident: Incident, new: bool
) -> list[tuple[str, ColumnElement[bool], dict[str, Any]]]:
    """What makes another incident a repeat, most specific first: (title, clause, problem fields).

    A new report has no investigation yet, so no root cause to share.
    """
    found = []
    if incident.asset_id is not None:
        asset = session.get(Asset, incident.asset_id)
        title = f"Repeated incidents: {asset.name if asset else 'one asset'}"
        found.append((title, Incident.asset_id == incident.asset_id, {"asset_id": incident.asset_id}))
    category = (
        None
        if new
        else session.scalar(
            select(Investigation.root_cause_category).where(Investigation.incident_id == incident.id)
        )
    )
    if category is not None:
        same_cause = Incident.id.in_(
            select(Investigation.incident_id).where(Investigation.root_cause_category == category)
        )
        title = f"Repeated root cause: {category.value.replace('_', ' ')}"
        found.append((title, same_cause, {"root_cause_category": category}))
    if incident.area_id is not None:
        area = session.get(SiteArea, incident.area_id)
        title = f"Repeated incidents at {area.name if area else 'one area'}"
        found.append((title, Incident.area_id == incident.area_id, {"area_id": incident.area_id}))
    return found


@reaction
def link_repeats(session: Session, ctx: Context, name: str, outcome: Outcome) -> None:
    """Link an incident and its repeats (same asset, root-cause category or area, within the window)."""
    if name not in LINK_MUTATIONS:
        return
    incident = incident_of(session, ctx, outcome)
    if incident is None or incident.retracted_at is not None:
        return
    matchers = _matchers(session, incident, filed(name, outcome))
    if not matchers:
        return
    window = _window(session.get(Site, incident.site_id))
    flags = [clause.label(f"match_{n}") for n, (_title, clause, _fields) in enumerate(matchers)]
    query = (
        select(Incident, *flags)
        .where(or_(*(clause for _title, clause, _fields in matchers)))
        .where(Incident.site_id == incident.site_id, Incident.id != incident.id)
        .where(Incident.retracted_at.is_(None))
        .where(Incident.occurred_at.between(incident.occurred_at - window, incident.occurred_at + window))
        .order_by(Incident.occurred_at.desc())
    )
    candidates = session.execute(query).all()
    for n, (title, _clause, fields) in enumerate(matchers):
        repeats = [row[0] for row in candidates if row[n + 1]]
        if repeats:
            _link(session, ctx, incident, repeats, title, fields)
            return


def _link(
    session: Session,
    ctx: Context,
    incident: Incident,
    repeats: list[Incident],
    title: str,
    fields: dict[str, Any],
) -> None:
    """Put the incident and its repeats under one problem (an existing one if any of them has it)."""
    problem_id = incident.problem_id or next((r.problem_id for r in repeats if r.problem_id), None)
    if problem_id is None:
        problem = Problem(
            id=derived_id(incident.id, "repeat-problem"),
            site_id=incident.site_id,
            title=title,
            description="Opened automatically: these incidents share a cause, place or asset.",
            **fields,
        )
        session.add(problem)
        session.flush()  # before any incident refers to it (no relationship orders the inserts)
        ctx.touch(problem)
        problem_id = problem.id
    linked = []
    for row in (incident, *repeats):
        if row.problem_id is None:
            row.problem_id = problem_id
            ctx.touch(row)
            linked.append(str(row.id))
    if linked:
        ctx.note(
            "incident.repeat_linked",
            incident_id=str(incident.id),
            problem_id=str(problem_id),
            linked=linked,
            because=title,
        )
