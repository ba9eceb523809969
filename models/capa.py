"""Corrective and preventive actions, their effectiveness checks, and sign-offs."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, IdMixin, TimestampMixin, VersionMixin, enum_column, utcnow
from models.enums import CapaStatus, CapaType, ControlLevel, Role


class CorrectiveAction(IdMixin, TimestampMixin, VersionMixin, Base):
    """One CAPA with an owner and a due date; its states are guarded by models.workflow."""

    __tablename__ = "corrective_action"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"), index=True)
    incident_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("incident.id"), index=True)
    problem_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("problem.id"))
    review_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("post_incident_review.id"))
    change_request_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("change_request.id"))
    type: Mapped[CapaType] = enum_column(CapaType, default=CapaType.CORRECTIVE)
    control_level: Mapped[ControlLevel] = enum_column(ControlLevel)
    title: Mapped[str]
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    due_on: Mapped[dt.date]
    status: Mapped[CapaStatus] = enum_column(CapaStatus, default=CapaStatus.OPEN)
    evidence: Mapped[list[Any]] = mapped_column(default=list, doc="[{note} or {sha256}] shown when done")
    done_at: Mapped[dt.datetime | None]
    verified_at: Mapped[dt.datetime | None]
    sent_back_reason: Mapped[str] = mapped_column(default="")
    cancelled_reason: Mapped[str] = mapped_column(default="")
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))


class EffectivenessCheck(IdMixin, Base):
    """A scheduled look, days after verification, at whether a CAPA actually worked."""

    __tablename__ = "effectiveness_check"

    action_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("corrective_action.id"), index=True)
    days_after: Mapped[int]
    due_on: Mapped[dt.date]
    done_at: Mapped[dt.datetime | None]
    effective: Mapped[bool | None]
    notes: Mapped[str] = mapped_column(Text, default="")
    checked_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))


class SignOff(IdMixin, Base):
    """A signature on a record: who, in what role, when, the drawn mark, and the hash of what was signed."""

    __tablename__ = "sign_off"

    subject: Mapped[str] = mapped_column(doc="table name of the signed record")
    subject_id: Mapped[uuid.UUID] = mapped_column(index=True)
    meaning: Mapped[str] = mapped_column(doc="e.g. 'verified', 'sent_back', 'cancelled'")
    signer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    signer_name: Mapped[str]
    signer_role: Mapped[Role] = enum_column(Role)
    signature_sha256: Mapped[str | None] = mapped_column(String(64))
    content_sha256: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
