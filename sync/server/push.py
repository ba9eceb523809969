"""Push: a device's ordered, idempotent mutations, applied in one transaction with its watermark.

Per request (the caller's transaction): lock the device row (SELECT … FOR UPDATE on PostgreSQL;
SQLite already holds the write lock from BEGIN IMMEDIATE), check every payload hash, then for each
mutation in order: a seq at or below `last_seq` is answered from its stored record (a different
payload there is a fork); a seq beyond `last_seq + 1` is a gap; the next seq is applied by the
executor — or, when its mutation_id was already applied under an earlier registration, answered
with that stored result — and a MutationRecord keeps args and result. Refusals consume the seq.
A gap or fork raises, so the whole request rolls back (contract note 1).

The batch is applied as a batch: the records of its mutation ids, and for its reports the sites,
existing ids and stored blobs, are looked up once up front (`reports.Lookahead`); records, feed
changes and audit events are queued and written in one statement per table before the commit.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from models import Blob, Device, Incident, MutationRecord, Site, utcnow
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
from sync.mutations.reports import LOOKAHEAD, Lookahead
from sync.protocol import MAX_BATCH, payload_sha256
from sync.server.counters import queue
from sync.server.execute import execute

RECORDS: Table = MutationRecord.__table__  # type: ignore[assignment]
Stored = tuple[str, dict[str, Any]]
"""A mutation record as push reads it: (payload_sha256, result)."""


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
    fresh = [m for m in mutations if m["seq"] > last]
    records = _records(session, [m["mutation_id"] for m in fresh])
    session.info[LOOKAHEAD] = _look_ahead(session, [m["args"] for m in fresh if m["name"] == "report.create"])
    try:
        results = []
        for m in mutations:
            seq = m["seq"]
            if seq <= last:
                results.append(_seen(session, device, m))
                continue
            if seq > last + 1:
                raise SeqGap(f"seq {seq} skips ahead: resend from {expected}", expected=expected)
            results.append(_apply_next(session, actor, device, m, now, records))
            last = seq
    finally:
        session.info.pop(LOOKAHEAD, None)
    device.last_seq = last
    device.last_seen_at = now
    return {"last_seq": last, "results": results, "server_time": now.isoformat()}


def _seen(session: Session, device: Device, m: dict[str, Any]) -> dict[str, Any]:
    """The stored answer to an already-seen seq; a different payload under it is a fork."""
    seq = m["seq"]
    query = select(MutationRecord).where(MutationRecord.device_id == device.id, MutationRecord.seq == seq)
    record = session.scalar(query)
    if record is None or record.payload_sha256 != m["payload_sha256"]:
        raise DeviceFork(
            f"seq {seq} was already used for another mutation: this install was copied or"
            " restored; register again and resend",
            seq=seq,
        )
    return replay(record.result, seq)


def _records(session: Session, mutation_ids: list[str]) -> dict[str, Stored]:
    """The stored records of these mutation ids, by id (one query for the batch)."""
    if not mutation_ids:
        return {}
    query = select(MutationRecord.mutation_id, MutationRecord.payload_sha256, MutationRecord.result).where(
        MutationRecord.mutation_id.in_(set(mutation_ids))
    )
    return {mutation_id: (sha, result) for mutation_id, sha, result in session.execute(query)}


def _look_ahead(session: Session, reports: list[Any]) -> Lookahead:
    """Look up once what the batch's reports will ask: their sites, whether their ids exist, their blobs."""
    ahead = Lookahead()
    ids, sites, shas = set(), set(), set()
    for args in reports:
        if not isinstance(args, dict):
            continue
        ids.add(_uuid(args.get("id")))
        sites.add(_uuid(args.get("site_id")))
        attachments = args.get("attachments")
        for entry in attachments if isinstance(attachments, list) else ():
            if isinstance(entry, dict) and isinstance(entry.get("sha256"), str):
                shas.add(entry["sha256"])
    ids.discard(None)
    sites.discard(None)
    if sites:
        ahead.held.extend(session.scalars(select(Site).where(Site.id.in_(sites))))
    if ids:
        existing = list(session.scalars(select(Incident).where(Incident.id.in_(ids))))
        ahead.held.extend(existing)
        ahead.absent = ids - {incident.id for incident in existing}
    if shas:
        stored = set(session.scalars(select(Blob.sha256).where(Blob.sha256.in_(shas))))
        ahead.stored = {sha: sha in stored for sha in shas}
    return ahead


def _uuid(value: Any) -> uuid.UUID | None:
    """A UUID from its text, None for anything else (the handler refuses it with its own message)."""
    try:
        return uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None


def replay(stored: dict[str, Any], seq: int) -> dict[str, Any]:
    """A stored result answered again: status duplicate, with the original status, server_seq and code."""
    stored = dict(stored)
    original = stored.get("original_status", stored.get("status"))
    return {**stored, "seq": seq, "status": MutationStatus.DUPLICATE.value, "original_status": original}


def _apply_next(
    session: Session,
    actor: Actor,
    device: Device,
    m: dict[str, Any],
    now: dt.datetime,
    records: dict[str, Stored],
) -> dict[str, Any]:
    """Run the device's next mutation (or answer a re-pushed mutation_id) and record it."""
    seq, mutation_id = m["seq"], m["mutation_id"]
    earlier = records.get(mutation_id)
    if earlier is not None:
        earlier_sha, earlier_result = earlier
        if earlier_sha == m["payload_sha256"]:
            result = replay(earlier_result, seq)
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
        _record(session, actor, device, m, f"{mutation_id}@{device.id}:{seq}", status, stored, records)
        return result
    outcome = execute(session, actor, m["name"], m["args"], now=now)
    body = json.loads(json.dumps(outcome.to_dict(), default=to_jsonable))
    _record(session, actor, device, m, mutation_id, outcome.status, body, records)
    return {"seq": seq, **body}


def _record(
    session: Session,
    actor: Actor,
    device: Device,
    m: dict[str, Any],
    mutation_id: str,
    status: MutationStatus,
    result: dict[str, Any],
    records: dict[str, Stored],
) -> None:
    """Keep the mutation, its args and its final result under (device, seq)."""
    queue(
        session,
        RECORDS,
        {
            "id": uuid.uuid4(),
            "device_id": device.id,
            "seq": m["seq"],
            "mutation_id": mutation_id,
            "name": m["name"],
            "args": m["args"],
            "payload_sha256": m["payload_sha256"],
            "status": status,
            "result": result,
            "user_id": actor.user_id,
            "created_at": utcnow(),
        },
    )
    records[mutation_id] = (m["payload_sha256"], result)
