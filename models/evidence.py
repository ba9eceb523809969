"""Evidence: content-addressed blobs, resumable uploads, attachments and witness statements."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdMixin, enum_column, utcnow
from models.enums import AttachmentKind, WitnessRelation


class Blob(Base):
    """Bytes that exist in blob storage, addressed by their sha256; identical bytes are stored once."""

    __tablename__ = "blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int]
    mime: Mapped[str]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Upload(IdMixin, Base):
    """A tus upload in progress; its bytes so far live in a part file of `offset` bytes."""

    __tablename__ = "upload"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    length: Mapped[int]
    offset: Mapped[int] = mapped_column(default=0)
    mime: Mapped[str]
    filename: Mapped[str] = mapped_column(default="")
    report_id: Mapped[str] = mapped_column(default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Attachment(IdMixin, Base):
    """A file in a report's manifest slot; unique per (incident, slot), not per hash."""

    __tablename__ = "attachment"
    __table_args__ = (UniqueConstraint("incident_id", "slot"),)

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incident.id"), index=True)
    slot: Mapped[str]
    kind: Mapped[AttachmentKind] = enum_column(AttachmentKind, default=AttachmentKind.PHOTO)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    mime: Mapped[str]
    width: Mapped[int | None]
    height: Mapped[int | None]
    captured_at: Mapped[dt.datetime | None]
    exif_latitude: Mapped[float | None]
    exif_longitude: Mapped[float | None]
    original_sha256: Mapped[str] = mapped_column(String(64), default="")
    original_size: Mapped[int | None]
    caption: Mapped[str] = mapped_column(default="")
    added_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class WitnessStatement(IdMixin, Base):
    """A witness's account, signed by drawing; immutable once signed, corrected by amendments."""

    __tablename__ = "witness_statement"

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incident.id"), index=True)
    amends_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("witness_statement.id"))
    witness_name: Mapped[str]
    contact: Mapped[str] = mapped_column(default="")
    relation: Mapped[WitnessRelation] = enum_column(WitnessRelation)
    statement: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(default="")
    signature_sha256: Mapped[str | None] = mapped_column(String(64), doc="PNG of the drawn signature")
    signed_at: Mapped[dt.datetime | None]
    taken_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    taken_at: Mapped[dt.datetime]
