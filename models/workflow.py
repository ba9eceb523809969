"""Workflow rules shared by phone and server: lifecycles, checklists, triage, permissions and merges.

Pure code over the models' enums and plain values: no session, no I/O. The numbers (response targets,
update cadence, review and check windows) come from `models.rules` through `models.clocks`; a site may
override its response targets in `Site.settings["response_targets"]` (minutes per priority).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from models.enums import (
    CapaStatus,
    CustomerImpact,
    IncidentKind,
    IncidentRoleKind,
    IncidentStatus,
    PotentialSeverity,
    Priority,
    ResolutionType,
    Role,
)
from models.rules import Rule, default_rules, require


class WorkflowError(ValueError):
    """A step the rules do not allow; `code` is stable, the message says what to do instead."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


# --- Incident lifecycle ------------------------------------------------------------------------

INCIDENT_TRANSITIONS: dict[IncidentStatus, tuple[IncidentStatus, ...]] = {
    IncidentStatus.REPORTED: (IncidentStatus.ACKNOWLEDGED,),
    IncidentStatus.ACKNOWLEDGED: (IncidentStatus.INVESTIGATING,),
    IncidentStatus.INVESTIGATING: (IncidentStatus.RESOLVED,),
    IncidentStatus.RESOLVED: (IncidentStatus.CLOSED, IncidentStatus.INVESTIGATING),
    IncidentStatus.CLOSED: (IncidentStatus.INVESTIGATING,),
}
"""Where an incident may go from each status; going back to investigating from resolved or closed
is a reopen and needs a reason."""

OPEN_STATUSES = (
    IncidentStatus.REPORTED,
    IncidentStatus.ACKNOWLEDGED,
    IncidentStatus.INVESTIGATING,
)
"""Statuses of an incident that is not yet resolved (status updates are due on these)."""


def check_incident_transition(current: IncidentStatus, to: IncidentStatus) -> None:
    """Raise WorkflowError('illegal_transition') unless the lifecycle allows current -> to."""
    allowed = INCIDENT_TRANSITIONS[current]
    if to not in allowed:
        names = ", ".join(s.value for s in allowed) or "nothing"
        raise WorkflowError(
            "illegal_transition",
            f"an incident that is {current.value} cannot become {to.value}; it can become: {names}",
            current=current.value,
            to=to.value,
            allowed=[s.value for s in allowed],
        )


def is_reopen(current: IncidentStatus, to: IncidentStatus) -> bool:
    """Whether moving from current to `to` reopens a resolved or closed incident."""
    return current in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED) and to is IncidentStatus.INVESTIGATING


@dataclass(frozen=True)
class CheckItem:
    """One line of the close checklist."""

    code: str
    label: str
    done: bool


def needs_review(priority: Priority | None) -> bool:
    """Whether an incident of this priority needs a post-incident review (P1 and P2)."""
    return priority in (Priority.P1, Priority.P2)


def close_checklist(
    *,
    priority: Priority | None,
    resolution_type: ResolutionType | None,
    resolution_summary: str,
    service_restored: bool,
    affected_informed: bool,
    review_scheduled: bool,
    fix_linked: bool,
) -> list[CheckItem]:
    """Return the checklist an incident must complete before it closes (items that apply to it only)."""
    items = [
        CheckItem("service_restored", "Service or area back to normal", service_restored),
        CheckItem("affected_informed", "Affected people told", affected_informed),
        CheckItem("resolution_summary", "Resolution summary written", bool(resolution_summary.strip())),
    ]
    if needs_review(priority):
        items.append(
            CheckItem("review_scheduled", "Post-incident review scheduled (P1/P2)", review_scheduled)
        )
    if resolution_type is ResolutionType.WORKAROUND:
        items.append(
            CheckItem(
                "fix_linked",
                "Problem or change request linked for the permanent fix (workaround)",
                fix_linked,
            )
        )
    return items


def checklist_for(incident: Any, review: Any | None) -> list[CheckItem]:
    """Return the close checklist of a stored Incident, given its post-incident review row (or None)."""
    scheduled = review is not None and (review.scheduled_for is not None or review.completed_at is not None)
    return close_checklist(
        priority=incident.priority,
        resolution_type=incident.resolution_type,
        resolution_summary=incident.resolution_summary or "",
        service_restored=bool(incident.service_restored),
        affected_informed=bool(incident.affected_informed),
        review_scheduled=scheduled,
        fix_linked=incident.problem_id is not None or incident.change_request_id is not None,
    )


def check_closable(items: Iterable[CheckItem]) -> None:
    """Raise WorkflowError('checklist_incomplete') naming every unticked item."""
    missing = [item for item in items if not item.done]
    if missing:
        raise WorkflowError(
            "checklist_incomplete",
            "before closing: " + "; ".join(item.label for item in missing),
            missing=[item.code for item in missing],
        )


# --- Corrective and preventive actions ---------------------------------------------------------

CAPA_TRANSITIONS: dict[CapaStatus, dict[CapaStatus, str]] = {
    CapaStatus.OPEN: {CapaStatus.IN_PROGRESS: "ca.start", CapaStatus.CANCELLED: "ca.cancel"},
    CapaStatus.IN_PROGRESS: {CapaStatus.DONE: "ca.done", CapaStatus.CANCELLED: "ca.cancel"},
    CapaStatus.DONE: {
        CapaStatus.VERIFIED: "ca.verify",
        CapaStatus.IN_PROGRESS: "ca.send_back",
        CapaStatus.CANCELLED: "ca.cancel",
    },
    CapaStatus.VERIFIED: {},
    CapaStatus.CANCELLED: {},
}
"""The CAPA state machine: for each state, the states it may move to and the permission each needs."""

CAPA_FINAL = (CapaStatus.VERIFIED, CapaStatus.CANCELLED)


def capa_step(current: CapaStatus, to: CapaStatus) -> str:
    """Return the permission key of moving a CAPA from current to `to`, or raise illegal_transition."""
    steps = CAPA_TRANSITIONS[current]
    if to not in steps:
        names = ", ".join(s.value for s in steps) or "nothing (it is final)"
        raise WorkflowError(
            "illegal_transition",
            f"a corrective action that is {current.value} cannot become {to.value}; it can become: {names}",
            current=current.value,
            to=to.value,
            allowed=[s.value for s in steps],
        )
    return steps[to]


# --- Permissions -------------------------------------------------------------------------------

OFFICERS = frozenset({Role.SAFETY_OFFICER, Role.SUPERVISOR, Role.HSE_MANAGER})
SIGNERS = frozenset({Role.SUPERVISOR, Role.HSE_MANAGER})


@dataclass(frozen=True)
class Permission:
    """Who may do one workflow action: site roles, plus people named on the record (`also`)."""

    action: str
    label: str
    roles: frozenset[Role]
    also: str = ""
    mutation: str = ""

    @property
    def mutation_name(self) -> str:
        """The mutation that does this (a CAPA move's permission key names a `ca.transition` step)."""
        return self.mutation or self.action


_MOVE = "ca.transition"
PERMISSIONS: dict[str, Permission] = {
    p.action: p
    for p in (
        Permission("incident.acknowledge", "Acknowledge an incident", OFFICERS),
        Permission("incident.set_priority", "Change an incident's priority (with a reason)", OFFICERS),
        Permission(
            "incident.assign_role", "Assign commander, communication lead, resolver, investigators", OFFICERS
        ),
        Permission("incident.transition", "Move an incident through its lifecycle, close, reopen", OFFICERS),
        Permission("incident.link_problem", "Link an incident to a problem or change request", OFFICERS),
        Permission("problem.create", "Open a problem record", OFFICERS),
        Permission("change_request.create", "Raise a change request", OFFICERS),
        Permission(
            "status_update.create",
            "Post a status update",
            OFFICERS,
            "the incident's commander or communication lead",
        ),
        Permission(
            "investigation.patch",
            "Edit the investigation",
            OFFICERS,
            "the incident's commander, resolver or investigators",
        ),
        Permission("conflict.resolve", "Resolve an investigation edit conflict", OFFICERS),
        Permission("ca.create", "Create a corrective or preventive action", OFFICERS),
        Permission("ca.patch", "Edit a corrective action", OFFICERS, "its owner (description and evidence)"),
        Permission("ca.start", "Start an action (open → in progress)", OFFICERS, "its owner", _MOVE),
        Permission("ca.done", "Mark an action done (with evidence)", OFFICERS, "its owner", _MOVE),
        Permission("ca.send_back", "Send a done action back (with a reason)", SIGNERS, "", _MOVE),
        Permission("ca.cancel", "Cancel an action (with a reason)", SIGNERS, "", _MOVE),
        Permission("ca.verify", "Verify a corrective action (signed; never its owner)", SIGNERS),
        Permission("effectiveness.record", "Record an effectiveness check", OFFICERS),
        Permission("pir.create", "Schedule a post-incident review", OFFICERS, "the incident's commander"),
        Permission("pir.patch", "Write the post-incident review", OFFICERS, "the incident's commander"),
        Permission(
            "pir.complete",
            "Complete the review (its actions become CAPAs)",
            OFFICERS,
            "the incident's commander",
        ),
    )
}
"""Every workflow action and who may do it at a site; handlers and the README table read this."""


def may(action: str, roles: Iterable[tuple[uuid.UUID | None, Role]], site_id: uuid.UUID | None) -> bool:
    """Whether someone with these (site, role) pairs may do the action at the site by role alone."""
    allowed = PERMISSIONS[action].roles
    return any(role in allowed and (held is None or held == site_id) for held, role in roles)


# --- Triage ------------------------------------------------------------------------------------

HIGH, MEDIUM, LOW = "high", "medium", "low"
PRIORITY_MATRIX: dict[tuple[str, str], Priority] = {
    (HIGH, HIGH): Priority.P1,
    (HIGH, MEDIUM): Priority.P2,
    (HIGH, LOW): Priority.P3,
    (MEDIUM, HIGH): Priority.P2,
    (MEDIUM, MEDIUM): Priority.P3,
    (MEDIUM, LOW): Priority.P4,
    (LOW, HIGH): Priority.P3,
    (LOW, MEDIUM): Priority.P4,
    (LOW, LOW): Priority.P4,
}
"""Priority from (impact, urgency), ITIL style; P5 is folded into P4."""

_RANK = {Priority.P1: 1, Priority.P2: 2, Priority.P3: 3, Priority.P4: 4}


def more_urgent(a: Priority, b: Priority) -> Priority:
    """Return the more urgent of two priorities."""
    return a if _RANK[a] <= _RANK[b] else b


@dataclass(frozen=True)
class TriageFacts:
    """What triage reads about an incident; `facts_of` builds it from a stored incident."""

    kind: IncidentKind
    died: bool = False
    amputation: bool = False
    eye_loss: bool = False
    inpatient: bool = False
    hospital_other: bool = False
    lost_consciousness: bool = False
    emergency_room: bool = False
    days_lost: bool = False
    medical_treatment: bool = False
    significant_diagnosis: bool = False
    potential_severity: PotentialSeverity | None = None
    all_users_affected: bool = False
    customer_impact: CustomerImpact | None = None
    outage_ongoing: bool = True
    workaround_available: bool = False
    personal_data_breach: bool = False
    work_stopped: bool = False
    contained: bool = True


@dataclass(frozen=True)
class Triage:
    """The priority triage gives, with impact, urgency and every reason in plain words."""

    priority: Priority
    impact: str
    urgency: str
    reasons: tuple[str, ...]


def facts_of(incident: Any, rules: Mapping[str, Rule] | None = None) -> TriageFacts:
    """Read the triage facts of a stored Incident and its detail rows (injury, near miss, outage…)."""
    rules = default_rules() if rules is None else rules
    kind = IncidentKind(incident.kind)
    values: dict[str, Any] = {"kind": kind}
    case = incident.injury
    if case is not None:
        medical = set(require(rules, "osha.medical_treatment_codes").value)
        significant = set(require(rules, "osha.significant_diagnoses").value)
        purpose = getattr(case.inpatient_purpose, "value", case.inpatient_purpose)
        values.update(
            died=case.died_on is not None,
            amputation=case.amputation,
            eye_loss=case.eye_loss,
            inpatient=purpose == "treatment",
            hospital_other=purpose in ("observation", "diagnostic"),
            lost_consciousness=case.lost_consciousness,
            emergency_room=case.emergency_room,
            days_lost=bool(case.day_ranges),
            medical_treatment=bool(medical & set(case.treatments or []))
            or any(m.get("prescription_only") for m in case.medications or []),
            significant_diagnosis=bool(significant & set(case.diagnoses or [])),
        )
    if incident.near_miss is not None:
        values["potential_severity"] = PotentialSeverity(incident.near_miss.potential_severity)
    outage = incident.outage
    if outage is not None:
        values.update(
            all_users_affected=outage.all_users_affected,
            customer_impact=CustomerImpact(outage.customer_impact),
            outage_ongoing=outage.ended_at is None,
            workaround_available=outage.workaround_available,
            personal_data_breach=outage.personal_data_breach,
        )
    occurrence = incident.occurrence
    if occurrence is not None:
        values.update(work_stopped=bool(occurrence.work_stopped_hours), contained=occurrence.contained)
    return TriageFacts(**values)


def triage(facts: TriageFacts) -> Triage:
    """Set a priority from impact x urgency, raised by the rules that fix a minimum, and say why."""
    impact, urgency, reasons, floors = _assess(facts)
    matrix = PRIORITY_MATRIX[(impact, urgency)]
    reasons.append(f"impact {impact} x urgency {urgency} gives {matrix.value}")
    priority = matrix
    for floor, why in floors:
        reasons.append(f"{why}: at least {floor.value}")
        priority = more_urgent(priority, floor)
    return Triage(priority, impact, urgency, tuple(reasons))


def _assess(facts: TriageFacts) -> tuple[str, str, list[str], list[tuple[Priority, str]]]:
    """Return impact, urgency, reasons and minimum priorities for the facts of one kind of incident."""
    kind = facts.kind
    if kind in (IncidentKind.INJURY, IncidentKind.ILLNESS):
        return _assess_harm(facts)
    if kind is IncidentKind.NEAR_MISS:
        severity = facts.potential_severity or PotentialSeverity.LOW
        reasons = ["a near miss: nobody was hurt", f"potential severity {severity.value}"]
        urgency = MEDIUM if severity is not PotentialSeverity.LOW else LOW
        floors = []
        if severity is PotentialSeverity.HIGH:
            floors.append((Priority.P3, "the hazard could have caused serious harm and may still be there"))
        return LOW, urgency, reasons, floors
    if kind is IncidentKind.DANGEROUS_OCCURRENCE:
        reasons = ["a dangerous occurrence: the authority must be told at once and the area made safe"]
        return MEDIUM, HIGH, reasons, [(Priority.P2, "a dangerous occurrence")]
    if kind is IncidentKind.PROPERTY_DAMAGE:
        if facts.work_stopped:
            return MEDIUM, MEDIUM, ["property damage that stopped work"], []
        return LOW, MEDIUM, ["property damage; work goes on"], []
    if kind is IncidentKind.ENVIRONMENTAL:
        if facts.contained:
            return MEDIUM, MEDIUM, ["an environmental release, contained"], []
        return MEDIUM, HIGH, ["an environmental release that is not contained"], []
    return _assess_outage(facts)


def _assess_harm(facts: TriageFacts) -> tuple[str, str, list[str], list[tuple[Priority, str]]]:
    """Impact and urgency of an injury or illness from its outcome and treatment."""
    severe = [
        (facts.died, "a death"),
        (facts.amputation, "an amputation"),
        (facts.eye_loss, "the loss of an eye"),
        (facts.inpatient, "in-patient hospitalisation for treatment"),
    ]
    floors = [(Priority.P1, why) for fact, why in severe if fact]
    moderate = [
        (facts.lost_consciousness, "loss of consciousness"),
        (facts.significant_diagnosis, "a significant diagnosis (e.g. a fracture)"),
        (facts.days_lost, "days away from work or on restricted duty"),
        (facts.medical_treatment, "medical treatment beyond first aid"),
        (facts.emergency_room, "treated in an emergency room"),
        (facts.hospital_other, "admitted to hospital for observation or tests"),
    ]
    reasons = [why for fact, why in moderate if fact]
    if floors:
        impact = HIGH
    elif reasons:
        impact = MEDIUM
    else:
        impact, reasons = LOW, ["first aid only, as reported"]
    emergency = floors or facts.emergency_room or facts.hospital_other or facts.lost_consciousness
    if emergency:
        reasons.append("the person needs hospital or emergency care")
    return impact, HIGH if emergency else MEDIUM, reasons, floors


def _assess_outage(facts: TriageFacts) -> tuple[str, str, list[str], list[tuple[Priority, str]]]:
    """Impact and urgency of an IT outage or security incident from its reach and state."""
    scope = facts.customer_impact or CustomerImpact.NONE
    reasons = []
    floors = []
    if facts.all_users_affected or scope is CustomerImpact.FULL_OUTAGE:
        impact = HIGH
        reasons.append("all users affected" if facts.all_users_affected else "a complete service outage")
    elif scope is CustomerImpact.PARTIAL_OUTAGE:
        impact, reasons = MEDIUM, ["a partial outage for customers"]
    else:
        impact = LOW
        reasons.append(
            "service degraded" if scope is CustomerImpact.DEGRADED else "no customer impact reported"
        )
    if not facts.outage_ongoing:
        urgency = LOW
        reasons.append("the service is back")
    elif facts.workaround_available:
        urgency = MEDIUM
        reasons.append("a workaround is available")
    else:
        urgency = HIGH
        reasons.append("ongoing, with no workaround")
    if facts.all_users_affected:
        floors.append((Priority.P1, "an IT outage affecting all users"))
    if facts.personal_data_breach:
        floors.append((Priority.P2, "a personal-data breach (notification deadlines run)"))
    return impact, urgency, reasons, floors


# --- Targets, escalation, cadence --------------------------------------------------------------

ESCALATION_LADDER = (Role.REPORTER, Role.SAFETY_OFFICER, Role.SUPERVISOR, Role.HSE_MANAGER)
"""Who is next up, from the person who reported; an unacknowledged incident climbs one rung per target."""


def response_targets(
    rules: Mapping[str, Rule] | None = None, site_settings: Mapping[str, Any] | None = None
) -> dict[Priority, dt.timedelta]:
    """Return the time to acknowledge per priority: the policy rules, then the site's overrides (minutes)."""
    rules = default_rules() if rules is None else rules
    targets = {p: require(rules, f"policy.response_{p.value.lower()}").duration for p in Priority}
    overrides = (site_settings or {}).get("response_targets") or {}
    if not isinstance(overrides, Mapping):
        raise WorkflowError("bad_setting", "response_targets must be an object of priority: minutes")
    for key, minutes in overrides.items():
        if key not in {p.value for p in Priority}:
            raise WorkflowError("bad_setting", f"response_targets: {key!r} is not one of P1-P4")
        if isinstance(minutes, bool) or not isinstance(minutes, int | float) or minutes <= 0:
            raise WorkflowError(
                "bad_setting", f"response_targets.{key}: expected minutes > 0, got {minutes!r}"
            )
        targets[Priority(key)] = dt.timedelta(minutes=minutes)
    return targets


DEFAULT_REPEAT_WINDOW_DAYS = 90
"""Incidents sharing an asset, root-cause category or area within this many days are repeats."""


def repeat_window(site_settings: Mapping[str, Any] | None = None) -> dt.timedelta:
    """Return the site's repeat window (`Site.settings["repeat_window_days"]`, default 90 days)."""
    days = (site_settings or {}).get("repeat_window_days", DEFAULT_REPEAT_WINDOW_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
        raise WorkflowError("bad_setting", f"repeat_window_days: expected whole days > 0, got {days!r}")
    return dt.timedelta(days=days)


def reported_at(incident: Any) -> dt.datetime:
    """When the organisation had a report: its arrival at the central store (else its creation)."""
    return incident.server_received_at or incident.created_at or incident.occurred_at


def site_response_targets(site_settings: Mapping[str, Any] | None) -> dict[Priority, dt.timedelta]:
    """Return a site's response targets, or the policy's when its override is malformed (as the
    jobs log it, so a bad setting never stops acknowledging, queues or escalation)."""
    try:
        return response_targets(site_settings=site_settings)
    except WorkflowError:
        return response_targets()


def escalation_level(reported_at: dt.datetime, target: dt.timedelta, now: dt.datetime) -> int:
    """Return how many rungs above the safety officer an unacknowledged incident should have reached."""
    late = now - (reported_at + target)
    if late <= dt.timedelta(0):
        return 0
    top = len(ESCALATION_LADDER) - 2
    return min(top, math.ceil(late / target))


def escalation_role(level: int) -> Role:
    """Return the role an incident at this escalation level is escalated to (level 1: supervisor)."""
    return ESCALATION_LADDER[min(level + 1, len(ESCALATION_LADDER) - 1)]


def role_fill_times(
    reported_at: dt.datetime, assignments: Iterable[tuple[IncidentRoleKind, dt.datetime]]
) -> dict[IncidentRoleKind, dt.timedelta]:
    """Return, per incident role, the time from the report to its first assignment."""
    filled: dict[IncidentRoleKind, dt.timedelta] = {}
    for role, at in sorted(assignments, key=lambda pair: pair[1]):
        filled.setdefault(IncidentRoleKind(role), at - reported_at)
    return filled


# --- Status updates ----------------------------------------------------------------------------

STATUS_TEMPLATES = ("holding", "update", "resolved", "custom")
HOLDING_CADENCE_RULE = "policy.update_p1"
"""A holding message promises the next update at the incident's cadence, or this rule's (30 min)."""


def render_status_update(
    template: str,
    *,
    at_text: str,
    title: str,
    status: IncidentStatus,
    impact: str = "",
    services: Iterable[str] = (),
    message: str = "",
    next_text: str = "",
) -> str:
    """Return the text of a status update from a template ('custom' is the message as written)."""
    if template not in STATUS_TEMPLATES:
        raise WorkflowError("invalid_args", f"template must be one of: {', '.join(STATUS_TEMPLATES)}")
    if template == "custom":
        if not message.strip():
            raise WorkflowError("invalid_args", "a custom status update needs its message", field="message")
        return message.strip()
    shown = {"holding": "Investigating", "resolved": "Resolved"}.get(template, status.value.capitalize())
    parts = [f"{at_text} | {title}", f"Status: {shown}"]
    parts.append(f"Impact: {impact.strip() or 'being assessed'}")
    parts.append(f"Affected services: {', '.join(s for s in services if s) or 'being assessed'}")
    if message.strip():
        parts.append(message.strip())
    if next_text and template != "resolved":
        parts.append(f"next update by {next_text}")
    return " · ".join(parts)


# --- Investigation merge -----------------------------------------------------------------------


@dataclass(frozen=True)
class FieldConflict:
    """A field changed on two sides: base (what the editor started from), current and incoming."""

    field: str
    base: Any
    current: Any
    incoming: Any


@dataclass(frozen=True)
class Merge:
    """The result of a field-level three-way merge."""

    apply: dict[str, Any] = field(default_factory=dict)
    same: tuple[str, ...] = ()
    conflicts: tuple[FieldConflict, ...] = ()


def merge_fields(current: Mapping[str, Any], changes: Mapping[str, tuple[Any, Any]]) -> Merge:
    """Merge per-field (old, new) edits into the current values (all JSON forms).

    Untouched since `old` -> apply `new`; already equal to `new` -> nothing to do; changed to something
    else on the other side -> a conflict that keeps the current value.
    """
    apply: dict[str, Any] = {}
    same: list[str] = []
    conflicts: list[FieldConflict] = []
    for name, (old, new) in changes.items():
        now = current.get(name)
        if now == new:
            same.append(name)
        elif now == old:
            apply[name] = new
        else:
            conflicts.append(FieldConflict(name, old, now, new))
    return Merge(apply, tuple(same), tuple(conflicts))


# --- Reviews, sign-offs, derived ids -----------------------------------------------------------

REVIEW_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("what_happened", "What exactly happened, and what was the impact?"),
    (
        "root_cause",
        "What was the root cause: the system or process failure that allowed it, not the symptom?",
    ),
    ("detection", "How did we detect it, and could we have detected it faster?"),
    ("went_well", "What did we do well during the response, and what slowed us down?"),
    ("actions", "What actions will prevent this class of incident, and who owns each by what date?"),
)
"""The five blameless questions, as the review screen asks them."""


def review_missing(answers: Mapping[str, str], action_count: int) -> list[str]:
    """Return the review questions (by field) still unanswered; actions need at least one item."""
    missing = [name for name, _ in REVIEW_QUESTIONS[:4] if not (answers.get(name) or "").strip()]
    if action_count < 1:
        missing.append("actions")
    return missing


def capa_content(action: Any) -> dict[str, Any]:
    """What a signature on a corrective action vouches for: its identity, substance and evidence."""
    return {
        "id": str(action.id),
        "incident_id": str(action.incident_id) if action.incident_id else None,
        "title": action.title,
        "description": action.description,
        "type": getattr(action.type, "value", action.type),
        "control_level": getattr(action.control_level, "value", action.control_level),
        "owner_id": str(action.owner_id),
        "due_on": action.due_on.isoformat(),
        "evidence": action.evidence,
        "done_at": action.done_at.astimezone(dt.UTC).isoformat() if action.done_at else None,
    }


def content_digest(content: Mapping[str, Any]) -> str:
    """Return the sha256 of a record's canonical JSON: what a signature vouches for."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def derived_id(parent: uuid.UUID, label: str) -> uuid.UUID:
    """Return the id of a row a rule creates, the same on phone and server (uuid5 of the parent)."""
    return uuid.uuid5(parent, label)
