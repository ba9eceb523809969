"""The sync wire: message shapes, limits, codes and the canonical payload hash, shared by phone and server.

Plain TypedDicts and functions only (the phone has no pydantic); the server's routes validate
requests with their own models. See issue 4 and docs/sync-contract-notes.md for the contract.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any, Literal, NotRequired, TypedDict

PROTOCOL_VERSION = 1
"""Bumped when a shape below changes incompatibly."""

MAX_BATCH = 100
"""Most mutations in one push."""
PULL_DEFAULT_LIMIT = 500
PULL_MAX_LIMIT = 1000

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,creation-with-upload,checksum,termination"
TUS_CHECKSUM_ALGORITHMS = "sha1,sha256"
TUS_CONTENT_TYPE = "application/offset+octet-stream"

Status = Literal["applied", "duplicate", "conflict", "rejected"]
FINAL_STATUSES: tuple[str, ...] = ("applied", "duplicate", "conflict", "rejected")

# Stable codes a client branches on (HTTP-level; per-mutation refusal codes come from the handlers).
SEQ_GAP = "seq_gap"
DEVICE_FORK = "device_fork"
DEVICE_MISMATCH = "device_mismatch"
UNKNOWN_DEVICE = "unknown_device"
PAYLOAD_HASH_MISMATCH = "payload_hash_mismatch"
DIGEST_MISMATCH = "digest_mismatch"
UPLOAD_TOO_LARGE = "upload_too_large"
NOT_AUTHENTICATED = "not_authenticated"


class PushMutation(TypedDict):
    """One queued mutation as the phone sends it."""

    seq: int
    mutation_id: str
    name: str
    args: dict[str, Any]
    payload_sha256: str


class PushRequest(TypedDict):
    """POST /sync/push body."""

    device_id: str
    mutations: list[PushMutation]


class MutationResultBody(TypedDict):
    """The final, stored answer to one mutation."""

    seq: int
    status: Status
    server_seq: NotRequired[int]
    code: NotRequired[str]
    message: NotRequired[str]
    original_status: NotRequired[Status]
    entity: NotRequired[str]
    entity_id: NotRequired[str]


class PushResponse(TypedDict):
    """POST /sync/push answer (200)."""

    last_seq: int
    results: list[MutationResultBody]
    server_time: NotRequired[str]


class ChangeBody(TypedDict):
    """One entry of the pull feed."""

    server_seq: int
    entity: str
    id: str
    op: Literal["upsert", "delete"]
    version: int
    data: dict[str, Any]


class PullResponse(TypedDict):
    """GET /sync/pull answer."""

    changes: list[ChangeBody]
    next_cursor: int
    has_more: bool


class DeviceRegistration(TypedDict):
    """POST /devices answer (201)."""

    device_id: str
    token: str
    last_seq: NotRequired[int]
    protocol_version: NotRequired[int]


class ReferenceRow(TypedDict):
    """A row the phone needs to file reports offline (sites, areas, assets, people's names)."""

    entity: str
    data: dict[str, Any]


def canonical_json(args: Any) -> bytes:
    """The canonical bytes of a JSON value: keys sorted, no spaces, UTF-8 (not ASCII-escaped)."""
    return json.dumps(args, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def payload_sha256(args: Any) -> str:
    """The sha256 hex of a mutation's canonical args, as sent in `payload_sha256`."""
    return hashlib.sha256(canonical_json(args)).hexdigest()


def encode_metadata(values: dict[str, str]) -> str:
    """A tus Upload-Metadata header value: `key base64(value)` pairs joined by commas."""
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in values.items())


def decode_metadata(header: str) -> dict[str, str]:
    """Parse a tus Upload-Metadata header; raises ValueError for a malformed one."""
    values: dict[str, str] = {}
    for pair in filter(None, (part.strip() for part in header.split(","))):
        key, _, encoded = pair.partition(" ")
        if not key or " " in encoded.strip():
            raise ValueError(f"bad metadata pair {pair!r}")
        values[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8") if encoded else ""
    return values


def checksum_header(algorithm: Literal["sha1", "sha256"], chunk: bytes) -> str:
    """A tus Upload-Checksum header value for one chunk."""
    digest = hashlib.new(algorithm, chunk).digest()
    return f"{algorithm} {base64.b64encode(digest).decode()}"
