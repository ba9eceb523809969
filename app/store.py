"""The one object screens talk to: what the UI may ask for and the plain rows it gets back.

Two implementations: `app.phone_store.PhoneStore` (local SQLite + outbox + sync, for the phone and
desktop app) and `sync.server.webstore.ServerStore` (in-process, for the web app the server serves).
Screens never see a Session or an HTTP client.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, true

from models.enums import IncidentKind, IncidentStatus, Priority, Role
from sync.mutations.base import Actor

T = TypeVar("T")


@dataclass(frozen=True)
class Account:
    """The signed-in person as the UI needs them."""

    user_id: uuid.UUID
    username: str
    display_name: str
    language: str
    roles: tuple[tuple[uuid.UUID | None, Role], ...]

    def has(self, *roles: Role) -> bool:
        """Whether the account holds any of these roles anywhere."""
        return any(role in roles for _site, role in self.roles)

    @property
    def is_worker_only(self) -> bool:
        """True for people who only report (their home is the reporting screen)."""
        return {role for _site, role in self.roles} <= {Role.REPORTER}


@dataclass(frozen=True)
class View:
    """What a query may show: the actor, and a clause selecting the incidents they may see."""

    actor: Actor | None
    incidents: ColumnElement[bool] = field(default_factory=true)


@dataclass(frozen=True)
class MutationResult:
    """A mutation the store accepted: applied (web) or saved on the phone and queued (phone)."""

    status: str
    entity_id: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IncidentRow:
    """One line of a list of incidents."""

    id: uuid.UUID
    ref: str | None
    kind: IncidentKind
    title: str
    status: IncidentStatus
    priority: Priority | None
    occurred_at: dt.datetime
    site_name: str
    reporter_name: str


class StoreError(Exception):
    """A failure the UI shows to the user; `code` picks the catalogue message."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail


class Store(Protocol):
    """What every screen may ask of the data layer."""

    @property
    def account(self) -> Account | None:
        """The signed-in account, if any."""
        ...

    @property
    def view(self) -> View:
        """What the signed-in account may see."""
        ...

    async def sign_in(self, username: str, password: str) -> Account:
        """Sign in, or raise StoreError('bad_credentials' | 'offline')."""
        ...

    async def sign_out(self) -> None:
        """Forget the signed-in account."""
        ...

    async def incidents(self, *, mine: bool = False, limit: int = 200) -> list[IncidentRow]:
        """Incidents the account may see, newest first (only the account's own with mine=True)."""
        ...

    async def query(self, fn: Callable[..., T], **kwargs: Any) -> T:
        """Run a read query `fn(session, view, **kwargs)` from app.queries off the UI loop."""
        ...

    async def mutate(
        self, name: str, args: dict[str, Any], *, blobs: dict[str, bytes] | None = None
    ) -> MutationResult:
        """Apply a mutation (with new blobs by sha256), or raise StoreError with the refusal's code."""
        ...

    async def blob(self, sha256: str) -> bytes | None:
        """The bytes of a photo or signature, if this device has them."""
        ...
