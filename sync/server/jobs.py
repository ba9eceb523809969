"""Background jobs: escalation, reminders and review clocks, then notification delivery.

`run_once` is idempotent: every notification has a key (NotificationLog.key) and goes out once; an
escalation raises an incident's level only when the clock says it is due. The server runs it every
`IMS_JOBS_INTERVAL` seconds (an asyncio task, the database work in a thread); `ims jobs run-once`
runs it from the command line. `now` is injectable for tests and replays.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models import (
    CorrectiveAction,
    EffectivenessCheck,
    Incident,
    IncidentRole,
    PostIncidentReview,
    Site,
    StatusUpdate,
    User,
    utcnow,
)
from models.clocks import next_status_update, pir_due
from models.enums import CapaStatus, IncidentRoleKind, IncidentStatus, Priority, Role
from models.workflow import (
    OPEN_STATUSES,
    WorkflowError,
    escalation_level,
    escalation_role,
    reported_at,
    response_targets,
)
from sync.server import audit, feed, notify
from sync.server.notify import Message
from sync.server.settings import ServerSettings

log = logging.getLogger("ims.jobs")

PIR_WARNING = dt.timedelta(hours=24)
URGENT = (Priority.P1, Priority.P2)
_MINUTE = dt.timedelta(minutes=1)


@dataclass
class JobReport:
    """What one run did."""

    escalated: int = 0
    queued: int = 0
    sent: int = 0
    failed: int = 0

    def __str__(self) -> str:
        """One line for the log and the command line."""
        return (
            f"{self.escalated} escalated, {self.queued} notifications queued, "
            f"{self.sent} sent, {self.failed} failed"
        )


def run_once(
    sessions: sessionmaker[Session],
    settings: ServerSettings,
    *,
    now: dt.datetime | None = None,
    http: requests.Session | None = None,
) -> JobReport:
    """Run every job once: decide and queue in one transaction, then deliver outside it."""
    now = now or utcnow()
    report = JobReport()
    with sessions.begin() as session:
        sites = {site.id: site for site in session.scalars(select(Site))}
        escalate(session, sites, now, report)
        remind_status_updates(session, sites, now, report)
        remind_reviews(session, now, report)
        remind_overdue_actions(session, now, report)
        remind_effectiveness_checks(session, now, report)
    delivery = notify.deliver_pending(sessions, settings, http=http)
    report.sent, report.failed = delivery.sent, delivery.failed
    return report


def _label(incident: Incident) -> str:
    """How messages name an incident: priority, reference and title."""
    priority = incident.priority.value if incident.priority else "--"
    return f"[{priority}] {incident.ref or str(incident.id)[:8]} {incident.title}"


def _targets(site: Site) -> dict[Priority, dt.timedelta]:
    """The site's response targets; a malformed override is logged and the policy rules used."""
    try:
        return response_targets(site_settings=site.settings)
    except WorkflowError as error:
        log.warning("site %s: %s; using the policy targets", site.code, error.message)
        return response_targets()


def escalate(session: Session, sites: dict[Any, Site], now: dt.datetime, report: JobReport) -> None:
    """Tell the safety officers about new reports; climb the ladder for those not acknowledged in time."""
    query = (
        select(Incident)
        .where(Incident.status == IncidentStatus.REPORTED, Incident.retracted_at.is_(None))
        .with_for_update(skip_locked=True)  # another server escalating at the same moment skips them
    )
    for incident in session.scalars(query):
        site = sites[incident.site_id]
        since = reported_at(incident)
        new = Message(
            f"reported:{incident.id}",
            "incident.reported",
            f"New incident {_label(incident)}",
            f"{incident.title}\nSite: {site.name}\nReported: {since.isoformat()}\n"
            f"Priority reason: {incident.priority_reason or 'not triaged yet'}",
            incident.id,
        )
        report.queued += notify.to_role(session, incident.site_id, Role.SAFETY_OFFICER, new)
        if incident.priority is None:
            continue
        target = _targets(site)[incident.priority]
        level = escalation_level(since, target, now)
        if level <= incident.escalation_level:
            continue
        role = escalation_role(level)
        previous = incident.escalation_level
        late = int((now - since - target).total_seconds() // 60)
        incident.escalation_level = level
        incident.escalated_at = now
        feed.revise(session, incident)
        data = {"level": level, "role": role.value, "minutes_late": late, "target_minutes": target // _MINUTE}
        audit.append(
            session,
            action="incident.escalated",
            entity="incident",
            entity_id=str(incident.id),
            at=now,
            site_id=incident.site_id,
            data=data,
        )
        report.escalated += 1
        for rung in range(previous + 1, level + 1):
            up = escalation_role(rung)
            message = Message(
                f"escalated:{incident.id}:{rung}",
                "incident.escalated",
                f"Escalated to {up.value.replace('_', ' ')}: {_label(incident)} not acknowledged",
                f"{incident.title}\nSite: {site.name}\nReported: {since.isoformat()}\n"
                f"Not acknowledged {late} min after its {target // _MINUTE}-minute target.",
                incident.id,
            )
            report.queued += notify.to_role(session, incident.site_id, up, message)


def _holders(session: Session, incident_id: Any, *roles: IncidentRoleKind) -> list[User]:
    """The people currently holding the first of these incident roles that anyone holds."""
    for role in roles:
        users = list(
            session.scalars(
                select(User)
                .join(IncidentRole, IncidentRole.user_id == User.id)
                .where(
                    IncidentRole.incident_id == incident_id,
                    IncidentRole.role == role,
                    IncidentRole.ended_at.is_(None),
                )
            )
        )
        if users:
            return users
    return []


def remind_status_updates(
    session: Session, sites: dict[Any, Site], now: dt.datetime, report: JobReport
) -> None:
    """Remind the Communication Lead of an open P1/P2 when its next status update is due."""
    query = select(Incident).where(
        Incident.status.in_(OPEN_STATUSES), Incident.priority.in_(URGENT), Incident.retracted_at.is_(None)
    )
    for incident in session.scalars(query):
        last = session.scalar(
            select(StatusUpdate)
            .where(StatusUpdate.incident_id == incident.id)
            .order_by(StatusUpdate.posted_at.desc())
            .limit(1)
        )
        if last is not None and last.next_update_due_at is not None:
            due = last.next_update_due_at
        else:
            due = next_status_update(
                incident.priority.value, last.posted_at if last else reported_at(incident)
            )
        if due is None or due > now:
            continue
        message = Message(
            f"update_due:{incident.id}:{due.isoformat()}",
            "status_update.due",
            f"Status update due: {_label(incident)}",
            f"{incident.title}\nSite: {sites[incident.site_id].name}\n"
            f"The next status update was due at {due.isoformat()}"
            + (
                f"; the last one was posted at {last.posted_at.isoformat()}."
                if last
                else "; none posted yet."
            ),
            incident.id,
        )
        leads = _holders(
            session, incident.id, IncidentRoleKind.COMMUNICATION_LEAD, IncidentRoleKind.COMMANDER
        )
        queued = notify.to_users(session, leads, message)
        if not queued:
            queued = notify.to_role(session, incident.site_id, Role.SAFETY_OFFICER, message)
        report.queued += queued


def remind_reviews(session: Session, now: dt.datetime, report: JobReport) -> None:
    """Warn a day before a P1/P2 review is due, and again when it is overdue."""
    query = (
        select(Incident, PostIncidentReview)
        .outerjoin(PostIncidentReview, PostIncidentReview.incident_id == Incident.id)
        .where(
            Incident.resolved_at.is_not(None), Incident.priority.in_(URGENT), Incident.retracted_at.is_(None)
        )
        .where(PostIncidentReview.completed_at.is_(None))
    )
    for incident, _review in session.execute(query):
        due = pir_due(incident.priority.value, incident.resolved_at)
        if now < due - PIR_WARNING:
            continue
        state = "overdue" if now >= due else "due_soon"
        message = Message(
            f"pir_{state}:{incident.id}:{due.isoformat()}",
            f"pir.{state}",
            f"Post-incident review {'overdue' if now >= due else 'due within a day'}: {_label(incident)}",
            f"{incident.title}\nThe blameless review of this {incident.priority.value} "
            f"is due at {due.isoformat()}.",
            incident.id,
        )
        queued = notify.to_users(session, _holders(session, incident.id, IncidentRoleKind.COMMANDER), message)
        queued += notify.to_role(session, incident.site_id, Role.SAFETY_OFFICER, message)
        report.queued += queued


def remind_overdue_actions(session: Session, now: dt.datetime, report: JobReport) -> None:
    """Remind owners (and the site's safety officers) of corrective actions past due, once a day."""
    today = now.date()
    query = select(CorrectiveAction).where(
        CorrectiveAction.status.in_((CapaStatus.OPEN, CapaStatus.IN_PROGRESS)),
        CorrectiveAction.due_on < today,
    )
    for action in session.scalars(query):
        message = Message(
            f"capa_overdue:{action.id}:{today.isoformat()}",
            "capa.overdue",
            f"Corrective action overdue: {action.title}",
            f"{action.title}\nDue on {action.due_on.isoformat()}, now {action.status.value}.",
            action.incident_id,
        )
        queued = notify.to_users(session, [session.get(User, action.owner_id)], message)
        queued += notify.to_role(session, action.site_id, Role.SAFETY_OFFICER, message)
        report.queued += queued


def remind_effectiveness_checks(session: Session, now: dt.datetime, report: JobReport) -> None:
    """Tell the site's safety officers when an effectiveness check falls due."""
    query = (
        select(EffectivenessCheck, CorrectiveAction)
        .join(CorrectiveAction, CorrectiveAction.id == EffectivenessCheck.action_id)
        .where(EffectivenessCheck.done_at.is_(None), EffectivenessCheck.due_on <= now.date())
    )
    for check, action in session.execute(query):
        message = Message(
            f"check_due:{check.id}",
            "effectiveness.due",
            f"Effectiveness check due: {action.title}",
            f"{action.title}\nThe {check.days_after}-day check of this verified action is due on "
            f"{check.due_on.isoformat()}: did it work?",
            action.incident_id,
        )
        report.queued += notify.to_role(session, action.site_id, Role.SAFETY_OFFICER, message)


async def run_forever(sessions: sessionmaker[Session], settings: ServerSettings) -> None:
    """Run the jobs every `settings.jobs_interval` seconds until cancelled; a failed run is logged."""
    while True:
        await asyncio.sleep(settings.jobs_interval)
        try:
            result = await asyncio.to_thread(run_once, sessions, settings)
        except Exception:  # a broken run must not stop the next one
            log.exception("background jobs failed")
        else:
            if result.escalated or result.queued or result.sent or result.failed:
                log.info("jobs: %s", result)
