"""Notification clocks: which authorities an incident must be reported to, by when, and how each stands."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from models.recordability import REPORT_TO_OSHA, classify
from models.rules import CERT_IN_ANNEXURE_I, Rule, default_rules, require

CLOCK_STATES = ("met", "ok", "warning", "overdue")
PRIORITIES = ("P1", "P2", "P3", "P4")


class ClockError(ValueError):
    """Facts or times given to the clocks are invalid; `code` is stable, the message names the field."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid_facts") -> None:
        super().__init__(message)
        self.field = field
        self.code = code


@dataclass(frozen=True)
class IncidentFacts:
    """What the clocks need to know about one incident; only kind, country and learnt_at are required.

    kind: the report kind (models.enums.IncidentKind value, e.g. "injury", "security"); used in titles.
    country: ISO 3166-1 alpha-2 code of the site (US, MY, IN, ID, SA, AE have rules; others get only policy).
    learnt_at: aware datetime when the organisation learnt of the event that starts the duty (for a later
        death or admission, when it learnt of that): OSHA, DOSH reg 5(1) immediate notice, JKKP 7, CERT-In
        and data-protection clocks start here.
    occurred_at: aware datetime of the accident; DOSH JKKP 6 (7 days "of the accident") runs from it.
        Defaults to learnt_at.
    osha: a 1904 case file (it is classified here) or the dict recordability.classify returned. When given,
        it decides the OSHA 8 h / 24 h report and the 7-day recording duty.
    died, amputation, eye_loss, inpatient: a work-related death, amputation, loss of an eye, or in-patient
        admission for treatment. Used for OSHA when `osha` is not given (then assumed inside 1904.39's
        windows and not on a public road), and for DOSH (amputation and eye loss are First Schedule
        injuries).
    serious_bodily_injury: a NADOPOD First Schedule serious bodily injury (e.g. fracture, loss of
        consciousness, admission to hospital for more than 24 hours).
    dangerous_occurrence: a NADOPOD Second Schedule dangerous occurrence.
    lost_days: calendar days the person could not follow normal work, from the day after the accident.
    occupational_disease: a NADOPOD Third Schedule occupational poisoning or disease (JKKP 7).
    personal_data_breach: personal data were breached.
    data_subjects: how many data subjects are affected, if known.
    harm_likely: the breach causes or is likely to cause significant harm (MY) / is expected to harm data
        subjects (SA). Defaults to True so that an unassessed breach starts its clock.
    cert_in_type: the CERT-In Annexure I item (1-20) of a cyber incident; a personal data breach at an
        Indian site counts as item 11 (Data Breach) when no item is given.
    priority: P1-P4; adds the organisation's response-target clock.
    """

    kind: str
    country: str
    learnt_at: datetime
    occurred_at: datetime | None = None
    osha: Mapping[str, object] | None = None
    died: bool = False
    amputation: bool = False
    eye_loss: bool = False
    inpatient: bool = False
    serious_bodily_injury: bool = False
    dangerous_occurrence: bool = False
    lost_days: int = 0
    occupational_disease: bool = False
    personal_data_breach: bool = False
    data_subjects: int | None = None
    harm_likely: bool = True
    cert_in_type: int | None = None
    priority: str | None = None

    def __post_init__(self) -> None:
        """Reject facts that cannot be right, naming the field."""
        if not isinstance(self.kind, str) or not self.kind.strip():
            raise ClockError("kind: required text", field="kind")
        if not isinstance(self.country, str) or not re.fullmatch(r"[A-Z]{2}", self.country):
            raise ClockError(
                f"country: expected an ISO alpha-2 code like 'MY', got {self.country!r}", field="country"
            )
        learnt = _utc(self.learnt_at, "learnt_at")
        if self.occurred_at is not None and _utc(self.occurred_at, "occurred_at") > learnt:
            raise ClockError("occurred_at: after learnt_at", field="occurred_at", code="bad_time")
        if self.osha is not None and not isinstance(self.osha, Mapping):
            raise ClockError("osha: expected a case file or a classification object", field="osha")
        for name in (
            "died",
            "amputation",
            "eye_loss",
            "inpatient",
            "serious_bodily_injury",
            "dangerous_occurrence",
            "occupational_disease",
            "personal_data_breach",
            "harm_likely",
        ):
            if not isinstance(getattr(self, name), bool):
                raise ClockError(f"{name}: expected true or false, got {getattr(self, name)!r}", field=name)
        _count(self.lost_days, "lost_days")
        if self.data_subjects is not None:
            _count(self.data_subjects, "data_subjects")
        if self.cert_in_type is not None and (
            isinstance(self.cert_in_type, bool) or self.cert_in_type not in CERT_IN_ANNEXURE_I
        ):
            raise ClockError(
                f"cert_in_type: expected an Annexure I item 1-20, got {self.cert_in_type!r}",
                field="cert_in_type",
            )
        if self.priority is not None and self.priority not in PRIORITIES:
            raise ClockError(f"priority: expected one of P1-P4, got {self.priority!r}", field="priority")


@dataclass(frozen=True)
class Obligation:
    """One duty to notify an authority (or meet an internal target) by due_at, counted from started_at."""

    rule_code: str
    authority: str
    due_at: datetime
    started_at: datetime
    title: str
    how: str


_HOW = {
    "osha.fatality_8h": "Phone the nearest OSHA Area Office or 1-800-321-6742, or report online at osha.gov; "
    "voicemail, fax and e-mail are not accepted.",
    "osha.severe_injury_24h": "Phone the nearest OSHA Area Office or 1-800-321-6742, or report online at "
    "osha.gov; voicemail, fax and e-mail are not accepted.",
    "osha.record_7d": "Enter the case on the OSHA 300 Log and complete a Form 301.",
    "dosh.immediate_notice": "Notify the nearest DOSH office by the quickest means available (phone, "
    "e-mail).",
    "dosh.jkkp6_7d": "Send Borang JKKP 6 to the nearest DOSH office and enter the case in the JKKP 8 "
    "register.",
    "dosh.lost_time_jkkp6_7d": "Send Borang JKKP 6 to the nearest DOSH office and enter the case in the "
    "JKKP 8 register.",
    "dosh.jkkp7_7d": "Send Borang JKKP 7 to the nearest DOSH office.",
    "certin.incident_6h": "E-mail incident@cert-in.org.in (phone +91-1800-11-4949, fax +91-1800-11-6969) "
    "with the CERT-In incident reporting form.",
    "my_pdpa.breach_72h": "Notify the Personal Data Protection Commissioner; further details may follow "
    "in phases within 30 days.",
    "my_pdpa.data_subjects_7d": "Notify the affected data subjects; the date assumes the Commissioner was "
    "notified at the 72-hour deadline: count 7 days from the actual notice.",
    "id_pdp.breach_72h": "Give written notice to the data subjects and to the PDP institution (Komdigi "
    "until the institution operates): what data, when and how disclosed, handling and recovery.",
    "sa_pdpl.breach_72h": "Notify SDAIA through the National Data Governance Platform; notify data subjects "
    "without undue delay.",
    "ae_pdpl.breach_immediate": "Report the breach and the investigation's results to the UAE Data Office.",
}
_POLICY_HOW = "Acknowledge the incident and assign a responder (organisation target, not a legal duty)."


def how_to_meet(rule_code: str) -> str:
    """Return how a duty of this rule is met: whom to tell, and by what means."""
    return _HOW.get(rule_code, _POLICY_HOW)


def obligations(facts: IncidentFacts, rules: Mapping[str, Rule] | None = None) -> list[Obligation]:
    """Return every notification the facts require at the site's country, earliest due first."""
    rules = default_rules() if rules is None else rules
    found: list[Obligation] = []

    def owe(code: str, title: str, started_at: datetime | None = None) -> None:
        """Add the obligation of one rule, started at learnt_at unless said otherwise."""
        rule = require(rules, code)
        start = facts.learnt_at if started_at is None else started_at
        due = add_elapsed(start, rule.duration)
        found.append(Obligation(code, rule.authority, due, start, title, how_to_meet(code)))

    country = facts.country
    if country == "US":
        _osha_obligations(facts, rules, owe)
    if country == "MY":
        _dosh_obligations(facts, rules, owe)
    if country == "IN":
        item = facts.cert_in_type or (11 if facts.personal_data_breach else None)
        if item is not None and item in require(rules, "certin.annexure_i_types").value:
            owe(
                "certin.incident_6h",
                f"Report the cyber incident to CERT-In ({item}. {CERT_IN_ANNEXURE_I[item]})",
            )
    if facts.personal_data_breach:
        _breach_obligations(facts, rules, owe)
    if facts.priority is not None:
        code = f"policy.response_{facts.priority.lower()}"
        owe(code, f"Respond to the {facts.priority} {facts.kind} incident")
    return sorted(found, key=lambda item: (item.due_at, item.rule_code))


def _osha_obligations(facts: IncidentFacts, rules, owe) -> None:
    """Add OSHA's 1904.39 report and the 1904.29 recording duty."""
    if facts.osha is not None:
        result = facts.osha if "report_to_osha" in facts.osha else classify(facts.osha, rules)
        report, recordable = result.get("report_to_osha"), result.get("recordable")
        if report not in REPORT_TO_OSHA or not isinstance(recordable, bool):
            raise ClockError("osha: a classification needs report_to_osha and recordable", field="osha")
    else:
        report = "8_hours" if facts.died else "24_hours" if _severe(facts) else "none"
        recordable = False
    if report == "8_hours":
        owe("osha.fatality_8h", "Report the work-related death to OSHA")
    elif report == "24_hours":
        owe("osha.severe_injury_24h", "Report the in-patient admission, amputation or eye loss to OSHA")
    if recordable:
        owe("osha.record_7d", f"Record the {facts.kind} case on the OSHA 300 Log and Form 301")


def _severe(facts: IncidentFacts) -> bool:
    """Tell whether the facts name an amputation, eye loss or in-patient admission."""
    return facts.amputation or facts.eye_loss or facts.inpatient


def _dosh_obligations(facts: IncidentFacts, rules, owe) -> None:
    """Add NADOPOD 2004 notices: reg 5(1) immediate + JKKP 6, reg 5(2) JKKP 6, reg 7 JKKP 7."""
    accident_at = facts.occurred_at or facts.learnt_at
    serious = facts.serious_bodily_injury or facts.amputation or facts.eye_loss
    if facts.died or serious or facts.dangerous_occurrence:
        what = "death" if facts.died else "serious bodily injury" if serious else "dangerous occurrence"
        owe("dosh.immediate_notice", f"Notify DOSH of the {what} at once")
        owe("dosh.jkkp6_7d", f"Send JKKP 6 for the {what}", started_at=accident_at)
    elif facts.lost_days > require(rules, "dosh.lost_time_days").value:
        owe(
            "dosh.lost_time_jkkp6_7d",
            f"Send JKKP 6 for the lost-time injury ({facts.lost_days} days)",
            accident_at,
        )
    if facts.occupational_disease:
        owe("dosh.jkkp7_7d", "Send JKKP 7 for the occupational poisoning or disease")


def _breach_obligations(facts: IncidentFacts, rules, owe) -> None:
    """Add the personal-data breach notices of MY, ID, SA and AE."""
    country = facts.country
    if country == "MY":
        scale = require(rules, "my_pdpa.significant_scale_subjects").value
        if facts.harm_likely or (facts.data_subjects or 0) > scale:
            owe("my_pdpa.breach_72h", "Notify the Personal Data Protection Commissioner of the breach")
        if facts.harm_likely:
            after = add_elapsed(facts.learnt_at, require(rules, "my_pdpa.breach_72h").duration)
            owe("my_pdpa.data_subjects_7d", "Notify the data subjects of the breach", started_at=after)
    elif country == "ID":
        owe("id_pdp.breach_72h", "Notify the data subjects and the PDP institution of the breach")
    elif country == "SA" and facts.harm_likely:
        owe("sa_pdpl.breach_72h", "Notify SDAIA of the personal data breach")
    elif country == "AE":
        owe("ae_pdpl.breach_immediate", "Report the personal data breach to the UAE Data Office")


def add_elapsed(start: datetime, span: timedelta) -> datetime:
    """Add real elapsed time to an aware datetime (correct across DST changes), keeping its time zone."""
    return (_utc(start, "start") + span).astimezone(start.tzinfo)


def time_left(obligation: Obligation, now: datetime) -> timedelta:
    """Return the time until the obligation is due (negative once overdue)."""
    return obligation.due_at.astimezone(UTC) - _utc(now, "now")


def clock_state(obligation: Obligation, now: datetime, met_at: datetime | None = None) -> str:
    """Return 'met' (done on time), 'ok', 'warning' (under a quarter of the time left) or 'overdue'.

    A duty met after its due time stays 'overdue': the deadline was missed. A duty with no time allowed
    (due at once) is 'warning' until it is met.
    """
    due = obligation.due_at.astimezone(UTC)
    if met_at is not None:
        return "met" if _utc(met_at, "met_at") <= due else "overdue"
    left = time_left(obligation, now)
    if left < timedelta(0):
        return "overdue"
    allowed = due - obligation.started_at.astimezone(UTC)
    if left * 4 < allowed or allowed <= timedelta(0):
        return "warning"
    return "ok"


def next_status_update(
    priority: str, last_update_at: datetime, rules: Mapping[str, Rule] | None = None
) -> datetime | None:
    """Return when the next status update of an open incident is due; None if its priority has no cadence."""
    rules = default_rules() if rules is None else rules
    if priority not in PRIORITIES:
        raise ClockError(f"priority: expected one of P1-P4, got {priority!r}", field="priority")
    code = f"policy.update_{priority.lower()}"
    return add_elapsed(last_update_at, rules[code].duration) if code in rules else None


def pir_due(priority: str, resolved_at: datetime, rules: Mapping[str, Rule] | None = None) -> datetime | None:
    """Return when the post-incident review is due (P1 and P2 only), else None."""
    rules = default_rules() if rules is None else rules
    if priority not in PRIORITIES:
        raise ClockError(f"priority: expected one of P1-P4, got {priority!r}", field="priority")
    if priority not in ("P1", "P2"):
        return None
    return add_elapsed(resolved_at, require(rules, "policy.pir_p1_p2").duration)


def capa_checks(closed_at: datetime, rules: Mapping[str, Rule] | None = None) -> list[datetime]:
    """Return the due times of the effectiveness checks of a corrective action closed at closed_at."""
    rules = default_rules() if rules is None else rules
    codes = ("policy.capa_check_1", "policy.capa_check_2", "policy.capa_check_3")
    return sorted(add_elapsed(closed_at, require(rules, code).duration) for code in codes)


def osha_300a_posting(year: int, rules: Mapping[str, Rule] | None = None) -> tuple[date, date]:
    """Return the first and last day the Form 300A for `year` must be posted (in the following year)."""
    rules = default_rules() if rules is None else rules
    first = require(rules, "osha.300a_post_from").on_year(year + 1)
    return first, require(rules, "osha.300a_post_until").on_year(year + 1)


def ita_due(year: int, rules: Mapping[str, Rule] | None = None) -> date:
    """Return the date the OSHA ITA submission covering `year` is due."""
    rules = default_rules() if rules is None else rules
    return require(rules, "osha.ita_due").on_year(year + 1)


def _aware(value: object, field: str) -> datetime:
    """Return value if it is a timezone-aware datetime, else raise ClockError naming the field."""
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise ClockError(
            f"{field}: expected a timezone-aware datetime, got {value!r}", field=field, code="bad_time"
        )
    return value


def _utc(value: object, field: str) -> datetime:
    """Return an aware datetime converted to UTC, so comparisons use real time even within one zone."""
    return _aware(value, field).astimezone(UTC)


def _count(value: object, field: str) -> None:
    """Raise ClockError unless value is a whole number of 0 or more."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ClockError(f"{field}: expected a whole number (0 or more), got {value!r}", field=field)
