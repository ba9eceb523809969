"""Run a mutation on the central store: apply, publish, audit, all in the caller's transaction.

A mutation runs in a savepoint, so a refusal rolls back exactly its changes — except the mutations in
CHECKS_FIRST, whose handlers refuse only before they change anything and whose reactions never refuse:
they run without one (a savepoint costs two statements and a flush per mutation, and forbids batching
a push's inserts). Should such a mutation refuse after adding or deleting rows after all, the executor
raises instead of keeping a half-applied change, and the caller's whole transaction rolls back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

import sync.mutations as mutations
from models import utcnow
from models.enums import MutationStatus
from sync.mutations.base import Actor, Context, Outcome, Rejected
from sync.server import audit, feed, reactions

CHECKS_FIRST = frozenset({"report.create"})
"""Mutations whose handler and reactions never refuse after changing the session (run without a savepoint)."""
ADDED = "ims.execute.added"


@dataclass(frozen=True)
class Result:
    """The final answer to one mutation, as stored and sent back to the client."""

    status: MutationStatus
    entity: str = ""
    entity_id: str = ""
    server_seq: int | None = None
    code: str | None = None
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (empty fields left out)."""
        body: dict[str, Any] = {"status": self.status.value}
        for key in ("entity", "entity_id", "server_seq", "code", "message"):
            value = getattr(self, key)
            if value not in (None, ""):
                body[key] = value
        body.update(self.details)
        return body


def execute(
    session: Session, actor: Actor, name: str, args: dict[str, Any], *, now: dt.datetime | None = None
) -> Result:
    """Apply one mutation (and its reactions), publish what it touched and audit it; a refusal changes
    nothing but is still audited."""
    now = now or utcnow()
    ctx = Context(session=session, actor=actor, now=now, on_server=True)
    try:
        run = _checked if name in CHECKS_FIRST else _saved
        outcome = run(session, ctx, name, args)
    except Rejected as refusal:
        entity_id = str(args.get("id", "")) if isinstance(args, dict) else ""
        audit.append(
            session,
            action=f"{name}.rejected",
            entity="mutation",
            entity_id=entity_id,
            at=now,
            actor_id=actor.user_id,
            device_id=actor.device_id,
            data={"code": refusal.code, "message": refusal.message, **refusal.details},
        )
        return Result(
            MutationStatus.REJECTED, code=refusal.code, message=refusal.message, details=refusal.details
        )
    last_seq = None
    for row, op in ctx.touched:
        last_seq = feed.publish(session, row, op)
    audit.append(
        session,
        action=name,
        entity=outcome.entity,
        entity_id=outcome.entity_id,
        at=now,
        actor_id=actor.user_id,
        device_id=actor.device_id,
        site_id=outcome.site_id,
        data={"status": outcome.status.value, "args": args, **outcome.details},
    )
    for action, data in ctx.notes:
        audit.append(
            session,
            action=action,
            entity=outcome.entity,
            entity_id=outcome.entity_id,
            at=now,
            actor_id=actor.user_id,
            device_id=actor.device_id,
            site_id=outcome.site_id,
            data=data,
        )
    return Result(
        outcome.status,
        entity=outcome.entity,
        entity_id=outcome.entity_id,
        server_seq=last_seq,
        details=outcome.details,
    )


def _saved(session: Session, ctx: Context, name: str, args: dict[str, Any]) -> Outcome:
    """Apply and react inside a savepoint; a refusal rolls the savepoint back and is raised."""
    savepoint = session.begin_nested()
    try:
        outcome = mutations.apply(ctx, name, args)
        if outcome.status is not MutationStatus.DUPLICATE:
            reactions.react(session, ctx, name, outcome)
        session.flush()
    except Rejected:
        savepoint.rollback()
        raise
    savepoint.commit()
    return outcome


def _checked(session: Session, ctx: Context, name: str, args: dict[str, Any]) -> Outcome:
    """Apply and react without a savepoint: a refusal is raised only if the session is as it was."""
    before = _changes(session)
    try:
        outcome = mutations.apply(ctx, name, args)
    except Rejected:
        if _changes(session) != before:
            raise RuntimeError(f"{name} refused after changing rows: remove it from CHECKS_FIRST") from None
        raise
    if outcome.status is not MutationStatus.DUPLICATE:
        try:
            reactions.react(session, ctx, name, outcome)
        except Rejected as refusal:
            raise RuntimeError(f"a reaction refused {name} ({refusal.code}) after it was applied") from None
    return outcome


def _changes(session: Session) -> tuple[int, int]:
    """A mark that moves when rows are added to the session or marked for deletion (flushing rows that
    earlier mutations added does not move it)."""
    added = session.info.get(ADDED)
    if added is None:
        added = session.info[ADDED] = [0]

        def attached(*_args: Any) -> None:
            added[0] += 1

        event.listen(session, "after_attach", attached)
    return added[0], len(session.deleted)
