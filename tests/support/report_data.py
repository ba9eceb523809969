"""A fixed dataset for the report tests: a US log, a Malaysian register, an incident, a year of metrics.

Names are in English, Malay, Hindi, Arabic and Chinese, so every script goes through every form.
"""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw

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
from reports.metrics import IncidentSample, MetricsInput
from reports.osha_data import Establishment, OshaCase, OshaLog

CHICAGO = ZoneInfo("America/Chicago")
KL = ZoneInfo("Asia/Kuala_Lumpur")
GENERATED = dt.datetime(2026, 1, 15, 9, 30, tzinfo=CHICAGO)

ESTABLISHMENT = Establishment(
    name="Riverside Fabrication Plant",
    company_name="Riverside Metals LLC",
    street="1200 Harbor Rd",
    city="Baytown",
    state="TX",
    postal_code="77520",
    country="US",
    naics_code="332312",
    industry_description="Fabricated structural metal manufacturing",
    ein="75-1234567",
    establishment_type=1,
    annual_average_employees=120,
    total_hours_worked=249_600,
)


def osha_case(number: int, **fields) -> OshaCase:
    """Return a recordable injury with every 301 item filled; fields override."""
    base = {
        "case_number": f"2025-{number:03d}",
        "incident_ref": f"RIV-2025-{number:04d}",
        "employee_name": "Maria Lopez",
        "privacy_case": False,
        "job_title": "Welder",
        "incident_date": dt.date(2025, 2, 3),
        "where": "Weld Bay 1",
        "description": "Laceration, left forearm; steel sheet edge",
        "outcome": "other_recordable",
        "days_away": 0,
        "days_restricted": 0,
        "type_column": "injury",
        "employee_street": "12 Elm St",
        "employee_city": "Baytown",
        "employee_state": "TX",
        "employee_zip": "77521",
        "date_of_birth": dt.date(1988, 6, 1),
        "date_hired": dt.date(2019, 4, 15),
        "sex": "female",
        "physician": "Dr. Alan Reyes",
        "treatment_facility": "Baytown Urgent Care, 400 Main St, Baytown TX 77520",
        "emergency_room": False,
        "inpatient": False,
        "time_began_work": dt.time(7, 0),
        "time_of_event": dt.time(10, 15),
        "time_unknown": False,
        "activity_before": "Moving a cut sheet to the weld table",
        "what_happened": "The sheet slipped and its edge cut the left forearm",
        "injury_description": "Laceration, left forearm",
        "object_substance": "Steel sheet edge",
        "died_on": None,
        "privacy_concern": None,
    }
    return OshaCase(**(base | fields))


CASES = (
    osha_case(1),
    osha_case(
        2,
        employee_name="राजेश कुमार",
        job_title="Press operator",
        incident_date=dt.date(2025, 3, 10),
        where="Press Line 2",
        description="Fracture, right index finger; press die",
        outcome="days_away",
        days_away=12,
        days_restricted=18,
        sex="male",
        emergency_room=True,
        activity_before="Clearing a jammed part",
        what_happened="The ram cycled while he cleared the jam",
        injury_description="Fracture, right index finger",
        object_substance="Press die",
    ),
    osha_case(
        3,
        employee_name="أحمد بن علي",
        job_title="Shipping clerk",
        incident_date=dt.date(2025, 4, 22),
        where="Shipping Dock",
        description="Lower back strain; wooden crate",
        outcome="restricted_or_transfer",
        days_restricted=9,
        sex="male",
        time_unknown=True,
        time_of_event=None,
    ),
    osha_case(
        4,
        employee_name="张伟",
        job_title="Painter",
        incident_date=dt.date(2025, 6, 5),
        where="Paint Booth",
        description="Contact dermatitis, both hands; xylene solvent",
        type_column="skin_disorder",
        sex="male",
    ),
    osha_case(
        5,
        employee_name="Siti Nurhaliza binti Ahmad",
        privacy_case=True,
        privacy_concern="contaminated_sharps",
        job_title="Warehouse associate",
        incident_date=dt.date(2025, 7, 9),
        where="Shipping Dock",
        description="Puncture wound, right palm; used syringe",
        type_column="all_other_illnesses",
    ),
    osha_case(
        6,
        employee_name="Tom Becker",
        job_title="Erector",
        incident_date=dt.date(2025, 8, 14),
        where="Yard crane bay",
        description="Fatal head injuries; fall from a 6 m platform",
        outcome="death",
        sex="male",
        inpatient=True,
        emergency_room=True,
        died_on=dt.date(2025, 8, 16),
    ),
    osha_case(
        7,
        employee_name="Robert Lee",
        job_title="Press operator",
        incident_date=dt.date(2025, 11, 3),
        where="Press Line 2",
        description="Noise-induced hearing loss, left ear; press noise",
        type_column="hearing_loss",
        sex="male",
    ),
)

LOG = OshaLog(
    establishment=ESTABLISHMENT,
    year=2025,
    cases=CASES,
    generated_at=GENERATED,
    posting_from=dt.date(2026, 2, 1),
    posting_until=dt.date(2026, 4, 30),
    ita_due=dt.date(2026, 3, 2),
)

EMPLOYER = Employer(
    employer_name="Kilang Contoh Sdn Bhd",
    company_name="Kilang Contoh Sdn Bhd",
    place_of_work="Shah Alam Assembly Plant",
    address="Jalan Utas 15/7, Seksyen 15, 40200 Shah Alam, Selangor",
    industry_code="336390",
    industry_description="Motor vehicle parts manufacturing",
    workers=420,
    hours_worked=873_600,
)

SITI = Person("Siti Nurhaliza binti Ahmad", "900101-10-5678", 35, "P", "Malaysia", "Tetap", "Operator mesin")
RAJESH = Person("राजेश कुमार", "P7654321", 41, "L", "India", "Kontrak", "Penjaga stor")
AHMAD = Person("أحمد بن علي", "E9988776", 29, "L", "Mesir", "Tetap", "Pemandu forklift")
BUDI = Person("Budi Santoso", "A1234567", 33, "L", "Indonesia", "Tetap", "Juru cat")

REGISTER = Register(
    employer=EMPLOYER,
    year=2025,
    accidents=(
        Accident(
            1,
            "SHA-2025-0015",
            SITI,
            "Menyusun kepingan logam",
            dt.datetime(2025, 1, 30, 8, 5, tzinfo=KL),
            "Jari kanan",
            "Tersepit",
            "Acuan mesin tekan",
            "Luka",
            "THUK",
            6,
            dt.date(2025, 2, 4),
        ),
        Accident(
            2,
            "SHA-2025-0017",
            RAJESH,
            "पैलेट जैक मोड़ना",
            dt.datetime(2025, 5, 12, 14, 20, tzinfo=KL),
            "दाएँ पैर का अंगूठा",
            "Tercepit",
            "पैलेट जैक",
            "फ्रैक्चर",
            "THUK",
            15,
            dt.date(2025, 5, 16),
        ),
        Accident(
            3,
            "SHA-2025-0018",
            AHMAD,
            "Memunggah lori",
            dt.datetime(2025, 6, 30, 16, 50, tzinfo=KL),
            "الكاحل الأيسر",
            "Tergelincir",
            "حافة منصة التحميل",
            "التواء",
            "THUK",
            0,
            None,
        ),
        Accident(
            4,
            "SHA-2025-0022",
            Person("张伟", "", None, "L", "China", "", "Juruteknik"),
            "Menukar acuan",
            dt.datetime(2025, 9, 2, 11, 0, tzinfo=KL),
            "Tangan kiri",
            "Terhimpit",
            "Acuan",
            "Kehilangan jari",
            "HUK",
            30,
            dt.date(2025, 9, 5),
        ),
    ),
    occurrences=(
        Occurrence(
            1,
            "SHA-2025-0019",
            dt.datetime(2025, 7, 28, 10, 10, tzinfo=KL),
            "Collapse, overturning or failure of lifting machinery",
            "Tali anduh kren 10 tan putus",
            "Kren atas 10 tan",
            dt.date(2025, 7, 31),
        ),
    ),
    diseases=(
        Disease(
            1,
            "SHA-2025-0025",
            BUDI,
            dt.date(2025, 11, 17),
            "Kerengsaan saluran pernafasan",
            "Wap cat",
            None,
        ),
    ),
    due=dt.date(2026, 1, 31),
    generated_at=dt.datetime(2026, 1, 10, 10, 0, tzinfo=KL),
)

NOTIFICATION = Notification(
    employer=EMPLOYER,
    incident_ref="SHA-2025-0017",
    kind="accident",
    reasons=("Serious bodily injury: fracture (First Schedule item 7) — regulation 5(1)",),
    occurred_at=dt.datetime(2025, 5, 12, 14, 20, tzinfo=KL),
    place="Warehouse Bay 4",
    title="पैलेट जैक से पैर कुचला",
    description="पैलेट जैक मोड़ते समय दाएँ पैर का अंगूठा कुचल गया। एक्स-रे में फ्रैक्चर।",
    person=RAJESH,
    activity="पैलेट जैक मोड़ना",
    body_parts="दाएँ पैर का अंगूठा",
    nature_of_injury="फ्रैक्चर",
    causal_agent="पैलेट जैक",
    outcome="THUK",
    lost_days=15,
    occurrence_category="",
    equipment="",
    damage="",
    work_stopped_hours=None,
    reported_by="Lim Wei Ming",
    clocks=(
        ClockLine(
            "Notify DOSH of the serious bodily injury at once",
            dt.datetime(2025, 5, 12, 14, 20, tzinfo=KL),
            dt.datetime(2025, 5, 12, 15, 5, tzinfo=KL),
            "phone",
            "JKKP-SEL-2025-0412",
        ),
        ClockLine(
            "Send JKKP 6 for the serious bodily injury",
            dt.datetime(2025, 5, 19, 14, 20, tzinfo=KL),
            None,
            "",
            "",
        ),
    ),
    generated_at=dt.datetime(2025, 5, 14, 9, 0, tzinfo=KL),
)

OCCURRENCE_NOTIFICATION = Notification(
    employer=EMPLOYER,
    incident_ref="SHA-2025-0019",
    kind="dangerous_occurrence",
    reasons=("Dangerous occurrence (Second Schedule) — regulation 5(1)",),
    occurred_at=dt.datetime(2025, 7, 28, 10, 10, tzinfo=KL),
    place="Stamping Hall A",
    title="Tali anduh kren putus",
    description="Tali anduh kren 10 tan putus semasa mengangkat acuan; beban jatuh, tiada kecederaan.",
    person=None,
    activity="",
    body_parts="",
    nature_of_injury="",
    causal_agent="",
    outcome="",
    lost_days=0,
    occurrence_category="Collapse, overturning or failure of lifting machinery",
    equipment="Kren atas 10 tan",
    damage="Acuan jatuh, lantai retak",
    work_stopped_hours=30.0,
    reported_by="Siti Nurhaliza binti Ahmad",
    clocks=(),
    generated_at=dt.datetime(2025, 7, 29, 9, 0, tzinfo=KL),
)


def photo(seed: int) -> bytes:
    """Return a small JPEG with a coloured block, different for every seed."""
    image = Image.new("RGB", (320, 240), (200 - seed * 30, 180, 120 + seed * 20))
    ImageDraw.Draw(image).rectangle([40 + seed * 20, 60, 200, 200], fill=(30, 90, 160))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def signature_png() -> bytes:
    """Return a drawn-signature PNG."""
    image = Image.new("RGB", (240, 80), "white")
    ImageDraw.Draw(image).line([(10, 60), (60, 20), (110, 60), (160, 20), (230, 50)], fill="black", width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """Return a time in March 2025 in Houston."""
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=CHICAGO)


RECORD = IncidentRecord(
    ref="RIV-2025-0002",
    title="Fractured finger caught in press die",
    kind="injury",
    status="investigating",
    priority="P2",
    priority_reason="· injury with medical treatment",
    site="Riverside Fabrication Plant (RIV)",
    place="Press Line 2",
    occurred_at=at(10, 9, 40),
    reported_by="राजेश कुमार",
    description="Operator reached into the die area during a jam; the light curtain was bypassed.",
    details=(
        ("Employee", "राजेश कुमार"),
        ("Job title", "Press operator"),
        ("Treatments", "rigid_splint_or_support, diagnostic_xray"),
        ("OSHA classification", "days_away: 12 days away, 18 restricted (recordable)"),
    ),
    timeline=(
        Event(at(10, 9, 40), "Incident occurred", ""),
        Event(at(10, 9, 52), "Report received by the central store", "राजेश कुमार"),
        Event(at(10, 10, 5), "Acknowledged", "Olga Officer"),
        Event(at(10, 15, 0), "Witness statement taken from أحمد بن علي", "Olga Officer"),
        Event(at(12, 11, 0), "Corrective action created: Fix the light curtain interlock", "Hana Manager"),
    ),
    plan=SitePlan(
        site_name="Riverside Fabrication Plant",
        areas=(
            Area("Weld Bay 1", 29.76620, -95.31230, 40),
            Area("Press Line 2", 29.76595, -95.31180, 40),
            Area("Paint Booth", 29.76640, -95.31150, 30),
            Area("Shipping Dock", 29.76570, -95.31260, 35),
        ),
        point=(29.76600, -95.31175),
        accuracy_m=8.0,
        area_name="Press Line 2",
    ),
    photos=(
        Photo("photo1", "die area", at(10, 9, 45), "a" * 64, photo(1)),
        Photo("photo2", "", at(10, 9, 46), "b" * 64, photo(2)),
        Photo("photo3", "", None, "c" * 64, None),
    ),
    statements=(
        Statement(
            "أحمد بن علي",
            "employee",
            "ar",
            "رأيت المشغل يمد يده إلى القالب أثناء الانحشار.",
            at(10, 15, 0),
            "Olga Officer",
            at(10, 15, 5),
            signature_png(),
            False,
        ),
        Statement(
            "张伟",
            "contractor",
            "zh",
            "我看到光幕被绕过了。",
            at(10, 15, 30),
            "Olga Officer",
            None,
            None,
            False,
        ),
    ),
    investigation=Findings(
        lead="Olga Officer",
        five_whys=("The ram cycled", "The light curtain was bypassed", "The bypass key was left in"),
        contributing_factors=(("equipment", "Bypass key not controlled"), ("procedures", "No jam procedure")),
        root_cause_category="procedures",
        root_cause="No lock-out procedure for clearing jams",
        findings="Jams are cleared about twice a shift.",
    ),
    actions=(
        Action(
            "Fix the light curtain interlock",
            "corrective",
            "engineering",
            "Sam Supervisor",
            dt.date(2025, 3, 20),
            "verified",
            at(18, 16, 0),
            at(19, 9, 0),
            (Signature("verified", "Hana Manager", "hse_manager", at(19, 9, 0), "d" * 64, ""),),
            ("30 days after verification, due 2025-04-18: effective",),
        ),
        Action(
            "Write a jam-clearing procedure",
            "preventive",
            "administrative",
            "Olga Officer",
            dt.date(2025, 4, 1),
            "open",
            None,
            None,
            (),
            (),
        ),
    ),
    review=Review(
        "A finger fracture; 12 days away.",
        "No jam procedure.",
        "Reported at once.",
        "Fast first aid.",
        at(14, 10, 0),
    ),
    clocks=(
        Clock(
            "Record the injury case on the OSHA 300 Log and Form 301",
            "OSHA",
            at(10, 9, 40),
            at(17, 9, 40),
            "met",
            at(11, 8, 0),
            "Hana Manager",
            "300 Log",
            "",
            "Enter the case on the OSHA 300 Log.",
        ),
    ),
    audit_head="f" * 64,
    audit_events=9,
    generated_at=dt.datetime(2025, 3, 25, 12, 0, tzinfo=CHICAGO),
)


def sample(kind: str, day: int, priority: str | None, ack_min: int | None, fix_min: int | None, cause=None):
    """Return one incident of the metrics year (acknowledged and resolved that many minutes later)."""
    reported = dt.datetime(2025, 1, 1, 8, 0, tzinfo=CHICAGO) + dt.timedelta(days=day)
    targets = {"P1": 15, "P2": 30, "P3": 240, "P4": 1440}
    return IncidentSample(
        kind=kind,
        priority=priority,
        reported_at=reported,
        started_at=reported - dt.timedelta(minutes=5),
        acknowledged_at=None if ack_min is None else reported + dt.timedelta(minutes=ack_min),
        resolved_at=None if fix_min is None else reported + dt.timedelta(minutes=fix_min),
        response_target=None if priority is None else dt.timedelta(minutes=targets[priority]),
        cause=cause,
    )


METRICS = MetricsInput(
    site="Riverside Fabrication Plant (RIV)",
    year=2025,
    hours_worked=249_600,
    employees=120,
    recordable_cases=7,
    dart_cases=2,
    lost_time_cases=2,
    days_lost=12,
    incidents=(
        sample("injury", 10, "P3", 20, 600, "procedures:press"),
        sample("injury", 40, "P2", 10, 300),
        sample("illness", 90, "P3", 300, 2000),
        sample("near_miss", 100, "P4", 60, None, "procedures:press"),
        sample("near_miss", 120, None, None, None),
        sample("near_miss", 150, "P3", 30, 90),
        sample("it_outage", 200, "P1", 5, 180),
        sample("it_outage", 210, "P1", 25, 240),
        sample("security", 300, "P2", None, None),
    ),
    actions=(
        (dt.date(2025, 3, 20), dt.date(2025, 3, 18)),
        (dt.date(2025, 4, 1), dt.date(2025, 4, 9)),
        (dt.date(2025, 6, 1), None),
        (dt.date(2026, 6, 1), None),
    ),
    as_of=dt.datetime(2025, 12, 31, 23, 0, tzinfo=CHICAGO),
    generated_at=GENERATED,
)
