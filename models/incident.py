"""The incident (a filed report) with its times, place, priority, roles, amendments and updates."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, IdMixin, TimestampMixin, VersionMixin, enum_column, utcnow
from models.enums import (
    IncidentKind,
    IncidentRoleKind,
    IncidentStatus,
    Priority,
    ResolutionType,
    UpdateAudience,
)

if TYPE_CHECKING:
    from models.details import InjuryCase, NearMissDetails, OccurrenceDetails, OutageDetails
    from models.evidence import Attachment, WitnessStatement


class Incident(IdMixin, TimestampMixin, VersionMixin, Base):
    """One reported event; the id is made on the device that filed it."""

    __tablename__ = "incident"
    __table_args__ = (
        Index("ix_incident_area_occurred", "area_id", "occurred_at"),
        Index("ix_incident_asset_occurred", "asset_id", "occurred_at"),
    )

    ref: Mapped[str | None] = mapped_column(unique=True, doc="human reference given by the server")
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"), index=True)
    area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("site_area.id"))
    asset_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("asset.id"))
    kind: Mapped[IncidentKind] = enum_column(IncidentKind)
    title: Mapped[str]
    description: Mapped[str] = mapped_column(Text, default="")

    occurred_at: Mapped[dt.datetime]
    detected_at: Mapped[dt.datetime | None]
    device_recorded_at: Mapped[dt.datetime | None] = mapped_column(doc="the phone's clock: untrusted")
    server_received_at: Mapped[dt.datetime | None]
    acknowledged_at: Mapped[dt.datetime | None]
    resolved_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]

    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    location_accuracy_m: Mapped[float | None]
    location_text: Mapped[str] = mapped_column(default="")

    priority: Mapped[Priority | None] = enum_column(Priority, nullable=True)
    priority_reason: Mapped[str] = mapped_column(default="")
    status: Mapped[IncidentStatus] = enum_column(IncidentStatus, default=IncidentStatus.REPORTED)
    escalation_level: Mapped[int] = mapped_column(default=0)
    escalated_at: Mapped[dt.datetime | None]

    reporter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    resolution_type: Mapped[ResolutionType | None] = enum_column(ResolutionType, nullable=True)
    resolution_summary: Mapped[str] = mapped_column(Text, default="")
    service_restored: Mapped[bool] = mapped_column(default=False)
    affected_informed: Mapped[bool] = mapped_column(default=False)
    problem_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("problem.id"))
    change_request_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("change_request.id"))

    form_id: Mapped[str] = mapped_column(default="")
    form_version: Mapped[int] = mapped_column(default=0)
    form_values: Mapped[dict[str, Any]] = mapped_column(default=dict, doc="the form as filed")
    media_complete: Mapped[bool] = mapped_column(default=False)
    retracted_at: Mapped[dt.datetime | None]
    retraction_reason: Mapped[str] = mapped_column(default="")

    injury: Mapped[InjuryCase | None] = relationship(back_populates="incident")
    outage: Mapped[OutageDetails | None] = relationship()
    near_miss: Mapped[NearMissDetails | None] = relationship()
    occurrence: Mapped[OccurrenceDetails | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(order_by="Attachment.slot")
    statements: Mapped[list[WitnessStatement]] = relationship(order_by="WitnessStatement.taken_at")
    roles: Mapped[list[IncidentRole]] = relationship(order_by="IncidentRole.assigned_at")
    updates: Mapped[list[StatusUpdate]] = relationship(order_by="StatusUpdate.posted_at")


class IncidentRole(IdMixin, Base):
    """Who holds a role on an incident, from when to when; the open row is the current holder."""

    __tablename__ = "incident_role"

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incident.id"), index=True)
    role: Mapped[IncidentRoleKind] = enum_column(IncidentRoleKind)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    assigned_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    assigned_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None]


class Amendment(IdMixin, Base):
    """A correction to a filed report: reports are never edited in place."""

    __tablename__ = "amendment"

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incident.id"), index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    changes: Mapped[dict[str, Any]] = mapped_column(doc="field -> {old, new}")
    reason: Mapped[str] = mapped_column(default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class StatusUpdate(IdMixin, Base):
    """A status message to internal or external stakeholders."""

    __tablename__ = "status_update"

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incident.id"), index=True)
    audience: Mapped[UpdateAudience] = enum_column(UpdateAudience)
    template: Mapped[str] = mapped_column(default="")
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[IncidentStatus] = enum_column(IncidentStatus)
    posted_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    posted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    next_update_due_at: Mapped[dt.datetime | None]
