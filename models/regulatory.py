"""Per-site adjustments of the rules table, and the notification clocks running for incidents."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdMixin, utcnow


class RuleOverride(IdMixin, Base):
    """A site's change to one rule of models.rules (a corrected [R] fact is data, not code)."""

    __tablename__ = "rule_override"
    __table_args__ = (
        UniqueConstraint("site_id", "rule_code"),
        # NULLs are distinct in a unique constraint: one override per rule for every site needs its own index.
        Index(
            "uq_rule_override_every_site",
            "rule_code",
            unique=True,
            sqlite_where=text("site_id IS NULL"),
            postgresql_where=text("site_id IS NULL"),
        ),
    )

    site_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("site.id"))
    rule_code: Mapped[str]
    values: Mapped[dict[str, Any]]
    note: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RegulatoryClock(IdMixin, Base):
    """An obligation to notify an authority by a due time, and how it was met."""

    __tablename__ = "regulatory_clock"
    __table_args__ = (UniqueConstraint("incident_id", "rule_code"),)

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incident.id"), index=True)
    rule_code: Mapped[str]
    authority: Mapped[str]
    title: Mapped[str]
    started_at: Mapped[dt.datetime] = mapped_column(doc="when the organisation learnt of it")
    due_at: Mapped[dt.datetime]
    met_at: Mapped[dt.datetime | None]
    met_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    method: Mapped[str] = mapped_column(default="", doc="phone, online form, e-mail, letter")
    reference_number: Mapped[str] = mapped_column(default="")
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(doc="facts changed: no longer owed")
