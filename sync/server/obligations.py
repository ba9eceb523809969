"""Notification clocks on the central store: an incident's facts, the site's rules, and RegulatoryClock
rows kept in step with them after every change (a server reaction).

When the organisation learnt of an incident: its detection time (or when it occurred); for a death or an
in-patient admission dated after the incident day, the start of that day in the site's time zone. Each
clock is recomputed from the current facts and rules (so corrections move it); a met clock is never
changed; a duty that is no longer owed gets `cancelled_at` and comes back if the facts bring it back.
The organisation's response targets are not stored here: they are policy, not duties to an authority.

The clocks are kept in the mutation's transaction, so they are there when an officer looks. A new
report is read as built (it has no clocks yet), and a site's rules are read once per transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from forms.convert import case_file_from_model
from forms.taxonomies import cert_in_item
from models import (
    CaseDayRange,
    Incident,
    InjuryCase,
    NearMissDetails,
    OccurrenceDetails,
    OutageDetails,
    RegulatoryClock,
    RuleOverride,
    Site,
)
from models.clocks import IncidentFacts, Obligation, obligations
from models.enums import CaseType, DayRangeKind, DoshOutcome, IncidentKind, InpatientPurpose
from models.recordability import CaseError, classify
from models.rules import Rule, RuleError, default_rules, merge_overrides
from sync.mutations.base import Context, Outcome
from sync.server.reactions import filed, get, memo, reaction

log = logging.getLogger("ims.obligations")

FIRST_SCHEDULE_DIAGNOSES = {"fracture": "fracture (First Schedule item 7)"}
"""Case-file diagnoses that are NADOPOD First Schedule serious bodily injuries."""

_DETAIL_ROWS = (InjuryCase, NearMissDetails, OutageDetails, OccurrenceDetails)


def site_zone(site: Site) -> dt.tzinfo:
    """Return the site's time zone; an unknown zone name is logged and UTC is used."""
    try:
        return ZoneInfo(site.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("site %s: unknown time zone %r; using UTC", site.code, site.timezone)
        return dt.UTC


def site_rules(*, session: Session, site_id: uuid.UUID) -> dict[str, Rule]:
    """Return the rules table with the overrides for every site applied first, then the site's own."""
    rows = session.scalars(
        select(RuleOverride).where(or_(RuleOverride.site_id.is_(None), RuleOverride.site_id == site_id))
    ).all()
    rules = default_rules()
    for scope in (None, site_id):
        changes = {row.rule_code: row.values for row in rows if row.site_id == scope}
        if changes:
            rules = merge_overrides(rules, changes)
    return rules


def jurisdiction(site: Site) -> str:
    """Return the rules-table country of a site: its jurisdiction, else its country; "ZZ" (no country's
    rules apply) when neither is a two-letter code."""
    for code in (site.jurisdiction, site.country):
        code = (code or "").strip().upper()
        if len(code) == 2 and code.isascii() and code.isalpha():
            return code
    return "ZZ"


def first_schedule(case: InjuryCase) -> list[str]:
    """Return why a case is a NADOPOD First Schedule serious bodily injury (empty: it is not)."""
    found = [FIRST_SCHEDULE_DIAGNOSES[d] for d in case.diagnoses or [] if d in FIRST_SCHEDULE_DIAGNOSES]
    if case.eye_loss:
        found.append("loss of sight of an eye (First Schedule item 2)")
    if case.amputation:
        found.append("loss of a member or joint (First Schedule item 4)")
    if case.permanent_disability:
        found.append("permanent impairment of a member or joint (First Schedule item 5)")
    if case.lost_consciousness:
        found.append("loss of consciousness (First Schedule items 8-9)")
    if case.inpatient_purpose == InpatientPurpose.TREATMENT:
        found.append("admitted to hospital for treatment (First Schedule item 11)")
    return found


def dosh_lost_days(case: InjuryCase, incident_date: dt.date, as_of: dt.date) -> int:
    """Return the calendar days away from work from the day after the accident (NADOPOD reg 2), no cap."""
    days: set[dt.date] = set()
    for span in case.day_ranges:
        if DayRangeKind(span.kind) is not DayRangeKind.AWAY:
            continue
        day = max(span.start, incident_date + dt.timedelta(days=1))
        stop = min(span.end or as_of, as_of)
        while day <= stop:
            days.add(day)
            day += dt.timedelta(days=1)
    return len(days)


def dosh_outcome(case: InjuryCase) -> DoshOutcome:
    """Return the JKKP 8 outcome: fatal, permanent disability (amputation, eye loss…) or neither."""
    if case.died_on is not None:
        return DoshOutcome.FATAL
    if case.permanent_disability or case.amputation or case.eye_loss:
        return DoshOutcome.PERMANENT_DISABILITY
    return DoshOutcome.NO_PERMANENT_DISABILITY


def incident_date(incident: Incident, zone: dt.tzinfo) -> dt.date:
    """Return the day the incident occurred, in the site's time zone."""
    return incident.occurred_at.astimezone(zone).date()


def osha_result(
    case: InjuryCase, incident: Incident, zone: dt.tzinfo, rules: dict[str, Rule], as_of: dt.date
) -> dict[str, Any] | None:
    """Classify a stored case under 29 CFR 1904; None (logged) when its facts are not a valid case file."""
    try:
        file = case_file_from_model(case, incident, as_of=max(as_of, incident_date(incident, zone)), tz=zone)
        return classify(file, rules)
    except CaseError as error:
        log.warning("incident %s: case not classified: %s", incident.id, error)
        return None


def incident_facts(
    *,
    session: Session,
    incident: Incident,
    site: Site,
    rules: dict[str, Rule],
    now: dt.datetime,
    new: bool = False,
) -> IncidentFacts:
    """Return what the clocks need to know about an incident, from its rows (`new`: as just built, with
    its detail rows attached)."""
    zone = site_zone(site)
    country = jurisdiction(site)
    learnt = max(incident.occurred_at, incident.detected_at or incident.occurred_at)
    day = incident_date(incident, zone)
    facts: dict[str, Any] = {}
    case = incident.injury if new else session.get(InjuryCase, incident.id)
    if case is not None and case.work_related:
        today = now.astimezone(zone).date()
        if country == "US":
            facts["osha"] = osha_result(case, incident, zone, rules, today)
        admitted = case.inpatient_purpose == InpatientPurpose.TREATMENT
        later = [d for d in (case.died_on, case.inpatient_date if admitted else None) if d and d > day]
        if later:
            start = dt.datetime.combine(max(later), dt.time(0), tzinfo=zone)
            learnt = max(learnt, start)
        facts.update(
            died=case.died_on is not None,
            amputation=case.amputation,
            eye_loss=case.eye_loss,
            inpatient=admitted,
            serious_bodily_injury=bool(first_schedule(case)),
            lost_days=dosh_lost_days(case, day, max(today, day)),
            occupational_disease=CaseType(case.case_type) is CaseType.ILLNESS,
        )
    outage = incident.outage if new else session.get(OutageDetails, incident.id)
    if outage is not None:
        facts.update(
            personal_data_breach=outage.personal_data_breach,
            data_subjects=outage.data_subjects_affected,
            cert_in_type=cert_in_item(outage.regulatory_category),
        )
    return IncidentFacts(
        kind=incident.kind.value,
        country=country,
        learnt_at=learnt.astimezone(zone),
        occurred_at=incident.occurred_at.astimezone(zone),
        dangerous_occurrence=incident.kind is IncidentKind.DANGEROUS_OCCURRENCE,
        **facts,
    )


def owed(
    *,
    session: Session,
    incident: Incident,
    now: dt.datetime,
    rules: dict[str, Rule] | None = None,
    new: bool = False,
) -> list[Obligation]:
    """Return the notifications an incident owes now (none once it is retracted)."""
    if incident.retracted_at is not None:
        return []
    site = session.get(Site, incident.site_id)
    rules = site_rules(session=session, site_id=site.id) if rules is None else rules
    facts = incident_facts(session=session, incident=incident, site=site, rules=rules, now=now, new=new)
    return obligations(facts, rules)


def refresh_clocks(
    *,
    session: Session,
    incident: Incident,
    now: dt.datetime,
    touch: Callable[[RegulatoryClock], None],
    rules: dict[str, Rule] | None = None,
    new: bool = False,
) -> list[RegulatoryClock]:
    """Create, move, cancel or restore an incident's clocks to match what it owes; return the changed rows.

    `new`: the incident was created in this transaction, so it has no clocks yet.
    """
    clocks = (
        {}
        if new
        else {
            clock.rule_code: clock
            for clock in session.scalars(
                select(RegulatoryClock).where(RegulatoryClock.incident_id == incident.id)
            )
        }
    )
    changed: list[RegulatoryClock] = []
    due = owed(session=session, incident=incident, now=now, rules=rules, new=new)
    for duty in due:
        clock = clocks.get(duty.rule_code)
        if clock is None:
            clock = RegulatoryClock(id=uuid.uuid4(), incident_id=incident.id, rule_code=duty.rule_code)
            session.add(clock)
        elif clock.met_at is not None:
            continue
        wanted = {
            "authority": duty.authority,
            "title": duty.title,
            "started_at": duty.started_at,
            "due_at": duty.due_at,
            "cancelled_at": None,
        }
        if any(getattr(clock, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(clock, name, value)
            changed.append(clock)
    codes = {duty.rule_code for duty in due}
    for code, clock in clocks.items():
        if code not in codes and clock.met_at is None and clock.cancelled_at is None:
            clock.cancelled_at = now
            changed.append(clock)
    for clock in changed:
        touch(clock)
    return changed


def incidents_changed(session: Session, ctx: Context, outcome: Outcome) -> list[Incident]:
    """Return the incidents a mutation created or changed: touched incidents and their detail rows."""
    ids: list[uuid.UUID] = []
    if outcome.entity == "incident" and outcome.entity_id:
        ids.append(uuid.UUID(outcome.entity_id))
    for row, _op in ctx.touched:
        if isinstance(row, Incident):
            ids.append(row.id)
        elif isinstance(row, _DETAIL_ROWS):
            ids.append(row.incident_id)
        elif isinstance(row, CaseDayRange):
            ids.append(row.case_id)
    found = []
    for incident_id in dict.fromkeys(ids):
        incident = get(session, ctx, Incident, incident_id) if incident_id is not None else None
        if incident is not None:
            found.append(incident)
    return found


@reaction
def clocks_follow_incidents(session: Session, ctx: Context, name: str, outcome: Outcome) -> None:
    """Keep the notification clocks of every incident the mutation created or changed in step."""
    incidents = incidents_changed(session, ctx, outcome)
    if not incidents:
        return
    created = uuid.UUID(outcome.entity_id) if filed(name, outcome) else None
    if created is None:
        session.flush()
    for incident in incidents:
        new = incident.id == created
        if not new:
            case = session.get(InjuryCase, incident.id)
            if case is not None:
                session.expire(case, ["day_ranges"])
        rules, error = _rules_of(session, incident.site_id)
        if error is not None:
            ctx.note("clocks.rules_invalid", incident_id=str(incident.id), message=str(error))
        refresh_clocks(session=session, incident=incident, now=ctx.now, touch=ctx.touch, rules=rules, new=new)


def _rules_of(session: Session, site_id: uuid.UUID) -> tuple[dict[str, Rule], RuleError | None]:
    """A site's rules (the defaults, with the error, when its overrides are invalid), once per transaction."""
    known = memo(session)
    key = ("site_rules", site_id)
    if key not in known:
        try:
            with session.no_autoflush:  # the overrides are not written by mutations: no need to flush first
                known[key] = (site_rules(session=session, site_id=site_id), None)
        except RuleError as error:
            known[key] = (default_rules(), error)
    return known[key]
