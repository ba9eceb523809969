"""Malaysia DOSH (NADOPOD 2004) data: the JKKP 6 notification and the JKKP 8 register with its rates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from models.metrics import dosh_frequency_rate, dosh_incidence_rate, severity_rate


@dataclass(frozen=True)
class Employer:
    """The JKKP header: employer, company, place of work, and the year's workforce (None: not entered)."""

    employer_name: str
    company_name: str
    place_of_work: str
    address: str
    industry_code: str
    industry_description: str
    workers: int | None
    hours_worked: int | None

    @property
    def size(self) -> str:
        """Return the JKKP 8 industry size by workers: B (151 or more), S (51-150), K (50 or fewer)."""
        if self.workers is None:
            return ""
        return "B" if self.workers >= 151 else "S" if self.workers >= 51 else "K"


@dataclass(frozen=True)
class Person:
    """The injured or ill person (JKKP 8 part I)."""

    name: str
    id_number: str
    age: int | None
    sex: str  # "L" (lelaki), "P" (perempuan) or ""
    citizenship: str
    employment_status: str
    occupation: str


@dataclass(frozen=True)
class Accident:
    """One occupational accident of the register (parts I and II)."""

    number: int
    incident_ref: str
    person: Person
    activity: str
    occurred_at: dt.datetime
    body_parts: str
    accident_type: str
    causal_agent: str
    nature_of_injury: str
    outcome: str  # "M", "HUK" or "THUK"
    lost_days: int
    jkkp6_sent: dt.date | None

    @property
    def lost_time(self) -> bool:
        """Tell whether this is a lost-time injury: fatal, permanent disability, or days off work."""
        return self.outcome in ("M", "HUK") or self.lost_days > 0


@dataclass(frozen=True)
class Occurrence:
    """One dangerous occurrence of the register."""

    number: int
    incident_ref: str
    occurred_at: dt.datetime
    category: str
    description: str
    equipment: str
    jkkp6_sent: dt.date | None


@dataclass(frozen=True)
class Disease:
    """One occupational poisoning or disease of the register (JKKP 7)."""

    number: int
    incident_ref: str
    person: Person
    noted_on: dt.date
    illness: str
    agent: str
    jkkp7_sent: dt.date | None


@dataclass(frozen=True)
class Register:
    """The JKKP 8 register of one place of work for one calendar year."""

    employer: Employer
    year: int
    accidents: tuple[Accident, ...]
    occurrences: tuple[Occurrence, ...]
    diseases: tuple[Disease, ...]
    due: dt.date
    generated_at: dt.datetime


@dataclass(frozen=True)
class Rates:
    """The register's rates: frequency and severity per 1,000,000 hours, incidence per 1,000 workers."""

    lost_time_injuries: int
    days_lost: int
    frequency: float | None
    severity: float | None
    incidence: float | None


def rates(register: Register) -> Rates:
    """Compute the rates from the register's accidents and the year's hours and workers."""
    lti = sum(accident.lost_time for accident in register.accidents)
    days = sum(accident.lost_days for accident in register.accidents)
    hours = register.employer.hours_worked or 0
    workers = register.employer.workers or 0
    return Rates(
        lost_time_injuries=lti,
        days_lost=days,
        frequency=dosh_frequency_rate(lti, hours),
        severity=severity_rate(days, hours),
        incidence=dosh_incidence_rate(lti, workers),
    )


@dataclass(frozen=True)
class ClockLine:
    """A notification duty as the JKKP 6 shows it: what, by when, and whether and how it was met."""

    title: str
    due_at: dt.datetime
    met_at: dt.datetime | None
    method: str
    reference_number: str


@dataclass(frozen=True)
class Notification:
    """A JKKP 6: one accident or dangerous occurrence reported to the nearest DOSH office."""

    employer: Employer
    incident_ref: str
    kind: str  # "accident" or "dangerous_occurrence"
    reasons: tuple[str, ...]
    occurred_at: dt.datetime
    place: str
    title: str
    description: str
    person: Person | None
    activity: str
    body_parts: str
    nature_of_injury: str
    causal_agent: str
    outcome: str
    lost_days: int
    occurrence_category: str
    equipment: str
    damage: str
    work_stopped_hours: float | None
    reported_by: str
    clocks: tuple[ClockLine, ...]
    generated_at: dt.datetime
