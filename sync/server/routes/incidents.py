"""Workflow reads for the web/tablet UI and outside tools, and one-mutation execution for web tools.

Thin: each read runs the same `app.queries_workflow` function the app's stores run, under the
signed-in user's view (`access.visible_incidents`), and returns its dataclasses as JSON.
`POST /mutations` runs a mutation through the executor (audited, published); the phone uses
`/sync/push` instead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from app import queries_workflow as q
from app.store import View
from models import Incident
from models.enums import IncidentStatus, MutationStatus, Priority
from sync import errors
from sync.mutations.base import Actor
from sync.server import access
from sync.server.deps import ActorDep, SessionsDep, require
from sync.server.execute import execute

router = APIRouter(tags=["workflow"])

REFUSALS: dict[str, type[errors.ImsError]] = {
    "not_found": errors.NotFound,
    "role_required": errors.Forbidden,
    "invalid_args": errors.InvalidRequest,
    "unknown_mutation": errors.InvalidRequest,
}
"""The HTTP error a refused mutation becomes, by code; every other refusal is a 409 Conflict."""


def jsonable(value: Any) -> Any:
    """A query result (dataclasses, tuples, times, ids, enums) as JSON-safe values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        body = {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, q.QueueRow):
            body["overdue"] = value.overdue
        return body
    if isinstance(value, dict):
        return {str(jsonable(k)): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def view_of(actor: Actor) -> View:
    """What the actor may see."""
    return View(actor=actor, incidents=access.visible_incidents(actor))


@router.get("/incidents")
def list_incidents(
    actor: ActorDep,
    sessions: SessionsDep,
    site_id: uuid.UUID | None = None,
    priority: Priority | None = None,
    status: IncidentStatus | None = None,
    overdue: bool | None = None,
    include_closed: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """The incident queue: overdue first, then by priority and age; overdue is computed from the targets."""
    with sessions() as session:
        rows = q.queue_rows(
            session,
            view_of(actor),
            site_id=site_id,
            priority=priority,
            status=status,
            overdue=overdue,
            include_closed=include_closed,
            limit=limit,
        )
    return {"incidents": jsonable(rows)}


@router.get("/incidents/{incident_id}")
def get_incident(incident_id: uuid.UUID, actor: ActorDep, sessions: SessionsDep) -> dict[str, Any]:
    """One incident with its roles, investigation, CAPAs, review, statements and attachment metadata."""
    with sessions() as session:
        detail = q.incident_detail(session, view_of(actor), incident_id=incident_id)
    if detail is None:
        raise errors.NotFound(f"there is no incident {incident_id} you may see")
    return jsonable(detail)


@router.get("/incidents/{incident_id}/timeline")
def get_timeline(incident_id: uuid.UUID, actor: ActorDep, sessions: SessionsDep) -> dict[str, Any]:
    """The incident's history from the audit trail and its status updates (site staff only)."""
    with sessions() as session:
        view = view_of(actor)
        incident = session.get(Incident, incident_id)
        entries = q.timeline(session, view, incident_id=incident_id)
        if entries is None:
            raise errors.NotFound(f"there is no incident {incident_id} you may see")
        if not access.may_read_timeline(actor, incident):
            raise errors.Forbidden("the timeline is for the site's staff", code="role_required")
    return {"incident_id": str(incident_id), "entries": jsonable(entries)}


@router.get("/signoffs/inbox")
def signoff_inbox(
    actor: Annotated[Actor, Depends(require(*access.INBOX_ROLES))], sessions: SessionsDep
) -> dict[str, Any]:
    """Done corrective actions waiting for this supervisor's signature."""
    with sessions() as session:
        return {"items": jsonable(q.signoff_inbox(session, view_of(actor)))}


@router.get("/conflicts")
def list_conflicts(
    actor: Annotated[Actor, Depends(require(*access.CONFLICT_ROLES))],
    sessions: SessionsDep,
    include_resolved: bool = False,
) -> dict[str, Any]:
    """Investigation fields changed on two devices, waiting for a person to choose."""
    with sessions() as session:
        rows = q.conflicts(session, view_of(actor), include_resolved=include_resolved)
    return {"conflicts": jsonable(rows)}


class MutationRequest(BaseModel):
    """One mutation: its name and JSON args."""

    name: str = Field(min_length=1, max_length=100)
    args: dict[str, Any]


@router.post("/mutations")
def run_mutation(body: MutationRequest, actor: ActorDep, sessions: SessionsDep) -> dict[str, Any]:
    """Apply one mutation as the signed-in user; a refusal is audited, then answered as an error."""
    with sessions.begin() as session:
        result = execute(session, actor, body.name, body.args)
    if result.status is MutationStatus.REJECTED:
        error = REFUSALS.get(result.code or "", errors.Conflict)
        raise error(result.message, code=result.code, **result.details)
    return result.to_dict()
