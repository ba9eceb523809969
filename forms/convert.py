"""From a filed form to model rows, and from an injury form or a stored case to the OSHA case file."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from forms.errors import InvalidForm
from forms.injury import INJURY_FORM, NO_ADMISSION
from forms.near_miss import NEAR_MISS_FORM
from forms.occurrence import OCCURRENCE_FORM
from forms.outage import OUTAGE_FORM
from forms.quick import QUICK_FORM
from forms.registry import form_for, get
from forms.spec import clean, migrate, validate
from models import CaseDayRange, Incident, InjuryCase, NearMissDetails, OccurrenceDetails, OutageDetails
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

CASE_FILE_KEYS = (
    "case_type",
    "illness_type",
    "work_related",
    "incident_date",
    "as_of",
    "treatments",
    "medications",
    "lost_consciousness",
    "diagnoses",
    "contaminated_sharps_injury",
    "hearing",
    "days_away",
    "restrictions",
    "died_on",
    "inpatient_admission",
    "amputation",
    "eye_loss",
    "public_road_motor_vehicle",
    "public_transport",
    "privacy_concern",
)
"""The keys of the case file `models.recordability.classify` reads, in order."""

_INJURY_TEXTS = (
    "employee_name",
    "employee_street",
    "employee_city",
    "employee_state",
    "employee_zip",
    "job_title",
    "id_number",
    "citizenship",
    "employment_status",
    "physician",
    "treatment_facility",
    "activity_before",
    "what_happened",
    "injury_description",
    "object_substance",
)
_INJURY_FLAGS = (
    "emergency_room",
    "lost_consciousness",
    "amputation",
    "eye_loss",
    "public_road_motor_vehicle",
    "public_transport",
    "permanent_disability",
)


def build_incident(
    form_id: str,
    values: Mapping[str, Any],
    *,
    incident_id: uuid.UUID | str,
    site_id: uuid.UUID | str,
    reporter_id: uuid.UUID | str,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Incident:
    """Validate a filed form and return a new Incident with its detail row attached (not added to a session).

    `version` is the form version the values were saved with (upgraded first when older); `now` is the
    clock for the future-date checks. Raises InvalidForm (with the field errors), UnknownForm or
    UnknownFormVersion. A quick report gets the detail row of its kind with what the quick form knows.
    Photos stay in `form_values`: attachment rows come from the upload manifest, not from the form.
    """
    spec = get(form_id)
    if version is not None:
        _, values = migrate(spec, version, values)
    errors = validate(spec, values, now=now)
    if errors:
        raise InvalidForm(spec.id, errors)
    filed = clean(spec, values)
    kind = spec.kind_of(filed)
    location = filed.get("location") or {}
    incident = Incident(
        id=_uuid(incident_id),
        site_id=_uuid(site_id),
        reporter_id=_uuid(reporter_id),
        kind=kind,
        title=filed["title"],
        description=filed.get("description", ""),
        occurred_at=_instant(filed["occurred_at"]),
        area_id=_uuid(filed.get("area_id")),
        asset_id=_uuid(filed.get("asset_id")),
        latitude=location.get("latitude"),
        longitude=location.get("longitude"),
        location_accuracy_m=location.get("accuracy_m"),
        location_text=filed.get("location_text", ""),
        form_id=spec.id,
        form_version=spec.version,
        form_values=filed,
    )
    full_id, draft = promote_quick(filed) if spec is QUICK_FORM else (spec.id, filed)
    _ATTACH[full_id](incident, clean(get(full_id), draft))
    return incident


def promote_quick(values: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Turn quick-report values into a draft of the detailed form for their kind: (form_id, values).

    The common fields keep their names; the quick `kind` becomes the detailed form's kind selector.
    """
    kind = values.get("kind")
    spec = form_for(kind if isinstance(kind, str) else "")
    draft = {name: value for name, value in values.items() if name != "kind"}
    if spec.kind_field is not None:
        draft[spec.kind_field] = str(kind)
    return spec.id, draft


def _attach_injury(incident: Incident, v: Mapping[str, Any]) -> None:
    """Attach the InjuryCase (and its day ranges) of an injury/illness form."""
    occurred = _instant(v["occurred_at"])
    time_unknown = v.get("time_unknown", False)
    time_of_event = None if time_unknown else _time(v.get("time_of_event")) or occurred.time()
    purpose = v.get("inpatient", NO_ADMISSION)
    case = InjuryCase(
        case_type=CaseType(v.get("case_type", incident.kind.value)),
        illness_type=_enum(IllnessType, v.get("illness_type")),
        work_related=v.get("work_related", True),
        date_of_birth=_date(v.get("date_of_birth")),
        date_hired=_date(v.get("date_hired")),
        sex=_enum(Sex, v.get("sex")),
        time_began_work=_time(v.get("time_began_work")),
        time_of_event=time_of_event,
        time_unknown=time_unknown,
        body_parts=list(v.get("body_parts", [])),
        nature_codes=list(v.get("nature", [])),
        treatments=list(v.get("treatments", [])),
        medications=[dict(m) for m in v.get("medications", [])],
        diagnoses=list(v.get("diagnoses", [])),
        contaminated_sharps=v.get("contaminated_sharps_injury", False),
        hearing=_hearing(v),
        inpatient_purpose=None if purpose == NO_ADMISSION else InpatientPurpose(purpose),
        inpatient_date=None if purpose == NO_ADMISSION else _date(v.get("inpatient_date")),
        died_on=_date(v.get("date_of_death")),
        privacy_concern=_enum(PrivacyConcern, v.get("privacy_concern")),
        **{name: v.get(name, "") for name in _INJURY_TEXTS},
        **{name: v.get(name, False) for name in _INJURY_FLAGS},
    )
    case.day_ranges = [
        CaseDayRange(kind=kind, start=_date(r["start"]), end=_date(r["end"]))
        for kind, name in ((DayRangeKind.AWAY, "days_away"), (DayRangeKind.RESTRICTED, "restrictions"))
        for r in v.get(name, [])
    ]
    incident.injury = case


def _attach_near_miss(incident: Incident, v: Mapping[str, Any]) -> None:
    """Attach the NearMissDetails; a quick report without a severity starts at low."""
    incident.near_miss = NearMissDetails(
        hazard_type=v.get("hazard_type", ""),
        what_could_have_happened=v.get("what_could_have_happened", ""),
        potential_severity=PotentialSeverity(v.get("potential_severity", PotentialSeverity.LOW.value)),
        immediate_action=v.get("immediate_action", ""),
    )


def _attach_outage(incident: Incident, v: Mapping[str, Any]) -> None:
    """Attach the OutageDetails and set when the incident was detected; the start defaults to occurred_at."""
    incident.detected_at = _instant(v.get("detected_at"))
    incident.outage = OutageDetails(
        affected_services=list(v.get("affected_services", [])),
        started_at=_instant(v.get("started_at") or v["occurred_at"]),
        ended_at=_instant(v.get("ended_at")),
        detection_source=_enum(DetectionSource, v.get("detection_source")),
        customer_impact=CustomerImpact(v.get("customer_impact", CustomerImpact.NONE.value)),
        impact_description=v.get("impact_description", ""),
        users_affected=v.get("users_affected"),
        all_users_affected=v.get("all_users_affected", False),
        workaround_available=v.get("workaround_available", False),
        regulatory_category=v.get("regulatory_category", ""),
        personal_data_breach=v.get("personal_data_breach", False),
        data_subjects_affected=v.get("data_subjects_affected"),
    )


def _attach_occurrence(incident: Incident, v: Mapping[str, Any]) -> None:
    """Attach the OccurrenceDetails of a dangerous occurrence, property damage or environmental release."""
    incident.occurrence = OccurrenceDetails(
        dosh_category=v.get("dosh_category", ""),
        equipment=v.get("equipment", ""),
        damage_description=v.get("damage_description", ""),
        estimated_cost=v.get("estimated_cost"),
        currency=v.get("currency", ""),
        substance=v.get("substance", ""),
        quantity=v.get("quantity"),
        unit=v.get("unit", ""),
        release_medium=v.get("release_medium", ""),
        contained=v.get("contained", False),
        work_stopped_hours=v.get("work_stopped_hours"),
    )


_ATTACH = {
    INJURY_FORM.id: _attach_injury,
    NEAR_MISS_FORM.id: _attach_near_miss,
    OUTAGE_FORM.id: _attach_outage,
    OCCURRENCE_FORM.id: _attach_occurrence,
}


def case_file(values: Mapping[str, Any], *, as_of: dt.date | None = None) -> dict[str, Any]:
    """Return the OSHA case file of injury-form values (a draft will do) for models.recordability.classify.

    Dates are "YYYY-MM-DD"; the incident date is occurred_at's date on the reporter's own clock.
    Hidden answers (an illness type on an injury, a date of death without `died`) are left out.
    """
    v = clean(INJURY_FORM, values)
    purpose = v.get("inpatient", NO_ADMISSION)
    occurred = _instant(v.get("occurred_at"))
    return _case(
        case_type=v.get("case_type", CaseType.INJURY.value),
        illness_type=v.get("illness_type"),
        work_related=v.get("work_related", True),
        incident_date=occurred.date().isoformat() if occurred else None,
        as_of=as_of,
        treatments=list(v.get("treatments", [])),
        medications=[dict(m) for m in v.get("medications", [])],
        lost_consciousness=v.get("lost_consciousness", False),
        diagnoses=list(v.get("diagnoses", [])),
        contaminated_sharps_injury=v.get("contaminated_sharps_injury", False),
        hearing=_hearing(v),
        days_away=[dict(r) for r in v.get("days_away", [])],
        restrictions=[dict(r) for r in v.get("restrictions", [])],
        died_on=v.get("date_of_death"),
        inpatient_admission=None
        if purpose == NO_ADMISSION
        else {"date": v.get("inpatient_date"), "purpose": purpose},
        amputation=v.get("amputation", False),
        eye_loss=v.get("eye_loss", False),
        public_road_motor_vehicle=v.get("public_road_motor_vehicle", False),
        public_transport=v.get("public_transport", False),
        privacy_concern=v.get("privacy_concern"),
    )


def case_file_from_model(
    case: InjuryCase,
    incident: Incident,
    *,
    as_of: dt.date | None = None,
    tz: dt.tzinfo | None = None,
) -> dict[str, Any]:
    """Return the OSHA case file of a stored case.

    The incident date is taken on the reporter's clock when the filed form still records that instant,
    otherwise in `tz` (the site's zone; UTC when not given).
    """
    ranges: dict[DayRangeKind, list[dict[str, str | None]]] = {
        DayRangeKind.AWAY: [],
        DayRangeKind.RESTRICTED: [],
    }
    for r in sorted(case.day_ranges, key=lambda r: r.start):
        ranges[DayRangeKind(r.kind)].append({"start": r.start.isoformat(), "end": _iso(r.end)})
    hearing = case.hearing
    return _case(
        case_type=CaseType(case.case_type or CaseType.INJURY).value,
        illness_type=_value(case.illness_type),
        work_related=bool(case.work_related if case.work_related is not None else True),
        incident_date=_local_date(incident, tz).isoformat(),
        as_of=as_of,
        treatments=list(case.treatments or []),
        medications=[dict(m) for m in case.medications or []],
        lost_consciousness=bool(case.lost_consciousness),
        diagnoses=list(case.diagnoses or []),
        contaminated_sharps_injury=bool(case.contaminated_sharps),
        hearing=None
        if hearing is None
        else {
            "standard_threshold_shift": bool(hearing.get("standard_threshold_shift")),
            "hearing_level_db": hearing.get("hearing_level_db"),
        },
        days_away=ranges[DayRangeKind.AWAY],
        restrictions=ranges[DayRangeKind.RESTRICTED],
        died_on=_iso(case.died_on),
        inpatient_admission=None
        if case.inpatient_purpose is None
        else {"date": _iso(case.inpatient_date), "purpose": _value(case.inpatient_purpose)},
        amputation=bool(case.amputation),
        eye_loss=bool(case.eye_loss),
        public_road_motor_vehicle=bool(case.public_road_motor_vehicle),
        public_transport=bool(case.public_transport),
        privacy_concern=_value(case.privacy_concern),
    )


def _case(*, as_of: dt.date | None, **fields: Any) -> dict[str, Any]:
    """Assemble a case file in its documented key order."""
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    fields["as_of"] = _iso(as_of)
    return {name: fields[name] for name in CASE_FILE_KEYS}


def _hearing(v: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return the hearing facts of a hearing-loss illness, None for every other case."""
    if v.get("illness_type") != IllnessType.HEARING_LOSS.value:
        return None
    return {
        "standard_threshold_shift": v.get("standard_threshold_shift", False),
        "hearing_level_db": v.get("hearing_level_db"),
    }


def _local_date(incident: Incident, tz: dt.tzinfo | None) -> dt.date:
    """Return the incident date on the reporter's clock if the form has it, else in `tz` (default UTC)."""
    filed = (incident.form_values or {}).get("occurred_at")
    if isinstance(filed, str):
        try:
            local = dt.datetime.fromisoformat(filed)
        except ValueError:
            local = None
        if local is not None and local.tzinfo is not None and local == incident.occurred_at:
            return local.date()
    return incident.occurred_at.astimezone(tz or dt.UTC).date()


def _uuid(value: uuid.UUID | str | None) -> uuid.UUID | None:
    """Return a UUID from a UUID or its text; None stays None."""
    if value is None:
        return None
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _instant(value: str | None) -> dt.datetime | None:
    """Parse a normalised ISO date-time (always with an offset after validation)."""
    return dt.datetime.fromisoformat(value) if value else None


def _date(value: str | None) -> dt.date | None:
    """Parse a normalised ISO date."""
    return dt.date.fromisoformat(value) if value else None


def _time(value: str | None) -> dt.time | None:
    """Parse a normalised ISO time of day."""
    return dt.time.fromisoformat(value) if value else None


def _iso(value: dt.date | None) -> str | None:
    """Format a date as ISO text; None stays None."""
    return value.isoformat() if value is not None else None


def _enum(enum: type, value: str | None) -> Any:
    """Return the enum member for a code, None when there is no code."""
    return enum(value) if value else None


def _value(member: Any) -> str | None:
    """Return an enum member's stored value (or the plain string a fresh row still holds), or None."""
    if member is None:
        return None
    return member.value if hasattr(member, "value") else str(member)
