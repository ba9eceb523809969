"""Users, memberships and tokens: the service functions behind sign-in and `ims user add`."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ApiToken, Membership, Site, User, utcnow
from models.enums import Role
from sync.errors import BadCredentials, Conflict, InvalidRequest, NotAuthenticated
from sync.mutations.base import Actor
from sync.server.security import hash_password, new_token, token_digest, verify_password

MIN_PASSWORD = 8


def add_user(
    *,
    session: Session,
    username: str,
    password: str,
    display_name: str,
    roles: list[tuple[str | None, Role]],
    email: str = "",
    language: str = "en",
    job_title: str = "",
) -> User:
    """Create a user with roles at sites given by site code (None = every site)."""
    username = username.strip()
    if not username or any(ch.isspace() for ch in username):
        raise InvalidRequest("a username must be one word without spaces", field="username")
    if len(password) < MIN_PASSWORD:
        raise InvalidRequest(f"the password must have at least {MIN_PASSWORD} characters", field="password")
    if session.scalar(select(User).where(User.username == username)):
        raise Conflict(f"user {username!r} already exists", code="user_exists")
    user = User(
        username=username,
        display_name=display_name or username,
        email=email,
        language=language,
        job_title=job_title,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    for site_code, role in roles:
        site_id = None
        if site_code is not None:
            site = session.scalar(select(Site).where(Site.code == site_code))
            if site is None:
                raise InvalidRequest(f"no site with code {site_code!r}", field="site")
            site_id = site.id
        session.add(Membership(user_id=user.id, site_id=site_id, role=role))
    session.flush()
    return user


def authenticate(*, session: Session, username: str, password: str) -> User:
    """Return the active user with this username and password, or raise BadCredentials."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active or not verify_password(password, user.password_hash):
        raise BadCredentials("wrong username or password")
    return user


def sign_in(*, session: Session, username: str, password: str, ttl_hours: int) -> tuple[str, User]:
    """Check a username and password and issue a bearer token."""
    user = authenticate(session=session, username=username, password=password)
    return issue_token(session=session, user=user, ttl=dt.timedelta(hours=ttl_hours)), user


def issue_token(
    *, session: Session, user: User, ttl: dt.timedelta | None, device_id: uuid.UUID | None = None
) -> str:
    """Create a token for a user (optionally bound to a device); only its digest is stored."""
    token = new_token()
    expires = utcnow() + ttl if ttl else None
    session.add(
        ApiToken(user_id=user.id, device_id=device_id, token_sha256=token_digest(token), expires_at=expires)
    )
    session.flush()
    return token


def actor_for_token(*, session: Session, token: str) -> Actor:
    """Resolve a bearer token to the actor it acts for."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == token_digest(token)))
    now = utcnow()
    if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        raise NotAuthenticated("sign in again: the token is unknown, expired or revoked")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise NotAuthenticated("this account is disabled")
    return actor_for_user(session=session, user=user, device_id=row.device_id)


def actor_for_user(*, session: Session, user: User, device_id: uuid.UUID | None = None) -> Actor:
    """Build the actor of a user from their memberships."""
    memberships = session.scalars(select(Membership).where(Membership.user_id == user.id)).all()
    return Actor(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=tuple((m.site_id, m.role) for m in memberships),
        device_id=device_id,
    )


def revoke_token(*, session: Session, token: str) -> None:
    """Revoke a token (sign out)."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == token_digest(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
