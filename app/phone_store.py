"""The phone's store: everything is local first (SQLite); the server is reached only to sign in and sync."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from sqlalchemy.orm import sessionmaker

from app import queries
from app.phone_db import get_state, open_database, set_state
from app.settings import PhoneSettings
from app.store import Account, IncidentRow, StoreError, View
from models.enums import Role
from sync.mutations.base import Actor

T = TypeVar("T")

TIMEOUT = (5, 20)


class PhoneStore:
    """Local-first data for one app install; blocking work runs in threads, never on the UI loop."""

    def __init__(self, settings: PhoneSettings, http: requests.Session | None = None) -> None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.settings = settings
        self._http = http or requests.Session()
        self._sessions = sessionmaker(open_database(settings.database_url), expire_on_commit=False)
        with self._sessions() as session:
            saved = get_state(session, "account")
        self._account = _account_from_json(saved) if saved else None

    @property
    def account(self) -> Account | None:
        """The signed-in account, kept on the phone so reporting works offline."""
        return self._account

    async def sign_in(self, username: str, password: str) -> Account:
        """Sign in online once; the token and account are kept for offline use."""
        body = await asyncio.to_thread(self._login, username, password)
        account = _account_from_json(body["user"])
        await asyncio.to_thread(self._save_login, body["token"], body["user"])
        self._account = account
        return account

    def _login(self, username: str, password: str) -> dict[str, Any]:
        """POST the credentials to the server."""
        url = f"{self.settings.server_url}/api/v1/auth/login"
        try:
            response = self._http.post(
                url, json={"username": username, "password": password}, timeout=TIMEOUT
            )
        except requests.RequestException:
            raise StoreError("offline") from None
        if response.status_code == 401:
            raise StoreError("bad_credentials")
        if response.status_code != 200:
            raise StoreError("offline", f"HTTP {response.status_code}")
        return response.json()

    def _save_login(self, token: str, user: dict[str, Any]) -> None:
        """Keep the token and account in the local database."""
        with self._sessions.begin() as session:
            set_state(session, "token", token)
            set_state(session, "account", user)

    async def sign_out(self) -> None:
        """Forget the account on this phone (local reports stay until they are synced)."""
        await asyncio.to_thread(self._forget_login)
        self._account = None

    def _forget_login(self) -> None:
        """Delete the token and account from the local database."""
        with self._sessions.begin() as session:
            set_state(session, "token", None)
            set_state(session, "account", None)

    @property
    def view(self) -> View:
        """Everything on the phone is the account's to see (the server sent only that)."""
        account = self._account
        actor = (
            Actor(account.user_id, account.username, account.display_name, account.roles) if account else None
        )
        return View(actor=actor)

    async def incidents(self, *, mine: bool = False, limit: int = 200) -> list[IncidentRow]:
        """Incidents on this phone, newest first."""
        account = self._account
        reporter = account.user_id if (mine and account) else None
        return await self.query(queries.incident_rows, reporter_id=reporter, limit=limit)

    async def query(self, fn: Callable[..., T], **kwargs: Any) -> T:
        """Run a read query against the local copy, in a thread."""
        view = self.view

        def run() -> T:
            with self._sessions() as session:
                return fn(session, view, **kwargs)

        return await asyncio.to_thread(run)


def _account_from_json(user: dict[str, Any]) -> Account:
    """Turn the server's user JSON into an Account."""
    return Account(
        user_id=uuid.UUID(user["id"]),
        username=user["username"],
        display_name=user["display_name"],
        language=user.get("language", "en"),
        roles=tuple(
            (uuid.UUID(r["site_id"]) if r["site_id"] else None, Role(r["role"]))
            for r in user.get("roles", [])
        ),
    )
