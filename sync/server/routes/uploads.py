"""Resumable uploads, tus 1.0: creation (+ with upload), HEAD offset, PATCH with checksums, termination."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from sync.errors import DigestMismatch, InvalidRequest, TusVersionUnsupported, UnsupportedMediaType
from sync.protocol import TUS_CHECKSUM_ALGORITHMS, TUS_CONTENT_TYPE, TUS_EXTENSIONS, TUS_VERSION
from sync.server.blobs import BlobStore
from sync.server.deps import ActorDep, SessionsDep, SettingsDep
from sync.server.uploads import UploadArea, UploadState

router = APIRouter(prefix="/uploads", tags=["uploads"])
T = TypeVar("T")


def area(settings: SettingsDep) -> UploadArea:
    """The upload area of this server."""
    return UploadArea(settings.upload_dir, BlobStore(settings.blob_dir), settings.max_upload_bytes)


def tus_headers(state: UploadState | None = None, **extra: str) -> dict[str, str]:
    """Headers every tus response carries, plus the upload's offset and length."""
    headers = {"Tus-Resumable": TUS_VERSION, **extra}
    if state is not None:
        headers["Upload-Offset"] = str(state.offset)
        headers["Upload-Length"] = str(state.length)
    return headers


def check_tus(request: Request) -> None:
    """Refuse requests that do not speak tus 1.0.0."""
    if request.headers.get("tus-resumable") != TUS_VERSION:
        raise TusVersionUnsupported(f"send Tus-Resumable: {TUS_VERSION}")


def int_header(request: Request, name: str) -> int:
    """A required non-negative integer header."""
    raw = request.headers.get(name, "")
    if not raw.isdigit():
        raise InvalidRequest(f"{name} must be a non-negative whole number", field=name)
    return int(raw)


@router.options("")
def options(settings: SettingsDep) -> Response:
    """Advertise the tus version, extensions, size limit and checksum algorithms."""
    return Response(
        status_code=204,
        headers=tus_headers(
            **{
                "Tus-Version": TUS_VERSION,
                "Tus-Extension": TUS_EXTENSIONS,
                "Tus-Max-Size": str(settings.max_upload_bytes),
                "Tus-Checksum-Algorithm": TUS_CHECKSUM_ALGORITHMS,
            }
        ),
    )


@router.post("", status_code=201)
async def create(request: Request, actor: ActorDep, sessions: SessionsDep, settings: SettingsDep) -> Response:
    """Create an upload (the body, if any, is its first chunk); a known blob is complete at once."""
    check_tus(request)
    if "upload-defer-length" in request.headers:
        raise InvalidRequest("Upload-Defer-Length is not supported: send Upload-Length")
    length = int_header(request, "upload-length")
    uploads = area(settings)
    uploads.check_length(length)
    chunk = await request.body()
    if chunk and request.headers.get("content-type") != TUS_CONTENT_TYPE:
        raise UnsupportedMediaType(f"a creation body must be {TUS_CONTENT_TYPE}")

    def run() -> UploadState:
        with sessions.begin() as session:
            return uploads.create(
                session,
                actor,
                length=length,
                metadata_header=request.headers.get("upload-metadata", ""),
                first_chunk=chunk,
                checksum=request.headers.get("upload-checksum"),
            )

    state = await _guarded(sessions, uploads, run)
    location = str(request.url_for("upload_head", upload_id=str(state.id)))
    return Response(status_code=201, headers=tus_headers(state, Location=location))


@router.head("/{upload_id}", name="upload_head")
def head(upload_id: str, actor: ActorDep, sessions: SessionsDep, settings: SettingsDep) -> Response:
    """Where to resume: the stored offset (never cached)."""
    with sessions() as session:
        state = area(settings).state(session, actor, upload_id)
    return Response(status_code=200, headers=tus_headers(state, **{"Cache-Control": "no-store"}))


@router.patch("/{upload_id}")
async def patch(
    upload_id: str, request: Request, actor: ActorDep, sessions: SessionsDep, settings: SettingsDep
) -> Response:
    """Append a chunk at Upload-Offset; 409 at another offset, 460 on a checksum mismatch."""
    check_tus(request)
    if request.headers.get("content-type") != TUS_CONTENT_TYPE:
        raise UnsupportedMediaType(f"PATCH bodies must be {TUS_CONTENT_TYPE}")
    offset = int_header(request, "upload-offset")
    chunk = await request.body()
    uploads = area(settings)

    def run() -> UploadState:
        with sessions.begin() as session:
            return uploads.append(
                session,
                actor,
                upload_id,
                offset=offset,
                chunk=chunk,
                checksum=request.headers.get("upload-checksum"),
            )

    state = await _guarded(sessions, uploads, run)
    return Response(status_code=204, headers=tus_headers(state))


@router.delete("/{upload_id}", status_code=204)
def terminate(
    upload_id: str, request: Request, actor: ActorDep, sessions: SessionsDep, settings: SettingsDep
) -> Response:
    """Abandon an upload and free its bytes."""
    check_tus(request)
    with sessions.begin() as session:
        area(settings).terminate(session, actor, upload_id)
    return Response(status_code=204, headers=tus_headers())


async def _guarded(sessions: SessionsDep, uploads: UploadArea, run: Callable[[], T]) -> T:
    """Run upload work in a thread; a digest mismatch discards the upload in its own transaction."""
    try:
        return await run_in_threadpool(run)
    except DigestMismatch as exc:
        upload_id = exc.details["upload_id"]

        def discard() -> None:
            with sessions.begin() as session:
                uploads.discard(session, upload_id)

        await run_in_threadpool(discard)
        raise
