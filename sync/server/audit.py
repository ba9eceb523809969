"""The tamper-evident audit trail: append events to a hash chain, and verify the chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEvent
from models.serialize import to_jsonable
from sync.server.counters import next_value, peek

GENESIS = "0" * 64
COUNTER = "audit"


def digest(prev_hash: str, event: AuditEvent) -> str:
    """The hash of an event: sha256 over the previous hash and the event's canonical JSON."""
    content = {
        "seq": event.seq,
        "at": to_jsonable(event.at),
        "actor_id": to_jsonable(event.actor_id),
        "device_id": to_jsonable(event.device_id),
        "action": event.action,
        "entity": event.entity,
        "entity_id": event.entity_id,
        "site_id": to_jsonable(event.site_id),
        "data": event.data,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def append(
    session: Session,
    *,
    action: str,
    entity: str,
    entity_id: str,
    at: dt.datetime,
    actor_id: uuid.UUID | None = None,
    device_id: uuid.UUID | None = None,
    site_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction."""
    seq = next_value(session, COUNTER)
    previous = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq - 1)) if seq > 1 else None
    event = AuditEvent(
        seq=seq,
        at=at,
        actor_id=actor_id,
        device_id=device_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        site_id=site_id,
        data=json.loads(json.dumps(data or {}, default=to_jsonable)),
        prev_hash=previous or GENESIS,
    )
    event.hash = digest(event.prev_hash, event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class Verdict:
    """The result of walking the chain: ok, or the first bad event and what is wrong with it."""

    ok: bool
    events: int
    head: str
    bad_seq: int | None = None
    problem: str = ""


def verify(session: Session) -> Verdict:
    """Walk the whole chain; name the first event that was altered, removed or inserted."""
    expected_seq, prev_hash, count = 1, GENESIS, 0
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).yield_per(1000):
        count += 1
        if event.seq != expected_seq:
            return Verdict(
                False, count, prev_hash, expected_seq, f"event {expected_seq} is missing (removed)"
            )
        if event.prev_hash != prev_hash:
            return Verdict(
                False,
                count,
                prev_hash,
                event.seq,
                f"event {event.seq} does not follow event {event.seq - 1}"
                " (an event was inserted or removed before it)",
            )
        if digest(event.prev_hash, event) != event.hash:
            return Verdict(
                False, count, prev_hash, event.seq, f"event {event.seq} was altered after it was written"
            )
        prev_hash, expected_seq = event.hash, expected_seq + 1
    last = peek(session, COUNTER)
    if last >= expected_seq:
        return Verdict(
            False, count, prev_hash, expected_seq, f"events {expected_seq}..{last} were removed from the end"
        )
    return Verdict(True, count, prev_hash)


def head(session: Session) -> str:
    """The hash of the newest event (the value printed on reports as the chain head)."""
    return session.scalar(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)) or GENESIS
