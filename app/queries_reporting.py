"""Read queries of the reporting flow (`fn(session, view, **kw)`): sites, areas, my reports, one report.

They run against the phone's local copy and against the central store alike (same tables), through
`Store.query`. Sync states are not here: the phone's outbox knows them (`PhoneStore.report_states`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.store import View
from models import Asset, Attachment, Incident, Site, SiteArea, User, WitnessStatement
from models.enums import AttachmentKind, IncidentKind, IncidentStatus, WitnessRelation


@dataclass(frozen=True)
class SiteChoice:
    """A site the account may report for."""

    id: uuid.UUID
    name: str
    timezone: str


@dataclass(frozen=True)
class Area:
    """A site area to pick; the centre and radius are known for most."""

    id: str
    name: str
    latitude: float | None = None
    longitude: float | None = None
    radius_m: float | None = None


@dataclass(frozen=True)
class ReportRow:
    """One of my reports in a list."""

    id: uuid.UUID
    ref: str | None
    kind: IncidentKind
    title: str
    status: IncidentStatus
    occurred_at: dt.datetime
    site_name: str
    photos: int
    statements: int


@dataclass(frozen=True)
class AttachmentRow:
    """A photo (or signature) of a report."""

    slot: str
    sha256: str
    mime: str
    kind: AttachmentKind
    caption: str


@dataclass(frozen=True)
class StatementRow:
    """A witness statement as shown (never edited: corrections point back with `amends_id`)."""

    id: uuid.UUID
    witness_name: str
    contact: str
    relation: WitnessRelation
    statement: str
    language: str
    signature_sha256: str | None
    signed_at: dt.datetime | None
    taken_at: dt.datetime
    taken_by: str
    amends_id: uuid.UUID | None


@dataclass(frozen=True)
class ReportDetail:
    """One report with what the reporter filed, its photos and its witness statements."""

    row: ReportRow
    site_id: uuid.UUID
    site_timezone: str
    description: str
    location_text: str
    latitude: float | None
    longitude: float | None
    accuracy_m: float | None
    area_name: str | None
    form_id: str
    form_values: dict[str, Any]
    attachments: list[AttachmentRow]
    statements: list[StatementRow]


def reporting_sites(session: Session, view: View) -> list[SiteChoice]:
    """The sites the account holds a role at (every site for a role held everywhere), by name."""
    if view.actor is None:
        return []
    site_ids = view.actor.site_ids()
    query = select(Site).order_by(Site.name)
    if None not in site_ids:
        query = query.where(Site.id.in_([s for s in site_ids if s is not None]))
    return [SiteChoice(site.id, site.name, site.timezone) for site in session.scalars(query)]


def site_areas(session: Session, view: View, *, site_id: uuid.UUID) -> list[Area]:
    """The areas of a site, by name."""
    rows = session.scalars(select(SiteArea).where(SiteArea.site_id == site_id).order_by(SiteArea.name))
    return [Area(str(a.id), a.name, a.latitude, a.longitude, a.radius_m) for a in rows]


def site_assets(session: Session, view: View, *, site_id: uuid.UUID) -> list[tuple[str, str]]:
    """The machines, vehicles and systems of a site as (id, label) pairs, by name."""
    rows = session.scalars(select(Asset).where(Asset.site_id == site_id).order_by(Asset.name))
    return [(str(a.id), f"{a.name} ({a.tag})" if a.tag else a.name) for a in rows]


def _counts(session: Session, model: Any, ids: list[uuid.UUID], *extra: Any) -> dict[uuid.UUID, int]:
    """How many rows of a table belong to each incident."""
    if not ids:
        return {}
    query = (
        select(model.incident_id, func.count())
        .where(model.incident_id.in_(ids), *extra)
        .group_by(model.incident_id)
    )
    return dict(session.execute(query).tuples().all())


def my_reports(session: Session, view: View, *, limit: int = 200) -> list[ReportRow]:
    """The signed-in account's own reports, newest first (retracted ones left out)."""
    if view.actor is None:
        return []
    query = (
        select(Incident, Site.name)
        .outerjoin(Site, Site.id == Incident.site_id)
        .where(Incident.reporter_id == view.actor.user_id, Incident.retracted_at.is_(None))
        .where(view.incidents)
        .order_by(Incident.occurred_at.desc())
        .limit(limit)
    )
    found = session.execute(query).all()
    ids = [incident.id for incident, _ in found]
    photos = _counts(session, Attachment, ids, Attachment.kind == AttachmentKind.PHOTO)
    statements = _counts(session, WitnessStatement, ids)
    return [_row(incident, site_name, photos, statements) for incident, site_name in found]


def _row(
    incident: Incident, site_name: str | None, photos: dict[uuid.UUID, int], statements: dict[uuid.UUID, int]
) -> ReportRow:
    """A list row of an incident."""
    return ReportRow(
        id=incident.id,
        ref=incident.ref,
        kind=incident.kind,
        title=incident.title,
        status=incident.status,
        occurred_at=incident.occurred_at,
        site_name=site_name or "",
        photos=photos.get(incident.id, 0),
        statements=statements.get(incident.id, 0),
    )


def report_detail(session: Session, view: View, *, incident_id: uuid.UUID) -> ReportDetail | None:
    """One report the view may see, with photos and statements (None when absent or not visible)."""
    found = session.execute(
        select(Incident, Site)
        .outerjoin(Site, Site.id == Incident.site_id)
        .where(Incident.id == incident_id, view.incidents)
    ).one_or_none()
    if found is None:
        return None
    incident, site = found
    area = session.get(SiteArea, incident.area_id) if incident.area_id else None
    attachments = [
        AttachmentRow(a.slot, a.sha256, a.mime, a.kind, a.caption)
        for a in session.scalars(
            select(Attachment).where(Attachment.incident_id == incident.id).order_by(Attachment.slot)
        )
    ]
    statements = [
        StatementRow(
            id=s.id,
            witness_name=s.witness_name,
            contact=s.contact,
            relation=s.relation,
            statement=s.statement,
            language=s.language,
            signature_sha256=s.signature_sha256,
            signed_at=s.signed_at,
            taken_at=s.taken_at,
            taken_by=taker or "",
            amends_id=s.amends_id,
        )
        for s, taker in session.execute(
            select(WitnessStatement, User.display_name)
            .outerjoin(User, User.id == WitnessStatement.taken_by_id)
            .where(WitnessStatement.incident_id == incident.id)
            .order_by(WitnessStatement.taken_at)
        )
    ]
    photo_count = {incident.id: sum(1 for a in attachments if a.kind is AttachmentKind.PHOTO)}
    return ReportDetail(
        row=_row(incident, site.name if site else None, photo_count, {incident.id: len(statements)}),
        site_id=incident.site_id,
        site_timezone=site.timezone if site else "",
        description=incident.description,
        location_text=incident.location_text,
        latitude=incident.latitude,
        longitude=incident.longitude,
        accuracy_m=incident.location_accuracy_m,
        area_name=area.name if area else None,
        form_id=incident.form_id,
        form_values=dict(incident.form_values or {}),
        attachments=attachments,
        statements=statements,
    )
