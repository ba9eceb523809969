"""Drafts of reports: written as they are typed, kept across app restarts and form-version upgrades.

A draft is the form's values exactly as typed (not validated), plus `extra`: what the screen needs to
rebuild itself that is not a form value (the photos' attachment manifests, how the location was
found, the report a witness statement belongs to). Photo bytes live beside it in `draft_blob`, by
sha256, until no draft refers to them. On the phone drafts sit in the local SQLite file; the web app
keeps every user's drafts in one SQLite file in the server's data directory (`Drafts.in_file`), so a
reloaded tab or a restarted server finds them again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from app.phone_db import draft, draft_blob, local_metadata, open_database
from forms.errors import FormError
from forms.registry import FORMS, upgrade


@dataclass(frozen=True)
class Draft:
    """One report being written; `values` are already upgraded to the form's current version."""

    id: str
    form_id: str
    form_version: int
    values: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)
    updated_at: dt.datetime | None = None
    blobs: tuple[str, ...] = ()


class Drafts:
    """Draft storage for one app install (or one browser tab); every method runs off the UI loop."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, database_url: str) -> Drafts:
        """Drafts in the phone's local database file."""
        return cls(open_database(database_url))

    @classmethod
    def in_file(cls, path: Path) -> Drafts:
        """Drafts of every web user in one SQLite file (each user sees only their own)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 30})
        local_metadata.create_all(engine, tables=[draft, draft_blob])
        return cls(engine)

    @classmethod
    def in_memory(cls) -> Drafts:
        """Drafts that live as long as this object (tests, and a page without a place to keep them)."""
        engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
        local_metadata.create_all(engine, tables=[draft, draft_blob])
        return cls(engine)

    async def save(
        self,
        *,
        draft_id: str,
        user_id: str,
        form_id: str,
        form_version: int,
        values: dict[str, Any],
        extra: dict[str, Any] | None = None,
        blobs: dict[str, bytes] | None = None,
    ) -> None:
        """Write a draft (replacing its previous state) and the bytes it refers to, in one transaction."""
        await asyncio.to_thread(
            self._save, draft_id, user_id, form_id, form_version, values, extra or {}, blobs or {}
        )

    def _save(
        self,
        draft_id: str,
        user_id: str,
        form_id: str,
        form_version: int,
        values: dict[str, Any],
        extra: dict[str, Any],
        blobs: dict[str, bytes],
    ) -> None:
        """Replace the draft row and add missing blobs; unreferenced blobs are dropped."""
        row = {
            "id": draft_id,
            "user_id": user_id,
            "form_id": form_id,
            "form_version": form_version,
            "values": values,
            "extra": {**extra, "blobs": sorted(blobs)},
            "updated_at": dt.datetime.now(dt.UTC).isoformat(),
        }
        with self._sessions.begin() as session:
            known = set(
                session.scalars(select(draft_blob.c.sha256).where(draft_blob.c.sha256.in_(list(blobs))))
            )
            for sha256, data in blobs.items():
                if sha256 not in known:
                    session.execute(draft_blob.insert().values(sha256=sha256, data=data))
            session.execute(draft.delete().where(draft.c.id == draft_id))
            session.execute(draft.insert().values(**row))
            _collect_garbage(session)

    async def load(self, draft_id: str, user_id: str) -> Draft | None:
        """The user's draft with this id, upgraded to the current form version (None when absent)."""
        return await asyncio.to_thread(self._load, draft_id, user_id)

    def _load(self, draft_id: str, user_id: str) -> Draft | None:
        """Read one draft row."""
        with self._sessions() as session:
            row = session.execute(
                select(draft).where(draft.c.id == draft_id, draft.c.user_id == user_id)
            ).one_or_none()
        return _upgraded(row) if row is not None else None

    async def for_user(self, user_id: str) -> list[Draft]:
        """The user's drafts, latest first (drafts of forms this app cannot open are left out)."""
        return await asyncio.to_thread(self._list, user_id)

    def _list(self, user_id: str) -> list[Draft]:
        """Read the user's draft rows."""
        with self._sessions() as session:
            rows = session.execute(
                select(draft).where(draft.c.user_id == user_id).order_by(draft.c.updated_at.desc())
            ).all()
        return [d for d in (_upgraded(row) for row in rows) if d is not None]

    async def blobs(self, sha256s: list[str]) -> dict[str, bytes]:
        """The stored bytes of these blobs (missing ones are left out)."""
        return await asyncio.to_thread(self._blobs, sha256s)

    def _blobs(self, sha256s: list[str]) -> dict[str, bytes]:
        """Read blobs by sha256."""
        with self._sessions() as session:
            rows = session.execute(
                select(draft_blob.c.sha256, draft_blob.c.data).where(draft_blob.c.sha256.in_(sha256s))
            ).all()
        return {sha: bytes(data) for sha, data in rows}

    async def delete(self, draft_id: str) -> None:
        """Forget a draft (its report was saved, or the user threw it away) and bytes no draft needs."""
        await asyncio.to_thread(self._delete, draft_id)

    def _delete(self, draft_id: str) -> None:
        """Delete the row, then the unreferenced blobs."""
        with self._sessions.begin() as session:
            session.execute(draft.delete().where(draft.c.id == draft_id))
            _collect_garbage(session)


def _collect_garbage(session: Session) -> None:
    """Delete blobs that no draft refers to any more."""
    needed: set[str] = set()
    for extra in session.scalars(select(draft.c.extra)):
        needed.update(extra.get("blobs", []))
    stored = set(session.scalars(select(draft_blob.c.sha256)))
    unused = stored - needed
    if unused:
        session.execute(draft_blob.delete().where(draft_blob.c.sha256.in_(list(unused))))


def _upgraded(row: Any) -> Draft | None:
    """Turn a row into a Draft, bringing values of an older form version up to date."""
    version, values = row.form_version, dict(row.values)
    if row.form_id in FORMS:
        try:
            version, values = upgrade(row.form_id, version, values)
        except FormError:
            return None
    extra = dict(row.extra)
    return Draft(
        id=row.id,
        form_id=row.form_id,
        form_version=version,
        values=values,
        extra=extra,
        updated_at=dt.datetime.fromisoformat(row.updated_at),
        blobs=tuple(extra.get("blobs", [])),
    )
