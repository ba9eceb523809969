"""Workflow reads shared by both stores and the REST API: queue, incident detail, timeline, sign-off inbox,
conflicts. Each is `fn(session, view, **kw)` and returns plain frozen dataclasses (no rows, no UI).

On the central store the timeline comes from the audit trail; on a phone, which holds no audit events,
it is derived from the records' own times. Privacy-case names are shown to HSE managers only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.i18n import Translator
from app.store import View
from models import (
    Amendment,
    Asset,
    Attachment,
    AuditEvent,
    ChangeRequest,
    CorrectiveAction,
    EffectivenessCheck,
    Incident,
    IncidentRole,
    Investigation,
    InvestigationConflict,
    PostIncidentReview,
    Problem,
    ReviewAction,
    SignOff,
    Site,
    SiteArea,
    StatusUpdate,
    User,
    WitnessStatement,
    utcnow,
)
from models.clocks import Obligation, clock_state, next_status_update, pir_due
from models.enums import (
    CapaStatus,
    IncidentKind,
    IncidentRoleKind,
    IncidentStatus,
    Priority,
    Role,
)
from models.workflow import (
    INCIDENT_TRANSITIONS,
    OPEN_STATUSES,
    REVIEW_QUESTIONS,
    SIGNERS,
    CheckItem,
    capa_content,
    checklist_for,
    content_digest,
    needs_review,
    reported_at,
    role_fill_times,
    site_response_targets,
)

PRIVATE_NAME = "Privacy case"
_RANK = {Priority.P1: 1, Priority.P2: 2, Priority.P3: 3, Priority.P4: 4, None: 5}


# --- Rows --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """One line of the triage queue, with its clocks."""

    id: uuid.UUID
    ref: str | None
    kind: IncidentKind
    title: str
    status: IncidentStatus
    priority: Priority | None
    priority_reason: str
    site_id: uuid.UUID
    site_name: str
    area_name: str
    reported_at: dt.datetime
    acknowledged_at: dt.datetime | None
    ack_due_at: dt.datetime | None
    ack_overdue: bool
    next_update_due_at: dt.datetime | None
    update_overdue: bool
    escalation_level: int
    commander_name: str
    problem_id: uuid.UUID | None

    @property
    def overdue(self) -> bool:
        """Whether any clock of the incident has run out (acknowledgement or status update)."""
        return self.ack_overdue or self.update_overdue


@dataclass(frozen=True)
class RoleRow:
    """One assignment of an incident role (open while `ended_at` is None)."""

    id: uuid.UUID
    role: IncidentRoleKind
    user_id: uuid.UUID
    user_name: str
    assigned_at: dt.datetime
    ended_at: dt.datetime | None
    assigned_by_name: str


@dataclass(frozen=True)
class InvestigationView:
    """The investigation's fields (as the merge sees them) and how many conflicts wait."""

    id: uuid.UUID
    version: int
    lead_id: uuid.UUID | None
    lead_name: str
    five_whys: tuple[str, ...]
    contributing_factors: tuple[dict[str, str], ...]
    root_cause_category: str | None
    root_cause: str
    findings: str
    evidence: tuple[dict[str, str], ...]
    open_conflicts: int


@dataclass(frozen=True)
class SignoffRow:
    """A signature on a corrective action."""

    id: uuid.UUID
    meaning: str
    signer_name: str
    signer_role: Role
    signed_at: dt.datetime
    signature_sha256: str | None
    content_sha256: str
    reason: str


@dataclass(frozen=True)
class CheckRow:
    """An effectiveness check of a verified action."""

    id: uuid.UUID
    days_after: int
    due_on: dt.date
    done_at: dt.datetime | None
    effective: bool | None
    notes: str


@dataclass(frozen=True)
class ActionRow:
    """A corrective or preventive action on the CAPA board."""

    id: uuid.UUID
    title: str
    description: str
    type: str
    control_level: str
    status: CapaStatus
    owner_id: uuid.UUID
    owner_name: str
    due_on: dt.date
    overdue: bool
    evidence: tuple[dict[str, str], ...]
    done_at: dt.datetime | None
    verified_at: dt.datetime | None
    sent_back_reason: str
    cancelled_reason: str
    review_id: uuid.UUID | None
    change_request_id: uuid.UUID | None
    version: int
    signoffs: tuple[SignoffRow, ...]
    checks: tuple[CheckRow, ...]


@dataclass(frozen=True)
class ReviewActionRow:
    """An action item agreed in a review."""

    id: uuid.UUID
    description: str
    owner_id: uuid.UUID
    owner_name: str
    due_on: dt.date
    action_id: uuid.UUID | None


@dataclass(frozen=True)
class ReviewView:
    """The post-incident review: the five answers, its schedule and its action items."""

    id: uuid.UUID
    scheduled_for: dt.datetime | None
    facilitator_name: str
    what_happened: str
    root_cause: str
    detection: str
    went_well: str
    completed_at: dt.datetime | None
    actions: tuple[ReviewActionRow, ...]
    questions: tuple[tuple[str, str], ...] = REVIEW_QUESTIONS


@dataclass(frozen=True)
class StatementRow:
    """A witness statement (immutable once signed)."""

    id: uuid.UUID
    witness_name: str
    relation: str
    statement: str
    language: str
    signed: bool
    signed_at: dt.datetime | None
    signature_sha256: str | None
    taken_at: dt.datetime
    amends_id: uuid.UUID | None


@dataclass(frozen=True)
class AttachmentRow:
    """A photo or document's metadata (the bytes come from the store's `blob`)."""

    id: uuid.UUID
    slot: str
    kind: str
    sha256: str
    size: int
    mime: str
    width: int | None
    height: int | None
    captured_at: dt.datetime | None
    caption: str


@dataclass(frozen=True)
class UpdateRow:
    """A posted status update."""

    id: uuid.UUID
    audience: str
    template: str
    body: str
    status: IncidentStatus
    posted_by_name: str
    posted_at: dt.datetime
    next_update_due_at: dt.datetime | None


@dataclass(frozen=True)
class ProblemRow:
    """The problem an incident is linked to; `repeats` counts the other incidents linked to it."""

    id: uuid.UUID
    title: str
    status: str
    root_cause_category: str | None
    incidents: int
    repeats: int


@dataclass(frozen=True)
class ChangeRow:
    """The change request making the permanent fix."""

    id: uuid.UUID
    title: str
    status: str


@dataclass(frozen=True)
class IncidentDetail:
    """Everything the incident screen shows."""

    id: uuid.UUID
    ref: str | None
    version: int
    kind: IncidentKind
    title: str
    description: str
    status: IncidentStatus
    next_statuses: tuple[IncidentStatus, ...]
    priority: Priority | None
    priority_reason: str
    site_id: uuid.UUID
    site_name: str
    site_timezone: str
    area_name: str
    asset_name: str
    location_text: str
    latitude: float | None
    longitude: float | None
    occurred_at: dt.datetime
    reported_at: dt.datetime
    acknowledged_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    reporter_id: uuid.UUID
    reporter_name: str
    privacy_case: bool
    injured_person: str
    ack_due_at: dt.datetime | None
    ack_overdue: bool
    escalation_level: int
    next_update_due_at: dt.datetime | None
    update_overdue: bool
    resolution_type: str | None
    resolution_summary: str
    service_restored: bool
    affected_informed: bool
    checklist: tuple[CheckItem, ...]
    roles: tuple[RoleRow, ...]
    role_fill_minutes: dict[str, float]
    investigation: InvestigationView | None
    actions: tuple[ActionRow, ...]
    review: ReviewView | None
    review_due_at: dt.datetime | None
    review_due_state: str | None
    statements: tuple[StatementRow, ...]
    attachments: tuple[AttachmentRow, ...]
    updates: tuple[UpdateRow, ...]
    problem: ProblemRow | None
    change_request: ChangeRow | None


@dataclass(frozen=True)
class TimelineEntry:
    """One moment in an incident's history: from the audit trail, a status update, or a record's time."""

    at: dt.datetime
    source: str
    action: str
    actor_name: str
    text: str
    seq: int | None = None
    key: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def words(self, t: Callable[..., str]) -> str:
        """The entry in a translator's language: its sentence with its codes named, or its own text."""
        if not self.key:
            return self.text
        return t(self.key, **{name: _named(t, name, value) for name, value in self.params.items()})


CODE_KEYS = {
    "role": "wf.role.{}",
    "site_role": "role.{}",
    "priority": "wf.priority.{}",
    "status_from": "status.{}",
    "status_to": "status.{}",
    "resolution": "wf.resolution.{}",
    "state_from": "wf.capa_state.{}",
    "state_to": "wf.capa_state.{}",
    "field": "wf.inv.field.{}",
    "fields": "wf.inv.field.{}",
}
"""Timeline parameters that are codes, with the catalogue key that names each code."""

SPACED = {"role", "site_role"}
"""Code parameters the English text shows with spaces for underscores."""

ENGLISH = Translator("en")
"""Writes the `text` of an entry: the English sentence, its codes as they are (what the API gives)."""


def _named(t: Callable[..., str], name: str, value: Any) -> str:
    """A parameter as the reader sees it: a code by its name in the catalogue, free text as it is."""
    if isinstance(value, list | tuple):
        return ", ".join(_named(t, name, item) for item in value)
    text = str(value)
    template = CODE_KEYS.get(name)
    if template is None or not text:
        return text
    key = template.format(text)
    said = t(key)
    if said == key:
        return text.replace("_", " ") if name in SPACED else text
    return f"{text} ({said})" if name == "priority" else said


def _plain(name: str, value: Any) -> str:
    """A parameter as the English `text` shows it: codes as they are (roles spaced), lists joined."""
    if isinstance(value, list | tuple):
        return ", ".join(_plain(name, item) for item in value)
    return str(value).replace("_", " ") if name in SPACED else str(value)


def _said(
    at: dt.datetime,
    source: str,
    action: str,
    actor_name: str,
    key: str,
    seq: int | None = None,
    **params: Any,
) -> TimelineEntry:
    """A timeline entry with its message key and parameters, and its English sentence as `text`."""
    text = ENGLISH(key, **{name: _plain(name, value) for name, value in params.items()})
    return TimelineEntry(at, source, action, actor_name, text, seq, key, params)


@dataclass(frozen=True)
class SignoffItem:
    """A done action waiting for this supervisor's verification, with the hash they will sign."""

    action_id: uuid.UUID
    version: int
    title: str
    description: str
    type: str
    control_level: str
    owner_name: str
    due_on: dt.date
    done_at: dt.datetime | None
    evidence: tuple[dict[str, str], ...]
    content_sha256: str
    site_name: str
    incident_id: uuid.UUID | None
    incident_ref: str | None
    incident_title: str


@dataclass(frozen=True)
class ConflictRow:
    """An investigation field changed on two devices; `live_value` is what the field holds now."""

    id: uuid.UUID
    incident_id: uuid.UUID
    incident_ref: str | None
    incident_title: str
    investigation_id: uuid.UUID
    field: str
    base_value: Any
    current_value: Any
    incoming_value: Any
    live_value: Any
    user_name: str
    created_at: dt.datetime
    resolved_at: dt.datetime | None
    resolution: str


# --- Helpers -----------------------------------------------------------------------------------


def _names(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """Display names of users by id."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all())


def _ack_clock(incident: Incident, site: Site, now: dt.datetime) -> tuple[dt.datetime | None, bool]:
    """When the incident must be acknowledged, and whether that time has passed unacknowledged."""
    if incident.priority is None:
        return None, False
    due = reported_at(incident) + site_response_targets(site.settings)[incident.priority]
    late = incident.acknowledged_at is None and incident.status is IncidentStatus.REPORTED and now > due
    return due, late


def _update_clock(
    incident: Incident, last: StatusUpdate | None, now: dt.datetime
) -> tuple[dt.datetime | None, bool]:
    """When the next status update is due (open P1/P2, or as promised), and whether it is late."""
    if incident.status not in OPEN_STATUSES:
        return None, False
    if last is not None and last.next_update_due_at is not None:
        due = last.next_update_due_at
    elif incident.priority is not None:
        start = last.posted_at if last is not None else reported_at(incident)
        due = next_status_update(incident.priority.value, start)
    else:
        due = None
    return due, due is not None and now > due


def _last_updates(session: Session, incident_ids: list[uuid.UUID]) -> dict[uuid.UUID, StatusUpdate]:
    """The newest status update of each incident."""
    latest: dict[uuid.UUID, StatusUpdate] = {}
    if not incident_ids:
        return latest
    query = (
        select(StatusUpdate)
        .where(StatusUpdate.incident_id.in_(incident_ids))
        .order_by(StatusUpdate.posted_at)
    )
    for update in session.scalars(query):
        latest[update.incident_id] = update
    return latest


def _may_see_names(view: View) -> bool:
    """Only HSE managers see who a privacy case is about."""
    return view.actor is not None and view.actor.has_role(Role.HSE_MANAGER)


def _visible(session: Session, view: View, incident_id: uuid.UUID) -> Incident | None:
    """The incident, if the view may see it."""
    return session.scalar(
        select(Incident).where(Incident.id == incident_id, view.incidents, Incident.retracted_at.is_(None))
    )


# --- Queue -------------------------------------------------------------------------------------


def queue_rows(
    session: Session,
    view: View,
    *,
    site_id: uuid.UUID | None = None,
    priority: Priority | str | None = None,
    status: IncidentStatus | str | None = None,
    overdue: bool | None = None,
    include_closed: bool = False,
    now: dt.datetime | None = None,
    limit: int = 200,
) -> list[QueueRow]:
    """The triage queue: overdue first, then by priority and age; closed incidents only on request."""
    now = now or utcnow()
    query: Any = (
        select(Incident, Site, SiteArea.name)
        .join(Site, Site.id == Incident.site_id)
        .outerjoin(SiteArea, SiteArea.id == Incident.area_id)
        .where(view.incidents, Incident.retracted_at.is_(None))
    )
    if site_id is not None:
        query = query.where(Incident.site_id == site_id)
    if priority is not None:
        query = query.where(Incident.priority == Priority(priority))
    if status is not None:
        query = query.where(Incident.status == IncidentStatus(status))
    elif not include_closed:
        query = query.where(Incident.status != IncidentStatus.CLOSED)
    found = session.execute(query).all()
    ids = [incident.id for incident, _site, _area in found]
    last = _last_updates(session, ids)
    commanders = _current_holders(session, ids, IncidentRoleKind.COMMANDER)
    rows = []
    for incident, site, area_name in found:
        ack_due, ack_late = _ack_clock(incident, site, now)
        update_due, update_late = _update_clock(incident, last.get(incident.id), now)
        row = QueueRow(
            id=incident.id,
            ref=incident.ref,
            kind=incident.kind,
            title=incident.title,
            status=incident.status,
            priority=incident.priority,
            priority_reason=incident.priority_reason,
            site_id=site.id,
            site_name=site.name,
            area_name=area_name or "",
            reported_at=reported_at(incident),
            acknowledged_at=incident.acknowledged_at,
            ack_due_at=ack_due,
            ack_overdue=ack_late,
            next_update_due_at=update_due,
            update_overdue=update_late,
            escalation_level=incident.escalation_level,
            commander_name=commanders.get(incident.id, ""),
            problem_id=incident.problem_id,
        )
        if overdue is None or row.overdue is overdue:
            rows.append(row)
    rows.sort(key=lambda r: (not r.overdue, _RANK[r.priority], r.reported_at))
    return rows[:limit]


def _current_holders(session: Session, ids: list[uuid.UUID], role: IncidentRoleKind) -> dict[uuid.UUID, str]:
    """The name of the current holder of one role, per incident."""
    if not ids:
        return {}
    query = (
        select(IncidentRole.incident_id, User.display_name)
        .join(User, User.id == IncidentRole.user_id)
        .where(IncidentRole.incident_id.in_(ids), IncidentRole.role == role, IncidentRole.ended_at.is_(None))
    )
    return dict(session.execute(query).all())


# --- Detail ------------------------------------------------------------------------------------


def incident_detail(
    session: Session, view: View, *, incident_id: uuid.UUID, now: dt.datetime | None = None
) -> IncidentDetail | None:
    """Everything about one incident the view may see (None when it may not)."""
    now = now or utcnow()
    incident = _visible(session, view, incident_id)
    if incident is None:
        return None
    site = session.get(Site, incident.site_id)
    area = session.get(SiteArea, incident.area_id) if incident.area_id else None
    asset = session.get(Asset, incident.asset_id) if incident.asset_id else None
    review = session.scalar(select(PostIncidentReview).where(PostIncidentReview.incident_id == incident.id))
    roles = list(
        session.scalars(
            select(IncidentRole)
            .where(IncidentRole.incident_id == incident.id)
            .order_by(IncidentRole.assigned_at)
        )
    )
    updates = list(
        session.scalars(
            select(StatusUpdate)
            .where(StatusUpdate.incident_id == incident.id)
            .order_by(StatusUpdate.posted_at)
        )
    )
    names = _names(
        session,
        [incident.reporter_id, *(r.user_id for r in roles), *(r.assigned_by_id for r in roles)]
        + [u.posted_by_id for u in updates],
    )
    ack_due, ack_late = _ack_clock(incident, site, now)
    update_due, update_late = _update_clock(incident, updates[-1] if updates else None, now)
    case = incident.injury
    private = case is not None and case.privacy_concern is not None
    person = ""
    if case is not None:
        person = PRIVATE_NAME if private and not _may_see_names(view) else case.employee_name
    fill = role_fill_times(reported_at(incident), [(r.role, r.assigned_at) for r in roles])
    review_due = None
    if incident.resolved_at is not None and needs_review(incident.priority):
        review_due = pir_due(incident.priority.value, incident.resolved_at)
    return IncidentDetail(
        id=incident.id,
        ref=incident.ref,
        version=incident.version,
        kind=incident.kind,
        title=incident.title,
        description=incident.description or (case.what_happened if case is not None else ""),
        status=incident.status,
        next_statuses=INCIDENT_TRANSITIONS[incident.status],
        priority=incident.priority,
        priority_reason=incident.priority_reason,
        site_id=site.id,
        site_name=site.name,
        site_timezone=site.timezone,
        area_name=area.name if area else "",
        asset_name=asset.name if asset else "",
        location_text=incident.location_text,
        latitude=incident.latitude,
        longitude=incident.longitude,
        occurred_at=incident.occurred_at,
        reported_at=reported_at(incident),
        acknowledged_at=incident.acknowledged_at,
        resolved_at=incident.resolved_at,
        closed_at=incident.closed_at,
        reporter_id=incident.reporter_id,
        reporter_name=names.get(incident.reporter_id, ""),
        privacy_case=private,
        injured_person=person,
        ack_due_at=ack_due,
        ack_overdue=ack_late,
        escalation_level=incident.escalation_level,
        next_update_due_at=update_due,
        update_overdue=update_late,
        resolution_type=getattr(incident.resolution_type, "value", None),
        resolution_summary=incident.resolution_summary,
        service_restored=incident.service_restored,
        affected_informed=incident.affected_informed,
        checklist=tuple(checklist_for(incident, review)),
        roles=tuple(
            RoleRow(
                r.id,
                r.role,
                r.user_id,
                names.get(r.user_id, ""),
                r.assigned_at,
                r.ended_at,
                names.get(r.assigned_by_id, ""),
            )
            for r in roles
        ),
        role_fill_minutes={
            role.value: round(span / dt.timedelta(minutes=1), 1) for role, span in fill.items()
        },
        investigation=_investigation(session, incident.id),
        actions=tuple(action_rows(session, incident.id, now)),
        review=_review(session, review),
        review_due_at=review_due,
        review_due_state=_review_state(incident, review, review_due, now),
        statements=tuple(_statements(session, incident.id)),
        attachments=tuple(_attachments(session, incident.id)),
        updates=tuple(
            UpdateRow(
                u.id,
                u.audience.value,
                u.template,
                u.body,
                u.status,
                names.get(u.posted_by_id, ""),
                u.posted_at,
                u.next_update_due_at,
            )
            for u in updates
        ),
        problem=_problem(session, incident.problem_id),
        change_request=_change(session, incident.change_request_id),
    )


def _investigation(session: Session, incident_id: uuid.UUID) -> InvestigationView | None:
    """The investigation of an incident, if one was started."""
    found = session.scalar(select(Investigation).where(Investigation.incident_id == incident_id))
    if found is None:
        return None
    waiting = session.scalar(
        select(func.count(InvestigationConflict.id)).where(
            InvestigationConflict.investigation_id == found.id, InvestigationConflict.resolved_at.is_(None)
        )
    )
    lead = _names(session, [found.lead_id]).get(found.lead_id, "") if found.lead_id else ""
    return InvestigationView(
        id=found.id,
        version=found.version,
        lead_id=found.lead_id,
        lead_name=lead,
        five_whys=tuple(found.five_whys or ()),
        contributing_factors=tuple(found.contributing_factors or ()),
        root_cause_category=getattr(found.root_cause_category, "value", None),
        root_cause=found.root_cause,
        findings=found.findings,
        evidence=tuple(found.evidence or ()),
        open_conflicts=waiting or 0,
    )


def action_rows(session: Session, incident_id: uuid.UUID, now: dt.datetime | None = None) -> list[ActionRow]:
    """The CAPA board of an incident, with each action's sign-offs and effectiveness checks."""
    today = (now or utcnow()).date()
    actions = list(
        session.scalars(
            select(CorrectiveAction)
            .where(CorrectiveAction.incident_id == incident_id)
            .order_by(CorrectiveAction.due_on, CorrectiveAction.created_at)
        )
    )
    ids = [a.id for a in actions]
    signoffs: dict[uuid.UUID, list[SignoffRow]] = {i: [] for i in ids}
    checks: dict[uuid.UUID, list[CheckRow]] = {i: [] for i in ids}
    if ids:
        for s in session.scalars(
            select(SignOff).where(SignOff.subject_id.in_(ids)).order_by(SignOff.signed_at)
        ):
            signoffs[s.subject_id].append(
                SignoffRow(
                    s.id,
                    s.meaning,
                    s.signer_name,
                    s.signer_role,
                    s.signed_at,
                    s.signature_sha256,
                    s.content_sha256,
                    s.reason,
                )
            )
        query = select(EffectivenessCheck).where(EffectivenessCheck.action_id.in_(ids))
        for c in session.scalars(query.order_by(EffectivenessCheck.days_after)):
            checks[c.action_id].append(
                CheckRow(c.id, c.days_after, c.due_on, c.done_at, c.effective, c.notes)
            )
    names = _names(session, [a.owner_id for a in actions])
    open_states = (CapaStatus.OPEN, CapaStatus.IN_PROGRESS)
    return [
        ActionRow(
            id=a.id,
            title=a.title,
            description=a.description,
            type=a.type.value,
            control_level=a.control_level.value,
            status=a.status,
            owner_id=a.owner_id,
            owner_name=names.get(a.owner_id, ""),
            due_on=a.due_on,
            overdue=a.status in open_states and a.due_on < today,
            evidence=tuple(a.evidence or ()),
            done_at=a.done_at,
            verified_at=a.verified_at,
            sent_back_reason=a.sent_back_reason,
            cancelled_reason=a.cancelled_reason,
            review_id=a.review_id,
            change_request_id=a.change_request_id,
            version=a.version,
            signoffs=tuple(signoffs[a.id]),
            checks=tuple(checks[a.id]),
        )
        for a in actions
    ]


def _review(session: Session, review: PostIncidentReview | None) -> ReviewView | None:
    """The review with its action items."""
    if review is None:
        return None
    items = list(
        session.scalars(
            select(ReviewAction).where(ReviewAction.review_id == review.id).order_by(ReviewAction.due_on)
        )
    )
    names = _names(session, [review.facilitator_id, *(i.owner_id for i in items)])
    return ReviewView(
        id=review.id,
        scheduled_for=review.scheduled_for,
        facilitator_name=names.get(review.facilitator_id, "") if review.facilitator_id else "",
        what_happened=review.what_happened,
        root_cause=review.root_cause,
        detection=review.detection,
        went_well=review.went_well,
        completed_at=review.completed_at,
        actions=tuple(
            ReviewActionRow(i.id, i.description, i.owner_id, names.get(i.owner_id, ""), i.due_on, i.action_id)
            for i in items
        ),
    )


def _review_state(
    incident: Incident, review: PostIncidentReview | None, due: dt.datetime | None, now: dt.datetime
) -> str | None:
    """The review's due clock: 'ok', 'warning' (under a quarter of the time left), 'overdue' or 'met'."""
    if due is None:
        return None
    clock = Obligation("policy.pir_p1_p2", "Organisation policy", due, incident.resolved_at, "Review", "")
    return clock_state(clock, now, review.completed_at if review is not None else None)


def _statements(session: Session, incident_id: uuid.UUID) -> list[StatementRow]:
    """The incident's witness statements, oldest first."""
    query = select(WitnessStatement).where(WitnessStatement.incident_id == incident_id)
    return [
        StatementRow(
            s.id,
            s.witness_name,
            s.relation.value,
            s.statement,
            s.language,
            s.signed_at is not None,
            s.signed_at,
            s.signature_sha256,
            s.taken_at,
            s.amends_id,
        )
        for s in session.scalars(query.order_by(WitnessStatement.taken_at))
    ]


def _attachments(session: Session, incident_id: uuid.UUID) -> list[AttachmentRow]:
    """The incident's attachments by slot."""
    query = select(Attachment).where(Attachment.incident_id == incident_id).order_by(Attachment.slot)
    return [
        AttachmentRow(
            a.id, a.slot, a.kind.value, a.sha256, a.size, a.mime, a.width, a.height, a.captured_at, a.caption
        )
        for a in session.scalars(query)
    ]


def _problem(session: Session, problem_id: uuid.UUID | None) -> ProblemRow | None:
    """The linked problem and how many incidents share it."""
    problem = session.get(Problem, problem_id) if problem_id else None
    if problem is None:
        return None
    count = session.scalar(select(func.count(Incident.id)).where(Incident.problem_id == problem.id)) or 0
    return ProblemRow(
        problem.id,
        problem.title,
        problem.status.value,
        getattr(problem.root_cause_category, "value", None),
        count,
        max(count - 1, 0),
    )


def _change(session: Session, change_id: uuid.UUID | None) -> ChangeRow | None:
    """The linked change request."""
    change = session.get(ChangeRequest, change_id) if change_id else None
    return ChangeRow(change.id, change.title, change.status.value) if change else None


# --- Timeline ----------------------------------------------------------------------------------


def timeline(session: Session, view: View, *, incident_id: uuid.UUID) -> list[TimelineEntry] | None:
    """The incident's history, oldest first: audit events and status updates (None when not visible)."""
    incident = _visible(session, view, incident_id)
    if incident is None:
        return None
    updates = list(session.scalars(select(StatusUpdate).where(StatusUpdate.incident_id == incident.id)))
    found = list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_id.in_(_related_ids(session, incident)))
            .order_by(AuditEvent.seq)
        )
    )
    posted = {e.entity_id: e.seq for e in found if e.action == "status_update.create"}
    events = [e for e in found if e.action != "status_update.create"]
    names = _names(session, [e.actor_id for e in events] + [u.posted_by_id for u in updates])
    people = _names(session, _mentioned_users(events))
    entries = [_audit_entry(e, names.get(e.actor_id, "system"), people) for e in events]
    if not found:
        entries.extend(_derived(session, incident))
    entries.extend(
        TimelineEntry(
            u.posted_at,
            "status_update",
            f"status_update.{u.audience.value}",
            names.get(u.posted_by_id, ""),
            u.body,
            posted.get(str(u.id)),
        )
        for u in updates
    )
    return sorted(entries, key=lambda e: (e.at, e.seq or 0))


def _related_ids(session: Session, incident: Incident) -> list[str]:
    """Ids of the incident and every record that belongs to it (what its audit events name)."""
    ids: list[Any] = [incident.id]
    for model in (Amendment, WitnessStatement, Attachment, StatusUpdate, CorrectiveAction, Investigation):
        ids.extend(session.scalars(select(model.id).where(model.incident_id == incident.id)))
    review = session.scalar(
        select(PostIncidentReview.id).where(PostIncidentReview.incident_id == incident.id)
    )
    if review is not None:
        ids.append(review)
    inv_ids = list(session.scalars(select(Investigation.id).where(Investigation.incident_id == incident.id)))
    ids.extend(
        session.scalars(
            select(InvestigationConflict.id).where(InvestigationConflict.investigation_id.in_(inv_ids))
        )
    )
    action_ids = list(
        session.scalars(select(CorrectiveAction.id).where(CorrectiveAction.incident_id == incident.id))
    )
    ids.extend(
        session.scalars(select(EffectivenessCheck.id).where(EffectivenessCheck.action_id.in_(action_ids)))
    )
    return [str(i) for i in ids]


def _mentioned_users(events: list[AuditEvent]) -> list[uuid.UUID]:
    """User ids that events name in their arguments (assignees, owners)."""
    found = []
    for event in events:
        args = event.data.get("args", {}) if isinstance(event.data, dict) else {}
        for key in ("user_id", "owner_id"):
            try:
                found.append(uuid.UUID(str(args[key])))
            except (KeyError, ValueError):
                continue
    return found


def _who(people: dict[uuid.UUID, str], raw: Any) -> str:
    """A user's name from an id in event data."""
    try:
        return people.get(uuid.UUID(str(raw)), "someone")
    except ValueError:
        return "someone"


def describe(event: AuditEvent, people: dict[uuid.UUID, str]) -> tuple[str, dict[str, Any]] | None:
    """The message key and parameters of the sentence about an audit event (None: no sentence for it)."""
    data = event.data if isinstance(event.data, dict) else {}
    args = data.get("args", {}) if isinstance(data.get("args"), dict) else {}
    action = event.action
    if action.endswith(".rejected"):
        return "wf.tl.refused", {"step": action.removesuffix(".rejected"), "message": data.get("message", "")}
    reason = {"reason": args["reason"]} if args.get("reason") else {}
    if action == "incident.assign_role":
        who = _who(people, args.get("user_id"))
        change = "remove" if args.get("remove") else "assign"
        if args.get("role") == IncidentRoleKind.INVESTIGATOR.value:
            return f"wf.tl.{change}_investigator", {"who": who}
        return f"wf.tl.{change}_role", {"who": who, "role": str(args.get("role", ""))}
    if action == "incident.transition":
        moved = {"status_from": data.get("from", ""), "status_to": data.get("to", args.get("to", ""))}
        how = {"resolution": args["resolution_type"]} if args.get("resolution_type") else {}
        key = "wf.tl.transition" + ("_reason" if reason else "") + ("_resolution" if how else "")
        return key, moved | reason | how
    if action == "investigation.patch":
        applied, conflicts = data.get("applied", []), data.get("conflicts")
        fields = {"fields": list(applied)} if applied else {}
        count = {"n": len(conflicts)} if conflicts else {}
        key = "wf.tl.investigation" + ("_fields" if fields else "") + ("_conflicts" if count else "")
        return key, fields | count
    sentences: dict[str, tuple[str, dict[str, Any]]] = {
        "report.create": ("wf.tl.reported", {}),
        "report.amend": ("wf.tl.amended_reason" if reason else "wf.tl.amended", reason),
        "report.retract": ("wf.tl.retracted", {}),
        "statement.create": ("wf.tl.statement_added", {}),
        "attachment.add": ("wf.tl.attachment_added", {}),
        "incident.triaged": (
            "wf.tl.triaged",
            {"priority": data.get("priority", ""), "reasons": "; ".join(data.get("reasons", []))},
        ),
        "incident.acknowledge": (
            "wf.tl.acknowledged_command" if data.get("took_command") else "wf.tl.acknowledged",
            {},
        ),
        "incident.set_priority": (
            "wf.tl.priority_set",
            {"priority": args.get("priority", ""), "reason": args.get("reason", "")},
        ),
        "incident.escalated": (
            "wf.tl.escalated",
            {"site_role": str(data.get("role", "")), "minutes": data.get("minutes_late", "?")},
        ),
        "incident.repeat_linked": ("wf.tl.repeat_linked", {"because": data.get("because", "")}),
        "incident.link_problem": ("wf.tl.problem_linked", {}),
        "conflict.resolve": (
            "wf.tl.conflict_resolved",
            {"field": data.get("field", ""), "choice": data.get("resolution", "")},
        ),
        "ca.create": (
            "wf.tl.ca_created",
            {"title": args.get("title", ""), "who": _who(people, args.get("owner_id"))},
        ),
        "ca.transition": (
            "wf.tl.ca_moved_reason" if reason else "wf.tl.ca_moved",
            {"state_from": args.get("from", ""), "state_to": args.get("to", "")} | reason,
        ),
        "ca.patch": ("wf.tl.ca_edited", {"changed": list(data.get("changed", []))}),
        "ca.verify": ("wf.tl.ca_verified", {"signer": args.get("signer_name", "")}),
        "effectiveness.record": (
            "wf.tl.effective" if args.get("effective") else "wf.tl.not_effective",
            {},
        ),
        "pir.create": ("wf.tl.review_scheduled", {}),
        "pir.patch": ("wf.tl.review_edited", {"changed": list(data.get("changed", []))}),
        "pir.complete": ("wf.tl.review_completed", {"n": len(data.get("actions", []))}),
    }
    return sentences.get(action)


def _audit_entry(event: AuditEvent, actor_name: str, people: dict[uuid.UUID, str]) -> TimelineEntry:
    """An audit event on the timeline: its sentence, or its action's name when it has none."""
    sentence = describe(event, people)
    if sentence is None:
        return TimelineEntry(event.at, "audit", event.action, actor_name, event.action, event.seq)
    key, params = sentence
    return _said(event.at, "audit", event.action, actor_name, key, event.seq, **params)


def _derived(session: Session, incident: Incident) -> list[TimelineEntry]:
    """A history from the records' own times, for stores without the audit trail (the phone)."""
    names = _names(session, [incident.reporter_id])
    entries = [
        _said(
            reported_at(incident),
            "record",
            "report.create",
            names.get(incident.reporter_id, ""),
            "wf.tl.reported",
        )
    ]
    moments = (
        (incident.acknowledged_at, "incident.acknowledge", "wf.tl.acknowledged"),
        (incident.resolved_at, "incident.transition", "wf.tl.resolved"),
        (incident.closed_at, "incident.transition", "wf.tl.closed"),
    )
    entries.extend(_said(at, "record", action, "", key) for at, action, key in moments if at)
    roles = list(session.scalars(select(IncidentRole).where(IncidentRole.incident_id == incident.id)))
    people = _names(session, [row.user_id for row in roles])
    for row in roles:
        who = people.get(row.user_id, "someone")
        if row.role is IncidentRoleKind.INVESTIGATOR:
            said = _said(
                row.assigned_at, "record", "incident.assign_role", "", "wf.tl.assign_investigator", who=who
            )
        else:
            said = _said(
                row.assigned_at,
                "record",
                "incident.assign_role",
                "",
                "wf.tl.assign_role",
                who=who,
                role=row.role.value,
            )
        entries.append(said)
    for action in session.scalars(
        select(CorrectiveAction).where(CorrectiveAction.incident_id == incident.id)
    ):
        if action.verified_at:
            entries.append(
                _said(
                    action.verified_at,
                    "record",
                    "ca.verify",
                    "",
                    "wf.tl.ca_verified_title",
                    title=action.title,
                )
            )
    return entries


# --- Sign-off inbox and conflicts --------------------------------------------------------------


def signoff_inbox(session: Session, view: View) -> list[SignoffItem]:
    """Done actions at the sites where the viewer signs, that the viewer does not own, oldest first."""
    actor = view.actor
    if actor is None:
        return []
    sites = actor.site_ids(*SIGNERS)
    if not sites:
        return []
    query: Any = (
        select(CorrectiveAction, Site.name, Incident)
        .join(Site, Site.id == CorrectiveAction.site_id)
        .outerjoin(Incident, Incident.id == CorrectiveAction.incident_id)
        .where(CorrectiveAction.status == CapaStatus.DONE, CorrectiveAction.owner_id != actor.user_id)
        .order_by(CorrectiveAction.done_at)
    )
    if None not in sites:
        query = query.where(CorrectiveAction.site_id.in_(sites))
    found = session.execute(query).all()
    names = _names(session, [a.owner_id for a, _s, _i in found])
    return [
        SignoffItem(
            action_id=a.id,
            version=a.version,
            title=a.title,
            description=a.description,
            type=a.type.value,
            control_level=a.control_level.value,
            owner_name=names.get(a.owner_id, ""),
            due_on=a.due_on,
            done_at=a.done_at,
            evidence=tuple(a.evidence or ()),
            content_sha256=content_digest(capa_content(a)),
            site_name=site_name,
            incident_id=incident.id if incident else None,
            incident_ref=incident.ref if incident else None,
            incident_title=incident.title if incident else "",
        )
        for a, site_name, incident in found
    ]


def conflicts(session: Session, view: View, *, include_resolved: bool = False) -> list[ConflictRow]:
    """Investigation conflicts on incidents the view may see, newest first."""
    query: Any = (
        select(InvestigationConflict, Investigation, Incident)
        .join(Investigation, Investigation.id == InvestigationConflict.investigation_id)
        .join(Incident, Incident.id == Investigation.incident_id)
        .where(view.incidents, Incident.retracted_at.is_(None))
        .order_by(InvestigationConflict.created_at.desc())
    )
    if not include_resolved:
        query = query.where(InvestigationConflict.resolved_at.is_(None))
    found = session.execute(query).all()
    names = _names(session, [c.user_id for c, _inv, _i in found])
    return [
        ConflictRow(
            id=c.id,
            incident_id=incident.id,
            incident_ref=incident.ref,
            incident_title=incident.title,
            investigation_id=inv.id,
            field=c.field,
            base_value=c.base_value,
            current_value=c.current_value,
            incoming_value=c.incoming_value,
            live_value=_live(inv, c.field),
            user_name=names.get(c.user_id, ""),
            created_at=c.created_at,
            resolved_at=c.resolved_at,
            resolution=c.resolution,
        )
        for c, inv, incident in found
    ]


def _live(investigation: Investigation, field: str) -> Any:
    """A field's value now, in its JSON form."""
    value = getattr(investigation, field)
    if isinstance(value, uuid.UUID):
        return str(value)
    return getattr(value, "value", value)
