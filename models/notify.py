"""Where notifications go per site and role, and the log of what was sent."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdMixin, enum_column, utcnow
from models.enums import ChannelKind, Role


class NotificationRoute(IdMixin, Base):
    """Deliver a site's events for a role by e-mail or webhook."""

    __tablename__ = "notification_route"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"), index=True)
    role: Mapped[Role] = enum_column(Role)
    channel: Mapped[ChannelKind] = enum_column(ChannelKind)
    target: Mapped[str] = mapped_column(doc="an e-mail address or a webhook URL")
    events: Mapped[list[Any]] = mapped_column(default=list, doc="event names; empty means all")
    active: Mapped[bool] = mapped_column(default=True)


class NotificationLog(IdMixin, Base):
    """A notification sent (or that failed); `key` makes each one go out at most once."""

    __tablename__ = "notification_log"

    key: Mapped[str] = mapped_column(unique=True)
    channel: Mapped[ChannelKind] = enum_column(ChannelKind)
    target: Mapped[str]
    subject: Mapped[str]
    body: Mapped[str] = mapped_column(Text)
    incident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("incident.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(default="")
