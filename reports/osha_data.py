"""The OSHA recordkeeping data Forms 300, 300A, 301 and the ITA files are drawn from, and the log's totals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

OUTCOME_COLUMNS = {
    "death": "G",
    "days_away": "H",
    "restricted_or_transfer": "I",
    "other_recordable": "J",
}
"""Form 300 columns G-J: the most serious outcome of a case (29 CFR 1904.7)."""

TYPE_COLUMNS = {
    "injury": "M(1)",
    "skin_disorder": "M(2)",
    "respiratory_condition": "M(3)",
    "poisoning": "M(4)",
    "hearing_loss": "M(5)",
    "all_other_illnesses": "M(6)",
}
"""Form 300 column M: the injury or illness type."""

PRIVACY_CASE = "Privacy case"
"""What the log shows in column B for a 1904.29(b)(7) case."""


@dataclass(frozen=True)
class Establishment:
    """The establishment a log is kept for, with its employment figures for the year (None: not entered)."""

    name: str
    company_name: str
    street: str
    city: str
    state: str
    postal_code: str
    country: str
    naics_code: str
    industry_description: str
    ein: str
    establishment_type: int
    annual_average_employees: int | None
    total_hours_worked: int | None


@dataclass(frozen=True)
class OshaCase:
    """One recordable case: its Form 300 line (columns A-M) and its Form 301 items 1-18."""

    case_number: str  # A, 301 item 10
    incident_ref: str
    employee_name: str  # B (PRIVACY_CASE on the log when privacy_case), 301 item 1
    privacy_case: bool
    job_title: str  # C
    incident_date: dt.date  # D, 301 item 11
    where: str  # E
    description: str  # F
    outcome: str  # G-J: a key of OUTCOME_COLUMNS
    days_away: int  # K
    days_restricted: int  # L
    type_column: str  # M: a key of TYPE_COLUMNS
    employee_street: str  # 301 item 2
    employee_city: str
    employee_state: str
    employee_zip: str
    date_of_birth: dt.date | None  # item 3
    date_hired: dt.date | None  # item 4
    sex: str  # item 5: "male", "female" or ""
    physician: str  # item 6
    treatment_facility: str  # item 7
    emergency_room: bool  # item 8
    inpatient: bool  # item 9
    time_began_work: dt.time | None  # item 12
    time_of_event: dt.time | None  # item 13
    time_unknown: bool
    activity_before: str  # item 14
    what_happened: str  # item 15
    injury_description: str  # item 16
    object_substance: str  # item 17
    died_on: dt.date | None  # item 18
    privacy_concern: str | None


@dataclass(frozen=True)
class OshaLog:
    """One establishment's log for one calendar year, with the dates the rules table gives for it."""

    establishment: Establishment
    year: int
    cases: tuple[OshaCase, ...]
    generated_at: dt.datetime
    posting_from: dt.date
    posting_until: dt.date
    ita_due: dt.date


@dataclass(frozen=True)
class Totals:
    """The Form 300A summary: the log's column totals G-M."""

    deaths: int
    days_away_cases: int
    restricted_cases: int
    other_cases: int
    days_away: int
    days_restricted: int
    injuries: int
    skin_disorders: int
    respiratory_conditions: int
    poisonings: int
    hearing_loss: int
    other_illnesses: int

    @property
    def cases(self) -> int:
        """Return the number of cases (G + H + I + J)."""
        return self.deaths + self.days_away_cases + self.restricted_cases + self.other_cases


def totals(cases: Iterable[OshaCase]) -> Totals:
    """Add up the log's columns G-M, so the 300A equals the log by construction."""
    cases = list(cases)

    def outcome(name: str) -> int:
        return sum(case.outcome == name for case in cases)

    def kind(name: str) -> int:
        return sum(case.type_column == name for case in cases)

    return Totals(
        deaths=outcome("death"),
        days_away_cases=outcome("days_away"),
        restricted_cases=outcome("restricted_or_transfer"),
        other_cases=outcome("other_recordable"),
        days_away=sum(case.days_away for case in cases),
        days_restricted=sum(case.days_restricted for case in cases),
        injuries=kind("injury"),
        skin_disorders=kind("skin_disorder"),
        respiratory_conditions=kind("respiratory_condition"),
        poisonings=kind("poisoning"),
        hearing_loss=kind("hearing_loss"),
        other_illnesses=kind("all_other_illnesses"),
    )


def log_name(case: OshaCase) -> str:
    """Return what column B shows: the name, or 'Privacy case' (29 CFR 1904.29(b)(6))."""
    return PRIVACY_CASE if case.privacy_case else case.employee_name


def footer(log: OshaLog, form: str) -> str:
    """Return the page footer of an OSHA form of this log."""
    return f"{form} · {log.establishment.name} · {log.year} · generated {log.generated_at:%Y-%m-%d %H:%M %Z}"
