"""Push: a device's ordered, idempotent mutations, applied in one transaction with its watermark.

Per request (the caller's transaction): lock the device row (SELECT … FOR UPDATE on PostgreSQL;
SQLite already holds the write lock from BEGIN IMMEDIATE), check every payload hash, then for each
mutation in order: a seq at or below `last_seq` is answered from its stored record (a different
payload there is a fork); a seq beyond `last_seq + 1` is a gap; the next seq is applied by the
executor — or, when its mutation_id was already applied under an earlier registration, answered
with that stored result — and a MutationRecord keeps args and result. Refusals consume the seq.
A gap or fork raises, so the whole request rolls back (contract note 1).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Device, MutationRecord, utcnow
from models.enums import MutationStatus
from models.serialize import to_jsonable
from sync.errors import (
    BatchTooLarge,
    DeviceFork,
    DeviceMismatch,
    InvalidRequest,
    PayloadHashMismatch,
    SeqGap,
    UnknownDevice,
)
from sync.mutations.base import Actor
from sync.protocol import MAX_BATCH, payload_sha256
from sync.server.execute import execute


def lock_device(session: Session, actor: Actor, device_id: str) -> Device:
    """The actor's device row, locked until the transaction ends; refuse someone else's."""
    try:
        key = uuid.UUID(device_id)
    except ValueError:
        raise InvalidRequest(f"device_id is not a UUID: {device_id!r}", field="device_id") from None
    if actor.device_id is not None and actor.device_id != key:
        raise DeviceMismatch("this token belongs to another device")
    device = session.scalar(select(Device).where(Device.id == key).with_for_update())
    if device is None:
        raise UnknownDevice("no device has this id: register the app again")
    if device.user_id != actor.user_id:
        raise DeviceMismatch("this device is registered to another user")
    return device


def push(
    session: Session,
    actor: Actor,
    device_id: str,
    mutations: list[dict[str, Any]],
    *,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Apply a batch for one device and return `{"last_seq", "results", "server_time"}`."""
    now = now or utcnow()
    if len(mutations) > MAX_BATCH:
        raise BatchTooLarge(f"send at most {MAX_BATCH} mutations per push", limit=MAX_BATCH)
    for m in mutations:
        if payload_sha256(m["args"]) != m["payload_sha256"]:
            raise PayloadHashMismatch(
                f"payload_sha256 of seq {m['seq']} is not the hash of its args", seq=m["seq"]
            )
    device = lock_device(session, actor, device_id)
    actor = Actor(actor.user_id, actor.username, actor.display_name, actor.roles, device.id)
    expected = device.last_seq + 1
    last = device.last_seq
    results = []
    for m in mutations:
        seq = m["seq"]
        if seq <= last:
            record = session.scalar(
                select(MutationRecord).where(MutationRecord.device_id == device.id, MutationRecord.seq == seq)
            )
            if record is None or record.payload_sha256 != m["payload_sha256"]:
                raise DeviceFork(
                    f"seq {seq} was already used for another mutation: this install was copied or"
                    " restored; register again and resend",
                    seq=seq,
                )
            results.append(replay(record, seq))
            continue
        if seq > last + 1:
            raise SeqGap(f"seq {seq} skips ahead: resend from {expected}", expected=expected)
        results.append(_apply_next(session, actor, device, m, now))
        last = seq
    device.last_seq = last
    device.last_seen_at = now
    session.flush()
    return {"last_seq": last, "results": results, "server_time": now.isoformat()}


def replay(record: MutationRecord, seq: int) -> dict[str, Any]:
    """A stored result answered again: status duplicate, with the original status, server_seq and code."""
    stored = dict(record.result)
    original = stored.get("original_status", stored.get("status"))
    return {**stored, "seq": seq, "status": MutationStatus.DUPLICATE.value, "original_status": original}


def _apply_next(
    session: Session, actor: Actor, device: Device, m: dict[str, Any], now: dt.datetime
) -> dict[str, Any]:
    """Run the device's next mutation (or answer a re-pushed mutation_id) and record it."""
    seq, mutation_id = m["seq"], m["mutation_id"]
    earlier = session.scalar(select(MutationRecord).where(MutationRecord.mutation_id == mutation_id))
    if earlier is not None:
        if earlier.payload_sha256 == m["payload_sha256"]:
            result = replay(earlier, seq)
            status = MutationStatus(result["original_status"])
        else:
            status = MutationStatus.REJECTED
            result = {
                "seq": seq,
                "status": status.value,
                "code": "mutation_id_reused",
                "message": "this mutation_id was already used for another mutation",
            }
        stored = {k: v for k, v in result.items() if k != "seq"}
        stored["status"] = status.value
        _record(session, actor, device, m, f"{mutation_id}@{device.id}:{seq}", status, stored)
        return result
    outcome = execute(session, actor, m["name"], m["args"], now=now)
    body = json.loads(json.dumps(outcome.to_dict(), default=to_jsonable))
    _record(session, actor, device, m, mutation_id, outcome.status, body)
    return {"seq": seq, **body}


def _record(
    session: Session,
    actor: Actor,
    device: Device,
    m: dict[str, Any],
    mutation_id: str,
    status: MutationStatus,
    result: dict[str, Any],
) -> None:
    """Keep the mutation, its args and its final result under (device, seq)."""
    session.add(
        MutationRecord(
            device_id=device.id,
            seq=m["seq"],
            mutation_id=mutation_id,
            name=m["name"],
            args=m["args"],
            payload_sha256=m["payload_sha256"],
            status=status,
            result=result,
            user_id=actor.user_id,
        )
    )
