"""The store behind the web app the server serves: the same reads as the phone, done in process."""

from __future__ import annotations

import asyncio

from sqlalchemy.orm import Session, sessionmaker

from app import queries
from app.store import Account, IncidentRow, StoreError
from models import User
from sync.errors import BadCredentials
from sync.mutations.base import Actor
from sync.server import accounts
from sync.server.access import visible_incidents


class ServerStore:
    """One browser session's view of the central store; blocking work runs in threads."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._actor: Actor | None = None
        self._account: Account | None = None

    @property
    def account(self) -> Account | None:
        """The signed-in account, if any."""
        return self._account

    async def sign_in(self, username: str, password: str) -> Account:
        """Check the password in process and remember the actor for this browser session."""
        try:
            self._actor, user = await asyncio.to_thread(self._sign_in, username, password)
        except BadCredentials:
            raise StoreError("bad_credentials") from None
        self._account = Account(
            user_id=user.id,
            username=user.username,
            display_name=user.display_name,
            language=user.language,
            roles=self._actor.roles,
        )
        return self._account

    def _sign_in(self, username: str, password: str) -> tuple[Actor, User]:
        """Verify a password without issuing a token (the browser session is the credential)."""
        with self._sessions.begin() as session:
            user = accounts.authenticate(session=session, username=username, password=password)
            return accounts.actor_for_user(session=session, user=user), user

    async def sign_out(self) -> None:
        """Forget the signed-in account."""
        self._actor = None
        self._account = None

    async def incidents(self, *, mine: bool = False, limit: int = 200) -> list[IncidentRow]:
        """Incidents this account may see, newest first."""
        actor = self._require()
        return await asyncio.to_thread(self._incidents, actor, mine, limit)

    def _incidents(self, actor: Actor, mine: bool, limit: int) -> list[IncidentRow]:
        """Run the incident query for a actor."""
        with self._sessions() as session:
            return queries.incident_rows(
                session,
                visible=visible_incidents(actor),
                reporter_id=actor.user_id if mine else None,
                limit=limit,
            )

    def _require(self) -> Actor:
        """The actor, or StoreError when nobody is signed in."""
        if self._actor is None:
            raise StoreError("not_signed_in")
        return self._actor
