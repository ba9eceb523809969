"""The phone's local database: the shared model tables plus phone-only state, on its own metadata."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    select,
)
from sqlalchemy.orm import Session

import models

local_metadata = MetaData()

local_state = Table(
    "local_state",
    local_metadata,
    Column("key", String, primary_key=True),
    Column("value", JSON, nullable=False),
)

draft = Table(
    "draft",
    local_metadata,
    Column("id", String, primary_key=True),
    Column("user_id", String, nullable=False, index=True),
    Column("form_id", String, nullable=False),
    Column("form_version", Integer, nullable=False),
    Column("values", JSON, nullable=False),
    Column("extra", JSON, nullable=False),
    Column("updated_at", String, nullable=False),
)
"""Reports being written: the form values as typed, kept until the report is saved (phone only)."""

draft_blob = Table(
    "draft_blob",
    local_metadata,
    Column("sha256", String(64), primary_key=True),
    Column("data", LargeBinary, nullable=False),
)
"""Bytes a draft refers to (photo copies, thumbnails) by sha256, until no draft needs them."""


def open_database(url: str) -> Engine:
    """Open (creating if needed) the phone's SQLite file with durable settings."""
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    models.Base.metadata.create_all(engine)
    local_metadata.create_all(engine)
    return engine


def get_state(session: Session, key: str) -> Any:
    """Read one phone-only setting (None when unset)."""
    return session.scalar(select(local_state.c.value).where(local_state.c.key == key))


def set_state(session: Session, key: str, value: Any) -> None:
    """Write one phone-only setting (None deletes it). Caller commits."""
    session.execute(local_state.delete().where(local_state.c.key == key))
    if value is not None:
        session.execute(local_state.insert().values(key=key, value=value))
