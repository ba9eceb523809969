"""Stored photos and signatures by sha256: existence for any signed-in device, bytes for those who may see."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse
from sqlalchemy import exists, or_, select

from models import Attachment, Blob, Incident, WitnessStatement
from sync.errors import Forbidden, NotFound
from sync.server.access import visible_incidents
from sync.server.blobs import BlobStore, valid_sha256
from sync.server.deps import ActorDep, SessionsDep, SettingsDep

router = APIRouter(prefix="/blobs", tags=["uploads"])


@router.head("/{sha256}")
def head(sha256: str, _actor: ActorDep, sessions: SessionsDep) -> Response:
    """200 with the size when the blob is stored, else 404."""
    with sessions() as session:
        blob = session.get(Blob, sha256) if valid_sha256(sha256) else None
    if blob is None:
        return Response(status_code=404)
    return Response(status_code=200, headers={"Content-Length": str(blob.size), "Content-Type": blob.mime})


@router.get("/{sha256}")
def get(sha256: str, actor: ActorDep, sessions: SessionsDep, settings: SettingsDep) -> FileResponse:
    """The bytes, for a user allowed to see a report that references the blob."""
    with sessions() as session:
        blob = session.get(Blob, sha256) if valid_sha256(sha256) else None
        if blob is None:
            raise NotFound("no stored file has this sha256")
        referenced = (
            select(Incident.id)
            .where(visible_incidents(actor))
            .where(
                or_(
                    exists().where(Attachment.incident_id == Incident.id, Attachment.sha256 == sha256),
                    exists().where(
                        WitnessStatement.incident_id == Incident.id,
                        WitnessStatement.signature_sha256 == sha256,
                    ),
                )
            )
            .limit(1)
        )
        if session.scalar(referenced) is None:
            raise Forbidden("no report you may see uses this file", code="blob_forbidden")
        mime = blob.mime
    return FileResponse(BlobStore(settings.blob_dir).path(sha256), media_type=mime)
