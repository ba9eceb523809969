"""Device registration: an app install gets a device id and a token that acts as its user."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select

from models import Device, MutationRecord, User, utcnow
from sync.errors import NotFound
from sync.protocol import PROTOCOL_VERSION
from sync.server import accounts
from sync.server.deps import ActorDep, SessionsDep

router = APIRouter(prefix="/devices", tags=["sync"])


class DeviceRequest(BaseModel):
    """What the app may say about itself (all optional)."""

    name: str = Field(default="", max_length=200)
    platform: str = Field(default="", max_length=100)
    app_version: str = Field(default="", max_length=50)


@router.post("", status_code=201)
def register(actor: ActorDep, sessions: SessionsDep, body: DeviceRequest | None = None) -> dict[str, object]:
    """Register an install for the signed-in user: `{"device_id", "token"}` (the token never expires)."""
    body = body or DeviceRequest()
    with sessions.begin() as session:
        device = Device(
            user_id=actor.user_id, name=body.name, platform=body.platform, app_version=body.app_version
        )
        session.add(device)
        session.flush()
        user = session.get(User, actor.user_id)
        token = accounts.issue_token(session=session, user=user, ttl=None, device_id=device.id)
        return {
            "device_id": str(device.id),
            "token": token,
            "last_seq": 0,
            "protocol_version": PROTOCOL_VERSION,
            "server_time": utcnow().isoformat(),
        }


@router.get("/me")
def me(actor: ActorDep, sessions: SessionsDep) -> dict[str, object]:
    """The device of a device token: its watermark and the payload hash stored at it (clone check)."""
    if actor.device_id is None:
        raise NotFound("this token is not a device token", code="not_a_device")
    with sessions() as session:
        device = session.get(Device, actor.device_id)
        last_hash = session.scalar(
            select(MutationRecord.payload_sha256).where(
                MutationRecord.device_id == device.id, MutationRecord.seq == device.last_seq
            )
        )
        return {
            "device_id": str(device.id),
            "last_seq": device.last_seq,
            "last_seq_payload_sha256": last_hash,
            "protocol_version": PROTOCOL_VERSION,
            "server_time": utcnow().isoformat(),
        }
