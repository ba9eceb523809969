"""The mutation framework shared by phone and server: who acts, the context, outcomes and refusals.

A mutation is a named change with JSON args (`report.create`, `ca.transition`…). The same handler
runs on the phone (an optimistic local apply, next to its outbox row) and on the server (the real
apply, inside the push transaction, followed by the audit event and the pull feed). Handlers take
the context and the args, change rows through `ctx.session`, report each changed row with
`ctx.touch(row)`, and either return an Outcome or raise Rejected with a stable code.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from models.enums import ChangeOp, MutationStatus, Role


@dataclass(frozen=True)
class Actor:
    """The person a mutation acts for, with their roles per site (a None site means every site)."""

    user_id: uuid.UUID
    username: str
    display_name: str
    roles: tuple[tuple[uuid.UUID | None, Role], ...]
    device_id: uuid.UUID | None = None

    def has_role(self, *roles: Role, site_id: uuid.UUID | None = None) -> bool:
        """Whether the actor holds one of the roles at the site (or anywhere, when no site is given)."""
        return any(
            role in roles and (site_id is None or held is None or held == site_id)
            for held, role in self.roles
        )

    def site_ids(self, *roles: Role) -> set[uuid.UUID | None]:
        """Sites where the actor holds one of the roles (None in the set means every site)."""
        return {site for site, role in self.roles if not roles or role in roles}


class Rejected(Exception):
    """A final refusal: the mutation consumes its seq, changes nothing, and the client shows `code`."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details


@dataclass(frozen=True)
class Outcome:
    """What a handler did: applied, duplicate (a harmless replay) or conflict (kept for review)."""

    status: MutationStatus
    entity: str
    entity_id: str
    site_id: uuid.UUID | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    """Everything a handler may use; `on_server` is False for the phone's optimistic apply."""

    session: Session
    actor: Actor
    now: dt.datetime
    on_server: bool
    touched: list[tuple[Any, ChangeOp]] = field(default_factory=list)
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def touch(self, row: Any, op: ChangeOp = ChangeOp.UPSERT) -> None:
        """Record that a row changed, so the server publishes it (a stored row's version goes up once)."""
        if any(existing is row for existing, _ in self.touched):
            return
        if self.on_server and hasattr(row, "version") and inspect(row).persistent:
            row.version = (row.version or 1) + 1
        self.touched.append((row, op))

    def note(self, action: str, **data: Any) -> None:
        """Add an extra audit event (e.g. `incident.escalated`) beside the mutation's own."""
        self.notes.append((action, data))


Handler = Callable[[Context, dict[str, Any]], Outcome]
REGISTRY: dict[str, Handler] = {}


def mutation(name: str) -> Callable[[Handler], Handler]:
    """Register a handler under a mutation name."""

    def register(handler: Handler) -> Handler:
        if name in REGISTRY:
            raise ValueError(f"mutation {name!r} registered twice")
        REGISTRY[name] = handler
        return handler

    return register


def apply(ctx: Context, name: str, args: dict[str, Any]) -> Outcome:
    """Run the handler of a mutation, or refuse an unknown name."""
    handler = REGISTRY.get(name)
    if handler is None:
        raise Rejected("unknown_mutation", f"there is no mutation called {name!r}", name=name)
    if not isinstance(args, dict):
        raise Rejected("invalid_args", "args must be a JSON object")
    return handler(ctx, args)
