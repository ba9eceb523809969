"""Sign-in, sign-out and who-am-I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from models import User
from sync.server import accounts
from sync.server.deps import ActorDep, SessionsDep, SettingsDep, bearer_token

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginRequest(BaseModel):
    """Username and password."""

    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)


def user_json(actor: accounts.Actor, user: User) -> dict[str, object]:
    """The signed-in user as the app sees it."""
    return {
        "id": str(user.id),
        "username": user.username,
        "display_name": user.display_name,
        "language": user.language,
        "roles": [{"site_id": str(s) if s else None, "role": r.value} for s, r in actor.roles],
    }


@router.post("/login")
def login(body: LoginRequest, sessions: SessionsDep, settings: SettingsDep) -> dict[str, object]:
    """Exchange a username and password for a bearer token."""
    with sessions.begin() as session:
        token, user = accounts.sign_in(
            session=session,
            username=body.username,
            password=body.password,
            ttl_hours=settings.token_ttl_hours,
        )
        actor = accounts.actor_for_user(session=session, user=user)
        return {"token": token, "user": user_json(actor, user)}


@router.post("/logout", status_code=204)
def logout(token: Annotated[str, Depends(bearer_token)], sessions: SessionsDep) -> None:
    """Revoke the token of this request."""
    with sessions.begin() as session:
        accounts.revoke_token(session=session, token=token)


@router.get("/me")
def me(actor: ActorDep, sessions: SessionsDep) -> dict[str, object]:
    """Who the token belongs to, with roles per site."""
    with sessions() as session:
        return user_json(actor, session.get(User, actor.user_id))
