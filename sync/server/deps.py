"""FastAPI dependencies: settings, sessions, the signed-in actor and role checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from models.enums import Role
from sync.errors import Forbidden, NotAuthenticated
from sync.mutations.base import Actor
from sync.server.accounts import actor_for_token
from sync.server.settings import ServerSettings


def get_settings(request: Request) -> ServerSettings:
    """The settings the app was built with."""
    return request.app.state.settings


def get_sessions(request: Request) -> sessionmaker[Session]:
    """The session maker; endpoints open their own transaction with `sessions.begin()`."""
    return request.app.state.sessions


def bearer_token(request: Request) -> str:
    """The bearer token of the request, or NotAuthenticated."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("send 'Authorization: Bearer <token>' (sign in at /api/v1/auth/login)")
    return token.strip()


def get_actor(
    token: Annotated[str, Depends(bearer_token)],
    sessions: Annotated[sessionmaker[Session], Depends(get_sessions)],
) -> Actor:
    """Resolve the bearer token to the signed-in actor."""
    with sessions.begin() as session:
        return actor_for_token(session=session, token=token)


def require(*roles: Role) -> Callable[[Actor], Actor]:
    """A dependency that lets through only users holding one of the roles somewhere."""

    def check(actor: Annotated[Actor, Depends(get_actor)]) -> Actor:
        if not actor.has_role(*roles):
            wanted = ", ".join(r.value for r in roles)
            raise Forbidden(f"this needs one of the roles: {wanted}", code="role_required")
        return actor

    return check


SettingsDep = Annotated[ServerSettings, Depends(get_settings)]
SessionsDep = Annotated[sessionmaker[Session], Depends(get_sessions)]
ActorDep = Annotated[Actor, Depends(get_actor)]
