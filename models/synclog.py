"""The server's sync bookkeeping: stored mutation results, the ordered change feed, counters."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdMixin, enum_column, utcnow
from models.enums import ChangeOp, MutationStatus


class MutationRecord(IdMixin, Base):
    """A pushed mutation with its final, stored result; the args are kept whatever the outcome."""

    __tablename__ = "mutation_record"
    __table_args__ = (UniqueConstraint("device_id", "seq"),)

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id"))
    seq: Mapped[int]
    mutation_id: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    args: Mapped[dict[str, Any]]
    payload_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[MutationStatus] = enum_column(MutationStatus)
    result: Mapped[dict[str, Any]] = mapped_column(doc="the result object as first answered")
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Change(Base):
    """One entry of the pull feed; `server_seq` is gap-free and committed in order."""

    __tablename__ = "change"

    server_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    entity: Mapped[str]
    entity_id: Mapped[str] = mapped_column(index=True)
    op: Mapped[ChangeOp] = enum_column(ChangeOp)
    version: Mapped[int]
    data: Mapped[dict[str, Any]]
    site_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(doc="the reporter, who may always see it")
    restricted: Mapped[bool] = mapped_column(default=False, doc="privacy case: HSE managers only")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Counter(Base):
    """A named counter row, locked to hand out gap-free numbers (server_seq, audit seq, refs)."""

    __tablename__ = "counter"

    name: Mapped[str] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
