"""Investigations (5 Whys, contributing factors, root cause), merge conflicts, problems and changes."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdMixin, TimestampMixin, VersionMixin, enum_column, utcnow
from models.enums import ChangeStatus, ProblemStatus, RootCauseCategory

# Fields of an investigation that clients edit and that merge field by field.
INVESTIGATION_FIELDS = (
    "five_whys",
    "contributing_factors",
    "root_cause_category",
    "root_cause",
    "findings",
    "evidence",
    "lead_id",
)


class Investigation(IdMixin, TimestampMixin, VersionMixin, Base):
    """The blameless investigation of one incident."""

    __tablename__ = "investigation"

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incident.id"), unique=True)
    lead_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    five_whys: Mapped[list[Any]] = mapped_column(default=list, doc="up to five answers, in order")
    contributing_factors: Mapped[list[Any]] = mapped_column(default=list, doc="[{category, description}]")
    root_cause_category: Mapped[RootCauseCategory | None] = enum_column(
        RootCauseCategory, nullable=True, index=True
    )
    root_cause: Mapped[str] = mapped_column(Text, default="")
    findings: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[list[Any]] = mapped_column(default=list, doc="[{type: attachment|statement, id}]")


class InvestigationConflict(IdMixin, Base):
    """A field changed on two devices: the current value stayed, the incoming one waits for review."""

    __tablename__ = "investigation_conflict"

    investigation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("investigation.id"), index=True)
    field: Mapped[str]
    base_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    current_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    incoming_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    device_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("device.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[dt.datetime | None]
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    resolution: Mapped[str] = mapped_column(default="", doc="kept_current, took_incoming or edited")


class Problem(IdMixin, TimestampMixin, VersionMixin, Base):
    """A root cause shared by several incidents; incidents linked to it count as repeats."""

    __tablename__ = "problem"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"), index=True)
    title: Mapped[str]
    description: Mapped[str] = mapped_column(Text, default="")
    root_cause_category: Mapped[RootCauseCategory | None] = enum_column(RootCauseCategory, nullable=True)
    area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("site_area.id"))
    asset_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("asset.id"))
    status: Mapped[ProblemStatus] = enum_column(ProblemStatus, default=ProblemStatus.OPEN)


class ChangeRequest(IdMixin, TimestampMixin, VersionMixin, Base):
    """A planned change that makes a permanent fix."""

    __tablename__ = "change_request"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"), index=True)
    problem_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("problem.id"))
    title: Mapped[str]
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ChangeStatus] = enum_column(ChangeStatus, default=ChangeStatus.PROPOSED)
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    implemented_at: Mapped[dt.datetime | None]
