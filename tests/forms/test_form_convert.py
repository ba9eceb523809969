"""From filed forms to stored rows (on a real SQLite database) and to the OSHA case file."""

import datetime as dt
import uuid
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import models
from forms import CASE_FILE_KEYS, InvalidForm, UnknownForm, build_incident, case_file, case_file_from_model
from forms.convert import promote_quick
from models import Incident, Site, SiteArea, User
from models.enums import (
    CaseType,
    CustomerImpact,
    DayRangeKind,
    DetectionSource,
    IllnessType,
    IncidentKind,
    InpatientPurpose,
    PotentialSeverity,
    PrivacyConcern,
    Sex,
)
from models.recordability import classify

NOW = dt.datetime(2025, 3, 20, 6, 0, tzinfo=dt.UTC)
SHA = "0f" * 32
INJURY = {
    "case_type": "injury",
    "title": "Cut hand on press 4",
    "occurred_at": "2025-03-14T07:30:00+08:00",  # 23:30 UTC on the 13th: the worker's date is the 14th
    "description": "Guard left open after the die change.",
    "location_text": "Press line, bay 4",
    "location": {"latitude": 3.139, "longitude": 101.6869, "accuracy_m": 8},
    "photos": [{"slot": "photo-1", "sha256": SHA, "caption": "The open guard"}],
    "employee_name": "Siti Aminah",
    "employee_street": "12 Jalan Mawar",
    "employee_city": "Shah Alam",
    "employee_state": "Selangor",
    "employee_zip": "40000",
    "date_of_birth": "1990-05-01",
    "date_hired": "2019-08-15",
    "sex": "female",
    "job_title": "Press operator",
    "id_number": "900501-10-5678",
    "citizenship": "Malaysia",
    "employment_status": "permanent",
    "time_began_work": "07:00",
    "activity_before": "Clearing a jammed blank from the die",
    "what_happened": "The press cycled while her hand was in the die area.",
    "object_substance": "Press die",
    "injury_description": "Deep cut, left index finger",
    "body_parts": ["44"],
    "nature": ["13"],
    "physician": "Dr Lim",
    "treatment_facility": "Klinik Seksyen 7",
    "emergency_room": True,
    "inpatient": "observation",
    "inpatient_date": "2025-03-14",
    "treatments": ["wound_cleaning", "sutures"],
    "treatment_notes": "Six stitches",
    "medications": [{"name": "Ibuprofen", "dose_mg": 400, "prescription_only": False}],
    "days_away": [{"start": "2025-03-15", "end": "2025-03-17"}],
    "restrictions": [{"start": "2025-03-18", "end": None}],
    "privacy_concern": "employee_request",
}


@pytest.fixture
def session() -> Iterator[Session]:
    """An in-memory SQLite database with every table and foreign keys enforced."""
    engine = create_engine("sqlite://")
    event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA foreign_keys=ON"))
    models.Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def ids(session: Session) -> dict[str, uuid.UUID]:
    """A site with one area and a reporting user."""
    site = Site(
        code="KL1", name="Shah Alam plant", country="MY", jurisdiction="MY", timezone="Asia/Kuala_Lumpur"
    )
    session.add(site)
    session.flush()
    area = SiteArea(site_id=site.id, name="Press line")
    user = User(username="siti", display_name="Siti Aminah")
    session.add_all([area, user])
    session.flush()
    return {"site_id": site.id, "reporter_id": user.id, "area_id": area.id}


def file(session: Session, ids: dict[str, uuid.UUID], form_id: str, values: dict) -> Incident:
    """Build an incident from a form, store it, and read it back from the database."""
    incident = build_incident(
        form_id,
        values,
        incident_id=uuid.uuid4(),
        site_id=ids["site_id"],
        reporter_id=ids["reporter_id"],
        now=NOW,
    )
    session.add(incident)
    session.flush()
    session.expire_all()
    return session.get(Incident, incident.id)


def test_injury_form_is_stored_as_incident_and_case(session, ids):
    stored = file(session, ids, "injury", {**INJURY, "area_id": str(ids["area_id"])})
    assert stored.kind is IncidentKind.INJURY
    assert stored.title == "Cut hand on press 4"
    assert stored.occurred_at == dt.datetime(2025, 3, 13, 23, 30, tzinfo=dt.UTC)
    assert (stored.latitude, stored.longitude, stored.location_accuracy_m) == (3.139, 101.6869, 8.0)
    assert stored.area_id == ids["area_id"] and stored.location_text == "Press line, bay 4"
    assert (stored.form_id, stored.form_version) == ("injury", 2)
    assert stored.form_values["occurred_at"] == "2025-03-14T07:30:00+08:00"
    assert stored.form_values["photos"][0]["slot"] == "photo-1"
    case = stored.injury
    assert case.case_type is CaseType.INJURY and case.illness_type is None and case.work_related
    assert (case.employee_name, case.employee_city, case.employee_zip) == (
        "Siti Aminah",
        "Shah Alam",
        "40000",
    )
    assert case.date_of_birth == dt.date(1990, 5, 1) and case.date_hired == dt.date(2019, 8, 15)
    assert case.sex is Sex.FEMALE and case.id_number == "900501-10-5678"
    assert case.time_began_work == dt.time(7, 0)
    assert case.time_of_event == dt.time(7, 30)  # taken from occurred_at on the worker's clock
    assert case.body_parts == ["44"] and case.nature_codes == ["13"]
    assert case.treatments == ["wound_cleaning", "sutures"]
    assert case.medications == [{"name": "Ibuprofen", "dose_mg": 400.0, "prescription_only": False}]
    assert case.emergency_room and case.inpatient_purpose is InpatientPurpose.OBSERVATION
    assert case.inpatient_date == dt.date(2025, 3, 14)
    assert case.privacy_concern is PrivacyConcern.EMPLOYEE_REQUEST and case.hearing is None
    assert [(r.kind, r.start, r.end) for r in case.day_ranges] == [
        (DayRangeKind.AWAY, dt.date(2025, 3, 15), dt.date(2025, 3, 17)),
        (DayRangeKind.RESTRICTED, dt.date(2025, 3, 18), None),
    ]


def test_illness_with_hearing_loss_and_death(session, ids):
    values = {
        **INJURY,
        "case_type": "illness",
        "illness_type": "hearing_loss",
        "standard_threshold_shift": True,
        "hearing_level_db": 32,
        "time_unknown": True,
        "time_of_event": "09:00",
        "died": True,
        "date_of_death": "2025-03-19",
    }
    case = file(session, ids, "injury", values).injury
    assert case.incident.kind is IncidentKind.ILLNESS
    assert case.case_type is CaseType.ILLNESS and case.illness_type is IllnessType.HEARING_LOSS
    assert case.hearing == {"standard_threshold_shift": True, "hearing_level_db": 32.0}
    assert case.time_unknown and case.time_of_event is None
    assert case.died_on == dt.date(2025, 3, 19)


def test_near_miss_is_stored_with_its_details(session, ids):
    values = {
        "title": "Pallet nearly fell from racking",
        "occurred_at": "2025-03-18T14:00:00+07:00",
        "hazard_type": "falling_object",
        "what_could_have_happened": "It could have hit the picker below.",
        "potential_severity": "high",
        "immediate_action": "Area closed and pallet re-stacked.",
    }
    stored = file(session, ids, "near_miss", values)
    assert stored.kind is IncidentKind.NEAR_MISS
    details = stored.near_miss
    assert details.hazard_type == "falling_object" and details.potential_severity is PotentialSeverity.HIGH
    assert details.immediate_action == "Area closed and pallet re-stacked."


def test_security_incident_is_stored_with_outage_details(session, ids):
    values = {
        "kind": "security",
        "title": "Ransomware on the file server",
        "occurred_at": "2025-03-19T22:10:00+05:30",
        "affected_services": ["File server", "Payroll"],
        "detected_at": "2025-03-19T23:00:00+05:30",
        "detection_source": "monitoring",
        "customer_impact": "partial_outage",
        "users_affected": 140,
        "regulatory_category": "cert_in_5",
        "personal_data_breach": True,
        "data_subjects_affected": "5000",
    }
    stored = file(session, ids, "outage", values)
    assert stored.kind is IncidentKind.SECURITY
    assert stored.detected_at == dt.datetime(2025, 3, 19, 17, 30, tzinfo=dt.UTC)
    outage = stored.outage
    assert outage.started_at == dt.datetime(2025, 3, 19, 16, 40, tzinfo=dt.UTC)  # defaults to occurred_at
    assert outage.ended_at is None
    assert outage.affected_services == ["File server", "Payroll"]
    assert outage.detection_source is DetectionSource.MONITORING
    assert outage.customer_impact is CustomerImpact.PARTIAL_OUTAGE
    assert (outage.users_affected, outage.data_subjects_affected) == (140, 5000)
    assert outage.regulatory_category == "cert_in_5" and outage.personal_data_breach


def test_all_users_affected_hides_the_user_count(session, ids):
    values = {
        "title": "Mail down",
        "occurred_at": "2025-03-19T08:00:00Z",
        "all_users_affected": True,
        "users_affected": 12,
    }
    outage = file(session, ids, "outage", values).outage
    assert outage.all_users_affected and outage.users_affected is None
    assert outage.customer_impact is CustomerImpact.NONE and outage.regulatory_category == ""


def test_environmental_release_is_stored_with_occurrence_details(session, ids):
    values = {
        "kind": "environmental",
        "title": "Diesel spill at the genset",
        "occurred_at": "2025-03-19T10:00:00+04:00",
        "substance": "Diesel",
        "quantity": "120",
        "unit": "litre",
        "release_medium": "land",
        "contained": True,
        "dosh_category": "pipelines",  # hidden for this kind: dropped
    }
    stored = file(session, ids, "occurrence", values)
    assert stored.kind is IncidentKind.ENVIRONMENTAL
    details = stored.occurrence
    assert (details.substance, details.quantity, details.unit) == ("Diesel", 120.0, "litre")
    assert details.release_medium == "land" and details.contained and details.dosh_category == ""
    assert "dosh_category" not in stored.form_values


def test_dangerous_occurrence_with_damage(session, ids):
    values = {
        "title": "Crane jib buckled",
        "occurred_at": "2025-03-19T10:00:00+08:00",
        "dosh_category": "lifting_machinery",
        "equipment": "Overhead crane 2",
        "estimated_cost": 25000,
        "currency": "myr",
        "work_stopped_hours": 30,
    }
    details = file(session, ids, "occurrence", values).occurrence
    assert details.incident_id is not None and details.dosh_category == "lifting_machinery"
    assert (details.estimated_cost, details.currency, details.work_stopped_hours) == (25000.0, "MYR", 30.0)


def test_quick_report_is_stored_with_the_detail_row_of_its_kind(session, ids):
    values = {
        "kind": "illness",
        "title": "Rash after handling solvent",
        "occurred_at": "2025-03-19T10:00:00+08:00",
        "photos": [{"slot": "photo-1", "sha256": SHA}],
    }
    stored = file(session, ids, "quick", values)
    assert stored.kind is IncidentKind.ILLNESS and stored.form_id == "quick"
    assert stored.injury.case_type is CaseType.ILLNESS and stored.injury.employee_name == ""
    near_miss = file(session, ids, "quick", {**values, "kind": "near_miss"})
    assert near_miss.near_miss.potential_severity is PotentialSeverity.LOW


def test_quick_values_promote_to_a_draft_of_the_detailed_form():
    values = {"kind": "security", "title": "Phishing mail", "occurred_at": "2025-03-19T10:00:00Z"}
    assert promote_quick(values) == (
        "outage",
        {"kind": "security", "title": "Phishing mail", "occurred_at": "2025-03-19T10:00:00Z"},
    )
    form_id, draft = promote_quick({**values, "kind": "illness"})
    assert form_id == "injury" and draft["case_type"] == "illness" and "kind" not in draft
    assert promote_quick({**values, "kind": "near_miss"}) == (
        "near_miss",
        {k: v for k, v in values.items() if k != "kind"},
    )
    with pytest.raises(UnknownForm):
        promote_quick({"title": "No kind"})


def test_invalid_form_is_refused_with_its_field_errors():
    with pytest.raises(InvalidForm) as caught:
        build_incident(
            "injury",
            {**INJURY, "occurred_at": "2025-03-14T07:30:00", "employee_name": ""},
            incident_id=uuid.uuid4(),
            site_id=uuid.uuid4(),
            reporter_id=uuid.uuid4(),
            now=NOW,
        )
    assert caught.value.code == "invalid_form"
    assert [(e.field, e.code) for e in caught.value.errors] == [
        ("occurred_at", "no_timezone"),
        ("employee_name", "required"),
    ]


def test_case_file_has_exactly_the_recordability_shape():
    assert case_file(INJURY, as_of=dt.date(2025, 3, 20)) == {
        "case_type": "injury",
        "illness_type": None,
        "work_related": True,
        "incident_date": "2025-03-14",
        "as_of": "2025-03-20",
        "treatments": ["wound_cleaning", "sutures"],
        "medications": [{"name": "Ibuprofen", "dose_mg": 400.0, "prescription_only": False}],
        "lost_consciousness": False,
        "diagnoses": [],
        "contaminated_sharps_injury": False,
        "hearing": None,
        "days_away": [{"start": "2025-03-15", "end": "2025-03-17"}],
        "restrictions": [{"start": "2025-03-18", "end": None}],
        "died_on": None,
        "inpatient_admission": {"date": "2025-03-14", "purpose": "observation"},
        "amputation": False,
        "eye_loss": False,
        "public_road_motor_vehicle": False,
        "public_transport": False,
        "privacy_concern": "employee_request",
    }
    assert tuple(case_file(INJURY)) == CASE_FILE_KEYS
    assert case_file(INJURY)["as_of"] is None


@pytest.mark.parametrize(
    ("inpatient", "expected"),
    [
        ("none", None),
        ("treatment", {"date": "2025-03-14", "purpose": "treatment"}),
        ("observation", {"date": "2025-03-14", "purpose": "observation"}),
        ("diagnostic", {"date": "2025-03-14", "purpose": "diagnostic"}),
    ],
)
def test_case_file_inpatient_admission_by_purpose(inpatient, expected):
    assert case_file({**INJURY, "inpatient": inpatient})["inpatient_admission"] == expected


def test_case_file_leaves_out_hidden_answers():
    values = {
        **INJURY,
        "illness_type": "poisoning",
        "date_of_death": "2025-03-18",
        "standard_threshold_shift": True,
    }
    facts = case_file(values)
    assert facts["illness_type"] is None and facts["died_on"] is None and facts["hearing"] is None
    hearing = case_file(
        {**values, "case_type": "illness", "illness_type": "hearing_loss", "hearing_level_db": 27}
    )
    assert hearing["hearing"] == {"standard_threshold_shift": True, "hearing_level_db": 27.0}
    assert case_file({**values, "died": True})["died_on"] == "2025-03-18"


def test_stored_case_gives_the_same_case_file_as_the_form(session, ids):
    stored = file(session, ids, "injury", INJURY)
    as_of = dt.date(2025, 3, 20)
    assert case_file_from_model(stored.injury, stored, as_of=as_of) == case_file(INJURY, as_of=as_of)


def test_stored_case_date_falls_back_to_the_site_zone_when_the_form_time_was_amended(session, ids):
    stored = file(session, ids, "injury", INJURY)
    stored.occurred_at = dt.datetime(2025, 3, 13, 20, 0, tzinfo=dt.UTC)  # amended, form not yet updated
    assert case_file_from_model(stored.injury, stored)["incident_date"] == "2025-03-13"
    local = case_file_from_model(stored.injury, stored, tz=ZoneInfo("Asia/Kuala_Lumpur"))
    assert local["incident_date"] == "2025-03-14"


def test_filed_form_classifies_in_the_recordability_engine(session, ids):
    as_of = dt.date(2025, 3, 20)
    first_aid_only = {
        **INJURY,
        "treatments": ["wound_cleaning", "wound_covering"],
        "medications": [],
        "days_away": [],
        "restrictions": [],
        "inpatient": "none",
    }
    assert classify(case_file(first_aid_only, as_of=as_of))["recordable"] is False
    sutures = classify(case_file({**first_aid_only, "treatments": ["sutures"]}, as_of=as_of))
    assert sutures["recordable"] is True and sutures["classification"] == "other_recordable"
    admitted = classify(case_file({**first_aid_only, "inpatient": "treatment"}, as_of=as_of))
    assert admitted["report_to_osha"] == "24_hours"
    observed = classify(case_file({**first_aid_only, "inpatient": "observation"}, as_of=as_of))
    assert observed["report_to_osha"] == "none"
    stored = file(session, ids, "injury", INJURY)
    result = classify(case_file_from_model(stored.injury, stored, as_of=as_of))
    assert result["classification"] == "days_away" and result["days_away"] == 3
    assert result["days_restricted"] == 3


def test_the_database_checks_the_references(session, ids):
    incident = build_incident(
        "near_miss",
        {
            "title": "Loose cable across the aisle",
            "occurred_at": "2025-03-18T14:00:00+07:00",
            "hazard_type": "slip_trip",
            "what_could_have_happened": "Someone could trip.",
            "potential_severity": "low",
        },
        incident_id=uuid.uuid4(),
        site_id=uuid.uuid4(),  # no such site
        reporter_id=ids["reporter_id"],
        now=NOW,
    )
    session.add(incident)
    with pytest.raises(IntegrityError):
        session.flush()
