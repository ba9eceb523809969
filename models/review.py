"""Blameless post-incident reviews and their action items."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, IdMixin, TimestampMixin, VersionMixin


class PostIncidentReview(IdMixin, TimestampMixin, VersionMixin, Base):
    """The five blameless questions, due within 72 hours for P1 and P2."""

    __tablename__ = "post_incident_review"

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incident.id"), unique=True)
    due_at: Mapped[dt.datetime | None]
    scheduled_for: Mapped[dt.datetime | None]
    facilitator_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    what_happened: Mapped[str] = mapped_column(Text, default="", doc="what happened and the impact")
    root_cause: Mapped[str] = mapped_column(Text, default="")
    detection: Mapped[str] = mapped_column(Text, default="", doc="how detected, how it could be faster")
    went_well: Mapped[str] = mapped_column(Text, default="", doc="what went well and what slowed us")
    completed_at: Mapped[dt.datetime | None]

    actions: Mapped[list[ReviewAction]] = relationship(order_by="ReviewAction.due_on")


class ReviewAction(IdMixin, Base):
    """An action agreed in a review; it becomes a CAPA."""

    __tablename__ = "review_action"

    review_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("post_incident_review.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    due_on: Mapped[dt.date]
    action_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("corrective_action.id"))
