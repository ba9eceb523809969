"""The phone's store: everything is local first (SQLite); the server is reached only to sign in and sync.

`mutate` applies a mutation to the local copy and queues it in the outbox in ONE transaction (photo
bytes are written to the local blob store first), so "saved" survives a killed app; `sync_once`
sends the queue, uploads the photos and pulls what changed; `report_states` says where each report
stands (saved_on_phone, sending, on_server, needs_attention).
"""

from __future__ import annotations

import asyncio
import hashlib
import platform
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

import sync.mutations as mutations
from app import queries
from app.phone_db import get_state, open_database, set_state
from app.settings import PhoneSettings
from app.store import Account, IncidentRow, MutationResult, StoreError, View
from models import utcnow
from models.enums import Role
from sync import outbox
from sync.client import Progress, SyncClient, SyncError, SyncReport
from sync.mutations.base import Actor, Context, Rejected

T = TypeVar("T")

TIMEOUT = (5, 20)


class PhoneStore:
    """Local-first data for one app install; blocking work runs in threads, never on the UI loop."""

    def __init__(self, settings: PhoneSettings, http: requests.Session | None = None) -> None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.settings = settings
        self._http = http or requests.Session()
        engine = open_database(settings.database_url)
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._client = SyncClient(engine, settings.server_url, settings.data_dir, self._http)
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
        await asyncio.to_thread(self._register, body["token"], account.user_id)
        await asyncio.to_thread(self._save_login, body["token"], body["user"])
        self._account = account
        return account

    def _register(self, user_token: str, user_id: uuid.UUID) -> None:
        """Register this install for the user (once), and fetch the sites and names reports need."""
        with self._sessions() as session:
            device_user = outbox.get_state(session, "device_user")
            pending = outbox.pending_count(session)
        try:
            if device_user != str(user_id):
                if device_user is not None and pending:
                    raise StoreError(
                        "unsynced_reports", f"{pending} change(s) of the previous user wait to sync"
                    )
                self._client.register_device(user_token, name=platform.node(), platform=platform.system())
                with self._sessions.begin() as session:
                    outbox.set_state(session, "device_user", str(user_id))
            self._client.pull_reference()
        except SyncError as exc:
            raise StoreError("offline", exc.message) from None

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

    async def mutate(
        self, name: str, args: dict[str, Any], *, blobs: dict[str, bytes] | None = None
    ) -> MutationResult:
        """Save on the phone: blobs to the local store, then the local apply and its outbox row together.

        Returns status "saved_on_phone"; a refusal raises StoreError(code, message) and saves nothing.
        """
        account = self._account
        if account is None:
            raise StoreError("not_signed_in")
        actor = Actor(account.user_id, account.username, account.display_name, account.roles)
        return await asyncio.to_thread(self._mutate, actor, name, args, blobs or {})

    def _mutate(
        self, actor: Actor, name: str, args: dict[str, Any], blobs: dict[str, bytes]
    ) -> MutationResult:
        """Write the blobs durably, then apply and enqueue in one local transaction."""
        refs = []
        for sha256, data in blobs.items():
            if hashlib.sha256(data).hexdigest() != sha256:
                raise StoreError("digest_mismatch", f"blob {sha256[:12]}… does not match its bytes")
            self._client.blobs.put(data)
            refs.append(outbox.BlobRef(sha256, len(data), _mime_of(args, sha256, data)))
        try:
            with self._sessions.begin() as session:
                ctx = Context(session=session, actor=actor, now=utcnow(), on_server=False)
                outcome = mutations.apply(ctx, name, args)
                outbox.enqueue(session, name=name, args=args, blobs=refs)
        except Rejected as refusal:
            raise StoreError(refusal.code, refusal.message) from None
        except IntegrityError:
            raise StoreError(
                "not_ready", "sync once online: this phone lacks data the change refers to"
            ) from None
        return MutationResult(
            status=outbox.SAVED_ON_PHONE, entity_id=outcome.entity_id, details=outcome.details
        )

    async def blob(self, sha256: str) -> bytes | None:
        """The bytes of a photo or signature kept on this phone."""
        if len(sha256) != 64 or not self._client.blobs.exists(sha256):
            return None
        return await asyncio.to_thread(self._client.blobs.read, sha256)

    async def sync_once(self, progress: Callable[[Progress], None] | None = None) -> SyncReport:
        """One sync round in a thread (progress is called from that thread)."""
        return await asyncio.to_thread(self._client.sync_once, progress)

    async def report_states(self) -> dict[uuid.UUID, outbox.ReportState]:
        """Where each report on the phone stands: saved_on_phone, sending, on_server or needs_attention."""

        def run() -> dict[uuid.UUID, outbox.ReportState]:
            with self._sessions() as session:
                return outbox.report_states(session)

        return await asyncio.to_thread(run)


def _mime_of(args: dict[str, Any], sha256: str, data: bytes) -> str:
    """A blob's media type: from the mutation's manifest when it names it, else from its first bytes."""
    entries = args.get("attachments") if isinstance(args.get("attachments"), list) else [args]
    for entry in entries:
        if isinstance(entry, dict) and entry.get("sha256") == sha256 and isinstance(entry.get("mime"), str):
            return entry["mime"]
    if data.startswith(b"\x89PNG"):
        return "image/png"
    return "image/jpeg" if data.startswith(b"\xff\xd8\xff") else "application/octet-stream"


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
