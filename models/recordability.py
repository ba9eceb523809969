"""OSHA 29 CFR 1904 recordability: turn one case file into its Form 300 entry and 1904.39 reporting duty."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from models.rules import Rule, default_rules, require

CASE_TYPES = ("injury", "illness")
ILLNESS_COLUMNS = {
    "skin_disorder": "skin_disorder",
    "respiratory_condition": "respiratory_condition",
    "poisoning": "poisoning",
    "hearing_loss": "hearing_loss",
    "other_illness": "all_other_illnesses",
}
PRIVACY_CONCERNS = (
    "intimate_body_part",
    "sexual_assault",
    "mental_illness",
    "hiv_hepatitis_tb",
    "contaminated_sharps",
    "employee_request",
)
ADMISSION_PURPOSES = ("treatment", "observation", "diagnostic")
CLASSIFICATIONS = ("death", "days_away", "restricted_or_transfer", "other_recordable", "not_recordable")
REPORT_TO_OSHA = ("8_hours", "24_hours", "none")

_FLAGS = (
    "lost_consciousness",
    "contaminated_sharps_injury",
    "amputation",
    "eye_loss",
    "public_road_motor_vehicle",
    "public_transport",
)
_FIRST_AID_LETTER = {
    "otc_medication_at_otc_strength": "A",
    "tetanus_immunization": "B",
    "wound_cleaning": "C",
    "wound_covering": "D",
    "hot_cold_therapy": "E",
    "non_rigid_support": "F",
    "temporary_immobilization_for_transport": "G",
    "drill_nail_or_drain_blister": "H",
    "eye_patch": "I",
    "eye_foreign_body_irrigation_or_swab": "J",
    "splinter_removal_simple": "K",
    "finger_guard": "L",
    "massage": "M",
    "fluids_for_heat_stress": "N",
}
_MEDICAL_CITE = {
    "sutures": "1904.7(b)(5)(ii)(D)",
    "staples": "1904.7(b)(5)(ii)(D)",
    "wound_closure_device": "1904.7(b)(5)(ii)(D)",
    "surgical_glue": "1904.7(b)(5)(ii)(D)",
    "rigid_splint_or_support": "1904.7(b)(5)(ii)(F)",
    "physical_therapy": "1904.7(b)(5)(ii)(M)",
    "chiropractic": "1904.7(b)(5)(ii)(M)",
    "immunization_other": "1904.7(b)(5)(ii)(B)",
    "eye_foreign_body_removal_by_instrument": "1904.7(b)(5)(ii)(J)",
    "oxygen": "1904.7(b)(5)(ii)",
}
_NOT_TREATMENT_CITE = {
    "observation": "1904.7(b)(5)(i)(A)",
    "counseling": "1904.7(b)(5)(i)(A)",
    "diagnostic_xray": "1904.7(b)(5)(i)(B)",
    "diagnostic_test": "1904.7(b)(5)(i)(B)",
}
_DOSE_RULES = {
    "ibuprofen": "osha.rx_ibuprofen_mg",
    "diphenhydramine": "osha.rx_diphenhydramine_mg",
    "naproxen": "osha.rx_naproxen_sodium_mg",
    "naproxen sodium": "osha.rx_naproxen_sodium_mg",
    "ketoprofen": "osha.rx_ketoprofen_mg",
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ONE_DAY = timedelta(days=1)


class CaseError(ValueError):
    """A case file is invalid; the message names the field, `code` is stable for programs."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid_case") -> None:
        super().__init__(message)
        self.field = field
        self.code = code


@dataclass(frozen=True)
class _Medication:
    """One medication given: its normalised name, single dose and whether it is prescription-only."""

    name: str
    dose_mg: float | None
    prescription_only: bool


@dataclass(frozen=True)
class _Case:
    """A validated case file with defaults filled in."""

    case_type: str
    illness_type: str | None
    work_related: bool
    incident_date: date
    as_of: date
    treatments: tuple[str, ...]
    medications: tuple[_Medication, ...]
    diagnoses: tuple[str, ...]
    sts: bool
    hearing_level_db: float | None
    days_away: tuple[tuple[date, date | None], ...]
    restrictions: tuple[tuple[date, date | None], ...]
    died_on: date | None
    admission_date: date | None
    admission_purpose: str | None
    privacy_concern: str | None
    flags: Mapping[str, bool]


def classify(case: Mapping[str, object], rules: Mapping[str, Rule] | None = None) -> dict[str, object]:
    """Classify one 1904 case file: recordable, log columns, day counts, privacy, 1904.39 duty, reasons.

    Only case_type, work_related and incident_date are required; other fields default to empty, false
    or null, and keys outside the case-file format are ignored. Thresholds, day cap, reporting windows
    and the treatment and diagnosis code lists come from `rules` (default: models.rules.default_rules()).
    Raises CaseError naming the field for invalid input, RuleError if `rules` lacks a needed rule.
    """
    rules = default_rules() if rules is None else rules
    parsed = _parse(case, rules)
    reasons: list[str] = []
    hearing_met = _hearing_met(parsed, rules, reasons)
    type_column = _type_column(parsed, hearing_met)
    if not parsed.work_related:
        reasons.append("1904.5: the case is not work-related, so it is neither recorded nor reported")
        return _result(False, "not_recordable", 0, 0, False, "none", type_column, reasons)

    days_away, days_restricted = _count_days(parsed, rules, reasons)
    criteria = _general_criteria(parsed, rules, reasons)
    if hearing_met:
        criteria.append("hearing")
    if parsed.flags["contaminated_sharps_injury"] or parsed.privacy_concern == "contaminated_sharps":
        reasons.append("1904.8(a): a cut or needlestick contaminated with another person's blood or OPIM")
        criteria.append("sharps")

    if parsed.died_on is not None:
        classification = "death"
    elif days_away:
        classification = "days_away"
    elif days_restricted:
        classification = "restricted_or_transfer"
    elif criteria:
        classification = "other_recordable"
    else:
        classification = "not_recordable"
        reasons.append("1904.7(a): none of the general or special recording criteria is met")
    recordable = classification != "not_recordable"
    privacy = recordable and _privacy_case(parsed, reasons)
    report = _report_to_osha(parsed, rules, reasons)
    return _result(
        recordable, classification, days_away, days_restricted, privacy, report, type_column, reasons
    )


def _result(recordable, classification, days_away, days_restricted, privacy, report, type_column, reasons):
    """Assemble the output dict in its documented key order."""
    return {
        "recordable": recordable,
        "classification": classification,
        "days_away": days_away,
        "days_restricted": days_restricted,
        "privacy_case": privacy,
        "report_to_osha": report,
        "type_column": type_column,
        "reasons": reasons,
    }


# --- the rules -------------------------------------------------------------------------------------


def _count_days(case: _Case, rules: Mapping[str, Rule], reasons: list[str]) -> tuple[int, int]:
    """Count calendar days away, then restricted days not already away, capped together (1904.7(b)(3)-(4))."""
    away = _calendar_days(case.days_away, case)
    restricted = _calendar_days(case.restrictions, case) - away
    cap = int(require(rules, "osha.day_count_cap").value)
    days_away = min(len(away), cap)
    days_restricted = min(len(restricted), cap - days_away)
    if not away and _injury_day_only(case.days_away, case.incident_date):
        reasons.append("1904.7(b)(3)(i): the day of injury or onset is not counted as a day away")
    if not away and not restricted and _injury_day_only(case.restrictions, case.incident_date):
        reasons.append(
            "1904.7(b)(4)(iv): a restriction only on the day of injury does not make it recordable"
        )
    if days_away:
        reasons.append(
            f"1904.7(b)(3): {days_away} calendar day(s) away from work, from the day after the injury"
        )
    if days_restricted:
        reasons.append(f"1904.7(b)(4): {days_restricted} calendar day(s) of job transfer or restriction")
    if len(away) + len(restricted) > cap:
        reasons.append(f"1904.7(b)(3)(vii), (b)(4)(x): days away and restricted capped at {cap} in total")
    return days_away, days_restricted


def _injury_day_only(ranges, incident_date: date) -> bool:
    """Tell whether some range covers just the day of injury or onset."""
    return any(start == incident_date and end == incident_date for start, end in ranges)


def _calendar_days(ranges, case: _Case) -> set[date]:
    """Return the dates in the ranges after the incident date, up to a death; open ranges end on as_of."""
    days: set[date] = set()
    for start, end in ranges:
        day = max(start, case.incident_date + _ONE_DAY)
        stop = case.as_of if end is None else end
        if case.died_on is not None:
            stop = min(stop, case.died_on)
        while day <= stop:
            days.add(day)
            day += _ONE_DAY
    return days


def _general_criteria(case: _Case, rules: Mapping[str, Rule], reasons: list[str]) -> list[str]:
    """Return the 1904.7 criteria the case meets (besides days), adding a reason for each finding."""
    criteria: list[str] = []
    if case.died_on is not None:
        reasons.append(f"1904.7(b)(2): the employee died on {case.died_on.isoformat()}")
        criteria.append("death")
    first_aid = set(require(rules, "osha.first_aid_codes").value)
    not_treatment = set(require(rules, "osha.not_treatment_codes").value)
    for code in dict.fromkeys(case.treatments):
        if code in first_aid:
            letter = _FIRST_AID_LETTER.get(code)
            cite = f"1904.7(b)(5)(ii)({letter})" if letter else "1904.7(b)(5)(ii)"
            reasons.append(f"{cite}: {code} is first aid")
        elif code in not_treatment:
            reasons.append(
                f"{_NOT_TREATMENT_CITE.get(code, '1904.7(b)(5)(i)')}: {code} is not medical treatment"
            )
        else:
            reasons.append(f"{_MEDICAL_CITE.get(code, '1904.7(b)(5)(i)')}: {code} is medical treatment")
            criteria.append("medical_treatment")
    for medication in case.medications:
        if _prescription_strength(medication, rules, reasons):
            criteria.append("medical_treatment")
    if case.flags["amputation"]:
        reasons.append("1904.7(b)(5)(i): an amputation implies medical treatment")
        criteria.append("medical_treatment")
    if case.flags["eye_loss"]:
        reasons.append(
            "1904.7(b)(5)(i): the loss of an eye implies medical treatment (removing an eye is surgery)"
        )
        criteria.append("medical_treatment")
    if case.admission_purpose == "treatment":
        reasons.append("1904.7(b)(5)(i): an in-patient admission for treatment implies medical treatment")
        criteria.append("medical_treatment")
    if case.flags["lost_consciousness"]:
        reasons.append("1904.7(b)(6): the employee lost consciousness")
        criteria.append("loss_of_consciousness")
    for diagnosis in dict.fromkeys(case.diagnoses):
        reasons.append(f"1904.7(b)(7): significant diagnosis by a PLHCP: {diagnosis}")
        criteria.append("significant_diagnosis")
    return criteria


def _prescription_strength(medication: _Medication, rules, reasons: list[str]) -> bool:
    """Tell whether a medication is medical treatment: prescription-only or a prescription-strength dose."""
    if medication.prescription_only:
        reasons.append(f"1904.7(b)(5)(ii)(A): {medication.name} is a prescription medication")
        return True
    rule_code = _DOSE_RULES.get(medication.name)
    if rule_code is None or medication.dose_mg is None:
        return False
    limit = require(rules, rule_code).value
    if medication.dose_mg > limit:
        reasons.append(
            f"1904.7(b)(5)(ii)(A), FAQ 7-8: {medication.name} {medication.dose_mg:g} mg is above the "
            f"{limit:g} mg non-prescription single dose"
        )
        return True
    reasons.append(
        f"1904.7(b)(5)(ii)(A): {medication.name} {medication.dose_mg:g} mg is non-prescription strength"
    )
    return False


def _hearing_met(case: _Case, rules, reasons: list[str]) -> bool:
    """Tell whether 1904.10 is met: a Standard Threshold Shift and a total hearing level at the threshold."""
    if not case.sts:
        return False
    threshold = require(rules, "osha.hearing_level_db").value
    if case.hearing_level_db is not None and case.hearing_level_db >= threshold:
        reasons.append(
            f"1904.10(a): Standard Threshold Shift with a total hearing level of "
            f"{case.hearing_level_db:g} dB (at least {threshold:g} dB)"
        )
        return True
    level = "unknown" if case.hearing_level_db is None else f"{case.hearing_level_db:g} dB"
    reasons.append(
        f"1904.10(a): Standard Threshold Shift but total hearing level {level}, under {threshold:g} dB"
    )
    return False


def _type_column(case: _Case, hearing_met: bool) -> str:
    """Return the Form 300 column M type: injury, one illness type, or hearing loss under 1904.10."""
    if hearing_met:
        return "hearing_loss"
    if case.case_type == "injury":
        return "injury"
    return ILLNESS_COLUMNS.get(case.illness_type or "other_illness", "all_other_illnesses")


def _privacy_case(case: _Case, reasons: list[str]) -> bool:
    """Tell whether 1904.29(b)(7) makes the case a privacy case, adding the reason."""
    if case.flags["contaminated_sharps_injury"] or case.privacy_concern == "contaminated_sharps":
        reasons.append("1904.29(b)(7)(v): privacy case (contaminated needlestick or sharps)")
        return True
    item = {
        "intimate_body_part": "i",
        "sexual_assault": "ii",
        "mental_illness": "iii",
        "hiv_hepatitis_tb": "iv",
    }.get(case.privacy_concern or "")
    if item:
        reasons.append(f"1904.29(b)(7)({item}): privacy case ({case.privacy_concern})")
        return True
    if case.privacy_concern == "employee_request":
        if case.case_type == "illness":
            reasons.append("1904.29(b)(7)(vi): privacy case (illness, at the employee's request)")
            return True
        reasons.append("1904.29(b)(7)(vi): an employee's request makes only an illness a privacy case")
    return False


def _report_to_osha(case: _Case, rules, reasons: list[str]) -> str:
    """Return the 1904.39 duty: '8_hours' (death), '24_hours' (admission, amputation, eye loss) or 'none'."""
    window_days = require(rules, "osha.fatality_window_days").value
    window = require(rules, "osha.severe_injury_window_hours").duration
    death = None
    if case.died_on is not None:
        after = (case.died_on - case.incident_date).days
        if after <= window_days:
            death = f"1904.39(a)(1): death {after} day(s) after the incident: report within 8 hours"
        else:
            reasons.append(
                f"1904.39(b)(6): death {after} days after the incident (over {window_days:g}) is not reported"
            )
    severe = []
    if case.admission_purpose is not None:
        after = case.admission_date - case.incident_date
        if case.admission_purpose != "treatment":
            reasons.append(f"1904.39(b)(9): an admission for {case.admission_purpose} only is not reported")
        elif after <= window:
            severe.append("in-patient admission for treatment")
        else:
            reasons.append(
                f"1904.39(b)(6): the admission {after.days} days after the incident is not reported"
            )
    if case.flags["amputation"]:
        severe.append("amputation")
    if case.flags["eye_loss"]:
        severe.append("loss of an eye")
    if not death and not severe:
        return "none"
    if case.flags["public_road_motor_vehicle"]:
        reasons.append(
            "1904.39(b)(3): a motor-vehicle accident on a public road is not reported (still recorded)"
        )
        return "none"
    if case.flags["public_transport"]:
        reasons.append("1904.39(b)(4): an accident on public transport is not reported (still recorded)")
        return "none"
    if death:
        reasons.append(death)
    if severe:
        reasons.append(
            f"1904.39(a)(2): {', '.join(severe)} within 24 hours of the incident: report within 24 hours"
        )
    return "8_hours" if death else "24_hours"


# --- parsing -----------------------------------------------------------------------------------------


def _parse(case: object, rules: Mapping[str, Rule]) -> _Case:
    """Validate a case file and fill in its defaults, raising CaseError naming the bad field."""
    if not isinstance(case, Mapping):
        raise CaseError("case: expected an object of fields", field="case", code="bad_type")
    case_type = _enum(_required(case, "case_type"), "case_type", CASE_TYPES)
    illness_type = _optional_enum(case.get("illness_type"), "illness_type", tuple(ILLNESS_COLUMNS))
    work_related = _bool(_required(case, "work_related"), "work_related")
    incident_date = _date(_required(case, "incident_date"), "incident_date")
    as_of = date.today() if case.get("as_of") is None else _date(case["as_of"], "as_of")
    if as_of < incident_date:
        raise CaseError(
            f"as_of: {as_of} is before incident_date {incident_date}", field="as_of", code="bad_range"
        )
    died_on = _later_date(case.get("died_on"), "died_on", incident_date)
    admission_date, admission_purpose = _admission(case.get("inpatient_admission"), incident_date)
    concern = _optional_enum(case.get("privacy_concern"), "privacy_concern", PRIVACY_CONCERNS)
    sts, level = _hearing(case.get("hearing"))
    return _Case(
        case_type=case_type,
        illness_type=illness_type,
        work_related=work_related,
        incident_date=incident_date,
        as_of=as_of,
        treatments=_treatments(case, rules),
        medications=tuple(
            _medication(item, f"medications[{i}]") for i, item in enumerate(_list(case, "medications"))
        ),
        diagnoses=tuple(
            _enum(
                item, f"diagnoses[{i}]", require(rules, "osha.significant_diagnoses").value, noun="diagnosis"
            )
            for i, item in enumerate(_list(case, "diagnoses"))
        ),
        sts=sts,
        hearing_level_db=level,
        days_away=_ranges(case, "days_away", incident_date),
        restrictions=_ranges(case, "restrictions", incident_date),
        died_on=died_on,
        admission_date=admission_date,
        admission_purpose=admission_purpose,
        privacy_concern=concern,
        flags={flag: _bool(case.get(flag, False), flag) for flag in _FLAGS},
    )


def _required(case: Mapping[str, object], field: str) -> object:
    """Return a required field's value, or raise CaseError if it is missing or null."""
    value = case.get(field)
    if value is None:
        raise CaseError(f"{field}: required field is missing", field=field, code="missing_field")
    return value


def _bool(value: object, field: str) -> bool:
    """Return a true/false field (null means false), rejecting anything else."""
    if value is None:
        return False
    if not isinstance(value, bool):
        raise CaseError(f"{field}: expected true or false, got {value!r}", field=field, code="bad_type")
    return value


def _enum(value: object, field: str, allowed, *, noun: str = "value") -> str:
    """Return value if it is one of allowed, else raise CaseError listing them."""
    if not isinstance(value, str) or value not in allowed:
        raise CaseError(
            f"{field}: unknown {noun} {value!r}; expected one of {', '.join(allowed)}",
            field=field,
            code="unknown_value",
        )
    return value


def _optional_enum(value: object, field: str, allowed) -> str | None:
    """Return None for null, else the checked enum value."""
    return None if value is None else _enum(value, field, allowed)


def _date(value: object, field: str) -> date:
    """Parse a YYYY-MM-DD date (a date object is accepted too)."""
    if isinstance(value, date):
        return value if type(value) is date else value.date()
    if isinstance(value, str) and _DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise CaseError(f"{field}: expected a date as YYYY-MM-DD, got {value!r}", field=field, code="bad_date")


def _later_date(value: object, field: str, incident_date: date) -> date | None:
    """Parse an optional date that cannot be before the incident date."""
    if value is None:
        return None
    parsed = _date(value, field)
    if parsed < incident_date:
        raise CaseError(
            f"{field}: {parsed} is before incident_date {incident_date}", field=field, code="bad_range"
        )
    return parsed


def _list(case: Mapping[str, object], field: str) -> list:
    """Return a list field (null means empty), rejecting anything that is not a list."""
    value = case.get(field)
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise CaseError(f"{field}: expected a list, got {value!r}", field=field, code="bad_type")
    return list(value)


def _object(value: object, field: str) -> Mapping[str, object]:
    """Return value if it is an object, else raise CaseError."""
    if not isinstance(value, Mapping):
        raise CaseError(f"{field}: expected an object, got {value!r}", field=field, code="bad_type")
    return value


def _treatments(case: Mapping[str, object], rules: Mapping[str, Rule]) -> tuple[str, ...]:
    """Return the treatment codes, each known to one of the three treatment lists of the rules table."""
    known = (
        set(require(rules, "osha.first_aid_codes").value)
        | set(require(rules, "osha.not_treatment_codes").value)
        | set(require(rules, "osha.medical_treatment_codes").value)
    )
    codes = _list(case, "treatments")
    for i, code in enumerate(codes):
        if not isinstance(code, str) or code not in known:
            raise CaseError(
                f"treatments[{i}]: unknown treatment code {code!r}",
                field=f"treatments[{i}]",
                code="unknown_treatment",
            )
    return tuple(codes)


def _medication(value: object, field: str) -> _Medication:
    """Validate one medication: a name, an optional single dose in mg, and the prescription-only flag."""
    item = _object(value, field)
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CaseError(f"{field}.name: required text", field=f"{field}.name", code="missing_field")
    dose = item.get("dose_mg")
    if dose is not None and (isinstance(dose, bool) or not isinstance(dose, int | float) or not dose >= 0):
        raise CaseError(
            f"{field}.dose_mg: expected a number of mg (0 or more), got {dose!r}",
            field=f"{field}.dose_mg",
            code="bad_type",
        )
    normalised = " ".join(re.split(r"[\s_-]+", name.strip().lower()))
    return _Medication(normalised, dose, _bool(item.get("prescription_only"), f"{field}.prescription_only"))


def _hearing(value: object) -> tuple[bool, float | None]:
    """Return (Standard Threshold Shift, total hearing level in dB) from the hearing object."""
    if value is None:
        return False, None
    item = _object(value, "hearing")
    sts = _bool(item.get("standard_threshold_shift"), "hearing.standard_threshold_shift")
    level = item.get("hearing_level_db")
    if level is not None and (isinstance(level, bool) or not isinstance(level, int | float)):
        raise CaseError(
            f"hearing.hearing_level_db: expected a number of dB, got {level!r}",
            field="hearing.hearing_level_db",
            code="bad_type",
        )
    return sts, level


def _admission(value: object, incident_date: date) -> tuple[date | None, str | None]:
    """Return (date, purpose) of an in-patient admission, or (None, None)."""
    if value is None:
        return None, None
    item = _object(value, "inpatient_admission")
    when = _later_date(
        _required_in(item, "inpatient_admission", "date"), "inpatient_admission.date", incident_date
    )
    purpose = _enum(
        _required_in(item, "inpatient_admission", "purpose"),
        "inpatient_admission.purpose",
        ADMISSION_PURPOSES,
    )
    return when, purpose


def _required_in(item: Mapping[str, object], parent: str, field: str) -> object:
    """Return a required field of a nested object, naming parent.field when missing."""
    value = item.get(field)
    if value is None:
        raise CaseError(
            f"{parent}.{field}: required field is missing", field=f"{parent}.{field}", code="missing_field"
        )
    return value


def _ranges(
    case: Mapping[str, object], field: str, incident_date: date
) -> tuple[tuple[date, date | None], ...]:
    """Validate inclusive date ranges; a null end is open (runs to as_of)."""
    out = []
    for i, value in enumerate(_list(case, field)):
        where = f"{field}[{i}]"
        item = _object(value, where)
        start = _later_date(_required_in(item, where, "start"), f"{where}.start", incident_date)
        end = None if item.get("end") is None else _date(item["end"], f"{where}.end")
        if end is not None and end < start:
            raise CaseError(
                f"{where}: end {end} is before start {start}", field=f"{where}.end", code="bad_range"
            )
        out.append((start, end))
    return tuple(out)
