"""OSHA ITA electronic submission files: the 300A summary CSV (28 columns) and the 300/301 case CSV
(24 columns), with the headers and codes of shared/reference/regulatory/ita.md, validated before writing.

Choices where the reference is unresolved [R]: dates MM/DD/YYYY, times HH:MM (24 h), the treatment and
time-unknown flags 1/0, sex M/F (blank when not recorded). ITA rejects some special characters
( ( ) ~ @ # $ % ^ & * ? / \\ ! ), so they are replaced by spaces in text fields.
"""

from __future__ import annotations

import csv
import io
import re

from reports.osha_data import OshaCase, OshaLog, totals

SUMMARY_COLUMNS = (
    "establishment_name",
    "ein",
    "company_name",
    "street_address",
    "city",
    "state",
    "zip",
    "naics_code",
    "industry_description",
    "size",
    "establishment_type",
    "year_filing_for",
    "annual_average_employees",
    "total_hours_worked",
    "no_injuries_illnesses",
    "total_deaths",
    "total_dafw_cases",
    "total_djtr_cases",
    "total_other_cases",
    "total_dafw_days",
    "total_djtr_days",
    "total_injuries",
    "total_skin_disorders",
    "total_respiratory_conditions",
    "total_poisonings",
    "total_hearing_loss",
    "total_other_illnesses",
    "change_reason",
)
CASE_COLUMNS = (
    "establishment_name",
    "year_of_filing",
    "case_number",
    "job_title",
    "date_of_incident",
    "incident_location",
    "incident_description",
    "incident_outcome",
    "dafw_num_away",
    "djtr_num_tr",
    "type_of_incident",
    "date_of_birth",
    "date_of_hire",
    "sex",
    "treatment_facility_type",
    "treatment_in_patient",
    "time_started_work",
    "time_of_incident",
    "time_unknown",
    "nar_before_incident",
    "nar_what_happened",
    "nar_injury_illness",
    "nar_object_substance",
    "date_of_death",
)
OUTCOME_CODES = {"death": 1, "days_away": 2, "restricted_or_transfer": 3, "other_recordable": 4}
TYPE_CODES = {
    "injury": 1,
    "skin_disorder": 2,
    "respiratory_condition": 3,
    "poisoning": 4,
    "hearing_loss": 5,
    "all_other_illnesses": 6,
}
ESTABLISHMENT_TYPES = {
    1: "not a government entity",
    2: "State Government entity",
    3: "Local Government entity",
}
MAX_DAYS = 180
_SPECIAL = re.compile(r"[()~@#$%^&*?/\\!]")


class ItaError(ValueError):
    """The data cannot be written as an ITA file; `problems` lists every missing or invalid field."""

    code = "ita_invalid"

    def __init__(self, what: str, problems: list[str]) -> None:
        super().__init__(f"cannot write the ITA {what} file: " + "; ".join(problems))
        self.problems = problems


def size_code(employees: int) -> int:
    """Return the ITA size code of an establishment: 1 (<20), 21 (20-99), 22 (100-249), 3 (250+)."""
    if employees < 20:
        return 1
    if employees < 100:
        return 21
    if employees < 250:
        return 22
    return 3


def summary_problems(log: OshaLog) -> list[str]:
    """Return what is missing or invalid for the 300A summary file (empty when it can be written)."""
    e = log.establishment
    problems = _required(
        ("establishment_name", e.name, 100),
        ("company_name", e.company_name, 100),
        ("street_address", e.street, 100),
        ("city", e.city, 100),
    )
    if not re.fullmatch(r"[A-Z]{2}", e.state.strip()):
        problems.append(f"state: expected a 2-letter postal code such as TX, got {e.state!r}")
    if not re.fullmatch(r"\d{5}|\d{9}", _digits(e.postal_code)):
        problems.append(f"zip: expected 5 or 9 digits, got {e.postal_code!r}")
    if not re.fullmatch(r"\d{6}", e.naics_code.strip()):
        problems.append(f"naics_code: expected a 6-digit NAICS code, got {e.naics_code!r}")
    if not re.fullmatch(r"\d{9}", _digits(e.ein)):
        problems.append(f"ein: expected the 9-digit employer identification number, got {e.ein!r}")
    if len(e.industry_description) > 300:
        problems.append("industry_description: longer than 300 characters")
    if e.establishment_type not in ESTABLISHMENT_TYPES:
        problems.append(f"establishment_type: expected 1, 2 or 3, got {e.establishment_type!r}")
    if not e.annual_average_employees or e.annual_average_employees < 1:
        problems.append(
            f"annual_average_employees: enter the {log.year} annual average number of employees "
            "(needed for the size code too)"
        )
    if not e.total_hours_worked or e.total_hours_worked < 1:
        problems.append(f"total_hours_worked: enter the total hours worked by all employees in {log.year}")
    return problems


def case_problems(log: OshaLog) -> list[str]:
    """Return what is missing or invalid for the case file (empty when it can be written)."""
    problems = _required(("establishment_name", log.establishment.name, 100))
    for case in log.cases:
        where = f"case {case.case_number or case.incident_ref}"
        if not case.case_number.strip():
            problems.append(f"{where}: case_number is missing")
        if not case.job_title.strip():
            problems.append(f"{where}: job_title is missing")
        if case.incident_date.year != log.year:
            problems.append(f"{where}: date_of_incident {case.incident_date} is not in {log.year}")
        if case.outcome not in OUTCOME_CODES:
            problems.append(f"{where}: incident_outcome {case.outcome!r} is not a recordable outcome")
        if case.type_column not in TYPE_CODES:
            problems.append(f"{where}: type_of_incident {case.type_column!r} is unknown")
        for name, days in (("dafw_num_away", case.days_away), ("djtr_num_tr", case.days_restricted)):
            if not 0 <= days <= MAX_DAYS:
                problems.append(f"{where}: {name} {days} is outside 0-{MAX_DAYS}")
        if case.outcome == "death" and case.died_on is None:
            problems.append(f"{where}: date_of_death is missing for a death")
    return problems


def summary_csv(log: OshaLog) -> str:
    """Return the 300A summary file: the header and one row for the establishment (raises ItaError)."""
    problems = summary_problems(log)
    if problems:
        raise ItaError("300A summary", problems)
    e = log.establishment
    total = totals(log.cases)
    row = [
        _text(e.name),
        _digits(e.ein),
        _text(e.company_name),
        _text(e.street),
        _text(e.city),
        e.state.strip(),
        _digits(e.postal_code),
        e.naics_code.strip(),
        _text(e.industry_description),
        size_code(e.annual_average_employees or 0),
        e.establishment_type,
        log.year,
        e.annual_average_employees,
        e.total_hours_worked,
        1 if total.cases else 2,
        total.deaths,
        total.days_away_cases,
        total.restricted_cases,
        total.other_cases,
        total.days_away,
        total.days_restricted,
        total.injuries,
        total.skin_disorders,
        total.respiratory_conditions,
        total.poisonings,
        total.hearing_loss,
        total.other_illnesses,
        "",
    ]
    return _write(SUMMARY_COLUMNS, [row])


def cases_csv(log: OshaLog) -> str:
    """Return the 300/301 case file: the header and one row per recordable case (raises ItaError)."""
    problems = case_problems(log)
    if problems:
        raise ItaError("300/301 case data", problems)
    return _write(CASE_COLUMNS, [_case_row(log, case) for case in log.cases])


def _case_row(log: OshaLog, case: OshaCase) -> list[object]:
    """Return one case's 24 values (names and addresses are never submitted: 1904.41(b))."""
    return [
        _text(log.establishment.name),
        log.year,
        _text(case.case_number),
        _text(case.job_title),
        _date(case.incident_date),
        _text(case.where),
        _text(case.description),
        OUTCOME_CODES[case.outcome],
        case.days_away,
        case.days_restricted,
        TYPE_CODES[case.type_column],
        _date(case.date_of_birth),
        _date(case.date_hired),
        {"male": "M", "female": "F"}.get(case.sex, ""),
        1 if case.emergency_room else 0,
        1 if case.inpatient else 0,
        case.time_began_work.strftime("%H:%M") if case.time_began_work else "",
        case.time_of_event.strftime("%H:%M") if case.time_of_event and not case.time_unknown else "",
        1 if case.time_unknown else 0,
        _text(case.activity_before),
        _text(case.what_happened),
        _text(case.injury_description),
        _text(case.object_substance),
        _date(case.died_on),
    ]


def _required(*items: tuple[str, str, int]) -> list[str]:
    """Return problems for required text fields that are empty or too long."""
    problems = []
    for name, value, limit in items:
        if not value.strip():
            problems.append(f"{name}: required")
        elif len(value) > limit:
            problems.append(f"{name}: longer than {limit} characters")
    return problems


def _digits(value: str) -> str:
    """Return a code with its hyphens and spaces removed (EIN 12-3456789, ZIP 77020-1234)."""
    return re.sub(r"[\s-]", "", value)


def _text(value: str) -> str:
    """Return text fit for ITA: the special characters it rejects replaced, whitespace collapsed."""
    return " ".join(_SPECIAL.sub(" ", value).split())


def _date(value) -> str:
    """Return a date as MM/DD/YYYY, or '' for none."""
    return value.strftime("%m/%d/%Y") if value else ""


def _write(header: tuple[str, ...], rows: list[list[object]]) -> str:
    """Return RFC 4180 CSV text (CRLF line ends) with the header row first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
