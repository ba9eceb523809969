"""Notification clocks on the central store: the due time of every jurisdiction's rule, site overrides,
the reaction that creates, moves, cancels and restores clocks as reports change, clock.meet, and the
app's clock queries (countdown states, the open-clock dashboard)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import fresh_engine
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from support.databases import backends, fresh_database

from app.queries_regulatory import incident_clocks, open_clocks
from app.store import View
from forms.convert import build_incident
from models import AuditEvent, Change, Incident, RegulatoryClock, RuleOverride, Site, User
from models.enums import MutationStatus
from sync.server.access import visible_incidents
from sync.server.accounts import actor_for_user
from sync.server.db import session_factory
from sync.server.execute import Result, execute
from sync.server.obligations import refresh_clocks

T0 = dt.datetime(2025, 3, 3, 10, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)
LATER = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def injury(when: dt.datetime = T0, **values: Any) -> dict[str, Any]:
    """Injury-form values of a work injury at `when`."""
    return {
        "case_type": "injury",
        "title": "Hand caught in press",
        "occurred_at": when.isoformat(),
        "employee_name": "Ana Lima",
        "what_happened": "The press cycled during a die change.",
        "injury_description": "Crush injury, right hand",
        **values,
    }


def breach(when: dt.datetime = T0, **values: Any) -> dict[str, Any]:
    """Outage-form values of a security incident detected two hours after it began."""
    return {
        "kind": "security",
        "title": "Payroll file sent outside",
        "occurred_at": when.isoformat(),
        "started_at": when.isoformat(),
        "detected_at": (when + 2 * H).isoformat(),
        **values,
    }


def add_site(sessions: sessionmaker[Session], code: str, country: str, zone: str = "UTC") -> None:
    """Add a site in another jurisdiction."""
    with sessions.begin() as session:
        session.add(
            Site(code=code, name=f"Plant {code}", country=country, jurisdiction=country, timezone=zone)
        )


def store(sessions: sessionmaker[Session], site: str, form_id: str, values: dict[str, Any]) -> uuid.UUID:
    """Store an incident built from its form (no mutation, so no clocks yet) and return its id."""
    with sessions.begin() as session:
        site_id = session.scalar(select(Site.id).where(Site.code == site))
        reporter = session.scalar(select(User.id).where(User.username == "worker"))
        incident = build_incident(
            form_id, values, incident_id=uuid.uuid4(), site_id=site_id, reporter_id=reporter, now=LATER
        )
        session.add(incident)
        return incident.id


def clocks_after_refresh(
    sessions, incident_id: uuid.UUID, now: dt.datetime
) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """Bring an incident's clocks up to date; return {rule: (started_at, due_at)} of those owed."""
    with sessions.begin() as session:
        refresh_clocks(
            session=session, incident=session.get(Incident, incident_id), now=now, touch=lambda _row: None
        )
    return owed(sessions, incident_id)


def owed(sessions, incident_id: uuid.UUID) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """The incident's clocks that are not cancelled: {rule: (started_at, due_at)}."""
    with sessions() as session:
        rows = session.scalars(
            select(RegulatoryClock).where(
                RegulatoryClock.incident_id == incident_id, RegulatoryClock.cancelled_at.is_(None)
            )
        )
        return {row.rule_code: (row.started_at, row.due_at) for row in rows}


# --- every rule, with its due time -----------------------------------------------------------------------


@pytest.fixture(scope="module", params=backends())
def db(request, tmp_path_factory) -> Iterator[sessionmaker[Session]]:
    """One store for the rule tests: a site in every jurisdiction (S1 US, S2 Malaysia, IN, ID, SA, AE)."""
    with fresh_database(request.param, tmp_path_factory.mktemp("clocks")) as url:
        engine = fresh_engine(url)
        sessions = session_factory(engine)
        with sessions.begin() as session:
            session.add(Site(code="S1", name="Plant One"))
            session.add(
                Site(
                    code="S2", name="Plant Two", country="MY", jurisdiction="MY", timezone="Asia/Kuala_Lumpur"
                )
            )
            session.add(User(username="worker", display_name="Wanda Worker"))
        for country in ("IN", "ID", "SA", "AE"):
            add_site(sessions, country, country)
        yield sessions
        engine.dispose()


def test_us_death_on_the_day_is_reported_within_8_hours(db):
    incident = store(
        db, "S1", "injury", injury(died=True, date_of_death="2025-03-03", treatments=["surgery"])
    )
    assert clocks_after_refresh(db, incident, T0 + H) == {
        "osha.fatality_8h": (T0, T0 + 8 * H),
        "osha.record_7d": (T0, T0 + 7 * D),
    }


def test_us_death_days_later_starts_its_clock_that_day(db):
    incident = store(
        db, "S1", "injury", injury(died=True, date_of_death="2025-03-05", treatments=["surgery"])
    )
    learnt = dt.datetime(2025, 3, 5, tzinfo=dt.UTC)
    assert clocks_after_refresh(db, incident, T0 + 3 * D)["osha.fatality_8h"] == (
        learnt,
        learnt + 8 * H,
    )


@pytest.mark.parametrize(
    ("facts", "learnt"),
    [
        ({"amputation": True}, T0),
        ({"eye_loss": True}, T0),
        ({"inpatient": "treatment", "inpatient_date": "2025-03-04"}, dt.datetime(2025, 3, 4, tzinfo=dt.UTC)),
    ],
)
def test_us_amputation_eye_loss_or_admission_is_reported_within_24_hours(db, facts, learnt):
    incident = store(db, "S1", "injury", injury(**facts))
    clocks = clocks_after_refresh(db, incident, T0 + H)
    assert clocks["osha.severe_injury_24h"] == (learnt, learnt + 24 * H)
    assert "osha.record_7d" in clocks


def test_us_first_aid_and_observation_owe_nothing(db):
    first_aid = store(db, "S1", "injury", injury(treatments=["wound_covering"]))
    observed = store(db, "S1", "injury", injury(inpatient="observation", inpatient_date="2025-03-03"))
    assert clocks_after_refresh(db, first_aid, T0 + H) == {}
    assert clocks_after_refresh(db, observed, T0 + H) == {}


def test_malaysia_serious_injury_is_notified_at_once_then_jkkp6_in_7_days(db):
    kl = dt.timezone(dt.timedelta(hours=8))
    at = dt.datetime(2025, 5, 12, 14, 20, tzinfo=kl)
    incident = store(db, "S2", "injury", injury(at, diagnoses=["fracture"]))
    assert clocks_after_refresh(db, incident, at + H) == {
        "dosh.immediate_notice": (at, at),
        "dosh.jkkp6_7d": (at, at + 7 * D),
    }


def test_malaysia_lost_time_over_4_days_needs_only_the_written_jkkp6(db):
    kl = dt.timezone(dt.timedelta(hours=8))
    at = dt.datetime(2025, 5, 12, 14, 20, tzinfo=kl)
    four = store(db, "S2", "injury", injury(at, days_away=[{"start": "2025-05-13", "end": "2025-05-16"}]))
    five = store(db, "S2", "injury", injury(at, days_away=[{"start": "2025-05-13", "end": "2025-05-17"}]))
    assert clocks_after_refresh(db, four, at + 10 * D) == {}
    assert clocks_after_refresh(db, five, at + 10 * D) == {"dosh.lost_time_jkkp6_7d": (at, at + 7 * D)}


def test_malaysia_dangerous_occurrence_and_occupational_disease(db):
    occurrence = store(
        db,
        "S2",
        "occurrence",
        {
            "kind": "dangerous_occurrence",
            "title": "Crane sling snapped",
            "occurred_at": T0.isoformat(),
            "dosh_category": "lifting_machinery",
        },
    )
    disease = store(db, "S2", "injury", injury(case_type="illness", illness_type="respiratory_condition"))
    assert clocks_after_refresh(db, occurrence, T0 + H) == {
        "dosh.immediate_notice": (T0, T0),
        "dosh.jkkp6_7d": (T0, T0 + 7 * D),
    }
    assert clocks_after_refresh(db, disease, T0 + H) == {"dosh.jkkp7_7d": (T0, T0 + 7 * D)}


def test_malaysia_personal_data_breach_72_hours_then_data_subjects(db):
    incident = store(db, "S2", "outage", breach(personal_data_breach=True, data_subjects_affected=1200))
    detected = T0 + 2 * H
    assert clocks_after_refresh(db, incident, T0 + 3 * H) == {
        "my_pdpa.breach_72h": (detected, detected + 72 * H),
        "my_pdpa.data_subjects_7d": (detected + 72 * H, detected + 72 * H + 7 * D),
    }


@pytest.mark.parametrize(
    ("country", "values", "rule", "hours"),
    [
        ("IN", {"regulatory_category": "cert_in_8"}, "certin.incident_6h", 6),
        ("IN", {"personal_data_breach": True}, "certin.incident_6h", 6),  # item 11, Data Breach
        ("ID", {"personal_data_breach": True}, "id_pdp.breach_72h", 72),
        ("SA", {"personal_data_breach": True}, "sa_pdpl.breach_72h", 72),
        ("AE", {"personal_data_breach": True}, "ae_pdpl.breach_immediate", 0),
    ],
)
def test_cyber_and_data_breach_clocks_run_from_detection(db, country, values, rule, hours):
    incident = store(db, country, "outage", breach(**values))
    detected = T0 + 2 * H
    assert clocks_after_refresh(db, incident, T0 + 3 * H) == {rule: (detected, detected + hours * H)}


def test_a_security_incident_outside_annexure_i_owes_nothing_in_india(db):
    assert clocks_after_refresh(db, store(db, "IN", "outage", breach()), T0 + 3 * H) == {}


def test_site_and_global_overrides_change_the_due_time(sessions, people):
    add_site(sessions, "IN", "IN")
    add_site(sessions, "ID", "ID")
    with sessions.begin() as session:
        india = session.scalar(select(Site.id).where(Site.code == "IN"))
        session.add(RuleOverride(site_id=None, rule_code="id_pdp.breach_72h", values={"value": 48}))
        session.add(RuleOverride(site_id=None, rule_code="certin.incident_6h", values={"value": 5}))
        session.add(
            RuleOverride(site_id=india, rule_code="certin.incident_6h", values={"value": 4, "note": "SLA"})
        )
    detected = T0 + 2 * H
    cert_in = clocks_after_refresh(
        sessions, store(sessions, "IN", "outage", breach(regulatory_category="cert_in_3")), T0
    )
    pdp = clocks_after_refresh(
        sessions, store(sessions, "ID", "outage", breach(personal_data_breach=True)), T0
    )
    assert cert_in == {"certin.incident_6h": (detected, detected + 4 * H)}  # the site's own beats the global
    assert pdp == {"id_pdp.breach_72h": (detected, detected + 48 * H)}


# --- the reaction, through real mutations ----------------------------------------------------------------


def run(sessions, username: str, name: str, args: dict[str, Any], now: dt.datetime = T0 + H) -> Result:
    """Execute one mutation as a seeded user, in its own transaction."""
    with sessions.begin() as session:
        user = session.scalar(select(User).where(User.username == username))
        return execute(session, actor_for_user(session=session, user=user), name, args, now=now)


def report(sessions, values: dict[str, Any], site: str = "S1") -> uuid.UUID:
    """File an injury report through report.create, as a phone's push does."""
    incident_id = uuid.uuid4()
    with sessions() as session:
        site_id = session.scalar(select(Site.id).where(Site.code == site))
    result = run(
        sessions,
        "worker" if site == "S1" else "worker2",
        "report.create",
        {
            "id": str(incident_id),
            "site_id": str(site_id),
            "form_id": "injury",
            "form_version": 2,
            "values": values,
            "device_recorded_at": T0.isoformat(),
        },
    )
    assert result.status is MutationStatus.APPLIED, result
    return incident_id


def amend(sessions, incident_id: uuid.UUID, changes: dict[str, Any], now: dt.datetime) -> None:
    """Amend a report through report.amend."""
    args = {"id": str(uuid.uuid4()), "incident_id": str(incident_id), "changes": changes}
    assert run(sessions, "worker", "report.amend", args, now=now).status is MutationStatus.APPLIED


def clock_rows(sessions, incident_id: uuid.UUID) -> dict[str, RegulatoryClock]:
    """Every clock row of an incident, cancelled or not, by rule."""
    with sessions() as session:
        rows = session.scalars(select(RegulatoryClock).where(RegulatoryClock.incident_id == incident_id))
        return {row.rule_code: row for row in rows}


def test_filing_a_report_starts_its_clocks_and_publishes_them(sessions, people):
    incident = report(sessions, injury(amputation=True))
    assert owed(sessions, incident) == {
        "osha.severe_injury_24h": (T0, T0 + 24 * H),
        "osha.record_7d": (T0, T0 + 7 * D),
    }
    with sessions() as session:
        published = session.scalars(select(Change.entity_id).where(Change.entity == "regulatory_clock")).all()
    assert sorted(published) == sorted(str(row.id) for row in clock_rows(sessions, incident).values())


def test_amendments_cancel_and_restore_clocks_and_retraction_cancels_what_is_unmet(sessions, people):
    incident = report(sessions, injury(amputation=True))
    first = clock_rows(sessions, incident)
    amend(sessions, incident, {"amputation": False, "treatments": ["wound_covering"]}, T0 + 2 * H)
    cancelled = clock_rows(sessions, incident)
    assert {code: row.cancelled_at for code, row in cancelled.items()} == {
        "osha.severe_injury_24h": T0 + 2 * H,
        "osha.record_7d": T0 + 2 * H,
    }
    amend(sessions, incident, {"amputation": True}, T0 + 3 * H)
    restored = clock_rows(sessions, incident)
    assert {code: (row.id, row.cancelled_at, row.due_at) for code, row in restored.items()} == {
        code: (row.id, None, row.due_at) for code, row in first.items()
    }
    record = restored["osha.record_7d"]
    met = run(sessions, "officer", "clock.meet", {"id": str(record.id), "method": "300 Log"}, now=T0 + 4 * H)
    assert met.details["state"] == "met"
    assert (
        run(
            sessions, "worker", "report.retract", {"id": str(incident), "reason": "duplicate"}, now=T0 + 5 * H
        ).status
        is MutationStatus.APPLIED
    )
    final = clock_rows(sessions, incident)
    assert final["osha.severe_injury_24h"].cancelled_at == T0 + 5 * H
    assert final["osha.record_7d"].cancelled_at is None and final["osha.record_7d"].met_at == T0 + 4 * H


def test_a_bad_site_override_is_audited_and_the_shipped_rules_apply(sessions, people):
    with sessions.begin() as session:
        site_id = session.scalar(select(Site.id).where(Site.code == "S1"))
        session.add(
            RuleOverride(site_id=site_id, rule_code="osha.severe_injury_24h", values={"value": "soon"})
        )
    incident = report(sessions, injury(amputation=True))
    assert owed(sessions, incident)["osha.severe_injury_24h"] == (T0, T0 + 24 * H)
    with sessions() as session:
        notes = session.scalars(
            select(AuditEvent.data).where(AuditEvent.action == "clocks.rules_invalid")
        ).all()
    assert len(notes) == 1 and "osha.severe_injury_24h" in notes[0]["message"]


# --- clock.meet ------------------------------------------------------------------------------------------


def test_clock_meet_records_when_how_who_and_the_reference(sessions, people):
    incident = report(sessions, injury(amputation=True))
    clock = clock_rows(sessions, incident)["osha.severe_injury_24h"]
    args = {
        "id": str(clock.id),
        "method": "phone",
        "reference_number": "OSHA-123",
        "met_at": (T0 + 3 * H).isoformat(),
    }
    for who in ("worker", "supervisor"):
        refused = run(sessions, who, "clock.meet", args)
        assert (refused.status, refused.code) == (MutationStatus.REJECTED, "forbidden")
    future = run(
        sessions, "manager", "clock.meet", {**args, "met_at": (T0 + 5 * H).isoformat()}, now=T0 + 4 * H
    )
    assert (future.code, future.details["field"]) == ("invalid_args", "met_at")
    early = run(sessions, "manager", "clock.meet", {**args, "met_at": (T0 - H).isoformat()})
    assert early.code == "invalid_args"
    done = run(sessions, "officer", "clock.meet", args, now=T0 + 4 * H)
    assert (done.status, done.details["state"]) == (MutationStatus.APPLIED, "met")
    stored = clock_rows(sessions, incident)["osha.severe_injury_24h"]
    assert (stored.met_at, stored.method, stored.reference_number) == (T0 + 3 * H, "phone", "OSHA-123")
    assert stored.met_by_id == people["officer"].id
    assert run(sessions, "officer", "clock.meet", args, now=T0 + 5 * H).status is MutationStatus.DUPLICATE
    again = run(sessions, "manager", "clock.meet", {**args, "reference_number": "OSHA-999"}, now=T0 + 5 * H)
    assert again.code == "already_met"
    late = run(
        sessions,
        "officer",
        "clock.meet",
        {
            "id": str(clock_rows(sessions, incident)["osha.record_7d"].id),
            "method": "300 Log",
            "met_at": (T0 + 8 * D).isoformat(),
        },
        now=T0 + 9 * D,
    )
    assert late.details["state"] == "overdue"  # met, but after the deadline


def test_a_cancelled_clock_cannot_be_met(sessions, people):
    incident = report(sessions, injury(amputation=True))
    amend(sessions, incident, {"amputation": False}, T0 + 2 * H)
    clock = clock_rows(sessions, incident)["osha.severe_injury_24h"]
    result = run(sessions, "manager", "clock.meet", {"id": str(clock.id), "method": "phone"}, now=T0 + 3 * H)
    assert result.code == "clock_cancelled"
    assert (
        run(sessions, "manager", "clock.meet", {"id": str(uuid.uuid4()), "method": "phone"}).code
        == "not_found"
    )


# --- the app's queries -----------------------------------------------------------------------------------


def view_of(sessions, username: str) -> View:
    """What a seeded user may see."""
    with sessions() as session:
        user = session.scalar(select(User).where(User.username == username))
        actor = actor_for_user(session=session, user=user)
    return View(actor=actor, incidents=visible_incidents(actor))


def test_countdown_states_from_ok_to_warning_to_overdue_and_met(sessions, people):
    incident = report(sessions, injury(amputation=True))
    officer = view_of(sessions, "officer")

    def states(now: dt.datetime) -> dict[str, tuple[str, dt.timedelta]]:
        with sessions() as session:
            rows = incident_clocks(session, officer, incident_id=incident, now=now)
        return {row.rule_code: (row.state, row.time_left) for row in rows}

    assert states(T0 + 17 * H)["osha.severe_injury_24h"] == ("ok", 7 * H)
    assert states(T0 + 19 * H)["osha.severe_injury_24h"] == ("warning", 5 * H)  # under a quarter of 24 h
    assert states(T0 + 25 * H)["osha.severe_injury_24h"] == ("overdue", -H)
    clock = clock_rows(sessions, incident)["osha.severe_injury_24h"]
    run(
        sessions,
        "manager",
        "clock.meet",
        {"id": str(clock.id), "method": "online", "met_at": (T0 + 20 * H).isoformat()},
        now=T0 + 21 * H,
    )
    with sessions() as session:
        row = incident_clocks(session, officer, incident_id=incident, now=T0 + 30 * H)[0]
    assert (row.rule_code, row.state, row.met_by, row.method) == (
        "osha.severe_injury_24h",
        "met",
        "Hana Manager",
        "online",
    )
    assert row.how.startswith("Phone the nearest OSHA Area Office")
    stranger = view_of(sessions, "worker2")
    with sessions() as session:
        assert incident_clocks(session, stranger, incident_id=incident, now=T0) == []


def test_open_clocks_across_the_sites_a_person_may_see(sessions, people):
    us = report(sessions, injury(amputation=True))
    my = report(sessions, injury(diagnoses=["fracture"]), site="S2")
    manager, officer = view_of(sessions, "manager"), view_of(sessions, "officer")
    with sessions() as session:
        s2 = session.scalar(select(Site.id).where(Site.code == "S2"))
        everything = open_clocks(session, manager, now=T0 + 2 * H)
        own_site = open_clocks(session, officer, now=T0 + 2 * H)
        only_s2 = open_clocks(session, manager, now=T0 + 2 * H, site_id=s2)
    assert [(row.site_name, row.clock.rule_code, row.clock.state) for row in everything] == [
        ("Plant Two", "dosh.immediate_notice", "overdue"),
        ("Plant One", "osha.severe_injury_24h", "ok"),
        ("Plant Two", "dosh.jkkp6_7d", "ok"),
        ("Plant One", "osha.record_7d", "ok"),
    ]
    assert {row.clock.incident_id for row in own_site} == {us}
    assert {row.clock.incident_id for row in only_s2} == {my}
