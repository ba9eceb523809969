"""Read queries shared by both stores: the phone's local copy and the central store have the same tables."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store import IncidentRow, View
from models import Incident, Site, User


def incident_rows(
    session: Session, view: View, *, reporter_id: uuid.UUID | None = None, limit: int = 200
) -> list[IncidentRow]:
    """List the incidents a view may see, newest first, optionally only one reporter's."""
    query: Any = (
        select(Incident, Site.name, User.display_name)
        .join(Site, Site.id == Incident.site_id)
        .join(User, User.id == Incident.reporter_id)
        .where(view.incidents)
        .where(Incident.retracted_at.is_(None))
        .order_by(Incident.occurred_at.desc())
        .limit(limit)
    )
    if reporter_id is not None:
        query = query.where(Incident.reporter_id == reporter_id)
    return [
        IncidentRow(
            id=incident.id,
            ref=incident.ref,
            kind=incident.kind,
            title=incident.title,
            status=incident.status,
            priority=incident.priority,
            occurred_at=incident.occurred_at,
            site_name=site_name,
            reporter_name=reporter_name,
        )
        for incident, site_name, reporter_name in session.execute(query)
    ]
