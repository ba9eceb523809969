"""Checks shared by the workflow mutations: find a record the actor may see, and who may act on it.

Refusal order is fixed so that codes are predictable: `not_found` (missing or not visible), then
`role_required`, then argument and state checks. Role rules come from `models.workflow.PERMISSIONS`.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import select

from models import Incident, IncidentRole, Membership, User
from models.enums import IncidentRoleKind, Role
from models.workflow import PERMISSIONS, WorkflowError, may
from sync.mutations.base import Actor, Context, Rejected

T = TypeVar("T")

SITE_STAFF = (Role.SAFETY_OFFICER, Role.SUPERVISOR, Role.HSE_MANAGER, Role.ADMIN)


def refusal(error: WorkflowError) -> Rejected:
    """Turn a workflow rule's refusal into a mutation refusal with the same code and details."""
    return Rejected(error.code, error.message, **error.details)


def can_see(actor: Actor, incident: Incident) -> bool:
    """The reporter sees their own report; site staff see every report of their sites."""
    return incident.reporter_id == actor.user_id or actor.has_role(*SITE_STAFF, site_id=incident.site_id)


def get(ctx: Context, model: type[T], row_id: uuid.UUID | None, what: str) -> T:
    """The row with this id, or a `not_found` refusal naming what was looked for."""
    row = ctx.session.get(model, row_id) if row_id is not None else None
    if row is None:
        raise Rejected("not_found", f"there is no {what} {row_id}", id=str(row_id))
    return row


def incident(ctx: Context, incident_id: uuid.UUID | None) -> Incident:
    """The incident, if it exists, is not retracted and the actor may see it; else `not_found`."""
    found = ctx.session.get(Incident, incident_id) if incident_id is not None else None
    if found is None or found.retracted_at is not None or not can_see(ctx.actor, found):
        raise Rejected("not_found", f"there is no incident {incident_id} you may see", id=str(incident_id))
    return found


def holds(ctx: Context, incident_id: uuid.UUID, *kinds: IncidentRoleKind) -> bool:
    """Whether the actor currently holds one of these roles on the incident."""
    query = select(IncidentRole.id).where(
        IncidentRole.incident_id == incident_id,
        IncidentRole.user_id == ctx.actor.user_id,
        IncidentRole.role.in_(kinds),
        IncidentRole.ended_at.is_(None),
    )
    return ctx.session.scalar(query.limit(1)) is not None


def require(ctx: Context, action: str, site_id: uuid.UUID | None, *, also: bool = False) -> None:
    """Refuse with `role_required` unless the actor's site roles allow the action (or `also` holds)."""
    if also or may(action, ctx.actor.roles, site_id):
        return
    permission = PERMISSIONS[action]
    roles = ", ".join(sorted(r.value for r in permission.roles))
    extra = f" or be {permission.also}" if permission.also else ""
    raise Rejected(
        "role_required",
        f"to {permission.label.lower()} you need one of the roles {roles} at this site{extra}",
        action=action,
        roles=sorted(r.value for r in permission.roles),
    )


def member(ctx: Context, user_id: uuid.UUID | None, site_id: uuid.UUID, field: str) -> User:
    """An active user holding some role at the site (or every site); refuses otherwise."""
    user = ctx.session.get(User, user_id) if user_id is not None else None
    if user is None or not user.active:
        raise Rejected("unknown_user", f"{field}: there is no active user {user_id}", field=field)
    query = select(Membership.id).where(
        Membership.user_id == user.id, (Membership.site_id == site_id) | Membership.site_id.is_(None)
    )
    if ctx.session.scalar(query.limit(1)) is None:
        raise Rejected(
            "not_a_member", f"{field}: {user.display_name} holds no role at this site", field=field
        )
    return user


def enum_value(value: Any) -> Any:
    """The stored value of an enum (or the value itself), for JSON comparison."""
    return getattr(value, "value", value)
