"""Read queries for notification clocks: one incident's duties with countdowns, and a dashboard of open ones.

States: "met" (done in time), "ok", "warning" (less than a quarter of the time left, or due at once)
and "overdue" (past due, or met late). Cancelled clocks (no longer owed) are not listed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store import View
from models import Incident, RegulatoryClock, Site, User, utcnow
from models.clocks import Obligation, clock_state, how_to_meet


@dataclass(frozen=True)
class ClockRow:
    """One notification duty of an incident, as the app shows it."""

    id: uuid.UUID
    incident_id: uuid.UUID
    rule_code: str
    authority: str
    title: str
    how: str
    started_at: dt.datetime
    due_at: dt.datetime
    state: str
    time_left: dt.timedelta
    met_at: dt.datetime | None
    met_by: str
    method: str
    reference_number: str


@dataclass(frozen=True)
class OpenClockRow:
    """One duty still to be met, with its incident and site, for the dashboard."""

    clock: ClockRow
    incident_ref: str
    incident_title: str
    site_id: uuid.UUID
    site_name: str


def _row(clock: RegulatoryClock, met_by: str | None, now: dt.datetime) -> ClockRow:
    """Return a stored clock with its state and time left at `now`."""
    duty = Obligation(clock.rule_code, clock.authority, clock.due_at, clock.started_at, clock.title, "")
    return ClockRow(
        id=clock.id,
        incident_id=clock.incident_id,
        rule_code=clock.rule_code,
        authority=clock.authority,
        title=clock.title,
        how=how_to_meet(clock.rule_code),
        started_at=clock.started_at,
        due_at=clock.due_at,
        state=clock_state(duty, now, clock.met_at),
        time_left=clock.due_at - now,
        met_at=clock.met_at,
        met_by=met_by or "",
        method=clock.method,
        reference_number=clock.reference_number,
    )


def incident_clocks(
    session: Session, view: View, *, incident_id: uuid.UUID, now: dt.datetime | None = None
) -> list[ClockRow]:
    """Return the notification clocks of an incident the view may see, earliest due first."""
    now = now or utcnow()
    query = (
        select(RegulatoryClock, User.display_name)
        .join(Incident, Incident.id == RegulatoryClock.incident_id)
        .outerjoin(User, User.id == RegulatoryClock.met_by_id)
        .where(RegulatoryClock.incident_id == incident_id, RegulatoryClock.cancelled_at.is_(None))
        .where(view.incidents)
        .order_by(RegulatoryClock.due_at, RegulatoryClock.rule_code)
    )
    return [_row(clock, met_by, now) for clock, met_by in session.execute(query).tuples()]


def open_clocks(
    session: Session,
    view: View,
    *,
    site_id: uuid.UUID | None = None,
    now: dt.datetime | None = None,
    limit: int = 200,
) -> list[OpenClockRow]:
    """Return the duties not yet met across the sites the view may see (or one site), most urgent first."""
    now = now or utcnow()
    query = (
        select(RegulatoryClock, Incident.ref, Incident.title, Site.id, Site.name)
        .join(Incident, Incident.id == RegulatoryClock.incident_id)
        .join(Site, Site.id == Incident.site_id)
        .where(RegulatoryClock.met_at.is_(None), RegulatoryClock.cancelled_at.is_(None))
        .where(Incident.retracted_at.is_(None))
        .where(view.incidents)
        .order_by(RegulatoryClock.due_at, RegulatoryClock.rule_code)
        .limit(limit)
    )
    if site_id is not None:
        query = query.where(Incident.site_id == site_id)
    return [
        OpenClockRow(
            clock=_row(clock, None, now),
            incident_ref=ref or "",
            incident_title=title,
            site_id=site,
            site_name=site_name,
        )
        for clock, ref, title, site, site_name in session.execute(query).tuples()
    ]
