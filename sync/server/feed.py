"""The pull feed: every changed row becomes a Change with the next gap-free server_seq."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from models import (
    CorrectiveAction,
    Incident,
    InjuryCase,
    Investigation,
    PostIncidentReview,
    SignOff,
    Site,
)
from models.enums import ChangeOp
from models.serialize import row_to_dict
from models.synclog import Change
from sync.server.counters import next_value

COUNTER = "server_seq"
# Columns that never leave the server.
SECRET_COLUMNS = {"user_account": {"password_hash"}}
# Rows that reach a child's incident (or action) through these foreign keys.
PARENTS: dict[str, type] = {
    "incident_id": Incident,
    "case_id": InjuryCase,
    "investigation_id": Investigation,
    "review_id": PostIncidentReview,
    "action_id": CorrectiveAction,
}


@dataclass(frozen=True)
class Scope:
    """Who may pull a change: the site's staff, the owner (reporter), and for restricted rows HSE only."""

    site_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    restricted: bool


def scope_of(session: Session, row: Any) -> Scope:
    """Find the site and owner a row belongs to, following its parents up to the incident."""
    restricted = isinstance(row, InjuryCase) and row.privacy_concern is not None
    if isinstance(row, SignOff) and row.subject == CorrectiveAction.__tablename__:
        row = session.get(CorrectiveAction, row.subject_id)
    seen = 0
    while row is not None and seen < 5:
        if isinstance(row, Site):
            return Scope(row.id, None, restricted)
        if isinstance(row, Incident):
            return Scope(row.site_id, row.reporter_id, restricted)
        if isinstance(row, CorrectiveAction):
            return Scope(row.site_id, row.owner_id, restricted)
        if getattr(row, "site_id", None) is not None:
            return Scope(row.site_id, None, restricted)
        parent = next(((attr, model) for attr, model in PARENTS.items() if getattr(row, attr, None)), None)
        if parent is None:
            break
        attr, model = parent
        row = session.get(model, getattr(row, attr))
        seen += 1
    return Scope(None, None, restricted)


def publish(session: Session, row: Any, op: ChangeOp = ChangeOp.UPSERT) -> int:
    """Append a row's current state to the feed and return its server_seq."""
    session.flush()
    table = inspect(row).mapper.local_table.name
    data = row_to_dict(row)
    for column in SECRET_COLUMNS.get(table, ()):
        data.pop(column, None)
    identity = inspect(row).identity
    entity_id = str(identity[0]) if identity and len(identity) == 1 else "/".join(map(str, identity or ()))
    scope = scope_of(session, row)
    seq = next_value(session, COUNTER)
    session.add(
        Change(
            server_seq=seq,
            entity=table,
            entity_id=entity_id,
            op=op,
            version=getattr(row, "version", 1) or 1,
            data=data,
            site_id=scope.site_id,
            owner_id=scope.owner_id,
            restricted=scope.restricted,
        )
    )
    return seq
