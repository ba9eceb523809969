"""Push and pull: the device's mutation queue in, the change feed out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from sync.protocol import PULL_DEFAULT_LIMIT, PULL_MAX_LIMIT
from sync.server import pull as pull_service
from sync.server import push as push_service
from sync.server.deps import ActorDep, SessionsDep

router = APIRouter(prefix="/sync", tags=["sync"])


class Mutation(BaseModel):
    """One queued mutation."""

    seq: int = Field(ge=1)
    mutation_id: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=100)
    args: dict[str, Any]
    payload_sha256: str = Field(min_length=64, max_length=64)


class PushBody(BaseModel):
    """A batch from one device."""

    device_id: str = Field(min_length=1, max_length=100)
    mutations: list[Mutation]


@router.post("/push")
def push(body: PushBody, actor: ActorDep, sessions: SessionsDep) -> dict[str, Any]:
    """Apply a batch in one transaction; answer the final result of every mutation."""
    mutations = [m.model_dump() for m in body.mutations]
    with sessions.begin() as session:
        return push_service.push(session, actor, body.device_id, mutations)


@router.get("/pull")
def pull(
    actor: ActorDep,
    sessions: SessionsDep,
    cursor: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=PULL_MAX_LIMIT)] = PULL_DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Changes after `cursor` that this user may see."""
    with sessions() as session:
        return pull_service.pull(session, actor, cursor=cursor, limit=limit)


@router.get("/reference")
def reference(actor: ActorDep, sessions: SessionsDep) -> dict[str, Any]:
    """Sites, areas, assets and names the phone needs to file reports offline."""
    with sessions() as session:
        return {"rows": pull_service.reference(session, actor)}
