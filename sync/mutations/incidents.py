"""Incident workflow mutations: acknowledge, priority, roles, lifecycle, problems, changes, status updates.

Every handler finds the incident (`not_found` when missing or not visible), checks the role
(`role_required`), then the arguments and the state. Rows both ends create get ids from the client
or derived ids, so the phone's optimistic rows and the server's are the same rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select

from models import (
    Asset,
    ChangeRequest,
    Incident,
    IncidentRole,
    PostIncidentReview,
    Problem,
    Site,
    SiteArea,
    StatusUpdate,
)
from models.clocks import next_status_update, pir_due
from models.enums import (
    IncidentRoleKind,
    IncidentStatus,
    MutationStatus,
    Priority,
    ResolutionType,
    RootCauseCategory,
    UpdateAudience,
)
from models.rules import default_rules
from models.workflow import (
    HOLDING_CADENCE_RULE,
    OPEN_STATUSES,
    CheckItem,
    WorkflowError,
    check_closable,
    check_incident_transition,
    checklist_for,
    derived_id,
    is_reopen,
    needs_review,
    render_status_update,
    reported_at,
    site_response_targets,
)
from sync.mutations import guards
from sync.mutations.args import bool_arg, datetime_arg, enum_arg, str_arg, uuid_arg
from sync.mutations.base import Context, Outcome, Rejected, mutation

SINGLE_HOLDER = (IncidentRoleKind.COMMANDER, IncidentRoleKind.COMMUNICATION_LEAD, IncidentRoleKind.RESOLVER)


def _applied(entity: str, row_id: uuid.UUID, site_id: uuid.UUID, **details: Any) -> Outcome:
    """An applied outcome."""
    return Outcome(MutationStatus.APPLIED, entity, str(row_id), site_id, details)


def _acknowledge(ctx: Context, incident: Incident, take_command: bool) -> Outcome:
    """Record the acknowledgement time, measured against the priority's response target."""
    try:
        check_incident_transition(incident.status, IncidentStatus.ACKNOWLEDGED)
    except WorkflowError as error:
        raise guards.refusal(error) from None
    incident.status = IncidentStatus.ACKNOWLEDGED
    incident.acknowledged_at = ctx.now
    ctx.touch(incident)
    took = take_command and not _holder(ctx, incident.id, IncidentRoleKind.COMMANDER)
    if took:
        role = IncidentRole(
            id=derived_id(incident.id, "acknowledge:commander"),
            incident_id=incident.id,
            role=IncidentRoleKind.COMMANDER,
            user_id=ctx.actor.user_id,
            assigned_by_id=ctx.actor.user_id,
            assigned_at=ctx.now,
        )
        ctx.session.add(role)
        ctx.touch(role)
    waited = ctx.now - reported_at(incident)
    details: dict[str, Any] = {"response_seconds": int(waited.total_seconds()), "took_command": took}
    if incident.priority is not None:
        site = ctx.session.get(Site, incident.site_id)
        target = site_response_targets(site.settings if site else None)[incident.priority]
        details["within_target"] = waited <= target
    return _applied("incident", incident.id, incident.site_id, **details)


@mutation("incident.acknowledge")
def acknowledge(ctx: Context, args: dict[str, Any]) -> Outcome:
    """Acknowledge a reported incident; the acknowledger becomes commander unless take_command is false."""
    incident = guards.incident(ctx, uuid_arg(args, "id"))
    guards.require(ctx, "incident.acknowledge", incident.site_id)
    return _acknowledge(ctx, incident, bool_arg(args, "take_command", default=True))


@mutation("incident.set_priority")
def set_priority(ctx: Context, args: dict[str, Any]) -> Outcome:
    """Set the priority by hand, with a reason; automatic triage leaves it alone from then on."""
    incident = guards.incident(ctx, uuid_arg(args, "id"))
    guards.require(ctx, "incident.set_priority", incident.site_id)
    priority = enum_arg(args, "priority", Priority)
    reason = str_arg(args, "reason", required=False, max_length=1000)
    if not reason:
        raise Rejected("reason_required", "say why the priority changes", field="reason")
    previous = guards.enum_value(incident.priority)
    incident.priority = priority
    incident.priority_reason = f"{reason} (set by {ctx.actor.display_name})"
    ctx.touch(incident)
    return _applied("incident", incident.id, incident.site_id, previous=previous, priority=priority.value)


def _holder(ctx: Context, incident_id: uuid.UUID, role: IncidentRoleKind) -> list[IncidentRole]:
    """The open assignments of one role on an incident."""
    query = select(IncidentRole).where(
        IncidentRole.incident_id == incident_id, IncidentRole.role == role, IncidentRole.ended_at.is_(None)
    )
    return list(ctx.session.scalars(query))


@mutation("incident.assign_role")
def assign_role(ctx: Context, args: dict[str, Any]) -> Outcome:
    """Give a person a role on the incident (replacing the holder of a single-holder role), or end it."""
    incident = guards.incident(ctx, uuid_arg(args, "id"))
    guards.require(ctx, "incident.assign_role", incident.site_id)
    role = enum_arg(args, "role", IncidentRoleKind)
    user = guards.member(ctx, uuid_arg(args, "user_id"), incident.site_id, "user_id")
    remove = bool_arg(args, "remove")
    if incident.status is IncidentStatus.CLOSED:
        raise Rejected("incident_closed", "the incident is closed: reopen it to change roles")
    current = _holder(ctx, incident.id, role)
    mine = [row for row in current if row.user_id == user.id]
    if remove:
        if not mine:
            raise Rejected("not_assigned", f"{user.display_name} is not {role.value} of this incident")
        for row in mine:
            row.ended_at = ctx.now
            ctx.touch(row)
        return _applied("incident", incident.id, incident.site_id, role=role.value, removed=str(user.id))
    if mine:
        raise Rejected("already_assigned", f"{user.display_name} is already {role.value} of this incident")
    replaced = []
    if role in SINGLE_HOLDER:
        for row in current:
            row.ended_at = ctx.now
            replaced.append(str(row.user_id))
            ctx.touch(row)
    earlier = ctx.session.scalar(
        select(func.count(IncidentRole.id)).where(
            IncidentRole.incident_id == incident.id, IncidentRole.role == role
        )
    )
    assignment_id = uuid_arg(args, "assignment_id", required=False) or derived_id(
        incident.id, f"role:{role.value}:{user.id}:{earlier}"
    )
    row = IncidentRole(
        id=assignment_id,
        incident_id=incident.id,
        role=role,
        user_id=user.id,
        assigned_by_id=ctx.actor.user_id,
        assigned_at=ctx.now,
    )
    ctx.session.add(row)
    ctx.touch(row)
    details: dict[str, Any] = {"role": role.value, "user_id": str(user.id), "replaced": replaced}
    if not earlier:
        details["fill_seconds"] = int((ctx.now - reported_at(incident)).total_seconds())
    return _applied("incident", incident.id, incident.site_id, **details)


@mutation("incident.transition")
def transition(ctx: Context, args: dict[str, Any]) -> Outcome:
    """Move an incident along its lifecycle: investigate, resolve, close (with the checklist) or reopen."""
    incident = guards.incident(ctx, uuid_arg(args, "id"))
    guards.require(ctx, "incident.transition", incident.site_id)
    to = enum_arg(args, "to", IncidentStatus)
    if to is IncidentStatus.ACKNOWLEDGED:
        return _acknowledge(ctx, incident, bool_arg(args, "take_command", default=True))
    current = incident.status
    try:
        check_incident_transition(current, to)
    except WorkflowError as error:
        raise guards.refusal(error) from None
    _apply_resolution_fields(incident, args)
    details: dict[str, Any] = {"from": current.value, "to": to.value}
    if is_reopen(current, to):
        reason = str_arg(args, "reason", required=False, max_length=2000)
        if not reason:
            raise Rejected("reason_required", "say why the incident is reopened", field="reason")
        incident.resolved_at = incident.closed_at = None
        incident.service_restored = incident.affected_informed = False
        details["reopened"] = True
    elif to is IncidentStatus.RESOLVED:
        _resolve(ctx, incident, args)
    elif to is IncidentStatus.CLOSED:
        try:
            check_closable(checklist(ctx, incident))
        except WorkflowError as error:
            raise guards.refusal(error) from None
        incident.closed_at = ctx.now
    incident.status = to
    ctx.touch(incident)
    return _applied("incident", incident.id, incident.site_id, **details)


def _apply_resolution_fields(incident: Incident, args: dict[str, Any]) -> None:
    """Take the summary and checklist ticks the transition carries (any of them may be omitted)."""
    summary = str_arg(args, "summary", required=False, max_length=10_000)
    if summary:
        incident.resolution_summary = summary
    for name in ("service_restored", "affected_informed"):
        if name in args:
            setattr(incident, name, bool_arg(args, name))


def _resolve(ctx: Context, incident: Incident, args: dict[str, Any]) -> None:
    """Resolve as a workaround or a permanent fix; start the review clock of a P1/P2."""
    resolution = enum_arg(args, "resolution_type", ResolutionType, required=False)
    if resolution is None:
        raise Rejected(
            "resolution_required",
            "say whether the incident was resolved by a workaround or a permanent fix",
            field="resolution_type",
        )
    incident.resolution_type = resolution
    incident.resolved_at = ctx.now
    review = ctx.session.scalar(
        select(PostIncidentReview).where(PostIncidentReview.incident_id == incident.id)
    )
    if review is not None and needs_review(incident.priority):
        review.due_at = pir_due(incident.priority.value, ctx.now)
        ctx.touch(review)


def checklist(ctx: Context, incident: Incident) -> list[CheckItem]:
    """The close checklist of an incident as it stands."""
    review = ctx.session.scalar(
        select(PostIncidentReview).where(PostIncidentReview.incident_id == incident.id)
    )
    return checklist_for(incident, review)


def _same_site(row: Any, site_id: uuid.UUID, field: str) -> None:
    """Refuse a record from another site."""
    if row.site_id != site_id:
        raise Rejected("site_mismatch", f"{field} belongs to another site", field=field)


@mutation("incident.link_problem")
def link_problem(ctx: Context, args: dict[str, Any]) -> Outcome:
    """Link an incident to a problem (a repeat) and/or to the change request that fixes it for good."""
    incident = guards.incident(ctx, uuid_arg(args, "id"))
    guards.require(ctx, "incident.link_problem", incident.site_id)
    problem_id = uuid_arg(args, "problem_id", required=False)
    change_id = uuid_arg(args, "change_request_id", required=False)
    if problem_id is None and change_id is None:
        raise Rejected("invalid_args", "give problem_id, change_request_id or both", field="problem_id")
    if problem_id is not None:
        _same_site(guards.get(ctx, Problem, problem_id, "problem"), incident.site_id, "problem_id")
        incident.problem_id = problem_id
    if change_id is not None:
        _same_site(
            guards.get(ctx, ChangeRequest, change_id, "change request"), incident.site_id, "change_request_id"
        )
        incident.change_request_id = change_id
    ctx.touch(incident)
    return _applied("incident", incident.id, incident.site_id)


def _new_site_record(ctx: Context, args: dict[str, Any], model: type, action: str) -> tuple[uuid.UUID, Site]:
    """The client id and the site of a problem or change request about to be created."""
    row_id = uuid_arg(args, "id")
    site = ctx.session.get(Site, uuid_arg(args, "site_id"))
    if site is None:
        raise Rejected("unknown_site", f"there is no site {args.get('site_id')}", field="site_id")
    guards.require(ctx, action, site.id)
    if ctx.session.get(model, row_id) is not None:
        raise Rejected("already_exists", f"a record with id {row_id} already exists", id=str(row_id))
    return row_id, site


def _site_incidents(ctx: Context, ids: Any, site_id: uuid.UUID) -> list[Incident]:
    """Visible incidents of the site named by a list of ids."""
    if ids is None:
        return []
    if not isinstance(ids, list):
        raise Rejected("invalid_args", "incident_ids must be a list of ids", field="incident_ids")
    found = []
    for raw in ids:
        incident = guards.incident(ctx, uuid_arg({"incident_ids": raw}, "incident_ids"))
        _same_site(incident, site_id, "incident_ids")
        found.append(incident)
    return found


@mutation("problem.create")
def create_problem(ctx: Context, args: dict[str, Any]) -> Outcome:
    """Open a problem record (a root cause shared by incidents) and link incidents to it."""
    problem_id, site = _new_site_record(ctx, args, Problem, "problem.create")
    area_id = uuid_arg(args, "area_id", required=False)
    asset_id = uuid_arg(args, "asset_id", required=False)
    if area_id is not None:
        _same_site(guards.get(ctx, SiteArea, area_id, "site area"), site.id, "area_id")
    if asset_id is not None:
        _same_site(guards.get(ctx, Asset, asset_id, "asset"), site.id, "asset_id")
    problem = Problem(
        id=problem_id,
        site_id=site.id,
        title=str_arg(args, "title", max_length=300),
        description=str_arg(args, "description", required=False) or "",
        root_cause_category=enum_arg(args, "root_cause_category", RootCauseCategory, required=False),
        area_id=area_id,
        asset_id=asset_id,
    )
    incidents = _site_incidents(ctx, args.get("incident_ids"), site.id)
    ctx.session.add(problem)
    ctx.session.flush()
    ctx.touch(problem)
    for incident in incidents:
        incident.problem_id = problem.id
        ctx.touch(incident)
    return _applied("problem", problem.id, site.id, incidents=[str(i.id) for i in incidents])


@mutation("change_request.create")
def create_change_request(ctx: Context, args: dict[str, Any]) -> Outcome:
    """Raise a change request for a permanent fix, optionally for a problem and an incident."""
    change_id, site = _new_site_record(ctx, args, ChangeRequest, "change_request.create")
    problem_id = uuid_arg(args, "problem_id", required=False)
    if problem_id is not None:
        _same_site(guards.get(ctx, Problem, problem_id, "problem"), site.id, "problem_id")
    incident_id = uuid_arg(args, "incident_id", required=False)
    incident = guards.incident(ctx, incident_id) if incident_id is not None else None
    if incident is not None:
        _same_site(incident, site.id, "incident_id")
    change = ChangeRequest(
        id=change_id,
        site_id=site.id,
        problem_id=problem_id,
        title=str_arg(args, "title", max_length=300),
        description=str_arg(args, "description", required=False) or "",
        requested_by_id=ctx.actor.user_id,
    )
    ctx.session.add(change)
    ctx.session.flush()
    ctx.touch(change)
    if incident is not None:
        incident.change_request_id = change.id
        ctx.touch(incident)
    return _applied("change_request", change.id, site.id)


def site_time(at: dt.datetime, timezone: str) -> str:
    """A time as people at the site read it, e.g. '2025-03-20 14:05 +08'."""
    try:
        zone = ZoneInfo(timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC  # a phone without a time-zone database still names UTC
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


@mutation("status_update.create")
def create_status_update(ctx: Context, args: dict[str, Any]) -> Outcome:
    """Post a status update from a template; it sets when the next one is due (P1 30 min, P2 hourly)."""
    update_id = uuid_arg(args, "id")
    incident = guards.incident(ctx, uuid_arg(args, "incident_id"))
    lead = guards.holds(ctx, incident.id, IncidentRoleKind.COMMUNICATION_LEAD, IncidentRoleKind.COMMANDER)
    guards.require(ctx, "status_update.create", incident.site_id, also=lead)
    audience = enum_arg(args, "audience", UpdateAudience)
    template = str_arg(args, "template", required=False, max_length=40) or "custom"
    promised = datetime_arg(args, "next_update_at", required=False)
    services = args.get("services")
    if services is not None and (
        not isinstance(services, list) or not all(isinstance(s, str) for s in services)
    ):
        raise Rejected("invalid_args", "services must be a list of service names", field="services")
    if incident.status is IncidentStatus.CLOSED:
        raise Rejected("incident_closed", "the incident is closed: no more status updates")
    if ctx.session.get(StatusUpdate, update_id) is not None:
        raise Rejected(
            "already_exists", f"a status update with id {update_id} already exists", id=str(update_id)
        )
    if promised is not None and promised <= ctx.now:
        raise Rejected("invalid_args", "next_update_at must be in the future", field="next_update_at")
    next_at = promised or _next_update(incident, template, ctx.now)
    site = ctx.session.get(Site, incident.site_id)
    outage = incident.outage
    try:
        body = render_status_update(
            template,
            at_text=site_time(ctx.now, site.timezone),
            title=incident.title,
            status=incident.status,
            impact=str_arg(args, "impact", required=False, max_length=2000)
            or (outage.impact_description if outage else ""),
            services=services if services is not None else (outage.affected_services if outage else []),
            message=str_arg(args, "message", required=False, max_length=5000) or "",
            next_text=site_time(next_at, site.timezone) if next_at else "",
        )
    except WorkflowError as error:
        raise guards.refusal(error) from None
    update = StatusUpdate(
        id=update_id,
        incident_id=incident.id,
        audience=audience,
        template=template,
        body=body,
        status=incident.status,
        posted_by_id=ctx.actor.user_id,
        posted_at=ctx.now,
        next_update_due_at=next_at,
    )
    ctx.session.add(update)
    ctx.touch(update)
    return _applied("status_update", update.id, incident.site_id, incident_id=str(incident.id), body=body)


def _next_update(incident: Incident, template: str, now: dt.datetime) -> dt.datetime | None:
    """When the next update is due: the cadence while open; a holding message always promises one."""
    if incident.status not in OPEN_STATUSES or template == "resolved":
        return None
    due = next_status_update(incident.priority.value, now) if incident.priority else None
    if due is None and template == "holding":
        due = now + default_rules()[HOLDING_CADENCE_RULE].duration
    return due
