"""Gathering report data from the central store: the OSHA log (classified, numbered, privacy cases),
Form 301 items from the injury form's fields, the JKKP 8 register and JKKP 6, one incident's full record,
the metrics input, document requests, and the HTTP downloads with their permissions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import uuid
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import requests
from conftest import PASSWORD, fresh_engine
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from support.databases import backends, fresh_database
from support.pdfs import pdf_text
from support.report_data import LOG

from forms.convert import build_incident, case_file_from_model
from models import (
    Attachment,
    CorrectiveAction,
    EffectivenessCheck,
    Incident,
    InjuryCase,
    Investigation,
    RegulatoryClock,
    SignOff,
    Site,
    SiteArea,
    SiteYear,
    User,
    WitnessStatement,
)
from models.enums import CapaStatus, ControlLevel, Priority, Role, WitnessRelation
from models.recordability import classify
from reports import osha_301
from reports.osha_data import PRIVACY_CASE
from sync.errors import Forbidden, InvalidRequest, NotFound
from sync.server import audit, exports
from sync.server.accounts import add_user
from sync.server.blobs import BlobStore
from sync.server.db import session_factory

CHICAGO = ZoneInfo("America/Chicago")
KL = ZoneInfo("Asia/Kuala_Lumpur")
NOW = dt.datetime(2026, 1, 20, 15, 0, tzinfo=dt.UTC)


def injury(title: str, when: str, **values) -> dict:
    """Injury-form values with the required fields filled."""
    return {
        "case_type": "injury",
        "title": title,
        "occurred_at": when,
        "employee_name": "Maria Lopez",
        "job_title": "Welder",
        "what_happened": "The sheet slipped and cut her forearm.",
        "injury_description": "Laceration, left forearm",
        "object_substance": "Steel sheet edge",
        **values,
    }


SUTURES = {"treatments": ["wound_cleaning", "sutures"]}

RIV = [  # (ref, form, values, extra columns)
    (
        "RIV-1",
        "injury",
        injury("Cut forearm", "2025-01-05T10:00:00-06:00", location_text="Weld Bay 1", **SUTURES),
        {},
    ),
    (
        "RIV-2",
        "injury",
        injury(
            "Fractured finger",
            "2025-03-10T09:40:00-05:00",
            employee_name="राजेश कुमार",
            job_title="Press operator",
            diagnoses=["fracture"],
            treatments=["diagnostic_xray", "rigid_splint_or_support"],
            days_away=[{"start": "2025-03-11", "end": "2025-03-22"}],
            restrictions=[{"start": "2025-03-23", "end": "2025-04-09"}],
            location={"latitude": 29.76598, "longitude": -95.31178, "accuracy_m": 8},
            location_text="Press Line 2",
        ),
        {"case_number": "2025-001"},
    ),
    (
        "RIV-3",
        "injury",
        injury(
            "Needlestick",
            "2025-07-09T11:00:00-05:00",
            case_type="illness",
            illness_type="other_illness",
            employee_name="Dana White",
            employee_street="9 Oak St",
            contaminated_sharps_injury=True,
            privacy_concern="contaminated_sharps",
            treatments=["wound_cleaning"],
        ),
        {},
    ),
    (
        "RIV-4",
        "injury",
        injury("Spatter burn", "2025-08-01T10:00:00-05:00", treatments=["hot_cold_therapy"]),
        {},
    ),
    ("RIV-5", "injury", injury("Withdrawn", "2025-09-01T10:00:00-05:00", **SUTURES), {"retracted": True}),
    ("RIV-6", "injury", injury("Late cut", "2025-12-31T23:30:00-06:00", **SUTURES), {}),
    ("RIV-7", "injury", injury("Last year", "2024-12-31T20:00:00-06:00", **SUTURES), {}),
    (
        "RIV-8",
        "near_miss",
        {
            "title": "Forklift reversed blind",
            "occurred_at": "2025-05-05T08:00:00-05:00",
            "hazard_type": "vehicle",
            "what_could_have_happened": "A picker could have been hit.",
            "potential_severity": "high",
        },
        {},
    ),
]
KUL = [
    (
        "KUL-1",
        "injury",
        injury(
            "पैलेट जैक से पैर कुचला",
            "2025-05-12T14:20:00+08:00",
            employee_name="राजेश कुमार",
            job_title="Penjaga stor",
            id_number="P7654321",
            date_of_birth="1984-03-01",
            sex="male",
            citizenship="India",
            diagnoses=["fracture"],
            days_away=[{"start": "2025-05-13", "end": "2025-05-27"}],
            activity_before="Memusing pallet jack",
        ),
        {},
    ),
    (
        "KUL-2",
        "injury",
        injury(
            "Sesak nafas",
            "2025-11-17T10:00:00+08:00",
            case_type="illness",
            illness_type="respiratory_condition",
            employee_name="Budi Santoso",
            injury_description="Kerengsaan saluran pernafasan",
            object_substance="Wap cat",
        ),
        {},
    ),
    (
        "KUL-3",
        "occurrence",
        {
            "kind": "dangerous_occurrence",
            "title": "Tali anduh kren putus",
            "occurred_at": "2025-07-28T10:10:00+08:00",
            "description": "Beban jatuh ke lantai, tiada kecederaan.",
            "dosh_category": "lifting_machinery",
            "equipment": "Kren atas 10 tan",
            "work_stopped_hours": 30,
        },
        {},
    ),
    ("KUL-4", "injury", injury("Luka kecil", "2025-06-30T16:50:00+08:00", treatments=["wound_covering"]), {}),
]


@pytest.fixture(scope="module", params=backends())
def store(
    request, tmp_path_factory
) -> Iterator[tuple[sessionmaker[Session], BlobStore, dict[str, uuid.UUID]]]:
    """A central store with two sites (Texas, Malaysia), their 2025 incidents, evidence and follow-up."""
    tmp = tmp_path_factory.mktemp("exports")
    with fresh_database(request.param, tmp) as url:
        engine = fresh_engine(url)
        sessions = session_factory(engine)
        blobs = BlobStore(tmp / "blobs")
        ids = seed(sessions, blobs)
        yield sessions, blobs, ids
        engine.dispose()


def seed(sessions: sessionmaker[Session], blobs: BlobStore) -> dict[str, uuid.UUID]:
    """Create the sites, people and incidents of the tests; return incident ids by reference."""
    with sessions.begin() as session:
        riv = Site(
            code="RIV",
            name="Riverside Fabrication Plant",
            company_name="Riverside Metals LLC",
            street="1200 Harbor Rd",
            city="Baytown",
            state="TX",
            postal_code="77520",
            naics_code="332312",
            industry_description="Fabricated structural metal manufacturing",
            ein="751234567",
            timezone="America/Chicago",
        )
        kul = Site(
            code="KUL",
            name="Kilang Shah Alam",
            company_name="Kilang Contoh Sdn Bhd",
            street="Jalan Utas 15/7",
            city="Shah Alam",
            state="Selangor",
            postal_code="40200",
            country="MY",
            jurisdiction="MY",
            naics_code="336390",
            industry_description="Motor vehicle parts",
            timezone="Asia/Kuala_Lumpur",
        )
        session.add_all([riv, kul])
        session.flush()
        session.add_all(
            [
                SiteYear(site_id=riv.id, year=2025, annual_average_employees=120, total_hours_worked=249_600),
                SiteYear(site_id=kul.id, year=2025, annual_average_employees=420, total_hours_worked=873_600),
                SiteArea(
                    site_id=riv.id, name="Press Line 2", latitude=29.76595, longitude=-95.31180, radius_m=40
                ),
                SiteArea(
                    site_id=riv.id, name="Weld Bay 1", latitude=29.76620, longitude=-95.31230, radius_m=40
                ),
            ]
        )
        people = {
            name: add_user(
                session=session, username=name, password=PASSWORD, display_name=display, roles=roles
            )
            for name, display, roles in (
                ("manager", "Hana Manager", [(None, Role.HSE_MANAGER)]),
                ("officer", "Olga Officer", [("RIV", Role.SAFETY_OFFICER)]),
                ("worker", "Wanda Worker", [("RIV", Role.REPORTER), ("KUL", Role.REPORTER)]),
            )
        }
        ids = {}
        for site, specs in ((riv, RIV), (kul, KUL)):
            for ref, form_id, values, extra in specs:
                ids[ref] = _add(session, site, people["worker"], ref, form_id, values, extra)
        _follow_up(session, blobs, ids["RIV-2"], people)
        met = dt.datetime(2025, 5, 14, 9, 0, tzinfo=KL)
        session.add(
            RegulatoryClock(
                incident_id=ids["KUL-1"],
                rule_code="dosh.jkkp6_7d",
                authority="DOSH Malaysia",
                title="Send JKKP 6 for the serious bodily injury",
                started_at=dt.datetime(2025, 5, 12, 14, 20, tzinfo=KL),
                due_at=dt.datetime(2025, 5, 19, 14, 20, tzinfo=KL),
                met_at=met,
                met_by_id=people["manager"].id,
                method="letter",
                reference_number="JKKP-SEL-0412",
            )
        )
    return ids


def _add(session, site, reporter, ref, form_id, values, extra) -> uuid.UUID:
    """Store one incident built from its form, as report.create would, with its reference."""
    incident = build_incident(
        form_id, values, incident_id=uuid.uuid4(), site_id=site.id, reporter_id=reporter.id, now=NOW
    )
    incident.ref = ref
    incident.server_received_at = incident.occurred_at + dt.timedelta(minutes=10)
    incident.acknowledged_at = incident.occurred_at + dt.timedelta(minutes=25)
    incident.priority = Priority.P3
    if extra.get("retracted"):
        incident.retracted_at = incident.occurred_at + dt.timedelta(days=1)
    session.add(incident)
    session.flush()
    if "case_number" in extra:
        session.get(InjuryCase, incident.id).case_number = extra["case_number"]
    return incident.id


def photo_bytes() -> bytes:
    """A camera-sized JPEG."""
    buffer = io.BytesIO()
    Image.new("RGB", (2000, 1500), (120, 140, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


def _follow_up(session, blobs: BlobStore, incident_id: uuid.UUID, people: dict[str, User]) -> None:
    """Give one incident a photo, a signed statement, an investigation, a verified CAPA and audit events."""
    photo = blobs.put_bytes(photo_bytes())
    drawn = io.BytesIO()
    Image.new("RGB", (600, 200), "white").save(drawn, "PNG")
    signature = blobs.put_bytes(drawn.getvalue())
    broken = blobs.put_bytes(b"\xff\xd8 not a JPEG")
    at = dt.datetime(2025, 3, 10, 15, 0, tzinfo=CHICAGO)
    session.add(Attachment(incident_id=incident_id, slot="photo1", sha256=photo, size=1, mime="image/jpeg"))
    session.add(
        Attachment(incident_id=incident_id, slot="photo2", sha256="e" * 64, size=1, mime="image/jpeg")
    )
    session.add(Attachment(incident_id=incident_id, slot="photo3", sha256=broken, size=1, mime="image/jpeg"))
    session.add(
        WitnessStatement(
            incident_id=incident_id,
            witness_name="أحمد بن علي",
            relation=WitnessRelation.EMPLOYEE,
            statement="رأيت المشغل يمد يده إلى القالب.",
            language="ar",
            signature_sha256=signature,
            signed_at=at,
            taken_by_id=people["officer"].id,
            taken_at=at,
        )
    )
    session.add(
        Investigation(
            incident_id=incident_id,
            lead_id=people["officer"].id,
            five_whys=["The ram cycled", "The light curtain was bypassed"],
            contributing_factors=[{"category": "equipment", "description": "Bypass key not controlled"}],
            root_cause="No lock-out procedure for clearing jams",
        )
    )
    action = CorrectiveAction(
        site_id=session.get(Incident, incident_id).site_id,
        incident_id=incident_id,
        control_level=ControlLevel.ENGINEERING,
        title="Fix the light curtain interlock",
        owner_id=people["officer"].id,
        due_on=dt.date(2025, 3, 20),
        status=CapaStatus.VERIFIED,
        done_at=at + dt.timedelta(days=8),
        verified_at=at + dt.timedelta(days=9),
        created_by_id=people["manager"].id,
    )
    session.add(action)
    session.flush()
    session.add(
        SignOff(
            subject="corrective_action",
            subject_id=action.id,
            meaning="verified",
            signer_id=people["manager"].id,
            signer_name="Hana Manager",
            signer_role=Role.HSE_MANAGER,
            content_sha256="d" * 64,
            signed_at=at + dt.timedelta(days=9),
        )
    )
    session.add(
        EffectivenessCheck(
            action_id=action.id, days_after=30, due_on=dt.date(2025, 4, 18), effective=True, done_at=at
        )
    )
    for action_name in ("report.create", "incident.acknowledge"):
        audit.append(session, action=action_name, entity="incident", entity_id=str(incident_id), at=at)


# --- the OSHA log ----------------------------------------------------------------------------------------


def riv(session: Session) -> Site:
    """The Texas site."""
    return exports.find_site(session=session, code="RIV")


def test_the_log_holds_the_recordable_cases_of_the_year_in_site_time(store):
    sessions, _, _ = store
    with sessions() as session:
        log = exports.osha_log(session=session, site=riv(session), year=2025, now=NOW)
    assert [(c.incident_ref, c.case_number) for c in log.cases] == [
        ("RIV-1", "2025-002"),  # 2025-001 is the stored number of RIV-2
        ("RIV-2", "2025-001"),
        ("RIV-3", "2025-003"),
        ("RIV-6", "2025-004"),  # 23:30 on 31 December in Texas is still 2025
    ]
    fracture = log.cases[1]
    assert (fracture.outcome, fracture.days_away, fracture.days_restricted) == ("days_away", 12, 18)
    assert fracture.where == "Press Line 2" and fracture.employee_name == "राजेश कुमार"
    assert fracture.description == "Laceration, left forearm; Steel sheet edge"
    sharps = log.cases[2]
    assert sharps.privacy_case and sharps.type_column == "all_other_illnesses"
    assert sharps.employee_name == "Dana White"  # kept for the 301 and the confidential list
    e = log.establishment
    assert (e.name, e.ein, e.annual_average_employees, e.total_hours_worked) == (
        "Riverside Fabrication Plant",
        "751234567",
        120,
        249_600,
    )
    assert (log.posting_from, log.posting_until, log.ita_due) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 4, 30),
        dt.date(2026, 3, 2),
    )


def test_readers_who_may_not_see_names_get_privacy_case(store):
    sessions, _, _ = store
    with sessions() as session:
        log = exports.osha_log(session=session, site=riv(session), year=2025, now=NOW, reveal_private=False)
    sharps = log.cases[2]
    assert (sharps.employee_name, sharps.employee_street) == (PRIVACY_CASE, "")
    assert log.cases[0].employee_name == "Maria Lopez"


def test_other_years_and_sites_are_separate(store):
    sessions, _, _ = store
    with sessions() as session:
        assert [
            c.incident_ref
            for c in exports.osha_log(session=session, site=riv(session), year=2024, now=NOW).cases
        ] == ["RIV-7"]
        empty = exports.osha_log(session=session, site=riv(session), year=2023, now=NOW)
    assert empty.cases == () and empty.establishment.annual_average_employees is None


def test_every_301_item_is_filled_from_a_form_field():
    values = injury(
        "Crushed hand",
        "2025-06-02T09:15:00-05:00",
        employee_name="Kevin Nguyen",
        employee_street="48 Pine Ave",
        employee_city="Pasadena",
        employee_state="TX",
        employee_zip="77506",
        date_of_birth="1990-04-12",
        date_hired="2018-09-03",
        sex="male",
        physician="Dr. Alan Reyes",
        treatment_facility="Memorial Hermann, 1 Main St, Houston TX",
        emergency_room=True,
        inpatient="treatment",
        inpatient_date="2025-06-02",
        time_began_work="06:30",
        time_of_event="09:15",
        activity_before="Feeding plate into the shear",
        what_happened="His hand entered the blade zone.",
        injury_description="Amputation, tip of left middle finger",
        object_substance="Plate shear",
        died=True,
        date_of_death="2025-06-20",
        amputation=True,
    )
    incident = build_incident(
        "injury", values, incident_id=uuid.uuid4(), site_id=uuid.uuid4(), reporter_id=uuid.uuid4(), now=NOW
    )
    incident.ref = "RIV-301"
    result = classify(case_file_from_model(incident.injury, incident, as_of=dt.date(2025, 12, 31)))
    case = exports.osha_case(
        incident=incident,
        case=incident.injury,
        result=result,
        case_number="2025-017",
        incident_day=dt.date(2025, 6, 2),
        where="Press Line 2",
    )
    answers = {number: answer for number, _question, answer in osha_301.items(case)}
    assert answers == {
        1: "Kevin Nguyen",
        2: "48 Pine Ave, Pasadena, TX 77506",
        3: "04/12/1990",
        4: "09/03/2018",
        5: "Male",
        6: "Dr. Alan Reyes",
        7: "Memorial Hermann, 1 Main St, Houston TX",
        8: "Yes",
        9: "Yes",
        10: "2025-017",
        11: "06/02/2025",
        12: "6:30 AM",
        13: "9:15 AM",
        14: "Feeding plate into the shear",
        15: "His hand entered the blade zone.",
        16: "Amputation, tip of left middle finger",
        17: "Plate shear",
        18: "06/20/2025",
    }
    text = pdf_text(osha_301.incident_reports_pdf(dataclasses.replace(LOG, cases=(case,))))
    for answer in answers.values():
        assert answer in text
    unknown = build_incident(
        "injury",
        {**values, "time_unknown": True},
        incident_id=uuid.uuid4(),
        site_id=uuid.uuid4(),
        reporter_id=uuid.uuid4(),
        now=NOW,
    )
    case = exports.osha_case(
        incident=unknown,
        case=unknown.injury,
        result=result,
        case_number="2025-018",
        incident_day=dt.date(2025, 6, 2),
        where="",
    )
    assert osha_301.items(case)[12][2] == "Check if time cannot be determined: X"


# --- DOSH --------------------------------------------------------------------------------------------------


def test_the_jkkp8_register_of_the_year(store):
    sessions, _, _ = store
    with sessions() as session:
        site = exports.find_site(session=session, code="KUL")
        register = exports.dosh_register(session=session, site=site, year=2025, now=NOW)
    assert [(a.incident_ref, a.outcome, a.lost_days, a.jkkp6_sent) for a in register.accidents] == [
        ("KUL-1", "THUK", 15, dt.date(2025, 5, 14)),
        ("KUL-4", "THUK", 0, None),
    ]
    person = register.accidents[0].person
    assert (person.name, person.age, person.sex, person.id_number) == ("राजेश कुमार", 41, "L", "P7654321")
    assert [(d.incident_ref, d.illness) for d in register.diseases] == [
        ("KUL-2", "Kerengsaan saluran pernafasan")
    ]
    assert [(o.incident_ref, o.category, o.equipment) for o in register.occurrences] == [
        ("KUL-3", "Collapse, overturning or failure of lifting machinery", "Kren atas 10 tan")
    ]
    assert (register.employer.size, register.employer.workers, register.due) == (
        "B",
        420,
        dt.date(2026, 1, 31),
    )


def test_jkkp6_says_why_regulation_5_applies(store):
    sessions, _, _ = store
    with sessions() as session:
        fracture = exports.jkkp6_notice(
            session=session, incident=exports.find_incident(session=session, ref="KUL-1"), now=NOW
        )
        crane = exports.jkkp6_notice(
            session=session, incident=exports.find_incident(session=session, ref="KUL-3"), now=NOW
        )
        with pytest.raises(InvalidRequest, match="not a near miss"):
            exports.jkkp6_notice(
                session=session, incident=exports.find_incident(session=session, ref="RIV-8"), now=NOW
            )
    assert fracture.reasons == (
        "Serious bodily injury: fracture (First Schedule item 7) — regulation 5(1)",
        "Lost-time injury: 15 days off work (more than 4) — regulation 5(2)",
    )
    assert fracture.clocks[0].reference_number == "JKKP-SEL-0412"
    assert crane.kind == "dangerous_occurrence" and crane.person is None
    assert crane.reasons == (
        "Dangerous occurrence (Second Schedule: Collapse, overturning or failure of lifting machinery) — "
        "regulation 5(1)",
    )
    assert crane.work_stopped_hours == 30


# --- one incident ------------------------------------------------------------------------------------------


def test_the_incident_record_has_everything(store):
    sessions, blobs, ids = store
    with sessions() as session:
        incident = exports.find_incident(session=session, ref="RIV-2")
        record = exports.incident_record(session=session, incident=incident, now=NOW, blobs=blobs)
        head = audit.head(session)
    assert record.ref == "RIV-2" and record.site == "Riverside Fabrication Plant (RIV)"
    assert record.occurred_at.utcoffset() == dt.timedelta(hours=-5)  # Texas summer time
    assert ("Employee", "राजेश कुमार") in record.details
    assert any(
        label == "OSHA classification" and value.startswith("days_away: 12")
        for label, value in record.details
    )
    whats = [event.what for event in record.timeline]
    assert whats[:3] == ["Incident occurred", "Report received by the central store", "Acknowledged"]
    assert "Witness statement taken from أحمد بن علي" in whats
    assert "Corrective action verified: Fix the light curtain interlock" in whats
    assert [a.name for a in record.plan.areas] == ["Press Line 2", "Weld Bay 1"]
    assert record.plan.point == (29.76598, -95.31178) and record.plan.area_name == ""
    first, missing, unreadable = record.photos
    assert missing.thumbnail is None and unreadable.thumbnail is None
    assert max(Image.open(io.BytesIO(first.thumbnail)).size) == exports.THUMBNAIL_PX
    assert Image.open(io.BytesIO(record.statements[0].signature)).size == (240, 80)
    assert record.statements[0].taken_by == "Olga Officer"
    assert record.investigation.five_whys == ("The ram cycled", "The light curtain was bypassed")
    action = record.actions[0]
    assert [(s.meaning, s.signer) for s in action.signatures] == [("verified", "Hana Manager")]
    assert action.checks == ("30 days after verification, due 2025-04-18: effective",)
    assert record.audit_head == head and record.audit_events == 2


def test_metrics_input_counts_the_log_and_the_incidents(store):
    sessions, _, _ = store
    with sessions() as session:
        data = exports.metrics_input(
            session=session, site=riv(session), year=2025, now=NOW, ltifr_base=200_000
        )
    assert (data.recordable_cases, data.dart_cases, data.lost_time_cases, data.days_lost) == (4, 1, 1, 12)
    assert data.hours_worked == 249_600 and data.ltifr_base == 200_000
    assert sorted(i.kind for i in data.incidents) == [
        "illness",
        "injury",
        "injury",
        "injury",
        "injury",
        "near_miss",
    ]
    assert all(i.response_target == dt.timedelta(hours=4) for i in data.incidents)  # P3
    assert data.actions == ((dt.date(2025, 3, 20), dt.date(2025, 3, 18)),)


# --- document requests -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "code"),
    [
        ({"kind": "osha-999"}, NotFound, "unknown_report"),
        ({"kind": "osha-300", "site_code": "RIV"}, InvalidRequest, "missing_site_year"),
        ({"kind": "osha-300", "site_code": "NOPE", "year": 2025}, NotFound, "unknown_site"),
        ({"kind": "incident"}, InvalidRequest, "missing_incident"),
        ({"kind": "jkkp6", "incident_ref": "NOPE-1"}, NotFound, "unknown_incident"),
        (
            {"kind": "osha-300a", "site_code": "RIV", "year": 2025, "case": "2025-001"},
            InvalidRequest,
            "unexpected_case",
        ),
    ],
)
def test_bad_requests_are_refused_with_a_stable_code(store, kwargs, error, code):
    sessions, _, _ = store
    with sessions() as session, pytest.raises(error) as caught:
        exports.prepare(session=session, **kwargs)
    assert caught.value.code == code


def test_documents_of_every_kind(store):
    sessions, blobs, _ = store
    with sessions() as session:

        def make(kind, **kwargs):
            request = exports.prepare(session=session, kind=kind, **kwargs)
            return exports.render(session=session, request=request, now=NOW, blobs=blobs)

        year = {"site_code": "RIV", "year": 2025}
        for kind in ("osha-300", "osha-300-privacy", "osha-300a", "osha-301", "metrics"):
            document = make(kind, **year)
            assert document.content.startswith(b"%PDF") and document.filename == f"{kind}-RIV-2025.pdf"
        one = make("osha-301", case="2025-003", **year)
        assert one.filename == "osha-301-RIV-2025-case-2025-003.pdf" and "Dana White" in pdf_text(one.content)
        summary = make("ita-summary-csv", **year)
        assert summary.media_type == "text/csv; charset=utf-8" and summary.content.count(b"\r\n") == 2
        assert make("ita-cases-csv", **year).content.count(b"\r\n") == 5
        assert make("jkkp8", site_code="KUL", year=2025).content.startswith(b"%PDF")
        assert make("jkkp6", incident_ref="KUL-3").filename == "jkkp6-KUL-3.pdf"
        assert make("incident", incident_ref="RIV-2").filename == "incident-RIV-2.pdf"
        with pytest.raises(InvalidRequest) as caught:
            make("ita-summary-csv", site_code="KUL", year=2025)
        assert caught.value.code == "ita_invalid"
        assert [p.split(":")[0] for p in caught.value.details["problems"]] == ["state", "ein"]
        with pytest.raises(NotFound, match="no case '2025-099'"):
            make("osha-301", case="2025-099", **year)
        request = exports.prepare(session=session, kind="osha-300-privacy", **year)
        with pytest.raises(Forbidden):
            exports.render(session=session, request=request, now=NOW, reveal_private=False)


# --- HTTP ------------------------------------------------------------------------------------------------


def login(server, username: str) -> dict[str, str]:
    """Sign in and return the authorisation header."""
    body = requests.post(
        f"{server.api}/auth/login", json={"username": username, "password": PASSWORD}, timeout=10
    )
    return {"Authorization": f"Bearer {body.json()['token']}"}


def test_downloads_over_http_follow_the_roles(server, sessions, people):
    with sessions.begin() as session:
        s1 = session.scalar(select(Site).where(Site.code == "S1"))
        session.add(
            SiteYear(site_id=s1.id, year=2025, annual_average_employees=50, total_hours_worked=100_000)
        )
        for ref, _form, values, extra in (RIV[0], RIV[2]):
            _add(session, s1, people["worker"], ref, "injury", values, extra)
    get = lambda who, path, **params: requests.get(  # noqa: E731
        f"{server.api}/reports/{path}", params=params, headers=login(server, who), timeout=30
    )
    year = {"site": "S1", "year": 2025}
    as_manager = get("manager", "osha-300", **year)
    assert as_manager.status_code == 200 and as_manager.headers["content-type"] == "application/pdf"
    assert as_manager.headers["content-disposition"] == 'attachment; filename="osha-300-S1-2025.pdf"'
    assert "Privacy case" in pdf_text(as_manager.content)
    assert "Dana White" in pdf_text(get("manager", "osha-301", **year).content)
    officer_301 = get("officer", "osha-301", **year)
    assert officer_301.status_code == 200 and "Dana White" not in pdf_text(officer_301.content)
    assert get("officer", "osha-300-privacy", **year).json()["code"] == "private"
    assert get("manager", "osha-300-privacy", **year).status_code == 200
    for who, site in (("officer", "S2"), ("worker", "S1"), ("supervisor", "S1")):
        refused = get(who, "osha-300a", site=site, year=2025)
        assert (refused.status_code, refused.json()["code"]) == (403, "role_required")
    incident = get("officer", "incident", incident="RIV-1")
    assert incident.status_code == 200 and "Incident report RIV-1" in pdf_text(incident.content)
    invalid = get("manager", "ita-summary-csv", **year)
    assert invalid.status_code == 400 and invalid.json()["code"] == "ita_invalid"
    assert [p.split(":")[0] for p in invalid.json()["problems"]] == [
        "company_name", "street_address", "city", "state", "zip", "naics_code", "ein",
    ]  # fmt: skip
    cases = get("manager", "ita-cases-csv", **year)
    assert cases.headers["content-type"] == "text/csv; charset=utf-8" and cases.text.count("\r\n") == 3
    assert get("manager", "osha-999", **year).json()["code"] == "unknown_report"
    assert get("manager", "osha-300", site="S1").json()["code"] == "missing_site_year"
    data = get("officer", "metrics/data", **year).json()
    assert data["recordable_cases"] == 2 and data["ltifr_base"] == 1_000_000
    chart = get("officer", "metrics/charts/rates.svg", **year, ltifr_base=200_000)
    assert (
        chart.headers["content-type"].startswith("image/svg+xml") and "LTIFR per 200,000 hours" in chart.text
    )
    assert get("officer", "metrics/charts/pie.svg", **year).json()["code"] == "unknown_chart"
    kinds = get("worker", "kinds").json()
    assert [k["kind"] for k in kinds] == list(exports.KINDS)
