"""Server-side intake of reports: human references, and media completeness when a blob arrives."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Attachment, Incident, Site, utcnow
from sync.mutations.base import Context, Outcome
from sync.mutations.reports import refresh_media
from sync.server import audit, feed
from sync.server.counters import next_value
from sync.server.reactions import get, reaction


@reaction
def assign_ref(session: Session, ctx: Context, name: str, outcome: Outcome) -> None:
    """Give a newly filed report its reference, e.g. S1-2026-0007 (per site and year, gap-free)."""
    if name != "report.create":
        return
    incident = get(session, ctx, Incident, uuid.UUID(outcome.entity_id))
    if incident is None or incident.ref is not None:
        return
    site = session.get(Site, incident.site_id)
    year = ctx.now.year
    number = next_value(session, f"ref:{site.code}:{year}")
    incident.ref = f"{site.code}-{year}-{number:04d}"
    outcome.details["ref"] = incident.ref


def blob_arrived(session: Session, sha256: str) -> list[uuid.UUID]:
    """After a blob is stored: flip media_complete on reports whose manifests are now complete.

    Each flipped report is published to the pull feed and audited (`incident.media_complete`);
    returns their ids.
    """
    incident_ids = session.scalars(
        select(Attachment.incident_id).where(Attachment.sha256 == sha256).distinct()
    ).all()
    flipped = []
    for incident_id in incident_ids:
        incident = session.get(Incident, incident_id, with_for_update=True)
        if incident is None or incident.media_complete:
            continue
        if refresh_media(session, incident):
            continue
        feed.revise(session, incident)
        audit.append(
            session,
            action="incident.media_complete",
            entity="incident",
            entity_id=str(incident.id),
            at=utcnow(),
            site_id=incident.site_id,
            data={"sha256": sha256},
        )
        flipped.append(incident.id)
    return flipped
