"""The pull feed: every changed row becomes a Change with the next gap-free server_seq.

The number is taken when the row is published; the Change is written with the transaction's other
queued rows (`counters.queue`), carrying the row as the transaction commits it: nobody can read a
state in between, and the row's defaults and keys are filled in by then.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, inspect
from sqlalchemy.orm import Mapper, Session

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
from models.serialize import to_jsonable
from models.synclog import Change
from sync.server.counters import FIRST, next_value, queue

COUNTER = FIRST
CHANGES: Table = Change.__table__  # type: ignore[assignment]
JSON_NATIVE = frozenset({str, int, float, bool, type(None), dict, list})
"""Column value types that go into a change's data as they are (`to_jsonable` converts the others)."""
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
    """Append a row to the feed and return its server_seq (the Change is written before the commit)."""
    seq = next_value(session, COUNTER)
    queue(session, CHANGES, lambda: change(session, row, op, seq))
    return seq


def revise(session: Session, row: Any) -> int:
    """Publish a row changed outside a mutation (by a job or an administrator); a stored row's version
    goes up by one, as `Context.touch` does for a mutation."""
    if hasattr(row, "version") and inspect(row).persistent:
        row.version = (row.version or 1) + 1
    return publish(session, row)


def change(session: Session, row: Any, op: ChangeOp, seq: int) -> dict[str, Any]:
    """The Change of a flushed row under a server_seq: its table, key, version, columns and scope."""
    state = inspect(row)
    table = state.mapper.local_table.name
    loaded = state.dict
    data = {}
    for key in _column_keys(state.mapper):
        value = loaded[key] if key in loaded else getattr(row, key)
        data[key] = value if type(value) in JSON_NATIVE else to_jsonable(value)
    for column in SECRET_COLUMNS.get(table, ()):
        data.pop(column, None)
    identity = state.identity
    entity_id = str(identity[0]) if identity and len(identity) == 1 else "/".join(map(str, identity or ()))
    scope = scope_of(session, row)
    return {
        "server_seq": seq,
        "entity": table,
        "entity_id": entity_id,
        "op": op,
        "version": getattr(row, "version", 1) or 1,
        "data": data,
        "site_id": scope.site_id,
        "owner_id": scope.owner_id,
        "restricted": scope.restricted,
    }


@functools.cache
def _column_keys(mapper: Mapper[Any]) -> tuple[str, ...]:
    """The attribute names of a mapper's columns (what `row_to_dict` reads), in order."""
    return tuple(attr.key for attr in mapper.column_attrs)
