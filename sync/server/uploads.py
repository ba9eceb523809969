"""tus uploads on disk: part files under upload_dir, Upload rows, and publishing verified blobs.

The part file is authoritative only up to the Upload row's `offset`: a chunk is written at the
stored offset, fsynced, the file truncated after it, and only then is the offset committed; a
crash in between leaves bytes past the offset that the next chunk overwrites. When the offset
reaches the length the whole file is hashed: a match is published (write, fsync, rename) and
recorded as a Blob, completing the manifests that wait for it; a mismatch discards the upload.
"""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Blob, Upload
from sync.errors import (
    ChecksumMismatch,
    DigestMismatch,
    InvalidRequest,
    NotFound,
    OffsetMismatch,
    UploadTooLarge,
)
from sync.mutations.base import Actor
from sync.protocol import decode_metadata
from sync.server.blobs import BlobStore, record_blob, valid_sha256
from sync.server.intake import blob_arrived

ALGORITHMS = ("sha1", "sha256")


@dataclass(frozen=True)
class UploadState:
    """What a tus response reports about an upload."""

    id: uuid.UUID
    offset: int
    length: int
    metadata: str = ""


class UploadArea:
    """Partial uploads of one server: part files next to the blob store they publish into."""

    def __init__(self, root: Path, blobs: BlobStore, max_bytes: int) -> None:
        self.root = root
        self.blobs = blobs
        self.max_bytes = max_bytes

    def part(self, upload_id: uuid.UUID) -> Path:
        """The file holding an upload's bytes so far."""
        return self.root / f"{upload_id}.part"

    def check_length(self, length: int) -> None:
        """Refuse a file larger than the configured limit, in words the app can show."""
        if length > self.max_bytes:
            limit = self.max_bytes / (1024 * 1024)
            raise UploadTooLarge(
                f"This file is {length / (1024 * 1024):.1f} MB; the server accepts files up to"
                f" {limit:.0f} MB. Take a smaller photo or ask your administrator.",
                limit_bytes=self.max_bytes,
            )

    def create(
        self,
        session: Session,
        actor: Actor,
        *,
        length: int,
        metadata_header: str,
        first_chunk: bytes,
        checksum: str | None,
    ) -> UploadState:
        """tus creation (with an optional first chunk); an existing blob or upload is reused."""
        self.check_length(length)
        meta = parse_metadata(metadata_header)
        sha256, mime = meta["sha256"], meta["mime"]
        blob = session.get(Blob, sha256)
        if blob is not None:
            if blob.size != length:
                raise InvalidRequest(
                    f"a stored file with this sha256 has {blob.size} bytes, not {length}",
                    field="Upload-Length",
                )
            upload = Upload(user_id=actor.user_id, sha256=sha256, length=length, offset=length, mime=mime)
            session.add(upload)
            session.flush()
            return UploadState(upload.id, length, length, metadata_header)
        upload = session.scalar(
            select(Upload)
            .where(Upload.user_id == actor.user_id, Upload.sha256 == sha256, Upload.length == length)
            .order_by(Upload.offset.desc())
            .limit(1)
            .with_for_update()
        )
        if upload is None:
            upload = Upload(
                user_id=actor.user_id,
                sha256=sha256,
                length=length,
                offset=0,
                mime=mime,
                filename=meta.get("filename", "")[:200],
                report_id=meta.get("report_id", "")[:100],
            )
            session.add(upload)
            session.flush()
            self.root.mkdir(parents=True, exist_ok=True)
            self.part(upload.id).write_bytes(b"")
        if first_chunk and upload.offset == 0:
            return self.append(session, actor, upload.id, offset=0, chunk=first_chunk, checksum=checksum)
        return UploadState(upload.id, upload.offset, upload.length, metadata_header)

    def state(self, session: Session, actor: Actor, upload_id: str) -> UploadState:
        """The stored offset and length of one of the user's uploads."""
        upload = self._get(session, actor, upload_id, lock=False)
        return UploadState(upload.id, upload.offset, upload.length)

    def append(
        self,
        session: Session,
        actor: Actor,
        upload_id: str | uuid.UUID,
        *,
        offset: int,
        chunk: bytes,
        checksum: str | None,
    ) -> UploadState:
        """Write a chunk at the stored offset (verified against its checksum); finish at the end."""
        upload = self._get(session, actor, str(upload_id), lock=True)
        if offset != upload.offset:
            raise OffsetMismatch(
                f"the upload is at byte {upload.offset}, not {offset}: ask HEAD and resume there",
                offset=upload.offset,
            )
        if offset + len(chunk) > upload.length:
            raise InvalidRequest(f"the chunk goes past Upload-Length ({upload.length})", code="beyond_length")
        if checksum is not None:
            verify_checksum(checksum, chunk)
        if upload.offset == upload.length:
            return UploadState(upload.id, upload.offset, upload.length)
        part = self.part(upload.id)
        with open(part, "r+b" if part.exists() else "w+b") as handle:
            handle.seek(offset)
            handle.write(chunk)
            handle.truncate(offset + len(chunk))
            handle.flush()
            os.fsync(handle.fileno())
        upload.offset = offset + len(chunk)
        if upload.offset == upload.length:
            self._finish(session, upload)
        return UploadState(upload.id, upload.offset, upload.length)

    def terminate(self, session: Session, actor: Actor, upload_id: str) -> None:
        """tus termination: forget the upload and its bytes."""
        upload = self._get(session, actor, upload_id, lock=True)
        session.delete(upload)
        self.part(upload.id).unlink(missing_ok=True)

    def _finish(self, session: Session, upload: Upload) -> None:
        """Hash the whole file; publish and record it, or discard it and raise DigestMismatch."""
        part = self.part(upload.id)
        digest = hashlib.sha256()
        with open(part, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != upload.sha256:
            raise DigestMismatch(
                "the uploaded bytes do not match the declared sha256; the upload was discarded",
                upload_id=str(upload.id),
            )
        if session.get(Blob, upload.sha256) is None:
            self.blobs.publish(part, upload.sha256)
            record_blob(session=session, sha256=upload.sha256, size=upload.length, mime=upload.mime)
            blob_arrived(session, upload.sha256)
        else:
            part.unlink(missing_ok=True)

    def discard(self, session: Session, upload_id: str) -> None:
        """Drop an upload whose bytes failed verification (its own transaction commits this)."""
        upload = session.get(Upload, uuid.UUID(upload_id))
        if upload is not None:
            session.delete(upload)
            self.part(upload.id).unlink(missing_ok=True)

    def _get(self, session: Session, actor: Actor, upload_id: str, *, lock: bool) -> Upload:
        """One of the actor's uploads, optionally locked; NotFound for others' or unknown ids."""
        try:
            key = uuid.UUID(upload_id)
        except ValueError:
            raise NotFound("no such upload") from None
        query = select(Upload).where(Upload.id == key)
        upload = session.scalar(query.with_for_update() if lock else query)
        if upload is None or upload.user_id != actor.user_id:
            raise NotFound("no such upload: create it again", code="upload_not_found")
        return upload


def parse_metadata(header: str) -> dict[str, str]:
    """Upload-Metadata with the required `sha256` (hex) and `mime`; 400 when missing or malformed."""
    try:
        meta = decode_metadata(header or "")
    except ValueError:
        raise InvalidRequest("Upload-Metadata is malformed", field="Upload-Metadata") from None
    sha256 = meta.get("sha256", "").lower()
    if not valid_sha256(sha256):
        raise InvalidRequest("Upload-Metadata needs sha256: the file's sha256 hex", field="Upload-Metadata")
    mime = meta.get("mime", "")
    if "/" not in mime or len(mime) > 100:
        raise InvalidRequest("Upload-Metadata needs mime: the file's media type", field="Upload-Metadata")
    return {**meta, "sha256": sha256, "mime": mime}


def verify_checksum(header: str, chunk: bytes) -> None:
    """Check a chunk against `Upload-Checksum: <sha1|sha256> <base64>`; 460 on a mismatch."""
    algorithm, _, encoded = header.strip().partition(" ")
    if algorithm not in ALGORITHMS:
        raise InvalidRequest(f"Upload-Checksum algorithm must be one of {', '.join(ALGORITHMS)}")
    try:
        expected = base64.b64decode(encoded.strip(), validate=True)
    except ValueError:
        raise InvalidRequest("Upload-Checksum is not base64") from None
    if hashlib.new(algorithm, chunk).digest() != expected:
        raise ChecksumMismatch("the chunk does not match its checksum: it was discarded; send it again")
