"""The phone's transactional outbox: queued mutations, photo bytes awaiting upload, and sync state.

Phone-only tables on their own MetaData, in the phone's SQLite next to the model tables. `enqueue`
adds a mutation (and the blobs it needs) in the caller's transaction, so a report and its outbox
row commit together or not at all. Nothing here is deleted before the server confirmed it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Column, Engine, Integer, MetaData, String, Table, func, insert, select, update
from sqlalchemy.orm import Session

from models import Attachment, Incident, WitnessStatement, utcnow
from sync.protocol import FINAL_STATUSES, payload_sha256

outbox_metadata = MetaData()

PENDING = "pending"
FINAL = FINAL_STATUSES

outbox = Table(
    "outbox",
    outbox_metadata,
    Column("local_order", Integer, primary_key=True, autoincrement=True),
    Column("mutation_id", String, nullable=False, unique=True),
    Column("name", String, nullable=False),
    Column("args", JSON, nullable=False),
    Column("payload_sha256", String(64), nullable=False),
    Column("incident_id", String, nullable=True, index=True, doc="the report this mutation concerns"),
    Column("seq", Integer, nullable=True, index=True, doc="assigned when first sent; renewed after a fork"),
    Column("state", String, nullable=False, default=PENDING, doc="pending, or the final status"),
    Column("result", JSON, nullable=True),
    Column("code", String, nullable=True),
    Column("message", String, nullable=True),
    Column("server_seq", Integer, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", String, nullable=False),
)

BLOB_LOCAL, BLOB_DONE, BLOB_REFUSED = "local", "done", "refused"

outbox_blob = Table(
    "outbox_blob",
    outbox_metadata,
    Column("sha256", String(64), primary_key=True),
    Column("local_order", Integer, nullable=False, doc="upload order: oldest first"),
    Column("size", Integer, nullable=False),
    Column("mime", String, nullable=False),
    Column("upload_url", String, nullable=True),
    Column("offset", Integer, nullable=False, default=0, doc="bytes the server acknowledged"),
    Column("state", String, nullable=False, default=BLOB_LOCAL, doc="local, done or refused"),
    Column("code", String, nullable=True),
    Column("message", String, nullable=True),
)

sync_state = Table(
    "sync_state",
    outbox_metadata,
    Column("key", String, primary_key=True),
    Column("value", JSON, nullable=True),
)


def create_tables(engine: Engine) -> None:
    """Create the outbox tables if missing."""
    outbox_metadata.create_all(engine)


@dataclass(frozen=True)
class BlobRef:
    """A blob a mutation needs uploaded: its sha256, size and media type (bytes in the LocalBlobs)."""

    sha256: str
    size: int
    mime: str


@dataclass(frozen=True)
class ReportState:
    """Where one report stands, in words a worker understands; code/message when it needs attention."""

    state: str
    code: str | None = None
    message: str = ""


SAVED_ON_PHONE = "saved_on_phone"
SENDING = "sending"
ON_SERVER = "on_server"
NEEDS_ATTENTION = "needs_attention"


def enqueue(session: Session, *, name: str, args: dict[str, Any], blobs: Iterable[BlobRef] = ()) -> str:
    """Queue a mutation (and its new blobs) in the caller's transaction; returns its mutation_id."""
    mutation_id = str(uuid.uuid4())
    session.execute(
        insert(outbox).values(
            mutation_id=mutation_id,
            name=name,
            args=args,
            payload_sha256=payload_sha256(args),
            incident_id=_incident_of(name, args),
            state=PENDING,
            attempts=0,
            created_at=utcnow().isoformat(),
        )
    )
    order = session.scalar(select(func.coalesce(func.max(outbox_blob.c.local_order), 0))) or 0
    for blob in blobs:
        if session.scalar(select(outbox_blob.c.sha256).where(outbox_blob.c.sha256 == blob.sha256)) is None:
            order += 1
            session.execute(
                insert(outbox_blob).values(
                    sha256=blob.sha256,
                    local_order=order,
                    size=blob.size,
                    mime=blob.mime,
                    offset=0,
                    state=BLOB_LOCAL,
                )
            )
    return mutation_id


def get_state(session: Session, key: str, default: Any = None) -> Any:
    """One sync setting (device_id, device_token, pull_cursor…)."""
    value = session.scalar(select(sync_state.c.value).where(sync_state.c.key == key))
    return default if value is None else value


def set_state(session: Session, key: str, value: Any) -> None:
    """Write one sync setting in the caller's transaction."""
    if session.scalar(select(sync_state.c.key).where(sync_state.c.key == key)) is None:
        session.execute(insert(sync_state).values(key=key, value=value))
    else:
        session.execute(update(sync_state).where(sync_state.c.key == key).values(value=value))


def pending_count(session: Session) -> int:
    """Mutations not yet confirmed by the server."""
    return session.scalar(select(func.count()).select_from(outbox).where(outbox.c.state == PENDING)) or 0


def blobs_outstanding(session: Session) -> int:
    """Blobs whose bytes the server has not confirmed (refused ones excluded)."""
    return (
        session.scalar(select(func.count()).select_from(outbox_blob).where(outbox_blob.c.state == BLOB_LOCAL))
        or 0
    )


def report_states(session: Session) -> dict[uuid.UUID, ReportState]:
    """The state of every report on the phone: saved_on_phone, sending, on_server or needs_attention.

    A report is on_server only once every mutation about it and every photo it references is confirmed;
    a refusal (or a refused photo) is needs_attention with the server's code and message.
    """
    entries: dict[str, list[Any]] = {}
    for row in session.execute(select(outbox).where(outbox.c.incident_id.is_not(None))):
        entries.setdefault(row.incident_id, []).append(row)
    blobs = {row.sha256: row for row in session.execute(select(outbox_blob))}
    shas: dict[str, set[str]] = {}
    for incident_id, sha in session.execute(select(Attachment.incident_id, Attachment.sha256)):
        shas.setdefault(str(incident_id), set()).add(sha)
    for incident_id, sha in session.execute(
        select(WitnessStatement.incident_id, WitnessStatement.signature_sha256).where(
            WitnessStatement.signature_sha256.is_not(None)
        )
    ):
        shas.setdefault(str(incident_id), set()).add(sha)
    states = {}
    for incident_id in session.scalars(select(Incident.id)):
        key = str(incident_id)
        own_blobs = [blobs[sha] for sha in shas.get(key, ()) if sha in blobs]
        states[incident_id] = _state_of(entries.get(key, []), own_blobs)
    return states


def _state_of(entries: list[Any], blobs: list[Any]) -> ReportState:
    """Combine a report's outbox entries and blobs into one state."""
    for entry in entries:
        if entry.state == "rejected":
            return ReportState(NEEDS_ATTENTION, entry.code, entry.message or "")
    for blob in blobs:
        if blob.state == BLOB_REFUSED:
            return ReportState(NEEDS_ATTENTION, blob.code, blob.message or "")
    pending = [e for e in entries if e.state == PENDING]
    waiting = [b for b in blobs if b.state != BLOB_DONE]
    if not pending and not waiting:
        return ReportState(ON_SERVER)
    started = any(e.attempts for e in entries) or any(e.state != PENDING for e in entries)
    started = started or any(b.offset or b.upload_url for b in blobs)
    return ReportState(SENDING if started else SAVED_ON_PHONE)


def _incident_of(name: str, args: dict[str, Any]) -> str | None:
    """The report a mutation is about (report.* and attachment/statement mutations)."""
    if name in ("report.create", "report.retract"):
        return str(args.get("id")) if args.get("id") else None
    value = args.get("incident_id")
    return str(value) if value else None


class LocalBlobs:
    """Photo and signature bytes on the phone, by sha256: written, fsynced and renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        """Where a blob's bytes live."""
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        """Whether the bytes are on the phone."""
        return self.path(sha256).is_file()

    def read(self, sha256: str) -> bytes:
        """The bytes of a stored blob."""
        return self.path(sha256).read_bytes()

    def read_range(self, sha256: str, offset: int, size: int) -> bytes:
        """Part of a blob's bytes (one upload chunk)."""
        with open(self.path(sha256), "rb") as handle:
            handle.seek(offset)
            return handle.read(size)

    def verify(self, sha256: str) -> bool:
        """Whether the stored bytes still hash to their name."""
        digest = hashlib.sha256()
        with open(self.path(sha256), "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest() == sha256

    def put(self, data: bytes) -> str:
        """Store bytes durably (once) and return their sha256."""
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.path(sha256)
        if target.is_file():
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return sha256
