"""Data for the regulator's forms and the managers' reports: the central store read into plain report data.

The one place that reads a site's cases for a year: the OSHA log (case files classified by
models.recordability, privacy cases, case numbers, establishment figures), the JKKP 8 register, one
incident's JKKP 6 and its full record, and the metrics input. `prepare` + `render` turn a request for a
document kind into its bytes, for the command line and the HTTP API alike. Everything is read only.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from forms.convert import case_file_from_model
from forms.taxonomies import (
    CERT_IN_NAMES,
    DOSH_CATEGORY_NAMES,
    HAZARD_NAMES,
    NATURE_NAMES,
    PART_OF_BODY_NAMES,
)
from models import (
    Amendment,
    Attachment,
    AuditEvent,
    CorrectiveAction,
    EffectivenessCheck,
    Incident,
    IncidentRole,
    InjuryCase,
    Investigation,
    NearMissDetails,
    OccurrenceDetails,
    OutageDetails,
    PostIncidentReview,
    RegulatoryClock,
    SignOff,
    Site,
    SiteArea,
    SiteYear,
    StatusUpdate,
    User,
    WitnessStatement,
)
from models.clocks import how_to_meet, ita_due, osha_300a_posting
from models.enums import AttachmentKind, CapaStatus, CaseType, DayRangeKind, IncidentKind
from models.metrics import MILLION_HOURS
from models.recordability import CaseError, classify
from models.rules import require
from reports import dosh as dosh_pdf
from reports import incident_pdf, ita_csv, osha_300, osha_300a, osha_301
from reports import metrics as metrics_report
from reports.dosh_data import (
    Accident,
    ClockLine,
    Disease,
    Employer,
    Notification,
    Occurrence,
    Person,
    Register,
)
from reports.incident_data import (
    Action,
    Area,
    Clock,
    Event,
    Findings,
    IncidentRecord,
    Photo,
    Review,
    Signature,
    SitePlan,
    Statement,
)
from reports.ita_csv import ItaError
from reports.metrics import IncidentSample, MetricsInput
from reports.osha_data import PRIVACY_CASE, Establishment, OshaCase, OshaLog
from sync.errors import Forbidden, InvalidRequest, NotFound
from sync.mutations.clocks import state_of
from sync.server import audit
from sync.server.blobs import BlobStore
from sync.server.obligations import (
    dosh_lost_days,
    dosh_outcome,
    first_schedule,
    incident_date,
    jurisdiction,
    osha_result,
    site_rules,
    site_zone,
)

THUMBNAIL_PX = 480
SIGNATURE_PX = 240
PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Kind:
    """A document the exports make: what it is, what it needs, and its file type."""

    title: str
    media_type: str
    extension: str
    per_incident: bool = False


KINDS: dict[str, Kind] = {
    "osha-300": Kind("OSHA Form 300 log", PDF, "pdf"),
    "osha-300-privacy": Kind("OSHA 300 confidential privacy case list", PDF, "pdf"),
    "osha-300a": Kind("OSHA Form 300A summary", PDF, "pdf"),
    "osha-301": Kind("OSHA Form 301 incident reports", PDF, "pdf"),
    "ita-summary-csv": Kind("OSHA ITA 300A summary file", CSV, "csv"),
    "ita-cases-csv": Kind("OSHA ITA 300/301 case file", CSV, "csv"),
    "jkkp6": Kind("DOSH JKKP 6 notification", PDF, "pdf", per_incident=True),
    "jkkp8": Kind("DOSH JKKP 8 register", PDF, "pdf"),
    "incident": Kind("Incident report", PDF, "pdf", per_incident=True),
    "metrics": Kind("Safety metrics", PDF, "pdf"),
}
"""Every document kind, by the name the command line and the API use."""


# --- lookups ------------------------------------------------------------------------------------------


def find_site(*, session: Session, code: str) -> Site:
    """Return the site with this code, or NotFound."""
    site = session.scalar(select(Site).where(Site.code == code))
    if site is None:
        raise NotFound(f"no site with code {code!r}", code="unknown_site")
    return site


def find_incident(*, session: Session, ref: str) -> Incident:
    """Return the incident with this reference (or id), or NotFound."""
    clause = Incident.ref == ref
    try:
        clause = or_(clause, Incident.id == uuid.UUID(ref))
    except ValueError:
        pass
    incident = session.scalar(select(Incident).where(clause))
    if incident is None:
        raise NotFound(f"no incident {ref!r}", code="unknown_incident")
    return incident


def _names(session: Session, ids: set[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """Return display names of users by id."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).tuples().all())


def _year_bounds(year: int, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """Return the first instant of the year and of the next, in the site's zone."""
    return dt.datetime(year, 1, 1, tzinfo=zone), dt.datetime(year + 1, 1, 1, tzinfo=zone)


def _incidents_of_year(session: Session, site: Site, year: int) -> list[Incident]:
    """Return the site's incidents that occurred in the year (site time), not retracted, in time order."""
    start, end = _year_bounds(year, site_zone(site))
    query = (
        select(Incident)
        .where(Incident.site_id == site.id, Incident.retracted_at.is_(None))
        .where(Incident.occurred_at >= start, Incident.occurred_at < end)
        .order_by(Incident.occurred_at, Incident.ref)
    )
    return list(session.scalars(query))


def _clocks(session: Session, incident_id: uuid.UUID) -> list[RegulatoryClock]:
    """Return an incident's clocks that are still owed or were met, earliest due first."""
    query = (
        select(RegulatoryClock)
        .where(RegulatoryClock.incident_id == incident_id, RegulatoryClock.cancelled_at.is_(None))
        .order_by(RegulatoryClock.due_at, RegulatoryClock.rule_code)
    )
    return list(session.scalars(query))


def _met_on(clocks: list[RegulatoryClock], codes: tuple[str, ...], zone: dt.tzinfo) -> dt.date | None:
    """Return the day the first of these duties was met, in the site's zone."""
    met = [c.met_at for c in clocks if c.rule_code in codes and c.met_at is not None]
    return min(met).astimezone(zone).date() if met else None


def _area_name(session: Session, incident: Incident) -> str:
    """Return the incident's area name, or ''."""
    area = session.get(SiteArea, incident.area_id) if incident.area_id else None
    return area.name if area else ""


def _place(session: Session, incident: Incident) -> str:
    """Return where the incident happened: the location text, else the area."""
    return incident.location_text or _area_name(session, incident)


# --- OSHA ----------------------------------------------------------------------------------------------


def establishment(*, session: Session, site: Site, year: int) -> Establishment:
    """Return the site as an OSHA establishment, with its employment figures for the year."""
    figures = session.scalar(select(SiteYear).where(SiteYear.site_id == site.id, SiteYear.year == year))
    return Establishment(
        name=site.name,
        company_name=site.company_name,
        street=site.street,
        city=site.city,
        state=site.state,
        postal_code=site.postal_code,
        country=site.country,
        naics_code=site.naics_code,
        industry_description=site.industry_description,
        ein=site.ein,
        establishment_type=site.establishment_type,
        annual_average_employees=figures.annual_average_employees if figures else None,
        total_hours_worked=figures.total_hours_worked if figures else None,
    )


def osha_case(
    *,
    incident: Incident,
    case: InjuryCase,
    result: dict[str, Any],
    case_number: str,
    incident_day: dt.date,
    where: str,
    reveal_private: bool = True,
) -> OshaCase:
    """Return one recordable case as its Form 300 line and Form 301 items (from the stored form fields).

    A privacy case keeps the name for the 301 and the confidential list; with reveal_private False the
    name and address are replaced, for readers who may not see them.
    """
    hidden = result["privacy_case"] and not reveal_private
    description = "; ".join(part for part in (case.injury_description, case.object_substance) if part)
    return OshaCase(
        case_number=case_number,
        incident_ref=incident.ref or str(incident.id),
        employee_name=PRIVACY_CASE if hidden else case.employee_name,
        privacy_case=bool(result["privacy_case"]),
        job_title=case.job_title,
        incident_date=incident_day,
        where=where,
        description=description,
        outcome=str(result["classification"]),
        days_away=int(result["days_away"]),
        days_restricted=int(result["days_restricted"]),
        type_column=str(result["type_column"]),
        employee_street="" if hidden else case.employee_street,
        employee_city="" if hidden else case.employee_city,
        employee_state="" if hidden else case.employee_state,
        employee_zip="" if hidden else case.employee_zip,
        date_of_birth=case.date_of_birth,
        date_hired=case.date_hired,
        sex=case.sex.value if case.sex is not None and case.sex.value in ("male", "female") else "",
        physician=case.physician,
        treatment_facility=case.treatment_facility,
        emergency_room=bool(case.emergency_room),
        inpatient=case.inpatient_purpose is not None,
        time_began_work=case.time_began_work,
        time_of_event=None if case.time_unknown else case.time_of_event,
        time_unknown=bool(case.time_unknown),
        activity_before=case.activity_before,
        what_happened=case.what_happened,
        injury_description=case.injury_description,
        object_substance=case.object_substance,
        died_on=case.died_on,
        privacy_concern=case.privacy_concern.value if case.privacy_concern is not None else None,
    )


def osha_log(
    *,
    session: Session,
    site: Site,
    year: int,
    now: dt.datetime,
    reveal_private: bool = True,
) -> OshaLog:
    """Return the site's OSHA log for the year: every recordable case, numbered, in date order.

    Open day ranges are counted to `now` at the site. A stored case number is kept; cases without one
    are numbered YEAR-NNN in date order, skipping numbers already used.
    """
    zone = site_zone(site)
    rules = site_rules(session=session, site_id=site.id)
    today = now.astimezone(zone).date()
    start, end = _year_bounds(year, zone)
    query = (
        select(Incident, InjuryCase)
        .join(InjuryCase, InjuryCase.incident_id == Incident.id)
        .where(Incident.site_id == site.id, Incident.retracted_at.is_(None))
        .where(
            Incident.occurred_at >= start - dt.timedelta(days=1),
            Incident.occurred_at < end + dt.timedelta(days=1),
        )
        .order_by(Incident.occurred_at, Incident.ref)
    )
    found: list[tuple[Incident, InjuryCase, dict[str, Any], dt.date]] = []
    for incident, case in session.execute(query).tuples():
        try:
            file = case_file_from_model(case, incident, tz=zone)
            day = dt.date.fromisoformat(file["incident_date"])
            if day.year != year:
                continue
            file["as_of"] = max(today, day).isoformat()
            result = classify(file, rules)
        except CaseError as error:
            raise InvalidRequest(
                f"incident {incident.ref or incident.id}: the stored case cannot be classified: {error}",
                code="invalid_case",
            ) from None
        if result["recordable"]:
            found.append((incident, case, result, day))
    used = {case.case_number for _, case, _, _ in found if case.case_number}
    free = (number for number in (f"{year}-{n:03d}" for n in itertools.count(1)) if number not in used)
    cases = []
    for incident, case, result, day in sorted(
        found, key=lambda row: (row[3], row[0].occurred_at, row[0].ref or "")
    ):
        number = case.case_number or next(free)
        cases.append(
            osha_case(
                incident=incident,
                case=case,
                result=result,
                case_number=number,
                incident_day=day,
                where=_place(session, incident),
                reveal_private=reveal_private,
            )
        )
    posting_from, posting_until = osha_300a_posting(year, rules)
    return OshaLog(
        establishment=establishment(session=session, site=site, year=year),
        year=year,
        cases=tuple(cases),
        generated_at=now.astimezone(zone),
        posting_from=posting_from,
        posting_until=posting_until,
        ita_due=ita_due(year, rules),
    )


# --- DOSH ----------------------------------------------------------------------------------------------


def employer(*, session: Session, site: Site, year: int) -> Employer:
    """Return the site as the employer of a JKKP form, with the year's workforce."""
    figures = session.scalar(select(SiteYear).where(SiteYear.site_id == site.id, SiteYear.year == year))
    town = " ".join(part for part in (site.postal_code, site.city) if part)
    return Employer(
        employer_name=site.company_name or site.name,
        company_name=site.company_name,
        place_of_work=site.name,
        address=", ".join(part for part in (site.street, town, site.state) if part),
        industry_code=site.naics_code,
        industry_description=site.industry_description,
        workers=figures.annual_average_employees if figures else None,
        hours_worked=figures.total_hours_worked if figures else None,
    )


def _person(case: InjuryCase, day: dt.date) -> Person:
    """Return the injured or ill person of a case as the JKKP forms list them."""
    age = None
    if case.date_of_birth is not None:
        born = case.date_of_birth
        age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    sex = {"male": "L", "female": "P"}.get(case.sex.value if case.sex is not None else "", "")
    return Person(
        name=case.employee_name,
        id_number=case.id_number,
        age=age,
        sex=sex,
        citizenship=case.citizenship,
        employment_status=case.employment_status,
        occupation=case.job_title,
    )


def _coded(codes: list[Any], names: dict[str, str], fallback: str) -> str:
    """Return the titles of OIICS codes, or the fallback text when none is coded."""
    titles = [names.get(str(code), str(code)) for code in codes or []]
    return ", ".join(titles) or fallback


def dosh_register(*, session: Session, site: Site, year: int, now: dt.datetime) -> Register:
    """Return the JKKP 8 register of the site for the year: accidents, dangerous occurrences, diseases."""
    zone = site_zone(site)
    rules = site_rules(session=session, site_id=site.id)
    today = now.astimezone(zone).date()
    accidents: list[Accident] = []
    occurrences: list[Occurrence] = []
    diseases: list[Disease] = []
    for incident in _incidents_of_year(session, site, year):
        clocks = _clocks(session, incident.id)
        day = incident_date(incident, zone)
        ref = incident.ref or str(incident.id)
        case = session.get(InjuryCase, incident.id)
        if case is not None and case.work_related and CaseType(case.case_type) is CaseType.INJURY:
            accidents.append(
                Accident(
                    number=len(accidents) + 1,
                    incident_ref=ref,
                    person=_person(case, day),
                    activity=case.activity_before,
                    occurred_at=incident.occurred_at.astimezone(zone),
                    body_parts=_coded(case.body_parts, PART_OF_BODY_NAMES, case.injury_description),
                    accident_type=case.what_happened,
                    causal_agent=case.object_substance,
                    nature_of_injury=_coded(case.nature_codes, NATURE_NAMES, case.injury_description),
                    outcome=dosh_outcome(case).value,
                    lost_days=dosh_lost_days(case, day, max(today, day)),
                    jkkp6_sent=_met_on(clocks, ("dosh.jkkp6_7d", "dosh.lost_time_jkkp6_7d"), zone),
                )
            )
        elif case is not None and case.work_related:
            diseases.append(
                Disease(
                    number=len(diseases) + 1,
                    incident_ref=ref,
                    person=_person(case, day),
                    noted_on=day,
                    illness=case.injury_description,
                    agent=case.object_substance,
                    jkkp7_sent=_met_on(clocks, ("dosh.jkkp7_7d",), zone),
                )
            )
        if incident.kind is IncidentKind.DANGEROUS_OCCURRENCE:
            details = session.get(OccurrenceDetails, incident.id)
            category = details.dosh_category if details else ""
            occurrences.append(
                Occurrence(
                    number=len(occurrences) + 1,
                    incident_ref=ref,
                    occurred_at=incident.occurred_at.astimezone(zone),
                    category=DOSH_CATEGORY_NAMES.get(category, category),
                    description=incident.description or incident.title,
                    equipment=details.equipment if details else "",
                    jkkp6_sent=_met_on(clocks, ("dosh.jkkp6_7d",), zone),
                )
            )
    return Register(
        employer=employer(session=session, site=site, year=year),
        year=year,
        accidents=tuple(accidents),
        occurrences=tuple(occurrences),
        diseases=tuple(diseases),
        due=require(rules, "dosh.jkkp8_due").on_year(year + 1),
        generated_at=now.astimezone(zone),
    )


def jkkp6_notice(*, session: Session, incident: Incident, now: dt.datetime) -> Notification:
    """Return the JKKP 6 of an accident or dangerous occurrence, with why regulation 5 makes it reportable."""
    site = session.get(Site, incident.site_id)
    zone = site_zone(site)
    rules = site_rules(session=session, site_id=site.id)
    day = incident_date(incident, zone)
    case = session.get(InjuryCase, incident.id)
    accident = case is not None and case.work_related and CaseType(case.case_type) is CaseType.INJURY
    occurrence = session.get(OccurrenceDetails, incident.id)
    dangerous = incident.kind is IncidentKind.DANGEROUS_OCCURRENCE
    if not accident and not dangerous:
        raise InvalidRequest(
            f"incident {incident.ref}: a JKKP 6 is for a work accident or a dangerous occurrence, not a "
            f"{incident.kind.value.replace('_', ' ')}",
            code="not_reportable",
        )
    reasons: list[str] = []
    lost_days = 0
    if accident:
        lost_days = dosh_lost_days(case, day, max(now.astimezone(zone).date(), day))
        if case.died_on is not None:
            reasons.append("Death — regulation 5(1)")
        reasons += [f"Serious bodily injury: {why} — regulation 5(1)" for why in first_schedule(case)]
        threshold = require(rules, "dosh.lost_time_days").value
        if lost_days > threshold:
            reasons.append(
                f"Lost-time injury: {lost_days} days off work (more than {threshold:g}) — regulation 5(2)"
            )
    if dangerous:
        category = occurrence.dosh_category if occurrence else ""
        name = DOSH_CATEGORY_NAMES.get(category, category) or "category not given"
        reasons.append(f"Dangerous occurrence (Second Schedule: {name}) — regulation 5(1)")
    if not reasons:
        reasons.append(
            "Not reportable under regulation 5 on the facts recorded: enter it in the JKKP 8 register"
        )
    reporter = _names(session, {incident.reporter_id}).get(incident.reporter_id, "")
    clocks = [c for c in _clocks(session, incident.id) if c.rule_code.startswith("dosh.")]
    return Notification(
        employer=employer(session=session, site=site, year=day.year),
        incident_ref=incident.ref or str(incident.id),
        kind="accident" if accident else "dangerous_occurrence",
        reasons=tuple(reasons),
        occurred_at=incident.occurred_at.astimezone(zone),
        place=_place(session, incident),
        title=incident.title,
        description=incident.description,
        person=_person(case, day) if accident else None,
        activity=case.activity_before if accident else "",
        body_parts=_coded(case.body_parts, PART_OF_BODY_NAMES, case.injury_description) if accident else "",
        nature_of_injury=_coded(case.nature_codes, NATURE_NAMES, case.injury_description) if accident else "",
        causal_agent=case.object_substance if accident else "",
        outcome=dosh_outcome(case).value if accident else "",
        lost_days=lost_days,
        occurrence_category=DOSH_CATEGORY_NAMES.get(occurrence.dosh_category, occurrence.dosh_category)
        if occurrence
        else "",
        equipment=occurrence.equipment if occurrence else "",
        damage=occurrence.damage_description if occurrence else "",
        work_stopped_hours=occurrence.work_stopped_hours if occurrence else None,
        reported_by=reporter,
        clocks=tuple(
            ClockLine(
                title=c.title,
                due_at=c.due_at.astimezone(zone),
                met_at=c.met_at.astimezone(zone) if c.met_at else None,
                method=c.method,
                reference_number=c.reference_number,
            )
            for c in clocks
        ),
        generated_at=now.astimezone(zone),
    )


# --- one incident --------------------------------------------------------------------------------------


def _thumbnail(data: bytes | None, size: int = THUMBNAIL_PX, kind: str = "JPEG") -> bytes | None:
    """Return the picture at most `size` px on its longer side (JPEG, or PNG for drawn signatures),
    or None for missing or unreadable bytes."""
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail((size, size))
            out = io.BytesIO()
            image.convert("RGB").save(out, kind, **({"quality": 80} if kind == "JPEG" else {}))
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def _blob(blobs: BlobStore | None, sha256: str | None) -> bytes | None:
    """Return a blob's bytes when this store holds them."""
    if blobs is None or not sha256 or not blobs.exists(sha256):
        return None
    return blobs.read(sha256)


def _details(
    session: Session, incident: Incident, site: Site, reveal_private: bool, now: dt.datetime
) -> tuple[tuple[str, str], ...]:
    """Return the kind-specific details of an incident as (label, value) pairs."""
    zone = site_zone(site)
    pairs: list[tuple[str, str]] = []
    case = session.get(InjuryCase, incident.id)
    if case is not None:
        rules = site_rules(session=session, site_id=site.id)
        result = osha_result(case, incident, zone, rules, now.astimezone(zone).date())
        private = bool(result and result["privacy_case"]) or case.privacy_concern is not None
        hidden = private and not reveal_private
        ranges = ", ".join(
            f"{DayRangeKind(span.kind).value} {span.start}–{span.end or 'ongoing'}"
            for span in case.day_ranges
        )
        pairs += [
            ("Employee", PRIVACY_CASE if hidden else case.employee_name),
            ("Job title", case.job_title),
            (
                "Case type",
                case.case_type.value + (f" ({case.illness_type.value})" if case.illness_type else ""),
            ),
            ("Work-related", "yes" if case.work_related else "no"),
            ("Injury or illness", case.injury_description),
            ("Part of body", _coded(case.body_parts, PART_OF_BODY_NAMES, "")),
            ("Nature", _coded(case.nature_codes, NATURE_NAMES, "")),
            ("Object or substance", case.object_substance),
            ("Doing before", case.activity_before),
            ("What happened", case.what_happened),
            ("Treatments", ", ".join(case.treatments or [])),
            ("Medications", ", ".join(str(m.get("name", "")) for m in case.medications or [])),
            ("Days away / restricted", ranges),
            ("In-patient admission", case.inpatient_purpose.value if case.inpatient_purpose else "none"),
            ("Died on", str(case.died_on or "")),
        ]
        if jurisdiction(site) == "US" and result is not None:
            pairs.append(
                (
                    "OSHA classification",
                    f"{result['classification']}: {result['days_away']} days away, "
                    f"{result['days_restricted']} restricted; report to OSHA: {result['report_to_osha']}; "
                    "privacy case: "
                    f"{'yes' if result['privacy_case'] else 'no'}",
                )
            )
        if jurisdiction(site) == "MY":
            pairs.append(("JKKP outcome", dosh_outcome(case).value))
            pairs.append(("First Schedule", "; ".join(first_schedule(case)) or "no"))
    near = session.get(NearMissDetails, incident.id)
    if near is not None:
        pairs += [
            ("Hazard", HAZARD_NAMES.get(near.hazard_type, near.hazard_type)),
            ("Potential severity", near.potential_severity.value),
            ("What could have happened", near.what_could_have_happened),
            ("Immediate action", near.immediate_action),
        ]
    outage = session.get(OutageDetails, incident.id)
    if outage is not None:
        pairs += [
            ("Affected services", ", ".join(outage.affected_services or [])),
            ("Started", _local_text(outage.started_at, zone)),
            ("Ended", _local_text(outage.ended_at, zone)),
            ("Detected by", outage.detection_source.value if outage.detection_source else ""),
            ("Customer impact", outage.customer_impact.value),
            ("Users affected", "all" if outage.all_users_affected else str(outage.users_affected or "")),
            (
                "Regulatory category",
                CERT_IN_NAMES.get(outage.regulatory_category, outage.regulatory_category),
            ),
            ("Personal data breach", "yes" if outage.personal_data_breach else "no"),
            ("Data subjects affected", str(outage.data_subjects_affected or "")),
        ]
    occurrence = session.get(OccurrenceDetails, incident.id)
    if occurrence is not None:
        cost = f"{occurrence.estimated_cost:,.2f} {occurrence.currency}" if occurrence.estimated_cost else ""
        quantity = f"{occurrence.quantity:g} {occurrence.unit}" if occurrence.quantity else ""
        pairs += [
            ("DOSH category", DOSH_CATEGORY_NAMES.get(occurrence.dosh_category, occurrence.dosh_category)),
            ("Equipment", occurrence.equipment),
            ("Damage", occurrence.damage_description),
            ("Estimated cost", cost),
            ("Substance", occurrence.substance),
            ("Quantity", quantity),
            ("Released to", occurrence.release_medium),
            ("Contained", "yes" if occurrence.contained else "no"),
            (
                "Work stopped (hours)",
                "" if occurrence.work_stopped_hours is None else f"{occurrence.work_stopped_hours:g}",
            ),
        ]
    return tuple((label, value) for label, value in pairs if value)


def _local_text(value: dt.datetime | None, zone: dt.tzinfo) -> str:
    """Return a time in the site's zone as text, or ''."""
    return f"{value.astimezone(zone):%Y-%m-%d %H:%M %Z}" if value else ""


def incident_record(
    *,
    session: Session,
    incident: Incident,
    now: dt.datetime,
    blobs: BlobStore | None = None,
    reveal_private: bool = True,
) -> IncidentRecord:
    """Return everything about one incident for its report (photos and signatures from `blobs`)."""
    site = session.get(Site, incident.site_id)
    zone = site_zone(site)
    rows = _Rows.of(session, incident)
    name = rows.names.get
    return IncidentRecord(
        ref=incident.ref or str(incident.id),
        title=incident.title,
        kind=incident.kind.value.replace("_", " "),
        status=incident.status.value,
        priority=incident.priority.value if incident.priority else "not set",
        priority_reason=f"· {incident.priority_reason}" if incident.priority_reason else "",
        site=f"{site.name} ({site.code})",
        place=_place(session, incident),
        occurred_at=incident.occurred_at.astimezone(zone),
        reported_by=name(incident.reporter_id, ""),
        description=incident.description,
        details=_details(session, incident, site, reveal_private, now),
        timeline=_timeline(incident, rows, zone),
        plan=_plan(session, site, incident),
        photos=tuple(
            Photo(p.slot, p.caption, _in(zone, p.captured_at), p.sha256, _thumbnail(_blob(blobs, p.sha256)))
            for p in rows.photos
        ),
        statements=tuple(
            Statement(
                witness_name=s.witness_name,
                relation=s.relation.value,
                language=s.language,
                statement=s.statement,
                taken_at=_in(zone, s.taken_at),
                taken_by=name(s.taken_by_id, ""),
                signed_at=_in(zone, s.signed_at),
                signature=_thumbnail(_blob(blobs, s.signature_sha256), SIGNATURE_PX, "PNG"),
                amends_earlier=s.amends_id is not None,
            )
            for s in rows.statements
        ),
        investigation=_findings(rows.investigation, rows.names),
        actions=tuple(_action(action, rows, zone) for action in rows.actions),
        review=None
        if rows.review is None
        else Review(
            rows.review.what_happened,
            rows.review.root_cause,
            rows.review.detection,
            rows.review.went_well,
            _in(zone, rows.review.completed_at),
        ),
        clocks=tuple(
            Clock(
                title=c.title,
                authority=c.authority,
                started_at=c.started_at.astimezone(zone),
                due_at=c.due_at.astimezone(zone),
                state=state_of(c, now),
                met_at=_in(zone, c.met_at),
                met_by=name(c.met_by_id, "") if c.met_by_id else "",
                method=c.method,
                reference_number=c.reference_number,
                how=how_to_meet(c.rule_code),
            )
            for c in rows.clocks
        ),
        audit_head=audit.head(session),
        audit_events=_audit_count(session, incident, rows),
        generated_at=now.astimezone(zone),
    )


@dataclass(frozen=True)
class _Rows:
    """The rows about one incident that its record is made of, and the names of the people in them."""

    statements: list[WitnessStatement]
    actions: list[CorrectiveAction]
    signoffs: list[SignOff]
    checks: list[EffectivenessCheck]
    updates: list[StatusUpdate]
    amendments: list[Amendment]
    roles: list[IncidentRole]
    investigation: Investigation | None
    review: PostIncidentReview | None
    clocks: list[RegulatoryClock]
    photos: list[Attachment]
    names: dict[uuid.UUID, str]

    @classmethod
    def of(cls, session: Session, incident: Incident) -> _Rows:
        """Read every row about the incident."""

        def rows(model: Any, *order: Any) -> list[Any]:
            return list(
                session.scalars(select(model).where(model.incident_id == incident.id).order_by(*order))
            )

        actions = rows(CorrectiveAction, CorrectiveAction.due_on, CorrectiveAction.title)
        ids = [a.id for a in actions]
        signoffs = session.scalars(
            select(SignOff)
            .where(SignOff.subject == "corrective_action", SignOff.subject_id.in_(ids))
            .order_by(SignOff.signed_at)
        )
        checks = session.scalars(
            select(EffectivenessCheck)
            .where(EffectivenessCheck.action_id.in_(ids))
            .order_by(EffectivenessCheck.due_on)
        )
        statements = rows(WitnessStatement, WitnessStatement.taken_at)
        updates = rows(StatusUpdate, StatusUpdate.posted_at)
        amendments = rows(Amendment, Amendment.created_at)
        roles = rows(IncidentRole, IncidentRole.assigned_at)
        investigation = session.scalar(select(Investigation).where(Investigation.incident_id == incident.id))
        clocks = _clocks(session, incident.id)
        people = (
            {incident.reporter_id, investigation.lead_id if investigation else None}
            | {s.taken_by_id for s in statements}
            | {a.owner_id for a in actions}
            | {a.created_by_id for a in actions}
            | {u.posted_by_id for u in updates}
            | {a.author_id for a in amendments}
            | {r.user_id for r in roles}
            | {r.assigned_by_id for r in roles}
            | {c.met_by_id for c in clocks}
        )
        return cls(
            statements=statements,
            actions=actions,
            signoffs=list(signoffs) if ids else [],
            checks=list(checks) if ids else [],
            updates=updates,
            amendments=amendments,
            roles=roles,
            investigation=investigation,
            review=session.scalar(
                select(PostIncidentReview).where(PostIncidentReview.incident_id == incident.id)
            ),
            clocks=clocks,
            photos=[p for p in rows(Attachment, Attachment.slot) if p.kind == AttachmentKind.PHOTO],
            names=_names(session, people),
        )


def _in(zone: dt.tzinfo, value: dt.datetime | None) -> dt.datetime | None:
    """Return a time in the site's zone, or None."""
    return value.astimezone(zone) if value is not None else None


def _timeline(incident: Incident, rows: _Rows, zone: dt.tzinfo) -> tuple[Event, ...]:
    """Return the incident's events in time order: its own times, roles, amendments, updates, statements,
    corrective actions and notifications made."""
    name = rows.names.get
    reporter = name(incident.reporter_id, "")
    found: list[tuple[dt.datetime | None, str, str]] = [
        (incident.occurred_at, "Incident occurred", ""),
        (incident.detected_at if incident.detected_at != incident.occurred_at else None, "Detected", ""),
        (incident.device_recorded_at, "Report saved on the reporter's device (device clock)", reporter),
        (incident.server_received_at, "Report received by the central store", reporter),
        (incident.acknowledged_at, "Acknowledged", ""),
        (incident.resolved_at, "Resolved", ""),
        (incident.closed_at, "Closed", ""),
        (incident.retracted_at, f"Report retracted: {incident.retraction_reason}", ""),
    ]
    found += [
        (
            r.assigned_at,
            f"{r.role.value.replace('_', ' ')}: {name(r.user_id, '')}",
            name(r.assigned_by_id, ""),
        )
        for r in rows.roles
    ]
    found += [
        (a.created_at, f"Report amended: {', '.join(sorted(a.changes or {}))}", name(a.author_id, ""))
        for a in rows.amendments
    ]
    found += [
        (
            u.posted_at,
            f"Status update ({u.audience.value}, {u.status.value}): {u.body}",
            name(u.posted_by_id, ""),
        )
        for u in rows.updates
    ]
    found += [
        (s.taken_at, f"Witness statement taken from {s.witness_name}", name(s.taken_by_id, ""))
        for s in rows.statements
    ]
    for a in rows.actions:
        found += [
            (a.created_at, f"Corrective action created: {a.title}", name(a.created_by_id, "")),
            (a.done_at, f"Corrective action done: {a.title}", name(a.owner_id, "")),
            (a.verified_at, f"Corrective action verified: {a.title}", ""),
        ]
    for c in rows.clocks:
        ref = f", ref. {c.reference_number}" if c.reference_number else ""
        found.append(
            (c.met_at, f"{c.authority} notified: {c.title} ({c.method}{ref})", name(c.met_by_id, ""))
        )
    events = [Event(at.astimezone(zone), what, who) for at, what, who in found if at is not None]
    return tuple(sorted(events, key=lambda event: event.at))


def _plan(session: Session, site: Site, incident: Incident) -> SitePlan:
    """Return the site plan: the site's areas with positions, and where the incident was."""
    areas = session.scalars(select(SiteArea).where(SiteArea.site_id == site.id).order_by(SiteArea.name))
    located = incident.latitude is not None and incident.longitude is not None
    return SitePlan(
        site_name=site.name,
        areas=tuple(
            Area(a.name, a.latitude, a.longitude, a.radius_m or 15.0)
            for a in areas
            if a.latitude is not None and a.longitude is not None
        ),
        point=(incident.latitude, incident.longitude) if located else None,
        accuracy_m=incident.location_accuracy_m,
        area_name=_area_name(session, incident),
    )


def _findings(investigation: Investigation | None, names: dict[uuid.UUID, str]) -> Findings | None:
    """Return the investigation's findings, or None when there is none."""
    if investigation is None:
        return None
    category = investigation.root_cause_category
    return Findings(
        lead=names.get(investigation.lead_id, "") if investigation.lead_id else "",
        five_whys=tuple(str(answer) for answer in investigation.five_whys or []),
        contributing_factors=tuple(
            (str(f.get("category", "")), str(f.get("description", "")))
            for f in investigation.contributing_factors or []
        ),
        root_cause_category=category.value.replace("_", " ") if category else "",
        root_cause=investigation.root_cause,
        findings=investigation.findings,
    )


def _action(action: CorrectiveAction, rows: _Rows, zone: dt.tzinfo) -> Action:
    """Return one corrective action with its sign-offs and effectiveness checks."""
    return Action(
        title=action.title,
        kind=action.type.value,
        control_level=action.control_level.value,
        owner=rows.names.get(action.owner_id, ""),
        due_on=action.due_on,
        status=action.status.value,
        done_at=_in(zone, action.done_at),
        verified_at=_in(zone, action.verified_at),
        signatures=tuple(
            Signature(
                s.meaning,
                s.signer_name,
                s.signer_role.value,
                s.signed_at.astimezone(zone),
                s.content_sha256,
                s.reason,
            )
            for s in rows.signoffs
            if s.subject_id == action.id
        ),
        checks=tuple(_check_text(c) for c in rows.checks if c.action_id == action.id),
    )


def _audit_count(session: Session, incident: Incident, rows: _Rows) -> int:
    """Count the audit events about the incident and the rows that belong to it."""
    ids = {str(incident.id)} | {
        str(row.id) for row in (*rows.statements, *rows.actions, *rows.amendments, *rows.clocks)
    }
    if rows.investigation is not None:
        ids.add(str(rows.investigation.id))
    return int(
        session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_id.in_(ids))) or 0
    )


def _check_text(check: EffectivenessCheck) -> str:
    """Return one effectiveness check as a line of text."""
    verdict = "pending" if check.done_at is None else ("effective" if check.effective else "not effective")
    notes = f" — {check.notes}" if check.notes else ""
    return f"{check.days_after} days after verification, due {check.due_on}: {verdict}{notes}"


# --- metrics -------------------------------------------------------------------------------------------


def metrics_input(
    *, session: Session, site: Site, year: int, now: dt.datetime, ltifr_base: int | None = None
) -> MetricsInput:
    """Return the metrics input of the site's year: the log's counts, the incidents and the actions."""
    zone = site_zone(site)
    rules = site_rules(session=session, site_id=site.id)
    log = osha_log(session=session, site=site, year=year, now=now)
    start, end = _year_bounds(year, zone)
    as_of = min(now, end)
    incidents = []
    for incident in _incidents_of_year(session, site, year):
        started = incident.detected_at or incident.occurred_at
        priority = incident.priority.value if incident.priority else None
        target = f"policy.response_{priority.lower()}" if priority else None
        incidents.append(
            IncidentSample(
                kind=incident.kind.value,
                priority=priority,
                reported_at=incident.server_received_at or started,
                started_at=started,
                acknowledged_at=incident.acknowledged_at,
                resolved_at=incident.resolved_at,
                response_target=rules[target].duration if target in rules else None,
                cause=str(incident.problem_id) if incident.problem_id else None,
            )
        )
    actions = session.scalars(
        select(CorrectiveAction)
        .where(CorrectiveAction.site_id == site.id, CorrectiveAction.status != CapaStatus.CANCELLED)
        .where(CorrectiveAction.due_on >= start.date(), CorrectiveAction.due_on < end.date())
        .order_by(CorrectiveAction.due_on)
    )
    base = ltifr_base or int((site.settings or {}).get("ltifr_base", MILLION_HOURS))
    cases = log.cases
    return MetricsInput(
        site=f"{site.name} ({site.code})",
        year=year,
        hours_worked=log.establishment.total_hours_worked,
        employees=log.establishment.annual_average_employees,
        recordable_cases=len(cases),
        dart_cases=sum(c.outcome in ("days_away", "restricted_or_transfer") for c in cases),
        lost_time_cases=sum(c.outcome in ("death", "days_away") for c in cases),
        days_lost=sum(c.days_away for c in cases),
        incidents=tuple(incidents),
        actions=tuple((a.due_on, a.done_at.astimezone(zone).date() if a.done_at else None) for a in actions),
        as_of=as_of.astimezone(zone),
        generated_at=now.astimezone(zone),
        ltifr_base=base,
    )


# --- documents -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentRequest:
    """A checked request for one document: its kind, and the site and year or the incident it covers."""

    kind: str
    site: Site
    year: int | None
    incident: Incident | None
    case: str | None


@dataclass(frozen=True)
class Document:
    """A finished document: file name, media type and bytes."""

    filename: str
    media_type: str
    content: bytes


def prepare(
    *,
    session: Session,
    kind: str,
    site_code: str | None = None,
    year: int | None = None,
    incident_ref: str | None = None,
    case: str | None = None,
) -> DocumentRequest:
    """Check what a document needs (site and year, or an incident) and find them; raise a clear error."""
    spec = KINDS.get(kind)
    if spec is None:
        raise NotFound(f"no report kind {kind!r}; kinds: {', '.join(KINDS)}", code="unknown_report")
    if spec.per_incident:
        if not incident_ref:
            raise InvalidRequest(
                f"{kind} needs an incident reference (--incident REF)", code="missing_incident"
            )
        incident = find_incident(session=session, ref=incident_ref)
        site = session.get(Site, incident.site_id)
        if site_code and site.code != site_code:
            raise InvalidRequest(f"incident {incident_ref} is not at site {site_code}", code="wrong_site")
        return DocumentRequest(kind, site, None, incident, None)
    if not site_code or year is None:
        raise InvalidRequest(
            f"{kind} needs a site and a year (--site CODE --year YYYY)", code="missing_site_year"
        )
    if not 1970 <= year <= 2200:
        raise InvalidRequest(f"year {year} is out of range", code="bad_year")
    if case and kind != "osha-301":
        raise InvalidRequest(
            "a case number only selects one Form 301 (kind osha-301)", code="unexpected_case"
        )
    return DocumentRequest(kind, find_site(session=session, code=site_code), year, None, case)


def render(
    *,
    session: Session,
    request: DocumentRequest,
    now: dt.datetime,
    blobs: BlobStore | None = None,
    reveal_private: bool = True,
    ltifr_base: int | None = None,
) -> Document:
    """Gather the data of a prepared request and make the document; ITA problems become InvalidRequest."""
    kind, site, year = request.kind, request.site, request.year
    spec = KINDS[kind]
    if kind == "osha-300-privacy" and not reveal_private:
        raise Forbidden(
            "the privacy case list names employees: only HSE managers may have it", code="private"
        )
    makers: dict[str, Callable[[], bytes]] = {
        "osha-300": lambda: osha_300.log_pdf(_log()),
        "osha-300-privacy": lambda: osha_300.privacy_list_pdf(_log()),
        "osha-300a": lambda: osha_300a.summary_pdf(_log()),
        "osha-301": lambda: osha_301.incident_reports_pdf(*_chosen(_log(), request.case)),
        "ita-summary-csv": lambda: ita_csv.summary_csv(_log()).encode("utf-8"),
        "ita-cases-csv": lambda: ita_csv.cases_csv(_log()).encode("utf-8"),
        "jkkp6": lambda: dosh_pdf.jkkp6_pdf(
            jkkp6_notice(session=session, incident=request.incident, now=now)
        ),
        "jkkp8": lambda: dosh_pdf.jkkp8_pdf(dosh_register(session=session, site=site, year=year, now=now)),
        "incident": lambda: incident_pdf.incident_pdf(
            incident_record(
                session=session,
                incident=request.incident,
                now=now,
                blobs=blobs,
                reveal_private=reveal_private,
            )
        ),
        "metrics": lambda: metrics_report.metrics_pdf(
            metrics_report.compute(
                metrics_input(session=session, site=site, year=year, now=now, ltifr_base=ltifr_base)
            )
        ),
    }

    def _log() -> OshaLog:
        return osha_log(session=session, site=site, year=year, now=now, reveal_private=reveal_private)

    try:
        content = makers[kind]()
    except ItaError as error:
        raise InvalidRequest(str(error), code=error.code, problems=error.problems) from None
    subject = request.incident.ref if request.incident is not None and request.incident.ref else site.code
    suffix = f"-{year}" if year is not None else ""
    case_part = f"-case-{request.case}" if request.case else ""
    return Document(f"{kind}-{subject}{suffix}{case_part}.{spec.extension}", spec.media_type, content)


def _chosen(log: OshaLog, case: str | None) -> tuple[OshaLog, tuple[OshaCase, ...] | None]:
    """Return the log and the one case asked for (by case number or incident reference), or all."""
    if not case:
        return log, None
    chosen = tuple(c for c in log.cases if case in (c.case_number, c.incident_ref))
    if not chosen:
        numbers = ", ".join(c.case_number for c in log.cases) or "none"
        raise NotFound(f"no case {case!r} on the {log.year} log (cases: {numbers})", code="unknown_case")
    return log, chosen
