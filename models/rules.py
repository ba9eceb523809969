"""The one adjustable table of regulatory and policy deadlines, thresholds and code lists."""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

JURISDICTIONS = ("US", "MY", "IN", "ID", "SA", "AE", "ALL")
CONFIDENCE_LABELS = ("V", "C", "R")
DURATION_UNITS = {"minutes": timedelta(minutes=1), "hours": timedelta(hours=1), "days": timedelta(days=1)}
NUMBER_UNITS = (*DURATION_UNITS, "years", "mg", "dB", "count")
UNITS = (*NUMBER_UNITS, "month_day", "codes")
OVERRIDABLE_FIELDS = ("value", "authority", "trigger", "citation", "confidence", "note")
FIXED_FIELDS = ("code", "jurisdiction", "unit")

RuleValue = int | float | str | tuple[str, ...] | tuple[int, ...]

_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")

CERT_IN_ANNEXURE_I: dict[int, str] = {
    1: "Targeted scanning/probing of critical networks/systems",
    2: "Compromise of critical systems/information",
    3: "Unauthorised access of IT systems/data",
    4: "Defacement of website or intrusion into a website and unauthorised changes such as inserting "
    "malicious code, links to external websites etc.",
    5: "Malicious code attacks such as spreading of virus/worm/Trojan/Bots/Spyware/Ransomware/Cryptominers",
    6: "Attack on servers such as Database, Mail and DNS and network devices such as Routers",
    7: "Identity Theft, spoofing and phishing attacks",
    8: "Denial of Service (DoS) and Distributed Denial of Service (DDoS) attacks",
    9: "Attacks on Critical infrastructure, SCADA and operational technology systems and Wireless networks",
    10: "Attacks on Application such as E-Governance, E-Commerce etc.",
    11: "Data Breach",
    12: "Data Leak",
    13: "Attacks on Internet of Things (IoT) devices and associated systems, networks, software, servers",
    14: "Attacks or incident affecting Digital Payment systems",
    15: "Attacks through Malicious mobile Apps",
    16: "Fake mobile Apps",
    17: "Unauthorised access to social media accounts",
    18: "Attacks or malicious/suspicious activities affecting Cloud computing systems/servers/software/"
    "applications",
    19: "Attacks or malicious/suspicious activities affecting systems/servers/networks/software/applications "
    "related to Big Data, Block chain, virtual assets, virtual asset exchanges, custodian wallets, Robotics, "
    "3D and 4D Printing, additive manufacturing, Drones",
    20: "Attacks or malicious/suspicious activities affecting systems/servers/software/applications related "
    "to Artificial Intelligence and Machine Learning",
}


class RuleError(ValueError):
    """A rule, an override or a rules table is invalid; `code` is stable, the message is for people."""

    def __init__(self, message: str, *, code: str = "bad_rule") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Rule:
    """One adjustable fact (deadline, threshold or code list) with its source and confidence."""

    code: str
    jurisdiction: str
    authority: str
    value: RuleValue
    unit: str
    trigger: str
    citation: str
    confidence: str
    note: str = ""

    def __post_init__(self) -> None:
        """Check every field, turning a list value into a tuple so the rule stays immutable."""
        if not isinstance(self.code, str) or not re.fullmatch(r"[a-z][a-z0-9_]*\.[a-z0-9_]+", self.code):
            raise RuleError(f"rule code {self.code!r} must look like 'area.name'", code="bad_value")
        if self.jurisdiction not in JURISDICTIONS:
            raise RuleError(
                f"{self.code}.jurisdiction: {self.jurisdiction!r} is not one of {', '.join(JURISDICTIONS)}",
                code="bad_value",
            )
        if self.unit not in UNITS:
            raise RuleError(
                f"{self.code}.unit: {self.unit!r} is not one of {', '.join(UNITS)}", code="bad_value"
            )
        if self.confidence not in CONFIDENCE_LABELS:
            raise RuleError(
                f"{self.code}.confidence: {self.confidence!r} is not one of V, C, R", code="bad_value"
            )
        for name in ("authority", "trigger", "citation"):
            text = getattr(self, name)
            if not isinstance(text, str) or not text.strip():
                raise RuleError(f"{self.code}.{name}: must be non-empty text", code="bad_value")
        if not isinstance(self.note, str):
            raise RuleError(f"{self.code}.note: must be text", code="bad_value")
        object.__setattr__(self, "value", _checked_value(self.code, self.unit, self.value))

    @property
    def duration(self) -> timedelta:
        """Return the value as a time span (only for minutes, hours and days)."""
        if self.unit not in DURATION_UNITS:
            raise RuleError(f"rule {self.code!r} is in {self.unit}, not a duration", code="not_a_duration")
        return DURATION_UNITS[self.unit] * self.value

    @property
    def hours(self) -> float:
        """Return the value in hours (only for minutes, hours and days)."""
        return self.duration / timedelta(hours=1)

    def on_year(self, year: int) -> date:
        """Return the calendar date of a month_day rule in the given year."""
        if self.unit != "month_day":
            raise RuleError(f"rule {self.code!r} is in {self.unit}, not a month_day", code="not_a_date")
        month, day = (int(part) for part in self.value.split("-"))
        return date(year, month, day)


def _checked_value(code: str, unit: str, value: object) -> RuleValue:
    """Return the value if it fits the unit, else raise a RuleError naming the rule."""
    where = f"{code}.value"
    if unit in NUMBER_UNITS:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise RuleError(f"{where}: expected a number of {unit}, got {value!r}", code="bad_value")
        if value < 0:
            raise RuleError(f"{where}: must not be negative, got {value!r}", code="bad_value")
        return value
    if unit == "month_day":
        if not _is_month_day(value):
            raise RuleError(
                f"{where}: expected a date in every year as 'MM-DD', got {value!r}", code="bad_value"
            )
        return value
    if not isinstance(value, list | tuple):
        raise RuleError(f"{where}: expected a list of codes, got {value!r}", code="bad_value")
    kinds = {type(item) for item in value}
    if kinds - {str, int} or len(kinds) > 1:
        raise RuleError(
            f"{where}: codes must be all text or all whole numbers, got {value!r}", code="bad_value"
        )
    if str in kinds and not all(item.strip() for item in value):
        raise RuleError(f"{where}: codes must not be empty text", code="bad_value")
    duplicates = sorted({str(item) for item in value if value.count(item) > 1})
    if duplicates:
        raise RuleError(f"{where}: duplicate codes {', '.join(duplicates)}", code="bad_value")
    return tuple(value)


def _is_month_day(value: object) -> bool:
    """Tell whether value is 'MM-DD' naming a day that every year has (so not 02-29)."""
    match = _MONTH_DAY.match(value) if isinstance(value, str) else None
    if not match:
        return False
    try:
        date(2023, int(match.group(1)), int(match.group(2)))
    except ValueError:
        return False
    return True


def _rule(code, jurisdiction, authority, value, unit, trigger, citation, confidence, note="") -> Rule:
    """Build one rule positionally, keeping the table below compact."""
    return Rule(code, jurisdiction, authority, value, unit, trigger, citation, confidence, note)


_OSHA = "OSHA"
_DOSH = "DOSH Malaysia"
_POLICY = "Organisation policy"
_POLICY_NOTE = "Internal target from the product brief, not law; adjust to the site's SLA."

_DEFAULTS: tuple[Rule, ...] = (
    # --- US: 29 CFR 1904 -------------------------------------------------------------------------
    _rule("osha.fatality_8h", "US", _OSHA, 8, "hours",
          "A work-related death within the fatality window; runs from learning of the death",
          "29 CFR 1904.39(a)(1), (b)(7)", "V",
          "By phone or in person to the Area Office, 1-800-321-6742, or online; not voicemail/fax/e-mail."),
    _rule("osha.fatality_window_days", "US", _OSHA, 30, "days",
          "A death is reportable only if it occurs within this many days of the work-related incident",
          "29 CFR 1904.39(b)(6)", "V"),
    _rule("osha.severe_injury_24h", "US", _OSHA, 24, "hours",
          "In-patient admission for treatment, amputation or loss of an eye; runs from learning of it",
          "29 CFR 1904.39(a)(2), (b)(8)", "V",
          "Admissions for observation or diagnostic testing only are not reportable (1904.39(b)(9)) [C]."),
    _rule("osha.severe_injury_window_hours", "US", _OSHA, 24, "hours",
          "Admission, amputation or eye loss is reportable only if within this time of the incident",
          "29 CFR 1904.39(b)(6)", "V",
          "Dates are whole days: an admission on the day after the incident is inside a 24-hour window."),
    _rule("osha.record_7d", "US", _OSHA, 7, "days",
          "A recordable injury or illness must be entered on the 300 Log and 301 within this time",
          "29 CFR 1904.29(b)(3)", "V"),
    _rule("osha.day_count_cap", "US", _OSHA, 180, "days",
          "Days away plus days restricted or transferred may stop at this total",
          "29 CFR 1904.7(b)(3)(vii), (b)(4)(x)", "V"),
    _rule("osha.rx_ibuprofen_mg", "US", _OSHA, 467, "mg",
          "A single dose of ibuprofen above this is prescription strength (medical treatment)",
          "OSHA Recordkeeping FAQ 7-8", "V"),
    _rule("osha.rx_diphenhydramine_mg", "US", _OSHA, 50, "mg",
          "A single dose of diphenhydramine above this is prescription strength (medical treatment)",
          "OSHA Recordkeeping FAQ 7-8", "V"),
    _rule("osha.rx_naproxen_sodium_mg", "US", _OSHA, 220, "mg",
          "A single dose of naproxen sodium above this is prescription strength (medical treatment)",
          "OSHA Recordkeeping FAQ 7-8", "V"),
    _rule("osha.rx_ketoprofen_mg", "US", _OSHA, 25, "mg",
          "A single dose of ketoprofen above this is prescription strength (medical treatment)",
          "OSHA Recordkeeping FAQ 7-8", "V"),
    _rule("osha.hearing_level_db", "US", _OSHA, 25, "dB",
          "A Standard Threshold Shift is recordable when the total hearing level is at least this",
          "29 CFR 1904.10(a)", "V"),
    _rule("osha.first_aid_codes", "US", _OSHA,
          ("otc_medication_at_otc_strength", "tetanus_immunization", "wound_cleaning", "wound_covering",
           "hot_cold_therapy", "non_rigid_support", "temporary_immobilization_for_transport",
           "drill_nail_or_drain_blister", "eye_patch", "eye_foreign_body_irrigation_or_swab",
           "splinter_removal_simple", "finger_guard", "massage", "fluids_for_heat_stress"), "codes",
          "Treatments that are first aid, whatever who gives them",
          "29 CFR 1904.7(b)(5)(ii)(A)-(N)", "V",
          "The list is closed: additions need rulemaking (OSHA LOI 2019-10-09). Oxygen is not on it."),
    _rule("osha.not_treatment_codes", "US", _OSHA,
          ("diagnostic_xray", "diagnostic_test", "observation", "counseling"), "codes",
          "Visits and procedures that are neither first aid nor medical treatment",
          "29 CFR 1904.7(b)(5)(i)(A)-(B)", "V"),
    _rule("osha.medical_treatment_codes", "US", _OSHA,
          ("sutures", "staples", "wound_closure_device", "surgical_glue", "rigid_splint_or_support",
           "physical_therapy", "chiropractic", "immunization_other", "eye_foreign_body_removal_by_instrument",
           "oxygen", "surgery", "other_medical_treatment"), "codes",
          "Treatments beyond first aid: each makes a work-related case recordable",
          "29 CFR 1904.7(b)(5)", "V"),
    _rule("osha.significant_diagnoses", "US", _OSHA,
          ("fracture", "punctured_eardrum", "cancer", "chronic_irreversible_disease"), "codes",
          "Significant injuries or illnesses diagnosed by a PLHCP: recordable at diagnosis",
          "29 CFR 1904.7(b)(7)", "V"),
    _rule("osha.300a_post_from", "US", _OSHA, "02-01", "month_day",
          "First day the year's Form 300A summary must be posted (in the following year)",
          "29 CFR 1904.32(b)(6)", "C"),
    _rule("osha.300a_post_until", "US", _OSHA, "04-30", "month_day",
          "Last day the year's Form 300A summary must stay posted",
          "29 CFR 1904.32(b)(6)", "C"),
    _rule("osha.ita_due", "US", _OSHA, "03-02", "month_day",
          "ITA electronic submission of the previous year's data is due on this date",
          "29 CFR 1904.41(c)", "V"),
    _rule("osha.retention_years", "US", _OSHA, 5, "years",
          "Keep the 300, 300A and 301 for this many years after the end of the year they cover",
          "29 CFR 1904.33", "V"),
    # --- Malaysia: NADOPOD 2004 ------------------------------------------------------------------
    _rule("dosh.immediate_notice", "MY", _DOSH, 0, "hours",
          "Death, First Schedule serious bodily injury or Second Schedule dangerous occurrence",
          "NADOPOD 2004 (P.U.(A) 128/2004) reg 5(1)(a)", "C",
          "'By the quickest means available' has no hour count: modelled as due at once."),
    _rule("dosh.jkkp6_7d", "MY", _DOSH, 7, "days",
          "Written JKKP 6 after a reg 5(1) event (death, serious bodily injury, dangerous occurrence)",
          "NADOPOD 2004 reg 5(1)(b)", "C"),
    _rule("dosh.lost_time_days", "MY", _DOSH, 4, "days",
          "An accident keeping a person from normal work for more than this many calendar days is reportable",
          "NADOPOD 2004 reg 5(2)", "V",
          "Lost days count from and including the day after the accident (reg 2)."),
    _rule("dosh.lost_time_jkkp6_7d", "MY", _DOSH, 7, "days",
          "Written JKKP 6 for a lost-time injury over the reg 5(2) threshold; no immediate notice",
          "NADOPOD 2004 reg 5(2)", "V"),
    _rule("dosh.jkkp7_7d", "MY", _DOSH, 7, "days",
          "Written JKKP 7 for a Third Schedule occupational poisoning or disease, from knowing of it",
          "NADOPOD 2004 reg 7(1)", "V", "Clock from knowing of the case is [C] (DOSH/NIOSH training)."),
    _rule("dosh.jkkp8_due", "MY", _DOSH, "01-31", "month_day",
          "Annual JKKP 8 summary of the register for the previous year",
          "NADOPOD 2004 reg 10", "R", "Date not seen in a retrieved text: verify."),
    # --- India: CERT-In Directions 2022 ----------------------------------------------------------
    _rule("certin.incident_6h", "IN", "CERT-In", 6, "hours",
          "An Annexure I cyber incident noticed or brought to notice",
          "CERT-In Directions No. 20(3)/2022-CERT-In (28 Apr 2022), direction (ii)", "V",
          "incident@cert-in.org.in, +91-1800-11-4949, fax +91-1800-11-6969."),
    _rule("certin.annexure_i_types", "IN", "CERT-In", tuple(CERT_IN_ANNEXURE_I), "codes",
          "Annexure I incident types (numbered 1-20) that must be reported",
          "CERT-In Directions No. 20(3)/2022-CERT-In, Annexure I", "C"),
    _rule("certin.log_retention_days", "IN", "CERT-In", 180, "days",
          "Keep logs of all ICT systems for this rolling period, within India",
          "CERT-In Directions No. 20(3)/2022-CERT-In, direction (iv)", "C"),
    # --- Malaysia: PDPA 2010 s.12B ---------------------------------------------------------------
    _rule("my_pdpa.breach_72h", "MY", "Personal Data Protection Commissioner", 72, "hours",
          "Personal data breach causing or likely to cause significant harm, or of significant scale",
          "PDPA 2010 s.12B (Act A1727); Data Breach Notification Guideline (25 Feb 2025)", "V",
          "Late notices need written reasons with evidence."),
    _rule("my_pdpa.significant_scale_subjects", "MY", "Personal Data Protection Commissioner", 1000, "count",
          "A breach of more than this many data subjects is of significant scale",
          "Data Breach Notification Guideline (25 Feb 2025)", "V",
          "The scale criterion applies to the Commissioner notice only, not to data subjects."),
    _rule("my_pdpa.follow_up_30d", "MY", "Personal Data Protection Commissioner", 30, "days",
          "Further information may follow in phases, no later than this after the initial notice",
          "Data Breach Notification Guideline (25 Feb 2025)", "V"),
    _rule("my_pdpa.data_subjects_7d", "MY", "Affected data subjects", 7, "days",
          "Notify data subjects of a breach causing significant harm, after the Commissioner notice",
          "Data Breach Notification Guideline (25 Feb 2025)", "R",
          "7-day figure recalled, not read in the Guideline: verify."),
    # --- Indonesia, Saudi Arabia, UAE ------------------------------------------------------------
    _rule("id_pdp.breach_72h", "ID", "Lembaga PDP (interim: Komdigi) and data subjects", 72, "hours",
          "Failure of personal data protection: written notice to data subjects and the institution",
          "Law No. 27 of 2022 (UU PDP) Art. 46", "V",
          "3 x 24 hours. The 14 days of Permenkominfo 20/2016 is superseded."),
    _rule("sa_pdpl.breach_72h", "SA", "SDAIA", 72, "hours",
          "Personal data breach expected to harm data or data subjects",
          "PDPL Implementing Regulation Art. 24; SDAIA Breach Procedural Guide (21 Oct 2024)", "V",
          "Through the National Data Governance Platform; data subjects without undue delay."),
    _rule("ae_pdpl.breach_immediate", "AE", "UAE Data Office", 0, "hours",
          "Personal data breach prejudicing privacy, confidentiality or security of the data",
          "Federal Decree-Law No. 45 of 2021 (PDPL) Art. 9", "V",
          "'Immediately upon becoming aware': the Executive Regulations setting the period are unpublished; "
          "modelled as due at once. DIFC and ADGM have their own laws."),
    # --- Organisation policy (every site) --------------------------------------------------------
    _rule("policy.response_p1", "ALL", _POLICY, 15, "minutes", "Respond to a P1 incident", "Policy", "R",
          _POLICY_NOTE),
    _rule("policy.response_p2", "ALL", _POLICY, 30, "minutes", "Respond to a P2 incident", "Policy", "R",
          _POLICY_NOTE),
    _rule("policy.response_p3", "ALL", _POLICY, 4, "hours", "Respond to a P3 incident", "Policy", "R",
          _POLICY_NOTE),
    _rule("policy.response_p4", "ALL", _POLICY, 24, "hours", "Respond to a P4 incident", "Policy", "R",
          _POLICY_NOTE),
    _rule("policy.update_p1", "ALL", _POLICY, 30, "minutes", "Status update cadence for a P1 until resolved",
          "Policy", "R", _POLICY_NOTE),
    _rule("policy.update_p2", "ALL", _POLICY, 60, "minutes", "Status update cadence for a P2 until resolved",
          "Policy", "R", _POLICY_NOTE),
    _rule("policy.pir_p1_p2", "ALL", _POLICY, 72, "hours",
          "Post-incident review of a P1 or P2 is due this long after resolution", "Policy", "R",
          _POLICY_NOTE),
    _rule("policy.capa_check_1", "ALL", _POLICY, 30, "days",
          "First effectiveness check of a closed corrective action", "Policy", "R", _POLICY_NOTE),
    _rule("policy.capa_check_2", "ALL", _POLICY, 60, "days",
          "Second effectiveness check of a closed corrective action", "Policy", "R", _POLICY_NOTE),
    _rule("policy.capa_check_3", "ALL", _POLICY, 90, "days",
          "Third effectiveness check of a closed corrective action", "Policy", "R", _POLICY_NOTE),
)  # fmt: skip


def default_rules() -> dict[str, Rule]:
    """Return a fresh copy of the shipped rules table, keyed by rule code."""
    return {rule.code: rule for rule in _DEFAULTS}


def require(rules: Mapping[str, Rule], code: str) -> Rule:
    """Return the rule with this code, or raise a RuleError naming it."""
    try:
        return rules[code]
    except KeyError:
        raise RuleError(f"the rules table has no rule {code!r}", code="unknown_rule") from None


def merge_overrides(
    rules: Mapping[str, Rule], overrides: Mapping[str, Mapping[str, object]]
) -> dict[str, Rule]:
    """Return a new table with a site's field changes applied, each validated; the input is unchanged."""
    if not isinstance(overrides, Mapping):
        raise RuleError("overrides must be an object of rule code to field changes", code="bad_override")
    merged = dict(rules)
    for code, changes in overrides.items():
        if code not in merged:
            close = difflib.get_close_matches(str(code), list(merged), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise RuleError(f"unknown rule {code!r}{hint}", code="unknown_rule")
        if not isinstance(changes, Mapping):
            raise RuleError(f"{code}: the override must be an object of field: value", code="bad_override")
        for field in changes:
            if field in FIXED_FIELDS:
                raise RuleError(f"{code}.{field}: cannot be overridden", code="fixed_field")
            if field not in OVERRIDABLE_FIELDS:
                raise RuleError(
                    f"{code}.{field}: unknown field; allowed: {', '.join(OVERRIDABLE_FIELDS)}",
                    code="unknown_field",
                )
        current = merged[code]
        if "value" in changes:
            _check_same_code_kind(current, changes["value"])
        merged[code] = dataclasses.replace(current, **changes)
    check_table(merged)
    return merged


def _check_same_code_kind(current: Rule, value: object) -> None:
    """Reject a code list whose items are not of the same kind (text or number) as the shipped ones."""
    if current.unit != "codes" or not current.value or not isinstance(value, list | tuple) or not value:
        return
    expected = type(current.value[0])
    if any(type(item) is not expected for item in value):
        kind = "text" if expected is str else "whole numbers"
        raise RuleError(f"{current.code}.value: codes must be {kind}, got {list(value)!r}", code="bad_value")


def check_table(rules: Mapping[str, Rule]) -> None:
    """Raise a RuleError if rules contradict each other (keys, treatment lists, posting window)."""
    for key, rule in rules.items():
        if key != rule.code:
            raise RuleError(f"table key {key!r} holds rule {rule.code!r}", code="inconsistent_table")
    lists = ("osha.first_aid_codes", "osha.not_treatment_codes", "osha.medical_treatment_codes")
    present = [code for code in lists if code in rules]
    for i, first in enumerate(present):
        for second in present[i + 1 :]:
            shared = sorted(set(rules[first].value) & set(rules[second].value))
            if shared:
                raise RuleError(
                    f"{', '.join(shared)} cannot be in both {first} and {second}", code="inconsistent_table"
                )
    if "osha.300a_post_from" in rules and "osha.300a_post_until" in rules:
        start, end = rules["osha.300a_post_from"].on_year(2023), rules["osha.300a_post_until"].on_year(2023)
        if end < start:
            raise RuleError("osha.300a_post_until is before osha.300a_post_from", code="inconsistent_table")
