"""People, their per-site roles, bearer tokens and registered devices."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, IdMixin, TimestampMixin, VersionMixin, enum_column, utcnow
from models.enums import Role


class User(IdMixin, TimestampMixin, VersionMixin, Base):
    """A person who signs in: worker, officer, supervisor, manager or admin."""

    __tablename__ = "user_account"

    username: Mapped[str] = mapped_column(unique=True)
    display_name: Mapped[str]
    email: Mapped[str] = mapped_column(default="")
    phone: Mapped[str] = mapped_column(default="")
    job_title: Mapped[str] = mapped_column(default="")
    language: Mapped[str] = mapped_column(default="en")
    password_hash: Mapped[str | None] = mapped_column(doc="scrypt; None on phones, which never hold it")
    active: Mapped[bool] = mapped_column(default=True)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")


class Membership(IdMixin, Base):
    """A role held by a user at a site; a null site means every site (admins, group managers)."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "site_id", "role"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("site.id"))
    role: Mapped[Role] = enum_column(Role)

    user: Mapped[User] = relationship(back_populates="memberships")


class ApiToken(IdMixin, Base):
    """A bearer token, stored only as its sha256; a device token acts as its user."""

    __tablename__ = "api_token"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    device_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("device.id"))
    token_sha256: Mapped[str] = mapped_column(unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class Device(IdMixin, Base):
    """An app install registered for sync; `last_seq` is its gap-free mutation watermark."""

    __tablename__ = "device"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(default="")
    platform: Mapped[str] = mapped_column(default="")
    app_version: Mapped[str] = mapped_column(default="")
    last_seq: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime | None]
