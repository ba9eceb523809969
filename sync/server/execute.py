"""Run a mutation on the central store: apply, publish, audit, all in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

import sync.mutations as mutations
from models import utcnow
from models.enums import MutationStatus
from sync.mutations.base import Actor, Context, Rejected
from sync.server import audit, feed, reactions


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
    """Apply one mutation inside a savepoint; a refusal rolls back its changes but is still audited."""
    now = now or utcnow()
    ctx = Context(session=session, actor=actor, now=now, on_server=True)
    savepoint = session.begin_nested()
    try:
        outcome = mutations.apply(ctx, name, args)
        if outcome.status is not MutationStatus.DUPLICATE:
            reactions.react(session, ctx, name, outcome)
        session.flush()
    except Rejected as refusal:
        savepoint.rollback()
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
    savepoint.commit()
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
