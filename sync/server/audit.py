"""The tamper-evident audit trail: append events to a hash chain, and verify the chain.

An event's seq and hash are fixed when it is appended: the transaction holds the audit counter and
the chain's last hash (read once, when it takes the counter), and the event row is written with the
transaction's other queued rows (`counters.queue`) before it commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from models import AuditEvent
from models.serialize import to_jsonable
from sync.server.counters import claim, peek, queue

GENESIS = "0" * 64
HASHED = ("seq", "at", "actor_id", "device_id", "action", "entity", "entity_id", "site_id", "data")
"""The columns an event's hash covers (with the previous event's hash)."""
COUNTER = "audit"
EVENTS: Table = AuditEvent.__table__  # type: ignore[assignment]


def digest(prev_hash: str, event: AuditEvent | Mapping[str, Any]) -> str:
    """The hash of an event (a row, or its column values): sha256 over the previous hash and the
    event's canonical JSON."""
    values = event if isinstance(event, Mapping) else {key: getattr(event, key) for key in HASHED}
    content = {key: to_jsonable(values[key]) for key in HASHED}
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
) -> int:
    """Append one event to the chain, in the caller's transaction; returns its seq.

    Its hash is fixed now; the row is written before the transaction commits.
    """
    count = claim(session, COUNTER)
    if count.tail is None:
        query = select(EVENTS.c.hash).where(EVENTS.c.seq == count.value)
        count.tail = session.connection().scalar(query) or GENESIS
    event = {
        "seq": count.value + 1,
        "at": at,
        "actor_id": actor_id,
        "device_id": device_id,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "site_id": site_id,
        "data": json.loads(json.dumps(data or {}, default=to_jsonable)),
        "prev_hash": count.tail,
    }
    event["hash"] = digest(count.tail, event)
    count.value, count.tail = event["seq"], event["hash"]
    queue(session, EVENTS, event)
    return event["seq"]


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
