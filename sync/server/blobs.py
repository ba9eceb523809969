"""Content-addressed blob storage on disk: write, fsync, rename; identical bytes are stored once."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from models import Blob

HEX = set("0123456789abcdef")


def valid_sha256(value: str) -> bool:
    """Whether a string is a lowercase sha256 hex digest."""
    return len(value) == 64 and set(value) <= HEX


class BlobStore:
    """Blobs under root/ab/cd/<sha256>; a blob exists once its file is renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        """Where a blob's bytes live."""
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        """Whether the blob's bytes are stored."""
        return valid_sha256(sha256) and self.path(sha256).is_file()

    def read(self, sha256: str) -> bytes:
        """Return a blob's bytes."""
        return self.path(sha256).read_bytes()

    def publish(self, source: Path, sha256: str) -> None:
        """Move a fully written, verified file into place atomically and durably."""
        target = self.path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(source, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(source, target)
        _fsync_dir(target.parent)

    def put_bytes(self, data: bytes) -> str:
        """Store bytes (once) and return their sha256."""
        sha256 = hashlib.sha256(data).hexdigest()
        if not self.exists(sha256):
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            self.publish(Path(tmp), sha256)
        return sha256


def record_blob(*, session: Session, sha256: str, size: int, mime: str) -> Blob:
    """Insert the blob's row if it is new (the bytes must already be published)."""
    blob = session.get(Blob, sha256)
    if blob is None:
        blob = Blob(sha256=sha256, size=size, mime=mime)
        session.add(blob)
        session.flush()
    return blob


def _fsync_dir(path: Path) -> None:
    """Make a rename in a directory durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
