"""Establishments (sites), their yearly employment figures, areas and assets."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, IdMixin, TimestampMixin, VersionMixin


class Site(IdMixin, TimestampMixin, VersionMixin, Base):
    """One establishment: the unit OSHA logs and DOSH registers are kept for."""

    __tablename__ = "site"

    code: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    company_name: Mapped[str] = mapped_column(default="")
    street: Mapped[str] = mapped_column(default="")
    city: Mapped[str] = mapped_column(default="")
    state: Mapped[str] = mapped_column(default="")
    postal_code: Mapped[str] = mapped_column(default="")
    country: Mapped[str] = mapped_column(default="US", doc="ISO 3166-1 alpha-2")
    jurisdiction: Mapped[str] = mapped_column(default="US", doc="rules-table jurisdiction, e.g. US, MY, IN")
    naics_code: Mapped[str] = mapped_column(default="")
    industry_description: Mapped[str] = mapped_column(default="")
    ein: Mapped[str] = mapped_column(default="")
    establishment_type: Mapped[int] = mapped_column(default=1, doc="ITA: 1 private, 2 state, 3 local gov")
    timezone: Mapped[str] = mapped_column(default="UTC", doc="IANA zone name")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict, doc="per-site overrides (targets, rules)")

    areas: Mapped[list[SiteArea]] = relationship(back_populates="site", order_by="SiteArea.name")
    years: Mapped[list[SiteYear]] = relationship(back_populates="site", order_by="SiteYear.year")


class SiteYear(IdMixin, Base):
    """Employment figures of one site for one calendar year (Form 300A, rates)."""

    __tablename__ = "site_year"
    __table_args__ = (UniqueConstraint("site_id", "year"),)

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    year: Mapped[int]
    annual_average_employees: Mapped[int] = mapped_column(default=0)
    total_hours_worked: Mapped[int] = mapped_column(default=0)

    site: Mapped[Site] = relationship(back_populates="years")


class SiteArea(IdMixin, VersionMixin, Base):
    """A named place inside a site (a hall, a bay, a server room) with coordinates."""

    __tablename__ = "site_area"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"), index=True)
    name: Mapped[str]
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    radius_m: Mapped[float | None]

    site: Mapped[Site] = relationship(back_populates="areas")


class Asset(IdMixin, VersionMixin, Base):
    """A machine, vehicle or IT service that incidents can be linked to."""

    __tablename__ = "asset"

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"), index=True)
    area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("site_area.id"))
    name: Mapped[str]
    tag: Mapped[str] = mapped_column(default="")
