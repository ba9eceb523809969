"""Kind-specific details of an incident: the OSHA injury/illness case, outages, near misses, occurrences."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, IdMixin, enum_column
from models.enums import (
    CaseType,
    CustomerImpact,
    DayRangeKind,
    DetectionSource,
    IllnessType,
    InpatientPurpose,
    PotentialSeverity,
    PrivacyConcern,
    Sex,
)

if TYPE_CHECKING:
    from models.incident import Incident


class InjuryCase(Base):
    """Every OSHA Form 301 item plus the facts the recordability engine and JKKP 8 need."""

    __tablename__ = "injury_case"

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incident.id"), primary_key=True)
    case_number: Mapped[str | None] = mapped_column(doc="300 log column A, given by the server")
    case_type: Mapped[CaseType] = enum_column(CaseType, default=CaseType.INJURY)
    illness_type: Mapped[IllnessType | None] = enum_column(IllnessType, nullable=True)
    work_related: Mapped[bool] = mapped_column(default=True)

    employee_name: Mapped[str] = mapped_column(default="")  # 301 item 1
    employee_street: Mapped[str] = mapped_column(default="")  # item 2
    employee_city: Mapped[str] = mapped_column(default="")
    employee_state: Mapped[str] = mapped_column(default="")
    employee_zip: Mapped[str] = mapped_column(default="")
    date_of_birth: Mapped[dt.date | None]  # item 3
    date_hired: Mapped[dt.date | None]  # item 4
    sex: Mapped[Sex | None] = enum_column(Sex, nullable=True)  # item 5
    job_title: Mapped[str] = mapped_column(default="")  # 300 column C
    id_number: Mapped[str] = mapped_column(default="", doc="IC or passport number (JKKP 8)")
    citizenship: Mapped[str] = mapped_column(default="")
    employment_status: Mapped[str] = mapped_column(default="")
    physician: Mapped[str] = mapped_column(default="")  # item 6
    treatment_facility: Mapped[str] = mapped_column(default="")  # item 7
    emergency_room: Mapped[bool] = mapped_column(default=False)  # item 8
    time_began_work: Mapped[dt.time | None]  # item 12
    time_of_event: Mapped[dt.time | None]  # item 13
    time_unknown: Mapped[bool] = mapped_column(default=False)
    activity_before: Mapped[str] = mapped_column(Text, default="")  # item 14
    what_happened: Mapped[str] = mapped_column(Text, default="")  # item 15
    injury_description: Mapped[str] = mapped_column(Text, default="")  # item 16
    object_substance: Mapped[str] = mapped_column(Text, default="")  # item 17
    body_parts: Mapped[list[Any]] = mapped_column(default=list, doc="OIICS part-of-body codes")
    nature_codes: Mapped[list[Any]] = mapped_column(default=list, doc="OIICS nature codes")
    event_code: Mapped[str] = mapped_column(default="")
    source_code: Mapped[str] = mapped_column(default="")

    treatments: Mapped[list[Any]] = mapped_column(default=list, doc="treatment codes of the case file")
    medications: Mapped[list[Any]] = mapped_column(default=list, doc="[{name, dose_mg, prescription_only}]")
    lost_consciousness: Mapped[bool] = mapped_column(default=False)
    diagnoses: Mapped[list[Any]] = mapped_column(default=list)
    contaminated_sharps: Mapped[bool] = mapped_column(default=False)
    hearing: Mapped[dict[str, Any] | None] = mapped_column(doc="{standard_threshold_shift, hearing_level_db}")
    inpatient_date: Mapped[dt.date | None]  # item 9 when set
    inpatient_purpose: Mapped[InpatientPurpose | None] = enum_column(InpatientPurpose, nullable=True)
    amputation: Mapped[bool] = mapped_column(default=False)
    eye_loss: Mapped[bool] = mapped_column(default=False)
    public_road_motor_vehicle: Mapped[bool] = mapped_column(default=False)
    public_transport: Mapped[bool] = mapped_column(default=False)
    died_on: Mapped[dt.date | None]  # item 18
    privacy_concern: Mapped[PrivacyConcern | None] = enum_column(PrivacyConcern, nullable=True)
    permanent_disability: Mapped[bool] = mapped_column(default=False, doc="JKKP 8 outcome HUK")

    incident: Mapped[Incident] = relationship(back_populates="injury")
    day_ranges: Mapped[list[CaseDayRange]] = relationship(order_by="CaseDayRange.start")


class CaseDayRange(IdMixin, Base):
    """An inclusive range of days away or restricted; an open end means still ongoing."""

    __tablename__ = "case_day_range"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("injury_case.incident_id"), index=True)
    kind: Mapped[DayRangeKind] = enum_column(DayRangeKind)
    start: Mapped[dt.date]
    end: Mapped[dt.date | None]


class OutageDetails(Base):
    """An IT outage or security incident: services, impact, detection and regulatory category."""

    __tablename__ = "outage_details"

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incident.id"), primary_key=True)
    affected_services: Mapped[list[Any]] = mapped_column(default=list)
    started_at: Mapped[dt.datetime | None]
    ended_at: Mapped[dt.datetime | None]
    detection_source: Mapped[DetectionSource | None] = enum_column(DetectionSource, nullable=True)
    customer_impact: Mapped[CustomerImpact] = enum_column(CustomerImpact, default=CustomerImpact.NONE)
    impact_description: Mapped[str] = mapped_column(Text, default="")
    users_affected: Mapped[int | None]
    all_users_affected: Mapped[bool] = mapped_column(default=False)
    workaround_available: Mapped[bool] = mapped_column(default=False)
    regulatory_category: Mapped[str] = mapped_column(default="", doc="e.g. a CERT-In Annexure I type")
    personal_data_breach: Mapped[bool] = mapped_column(default=False)
    data_subjects_affected: Mapped[int | None]


class NearMissDetails(Base):
    """A near miss: the hazard, what could have happened and how bad it could have been."""

    __tablename__ = "near_miss_details"

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incident.id"), primary_key=True)
    hazard_type: Mapped[str] = mapped_column(default="")
    what_could_have_happened: Mapped[str] = mapped_column(Text, default="")
    potential_severity: Mapped[PotentialSeverity] = enum_column(
        PotentialSeverity, default=PotentialSeverity.LOW
    )
    immediate_action: Mapped[str] = mapped_column(Text, default="")


class OccurrenceDetails(Base):
    """A dangerous occurrence, property damage or environmental release."""

    __tablename__ = "occurrence_details"

    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incident.id"), primary_key=True)
    dosh_category: Mapped[str] = mapped_column(default="", doc="DOSH dangerous-occurrence category code")
    equipment: Mapped[str] = mapped_column(default="")
    damage_description: Mapped[str] = mapped_column(Text, default="")
    estimated_cost: Mapped[float | None]
    currency: Mapped[str] = mapped_column(default="")
    substance: Mapped[str] = mapped_column(default="")
    quantity: Mapped[float | None]
    unit: Mapped[str] = mapped_column(default="")
    release_medium: Mapped[str] = mapped_column(default="", doc="air, water or land")
    contained: Mapped[bool] = mapped_column(default=False)
    work_stopped_hours: Mapped[float | None]
