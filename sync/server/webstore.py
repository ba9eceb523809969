"""The store behind the web app the server serves: the same reads as the phone, done in process."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from app import queries
from app.store import Account, IncidentRow, MutationResult, StoreError, View
from models import User, utcnow
from models.enums import MutationStatus
from reports import charts
from reports import metrics as metrics_report
from sync.errors import BadCredentials, ImsError
from sync.mutations.base import Actor
from sync.server import accounts, exports
from sync.server.access import visible_incidents
from sync.server.blobs import BlobStore, record_blob
from sync.server.execute import execute
from sync.server.routes.reports import check_access, reveals_private

T = TypeVar("T")


class ServerStore:
    """One browser session's view of the central store; blocking work runs in threads."""

    def __init__(self, sessions: sessionmaker[Session], blobs: BlobStore) -> None:
        self._sessions = sessions
        self._blobs = blobs
        self._actor: Actor | None = None
        self._account: Account | None = None

    @property
    def account(self) -> Account | None:
        """The signed-in account, if any."""
        return self._account

    @property
    def view(self) -> View:
        """The signed-in actor and the incidents they may see."""
        actor = self._require()
        return View(actor=actor, incidents=visible_incidents(actor))

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
        reporter = self._require().user_id if mine else None
        return await self.query(queries.incident_rows, reporter_id=reporter, limit=limit)

    async def query(self, fn: Callable[..., T], **kwargs: Any) -> T:
        """Run a read query in a thread against the central store."""
        view = self.view

        def run() -> T:
            with self._sessions() as session:
                return fn(session, view, **kwargs)

        return await asyncio.to_thread(run)

    async def mutate(
        self, name: str, args: dict[str, Any], *, blobs: dict[str, bytes] | None = None
    ) -> MutationResult:
        """Store new blobs, then execute the mutation in one transaction; a refusal raises StoreError."""
        actor = self._require()
        return await asyncio.to_thread(self._mutate, actor, name, args, blobs or {})

    def _mutate(
        self, actor: Actor, name: str, args: dict[str, Any], blobs: dict[str, bytes]
    ) -> MutationResult:
        """Publish the blobs, then apply, audit and publish the mutation."""
        for sha256, data in blobs.items():
            if hashlib.sha256(data).hexdigest() != sha256:
                raise StoreError("digest_mismatch", f"blob {sha256[:12]}… does not match its bytes")
            self._blobs.put_bytes(data)
        with self._sessions.begin() as session:
            for sha256, data in blobs.items():
                record_blob(session=session, sha256=sha256, size=len(data), mime=_sniff_mime(data))
            result = execute(session, actor, name, args)
        if result.status is MutationStatus.REJECTED:
            raise StoreError(result.code or "rejected", result.message)
        return MutationResult(status=result.status.value, entity_id=result.entity_id, details=result.details)

    async def blob(self, sha256: str) -> bytes | None:
        """The bytes of a blob, when stored."""
        if not self._blobs.exists(sha256):
            return None
        return await asyncio.to_thread(self._blobs.read, sha256)

    async def document(
        self,
        kind: str,
        *,
        site_code: str | None = None,
        year: int | None = None,
        incident_ref: str | None = None,
    ) -> tuple[str, str, bytes]:
        """Make one export as the API's download does (same access rules): (file name, media type, bytes)."""
        actor = self._require()
        return await asyncio.to_thread(self._document, actor, kind, site_code, year, incident_ref)

    def _document(
        self, actor: Actor, kind: str, site_code: str | None, year: int | None, incident_ref: str | None
    ) -> tuple[str, str, bytes]:
        """Check the request and the actor's right to it, then render the document."""
        try:
            with self._sessions() as session:
                request = exports.prepare(
                    session=session, kind=kind, site_code=site_code, year=year, incident_ref=incident_ref
                )
                check_access(actor, request.site)
                document = exports.render(
                    session=session,
                    request=request,
                    now=utcnow(),
                    blobs=self._blobs,
                    reveal_private=reveals_private(actor, request.site),
                )
        except ImsError as error:
            raise StoreError(error.code, error.message) from None
        return document.filename, document.media_type, document.content

    async def metrics_charts(self, *, site_code: str, year: int) -> tuple[dict[str, str], str]:
        """The dashboard's charts of a site's year as SVG by name, and the rate bases printed on them."""
        actor = self._require()
        return await asyncio.to_thread(self._metrics_charts, actor, site_code, year)

    def _metrics_charts(self, actor: Actor, site_code: str, year: int) -> tuple[dict[str, str], str]:
        """Compute the year's metrics and draw them."""
        try:
            with self._sessions() as session:
                request = exports.prepare(session=session, kind="metrics", site_code=site_code, year=year)
                check_access(actor, request.site)
                data = exports.metrics_input(session=session, site=request.site, year=year, now=utcnow())
        except ImsError as error:
            raise StoreError(error.code, error.message) from None
        metrics = metrics_report.compute(data)
        drawings = metrics_report.charts(metrics)
        return {name: charts.to_svg(drawing) for name, drawing in drawings.items()}, metrics_report.bases(
            metrics
        )

    def _require(self) -> Actor:
        """The actor, or StoreError when nobody is signed in."""
        if self._actor is None:
            raise StoreError("not_signed_in")
        return self._actor


def _sniff_mime(data: bytes) -> str:
    """The mime type of an image by its first bytes (photos are JPEG, drawn signatures PNG)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG"):
        return "image/png"
    return "application/octet-stream"
