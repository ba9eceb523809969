"""The demo: two plants (Malaysia and Texas), a user for every role, and a year of realistic incidents."""

from __future__ import annotations

import datetime as dt
import io
import random
import uuid
from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.photos import process_photo
from forms import registry as forms_registry
from models import Incident, RegulatoryClock, Site, SiteArea, SiteYear, User
from models.enums import (
    CaseType,
    CustomerImpact,
    DetectionSource,
    IllnessType,
    IncidentKind,
    IncidentStatus,
    InpatientPurpose,
    MutationStatus,
    PotentialSeverity,
    Priority,
    PrivacyConcern,
    Role,
    Sex,
)
from sync.server.accounts import actor_for_user, add_user
from sync.server.blobs import BlobStore, record_blob
from sync.server.db import session_factory
from sync.server.execute import Result, execute
from sync.server.settings import ServerSettings

PASSWORD = "demo1234"

# username, display name, language, roles (site code or None for all sites)
USERS: list[tuple[str, str, str, list[tuple[str | None, Role]]]] = [
    ("admin", "Ops Administrator", "en", [(None, Role.ADMIN)]),
    ("hse", "Nadia Rahman", "en", [(None, Role.HSE_MANAGER)]),
    ("officer", "Lim Wei Ming", "en", [("SHA", Role.SAFETY_OFFICER), ("HOU", Role.SAFETY_OFFICER)]),
    ("supervisor", "Maria Gonzalez", "en", [("SHA", Role.SUPERVISOR), ("HOU", Role.SUPERVISOR)]),
    ("worker", "James Carter", "en", [("HOU", Role.REPORTER)]),
    ("siti", "Siti Nurhaliza binti Ahmad", "ms", [("SHA", Role.REPORTER)]),
    ("budi", "Budi Santoso", "id", [("SHA", Role.REPORTER)]),
    ("rajesh", "राजेश कुमार", "hi", [("SHA", Role.REPORTER)]),
    ("ahmad", "أحمد بن علي", "ar", [("SHA", Role.REPORTER)]),
]
DEMO_LOGINS = [(u, PASSWORD, ", ".join(sorted({r.value for _s, r in roles}))) for u, _n, _l, roles in USERS]

SITES: list[dict[str, Any]] = [
    {
        "code": "SHA",
        "name": "Shah Alam Assembly Plant",
        "company_name": "Kilang Contoh Sdn Bhd",
        "street": "Jalan Utas 15/7, Seksyen 15",
        "city": "Shah Alam",
        "state": "Selangor",
        "postal_code": "40200",
        "country": "MY",
        "jurisdiction": "MY",
        "naics_code": "336390",
        "industry_description": "Motor vehicle parts manufacturing",
        "timezone": "Asia/Kuala_Lumpur",
        "latitude": 3.0738,
        "longitude": 101.5183,
        "employees": 420,
        "hours": 873_600,
        "areas": [
            ("Stamping Hall A", 3.07402, 101.51790),
            ("Paint Shop", 3.07355, 101.51880),
            ("Warehouse Bay 4", 3.07310, 101.51760),
            ("Loading Dock", 3.07290, 101.51850),
            ("Server Room", 3.07380, 101.51830),
        ],
    },
    {
        "code": "HOU",
        "name": "Houston Fabrication Works",
        "company_name": "Field Demo Manufacturing Inc.",
        "street": "4800 Clinton Dr",
        "city": "Houston",
        "state": "TX",
        "postal_code": "77020",
        "country": "US",
        "jurisdiction": "US",
        "naics_code": "332312",
        "industry_description": "Fabricated structural metal manufacturing",
        "ein": "741234567",
        "timezone": "America/Chicago",
        "latitude": 29.7661,
        "longitude": -95.3120,
        "employees": 185,
        "hours": 384_800,
        "areas": [
            ("Weld Bay 1", 29.76620, -95.31230),
            ("Press Line 2", 29.76595, -95.31180),
            ("Paint Booth", 29.76640, -95.31150),
            ("Shipping Dock", 29.76570, -95.31260),
            ("Data Center", 29.76610, -95.31100),
        ],
    },
]


@dataclass
class DemoIncident:
    """One demo incident, placed relative to today so the demo always looks current."""

    site: str
    area: str
    kind: IncidentKind
    title: str
    description: str
    days_ago: int
    reporter: str
    status: IncidentStatus = IncidentStatus.REPORTED
    priority: Priority | None = None
    photos: int = 1
    details: dict[str, Any] = field(default_factory=dict)


def _injury(**facts: Any) -> dict[str, Any]:
    """Details of an injury case (keys are InjuryCase columns, plus `away`/`restricted` day offsets)."""
    return {"injury": facts}


INCIDENTS: list[DemoIncident] = [
    DemoIncident(
        "HOU",
        "Weld Bay 1",
        IncidentKind.INJURY,
        "Laceration to left forearm from sheet edge",
        "Handling a 3 mm sheet without sleeve guards; the edge cut the forearm. Wound sutured at clinic.",
        320,
        "worker",
        IncidentStatus.CLOSED,
        Priority.P3,
        2,
        _injury(
            employee_name="James Carter",
            job_title="Welder",
            sex=Sex.MALE,
            activity_before="Moving a cut sheet to the weld table",
            what_happened="The sheet slipped and its edge cut the left forearm",
            injury_description="Laceration, left forearm",
            object_substance="Steel sheet edge",
            treatments=["wound_cleaning", "sutures"],
        ),
    ),
    DemoIncident(
        "HOU",
        "Press Line 2",
        IncidentKind.INJURY,
        "Fractured finger caught in press die",
        "Operator reached into the die area during a jam; light curtain was bypassed.",
        290,
        "worker",
        IncidentStatus.CLOSED,
        Priority.P2,
        2,
        _injury(
            employee_name="Robert Lee",
            job_title="Press operator",
            sex=Sex.MALE,
            activity_before="Clearing a jammed part",
            what_happened="Ram cycled while clearing jam",
            injury_description="Fracture, right index finger",
            object_substance="Press die",
            treatments=["rigid_splint_or_support", "diagnostic_xray"],
            diagnoses=["fracture"],
            away=(1, 12),
            restricted=(13, 30),
        ),
    ),
    DemoIncident(
        "HOU",
        "Shipping Dock",
        IncidentKind.INJURY,
        "Back strain lifting crate",
        "Lifted a 40 kg crate alone; felt sharp pain in lower back.",
        250,
        "worker",
        IncidentStatus.CLOSED,
        Priority.P3,
        1,
        _injury(
            employee_name="Angela Brooks",
            job_title="Shipping clerk",
            sex=Sex.FEMALE,
            activity_before="Loading outbound crates",
            what_happened="Lifted crate without help",
            injury_description="Lower back strain",
            object_substance="Wooden crate",
            treatments=["physical_therapy"],
            restricted=(1, 9),
        ),
    ),
    DemoIncident(
        "HOU",
        "Paint Booth",
        IncidentKind.ILLNESS,
        "Contact dermatitis from solvent",
        "Rash on both hands after cleaning guns with solvent; gloves were torn.",
        210,
        "worker",
        IncidentStatus.CLOSED,
        Priority.P3,
        1,
        _injury(
            case_type=CaseType.ILLNESS,
            illness_type=IllnessType.SKIN_DISORDER,
            employee_name="Luis Ortega",
            job_title="Painter",
            sex=Sex.MALE,
            activity_before="Cleaning spray guns",
            what_happened="Solvent contact through torn glove",
            injury_description="Contact dermatitis, both hands",
            object_substance="Xylene solvent",
            medications=[{"name": "hydrocortisone 1% cream", "dose_mg": 0, "prescription_only": True}],
        ),
    ),
    DemoIncident(
        "HOU",
        "Weld Bay 1",
        IncidentKind.INJURY,
        "Minor burn from weld spatter",
        "Spatter landed on the wrist between glove and sleeve. Cooled and covered on site.",
        180,
        "worker",
        IncidentStatus.CLOSED,
        Priority.P4,
        1,
        _injury(
            employee_name="James Carter",
            job_title="Welder",
            sex=Sex.MALE,
            what_happened="Weld spatter on wrist",
            injury_description="First-degree burn, wrist",
            object_substance="Weld spatter",
            treatments=["hot_cold_therapy", "wound_covering"],
        ),
    ),
    DemoIncident(
        "HOU",
        "Press Line 2",
        IncidentKind.INJURY,
        "Fingertip amputation at shear",
        "Fingertip of the left middle finger severed at the shear. Employee taken to hospital.",
        95,
        "worker",
        IncidentStatus.INVESTIGATING,
        Priority.P1,
        3,
        _injury(
            employee_name="Kevin Nguyen",
            job_title="Shear operator",
            sex=Sex.MALE,
            activity_before="Feeding plate into the shear",
            what_happened="Hand entered the blade zone",
            injury_description="Amputation, tip of left middle finger",
            object_substance="Plate shear",
            amputation=True,
            treatments=["surgery"],
            emergency_room=True,
            inpatient_purpose=InpatientPurpose.TREATMENT,
            away=(1, 21),
        ),
    ),
    DemoIncident(
        "HOU",
        "Shipping Dock",
        IncidentKind.ILLNESS,
        "Needlestick while clearing debris",
        "Used syringe found in a pallet of returned goods pierced the glove.",
        60,
        "worker",
        IncidentStatus.RESOLVED,
        Priority.P2,
        1,
        _injury(
            case_type=CaseType.ILLNESS,
            illness_type=IllnessType.OTHER_ILLNESS,
            employee_name="Dana White",
            job_title="Warehouse associate",
            sex=Sex.FEMALE,
            what_happened="Needle in returned pallet pierced glove",
            injury_description="Puncture wound, right palm",
            object_substance="Used syringe",
            contaminated_sharps=True,
            privacy_concern=PrivacyConcern.CONTAMINATED_SHARPS,
            treatments=["wound_cleaning"],
        ),
    ),
    DemoIncident(
        "HOU",
        "Press Line 2",
        IncidentKind.ILLNESS,
        "Hearing shift found at annual audiogram",
        "Audiogram shows a standard threshold shift in the left ear; press line noise 92 dBA.",
        30,
        "worker",
        IncidentStatus.ACKNOWLEDGED,
        Priority.P3,
        0,
        _injury(
            case_type=CaseType.ILLNESS,
            illness_type=IllnessType.HEARING_LOSS,
            employee_name="Robert Lee",
            job_title="Press operator",
            sex=Sex.MALE,
            injury_description="Noise-induced hearing loss, left ear",
            object_substance="Press noise",
            hearing={"standard_threshold_shift": True, "hearing_level_db": 28},
        ),
    ),
    DemoIncident(
        "HOU",
        "Shipping Dock",
        IncidentKind.NEAR_MISS,
        "Forklift reversed without spotter",
        "Forklift reversed out of trailer while a picker crossed behind it.",
        40,
        "worker",
        IncidentStatus.INVESTIGATING,
        Priority.P3,
        1,
        {
            "near_miss": {
                "hazard_type": "vehicle",
                "potential_severity": PotentialSeverity.HIGH,
                "what_could_have_happened": "Picker struck by forklift",
                "immediate_action": "Dock marshal posted",
            }
        },
    ),
    DemoIncident(
        "HOU",
        "Data Center",
        IncidentKind.IT_OUTAGE,
        "MES down: no work orders on the floor",
        "Manufacturing execution system unreachable from all stations after a certificate expired.",
        12,
        "worker",
        IncidentStatus.RESOLVED,
        Priority.P1,
        0,
        {
            "outage": {
                "affected_services": ["MES", "Label printing"],
                "all_users_affected": True,
                "users_affected": 185,
                "detection_source": DetectionSource.MONITORING,
                "customer_impact": CustomerImpact.PARTIAL_OUTAGE,
                "workaround_available": True,
                "impact_description": "Paper travellers used for 3 hours",
            }
        },
    ),
    DemoIncident(
        "HOU",
        "Weld Bay 1",
        IncidentKind.PROPERTY_DAMAGE,
        "Overhead crane hook struck column",
        "Hook block swung into the column during a long travel move; column paint and flange dented.",
        75,
        "worker",
        IncidentStatus.CLOSED,
        Priority.P3,
        2,
        {
            "occurrence": {
                "equipment": "5 t overhead crane",
                "estimated_cost": 4200,
                "currency": "USD",
                "damage_description": "Dented column flange",
            }
        },
    ),
    DemoIncident(
        "HOU",
        "Paint Booth",
        IncidentKind.ENVIRONMENTAL,
        "Paint thinner spill at drum store",
        "About 20 litres of thinner spilled from a punctured drum; contained in the bund.",
        8,
        "worker",
        IncidentStatus.ACKNOWLEDGED,
        Priority.P3,
        2,
        {
            "occurrence": {
                "substance": "Paint thinner",
                "quantity": 20,
                "unit": "L",
                "release_medium": "land",
                "contained": True,
            }
        },
    ),
    DemoIncident(
        "HOU",
        "Data Center",
        IncidentKind.SECURITY,
        "Phishing e-mail led to password reset",
        "A clerk entered credentials on a fake login page; account reset within 40 minutes.",
        3,
        "worker",
        IncidentStatus.INVESTIGATING,
        Priority.P2,
        0,
        {
            "outage": {
                "affected_services": ["E-mail"],
                "users_affected": 1,
                "detection_source": DetectionSource.INTERNAL,
            }
        },
    ),
    DemoIncident(
        "HOU",
        "Press Line 2",
        IncidentKind.NEAR_MISS,
        "Guard interlock found taped over",
        "Interlock switch on press 2 rear guard taped in the closed position.",
        1,
        "worker",
        IncidentStatus.REPORTED,
        None,
        1,
        {
            "near_miss": {
                "hazard_type": "machinery",
                "potential_severity": PotentialSeverity.HIGH,
                "what_could_have_happened": "Crush injury",
                "immediate_action": "Press locked out",
            }
        },
    ),
    DemoIncident(
        "SHA",
        "Stamping Hall A",
        IncidentKind.INJURY,
        "Jari tersepit di mesin tekan",
        "Pekerja menyusun kepingan logam; jari kanan tersepit semasa acuan turun. Dijahit di klinik.",
        300,
        "siti",
        IncidentStatus.CLOSED,
        Priority.P2,
        2,
        _injury(
            employee_name="Siti Nurhaliza binti Ahmad",
            job_title="Operator mesin",
            sex=Sex.FEMALE,
            id_number="900101-10-5678",
            citizenship="Malaysia",
            what_happened="Jari tersepit semasa acuan turun",
            injury_description="Luka, jari kanan",
            object_substance="Acuan mesin tekan",
            treatments=["sutures"],
            away=(1, 6),
        ),
    ),
    DemoIncident(
        "SHA",
        "Paint Shop",
        IncidentKind.INJURY,
        "Mata terkena percikan cat",
        "Percikan cat masuk ke mata kiri semasa membuka tin. Mata dibilas di stesen pencuci mata.",
        260,
        "budi",
        IncidentStatus.CLOSED,
        Priority.P4,
        1,
        _injury(
            employee_name="Budi Santoso",
            job_title="Juru cat",
            sex=Sex.MALE,
            citizenship="Indonesia",
            id_number="A1234567",
            what_happened="Percikan cat ke mata",
            injury_description="Iritasi mata kiri",
            object_substance="Cat berasaskan pelarut",
            treatments=["eye_foreign_body_irrigation_or_swab"],
        ),
    ),
    DemoIncident(
        "SHA",
        "Warehouse Bay 4",
        IncidentKind.INJURY,
        "पैलेट जैक से पैर कुचला",
        "पैलेट जैक मोड़ते समय दाएँ पैर का अंगूठा कुचल गया। एक्स-रे में फ्रैक्चर।",
        200,
        "rajesh",
        IncidentStatus.CLOSED,
        Priority.P2,
        2,
        _injury(
            employee_name="राजेश कुमार",
            job_title="Penjaga stor",
            sex=Sex.MALE,
            citizenship="India",
            id_number="P7654321",
            what_happened="पैलेट जैक से पैर कुचला",
            injury_description="दाएँ पैर के अंगूठे में फ्रैक्चर",
            object_substance="पैलेट जैक",
            diagnoses=["fracture"],
            treatments=["diagnostic_xray", "rigid_splint_or_support"],
            away=(1, 15),
        ),
    ),
    DemoIncident(
        "SHA",
        "Loading Dock",
        IncidentKind.INJURY,
        "سقوط من منصة التحميل",
        "انزلق العامل من حافة منصة التحميل وأصيب في كاحله الأيسر.",
        150,
        "ahmad",
        IncidentStatus.CLOSED,
        Priority.P3,
        1,
        _injury(
            employee_name="أحمد بن علي",
            job_title="Pemandu forklift",
            sex=Sex.MALE,
            citizenship="Mesir",
            id_number="E9988776",
            what_happened="انزلق من حافة المنصة",
            injury_description="التواء في الكاحل الأيسر",
            object_substance="حافة منصة التحميل",
            treatments=["non_rigid_support", "hot_cold_therapy"],
            restricted=(1, 5),
        ),
    ),
    DemoIncident(
        "SHA",
        "Stamping Hall A",
        IncidentKind.DANGEROUS_OCCURRENCE,
        "Tali anduh kren putus",
        "Tali anduh kren 10 tan putus semasa mengangkat acuan; beban jatuh ke lantai, tiada kecederaan.",
        120,
        "siti",
        IncidentStatus.CLOSED,
        Priority.P1,
        3,
        {
            "occurrence": {
                "dosh_category": "lifting_machinery",
                "equipment": "Kren atas 10 tan",
                "damage_description": "Acuan jatuh, lantai retak",
                "work_stopped_hours": 30,
            }
        },
    ),
    DemoIncident(
        "SHA",
        "Paint Shop",
        IncidentKind.NEAR_MISS,
        "Forklift hampir melanggar pejalan kaki",
        "Forklift keluar dari lorong tanpa hon; pekerja sempat berundur.",
        90,
        "siti",
        IncidentStatus.CLOSED,
        Priority.P4,
        1,
        {
            "near_miss": {
                "hazard_type": "vehicle",
                "potential_severity": PotentialSeverity.MEDIUM,
                "what_could_have_happened": "Pejalan kaki dilanggar",
                "immediate_action": "Cermin cembung dipasang",
            }
        },
    ),
    DemoIncident(
        "SHA",
        "Warehouse Bay 4",
        IncidentKind.NEAR_MISS,
        "Rak tersusun melebihi had beban",
        "Rak aras 3 menunjukkan lenturan; label had beban tiada.",
        45,
        "budi",
        IncidentStatus.INVESTIGATING,
        Priority.P3,
        2,
        {
            "near_miss": {
                "hazard_type": "structural",
                "potential_severity": PotentialSeverity.HIGH,
                "what_could_have_happened": "Rak runtuh",
                "immediate_action": "Aras 3 dikosongkan",
            }
        },
    ),
    DemoIncident(
        "SHA",
        "Server Room",
        IncidentKind.IT_OUTAGE,
        "Gangguan rangkaian di lantai pengeluaran",
        "Suis teras gagal; pengimbas kod bar di seluruh kilang tidak berfungsi selama 45 minit.",
        20,
        "siti",
        IncidentStatus.CLOSED,
        Priority.P2,
        0,
        {
            "outage": {
                "affected_services": ["Barcode scanning", "WMS"],
                "users_affected": 160,
                "detection_source": DetectionSource.INTERNAL,
                "customer_impact": CustomerImpact.DEGRADED,
                "workaround_available": False,
            }
        },
    ),
    DemoIncident(
        "SHA",
        "Server Room",
        IncidentKind.SECURITY,
        "Data pekerja terdedah dalam e-mel",
        "Fail gaji 1,200 pekerja dihantar kepada penerima luar secara tidak sengaja.",
        2,
        "siti",
        IncidentStatus.ACKNOWLEDGED,
        Priority.P1,
        0,
        {
            "outage": {
                "affected_services": ["Payroll"],
                "personal_data_breach": True,
                "data_subjects_affected": 1200,
                "detection_source": DetectionSource.INTERNAL,
            }
        },
    ),
    DemoIncident(
        "SHA",
        "Loading Dock",
        IncidentKind.ENVIRONMENTAL,
        "Tumpahan minyak hidraulik",
        "Hos hidraulik forklift pecah; 5 liter minyak tumpah ke longkang.",
        15,
        "ahmad",
        IncidentStatus.RESOLVED,
        Priority.P3,
        2,
        {
            "occurrence": {
                "substance": "Minyak hidraulik",
                "quantity": 5,
                "unit": "L",
                "release_medium": "water",
                "contained": False,
            }
        },
    ),
    DemoIncident(
        "SHA",
        "Stamping Hall A",
        IncidentKind.PROPERTY_DAMAGE,
        "Pintu gulung rosak dilanggar",
        "Forklift melanggar pintu gulung; motor pintu rosak.",
        35,
        "ahmad",
        IncidentStatus.CLOSED,
        Priority.P4,
        1,
        {
            "occurrence": {
                "equipment": "Pintu gulung 4",
                "estimated_cost": 6500,
                "currency": "MYR",
                "damage_description": "Bilah dan motor pintu rosak",
            }
        },
    ),
    DemoIncident(
        "SHA",
        "Paint Shop",
        IncidentKind.ILLNESS,
        "Sesak nafas selepas kerja semburan",
        "Pekerja mengalami sesak nafas selepas menyembur tanpa respirator.",
        10,
        "budi",
        IncidentStatus.INVESTIGATING,
        Priority.P2,
        1,
        _injury(
            case_type=CaseType.ILLNESS,
            illness_type=IllnessType.RESPIRATORY_CONDITION,
            employee_name="Budi Santoso",
            job_title="Juru cat",
            sex=Sex.MALE,
            citizenship="Indonesia",
            what_happened="Menyedut wap cat",
            injury_description="Kerengsaan saluran pernafasan",
            object_substance="Wap cat",
            treatments=["oxygen"],
            emergency_room=True,
            inpatient_purpose=InpatientPurpose.OBSERVATION,
            away=(1, 2),
        ),
    ),
    DemoIncident(
        "SHA",
        "Warehouse Bay 4",
        IncidentKind.NEAR_MISS,
        "Kotak jatuh dari rak atas",
        "Kotak 15 kg jatuh dari aras 4 dan mendarat 1 m dari pekerja.",
        5,
        "rajesh",
        IncidentStatus.REPORTED,
        None,
        1,
        {
            "near_miss": {
                "hazard_type": "falling_object",
                "potential_severity": PotentialSeverity.HIGH,
                "what_could_have_happened": "Kecederaan kepala",
                "immediate_action": "Kawasan dipagar",
            }
        },
    ),
    DemoIncident(
        "SHA",
        "Stamping Hall A",
        IncidentKind.INJURY,
        "Luka kecil di tangan",
        "Tergores bucu kepingan; dibersihkan dan dibalut.",
        1,
        "siti",
        IncidentStatus.REPORTED,
        None,
        1,
        _injury(
            employee_name="Siti Nurhaliza binti Ahmad",
            job_title="Operator mesin",
            sex=Sex.FEMALE,
            what_happened="Tergores bucu kepingan",
            injury_description="Luka kecil, tangan kiri",
            object_substance="Kepingan logam",
            treatments=["wound_cleaning", "wound_covering"],
        ),
    ),
    DemoIncident(
        "HOU",
        "Weld Bay 1",
        IncidentKind.INJURY,
        "Flash burn to eyes",
        "Helper watched an arc without a shield; both eyes sore next morning.",
        380,
        "worker",
        IncidentStatus.CLOSED,
        Priority.P3,
        1,
        _injury(
            employee_name="Tyler Moss",
            job_title="Welder helper",
            sex=Sex.MALE,
            what_happened="Arc flash exposure",
            injury_description="Photokeratitis, both eyes",
            object_substance="Welding arc",
            treatments=["eye_patch"],
            medications=[{"name": "tetracaine", "dose_mg": 0, "prescription_only": True}],
            away=(1, 1),
        ),
    ),
    DemoIncident(
        "HOU",
        "Shipping Dock",
        IncidentKind.INJURY,
        "Sprained wrist falling from dock plate",
        "Tripped on a raised dock plate lip and fell on an outstretched hand.",
        345,
        "worker",
        IncidentStatus.CLOSED,
        Priority.P3,
        1,
        _injury(
            employee_name="Angela Brooks",
            job_title="Shipping clerk",
            sex=Sex.FEMALE,
            what_happened="Tripped on dock plate",
            injury_description="Sprain, left wrist",
            object_substance="Dock plate",
            treatments=["non_rigid_support"],
            medications=[{"name": "ibuprofen", "dose_mg": 800, "prescription_only": False}],
        ),
    ),
]


def demo_photo(seed: int, caption: str) -> bytes:
    """Draw a plausible shop-floor photo (floor, machines, hazard stripes) as a camera-sized JPEG."""
    rng = random.Random(seed)
    width, height = 2400, 1800
    image = Image.new("RGB", (width, height), (rng.randint(90, 140),) * 3)
    draw = ImageDraw.Draw(image)
    horizon = rng.randint(700, 900)
    for y in range(horizon, height, 6):
        shade = 70 + (y - horizon) * 60 // (height - horizon)
        draw.rectangle([0, y, width, y + 6], fill=(shade, shade + 5, shade - 5))
    for _ in range(rng.randint(3, 6)):
        x0, y0 = rng.randint(0, width - 500), rng.randint(200, horizon)
        colour = rng.choice([(30, 90, 160), (200, 120, 30), (60, 130, 70), (150, 150, 155)])
        draw.rectangle([x0, y0, x0 + rng.randint(250, 600), y0 + rng.randint(300, 700)], fill=colour)
    stripe_y = rng.randint(horizon + 100, height - 150)
    for x in range(0, width, 120):
        draw.polygon(
            [(x, stripe_y), (x + 60, stripe_y), (x + 120, stripe_y + 60), (x + 60, stripe_y + 60)],
            fill=(240, 200, 0),
        )
    draw.ellipse(
        [rng.randint(600, 1400), horizon + 200, rng.randint(1500, 2200), horizon + 500],
        fill=(rng.randint(20, 60), rng.randint(20, 60), rng.randint(60, 90)),
    )
    noise = Image.effect_noise((width, height), 18).convert("RGB")
    image = Image.blend(image, noise, 0.12)
    ImageDraw.Draw(image).text((40, 40), caption.encode("ascii", "replace").decode(), fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def signature_png(name: str) -> bytes:
    """Draw a hand-signature-like scribble for a name, as the signature pad would export it."""
    rng = random.Random(name)
    image = Image.new("RGB", (600, 200), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    x, y = 30, 120
    for _ in range(14):
        nx, ny = x + rng.randint(20, 45), 100 + rng.randint(-45, 45)
        draw.line([(x, y), (nx, ny)], fill=(20, 30, 90), width=5)
        x, y = nx, ny
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@dataclass
class Demo:
    """The state of one seeding run: where blobs go, who acts, and what time it is."""

    blobs: BlobStore
    now: dt.datetime
    sites: dict[str, Site] = field(default_factory=dict)
    areas: dict[tuple[str, str], SiteArea] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def run(
        self, session: Session, username: str, name: str, args: dict[str, Any], at: dt.datetime
    ) -> Result:
        """Execute one mutation as a demo user at a moment in the past; the demo must never be refused."""
        actor = actor_for_user(session=session, user=self.users[username])
        result = execute(session, actor, name, args, now=min(at, self.now - dt.timedelta(minutes=1)))
        if result.status is MutationStatus.REJECTED:
            raise RuntimeError(f"demo step {name} by {username} refused: {result.code}: {result.message}")
        return result

    def put(self, session: Session, data: bytes, mime: str) -> str:
        """Store bytes as a blob and return their sha256."""
        sha = self.blobs.put_bytes(data)
        record_blob(session=session, sha256=sha, size=len(data), mime=mime)
        return sha


def seed(engine: Engine, settings: ServerSettings) -> int:
    """Create the demo sites and users, then play each incident's story through the real mutations."""
    sessions = session_factory(engine)
    demo = Demo(blobs=BlobStore(settings.blob_dir), now=dt.datetime.now(dt.UTC))
    with sessions.begin() as session:
        if session.scalar(select(Site).where(Site.code == "SHA")) is not None:
            return 0
        _sites_and_users(session, demo)
    for number, spec in enumerate(INCIDENTS, start=1):
        with sessions.begin() as session:
            incident_id, received = _file(session, demo, number, spec)
            _progress(session, demo, number, spec, incident_id, received)
    return len(INCIDENTS)


def _sites_and_users(session: Session, demo: Demo) -> None:
    """Insert the sites, their years and areas, and the demo users."""
    for spec in SITES:
        data = {k: v for k, v in spec.items() if k not in ("areas", "employees", "hours")}
        site = Site(**data)
        session.add(site)
        session.flush()
        demo.sites[site.code] = site
        for year in (demo.now.year - 1, demo.now.year):
            session.add(
                SiteYear(
                    site_id=site.id,
                    year=year,
                    annual_average_employees=spec["employees"],
                    total_hours_worked=spec["hours"],
                )
            )
        for name, lat, lon in spec["areas"]:
            area = SiteArea(site_id=site.id, name=name, latitude=lat, longitude=lon, radius_m=40)
            session.add(area)
            demo.areas[(site.code, name)] = area
    session.flush()
    for username, name, language, roles in USERS:
        demo.users[username] = add_user(
            session=session,
            username=username,
            password=PASSWORD,
            display_name=name,
            roles=roles,
            language=language,
        )


HAZARDS = {"machinery": "moving_machinery", "structural": "other"}
UNITS = {"L": "litre"}


def _form_values(spec: DemoIncident, occurred: dt.datetime) -> tuple[str, dict[str, Any]]:
    """Turn a demo incident's details into the values of the form a worker would have filled in."""
    day = occurred.date()
    if "injury" in spec.details:
        facts = {k: (v.value if isinstance(v, Enum) else v) for k, v in spec.details["injury"].items()}
        values: dict[str, Any] = {"case_type": facts.pop("case_type", "injury")}
        for offset_key, field_name in (("away", "days_away"), ("restricted", "restrictions")):
            span = facts.pop(offset_key, None)
            if span:
                values[field_name] = [
                    {
                        "start": str(day + dt.timedelta(days=span[0])),
                        "end": str(day + dt.timedelta(days=span[1])),
                    }
                ]
        purpose = facts.pop("inpatient_purpose", None)
        values["inpatient"] = purpose or "none"
        if purpose:
            values["inpatient_date"] = str(day)
        hearing = facts.pop("hearing", None)
        if hearing:
            values["standard_threshold_shift"] = hearing["standard_threshold_shift"]
            values["hearing_level_db"] = hearing["hearing_level_db"]
        if facts.pop("contaminated_sharps", False):
            values["contaminated_sharps_injury"] = True
        facts.setdefault("what_happened", spec.description)
        values.update(facts)
        values.setdefault("time_began_work", _shift_start(values.get("time_of_event"), occurred))
        return "injury", values
    if "near_miss" in spec.details:
        facts = {k: (v.value if isinstance(v, Enum) else v) for k, v in spec.details["near_miss"].items()}
        facts["hazard_type"] = HAZARDS.get(facts["hazard_type"], facts["hazard_type"])
        return "near_miss", facts
    if "outage" in spec.details:
        facts = {k: (v.value if isinstance(v, Enum) else v) for k, v in spec.details["outage"].items()}
        facts.setdefault("customer_impact", "none")
        return "outage", {"kind": spec.kind.value, **facts}
    facts = dict(spec.details["occurrence"])
    if "unit" in facts:
        facts["unit"] = UNITS.get(facts["unit"], facts["unit"])
    if spec.kind is IncidentKind.DANGEROUS_OCCURRENCE and "substance" in facts:
        facts["substance_released"] = True
    return "occurrence", {"kind": spec.kind.value, **facts}


def _shift_start(time_of_event: str | None, occurred: dt.datetime) -> str:
    """When the injured worker's shift began (OSHA 301 item 12): 06:00 for the early shift, 14:00 for the
    late one, by the time of the event."""
    hour = int(time_of_event[:2]) if time_of_event else occurred.hour
    return "06:00" if 6 <= hour < 14 else "14:00" if 14 <= hour < 22 else "22:00"


def _file(session: Session, demo: Demo, number: int, spec: DemoIncident) -> tuple[uuid.UUID, dt.datetime]:
    """File the report as its reporter did, photos first, and return its id and arrival time."""
    rng = random.Random(number)
    site, area = demo.sites[spec.site], demo.areas[(spec.site, spec.area)]
    zone = ZoneInfo(site.timezone)
    local_now = demo.now.astimezone(zone)
    occurred = (local_now - dt.timedelta(days=spec.days_ago)).replace(
        hour=rng.randint(6, 20), minute=rng.choice([5, 20, 35, 50]), second=0, microsecond=0
    )
    received = occurred + dt.timedelta(minutes=rng.randint(3, 40))
    form_id, values = _form_values(spec, occurred)
    latitude = (area.latitude or 0) + rng.uniform(-0.0001, 0.0001)
    longitude = (area.longitude or 0) + rng.uniform(-0.0001, 0.0001)
    values.update(
        title=spec.title,
        description=spec.description,
        occurred_at=occurred.isoformat(),
        area_id=str(area.id),
        location_text=area.name,
        location={"latitude": latitude, "longitude": longitude, "accuracy_m": rng.choice([4, 8, 12, 25])},
    )
    manifest, photos = [], []
    for slot in range(spec.photos):
        photo = process_photo(demo_photo(number * 10 + slot, spec.title), filename=f"photo{slot + 1}.jpg")
        sha = demo.put(session, photo.upload_bytes, photo.mime)
        name = f"photo-{slot + 1}"
        photos.append({"slot": name, "sha256": sha, "caption": ""})
        manifest.append(
            {
                "slot": name,
                "sha256": sha,
                "size": photo.upload_size,
                "mime": photo.mime,
                "width": photo.width,
                "height": photo.height,
                "captured_at": (occurred + dt.timedelta(minutes=2)).isoformat(),
                "original_sha256": photo.original_sha256,
                "original_size": photo.original_size,
            }
        )
    values["photos"] = photos
    incident_id = uuid.uuid5(uuid.NAMESPACE_URL, f"field-ims-demo/incident/{number}")
    demo.run(
        session,
        spec.reporter,
        "report.create",
        {
            "id": str(incident_id),
            "site_id": str(site.id),
            "form_id": form_id,
            "form_version": forms_registry.get(form_id).version,
            "values": values,
            "device_recorded_at": (received - dt.timedelta(minutes=1)).isoformat(),
            "attachments": manifest,
        },
        received,
    )
    return incident_id, received.astimezone(dt.UTC)


ORDER = [
    IncidentStatus.ACKNOWLEDGED,
    IncidentStatus.INVESTIGATING,
    IncidentStatus.RESOLVED,
    IncidentStatus.CLOSED,
]


def _progress(
    session: Session,
    demo: Demo,
    number: int,
    spec: DemoIncident,
    incident_id: uuid.UUID,
    received: dt.datetime,
) -> None:
    """Play the incident's story: triage, roles, investigation, CAPA, review, closing, clocks."""
    rng = random.Random(number * 7)
    key = str(incident_id)
    at = received + dt.timedelta(minutes=rng.randint(4, 25))
    reached = ORDER[: ORDER.index(spec.status) + 1] if spec.status in ORDER else []
    incident = session.get(Incident, incident_id)
    if spec.priority is not None and incident.priority is not spec.priority:
        demo.run(
            session,
            "officer",
            "incident.set_priority",
            {"id": key, "priority": spec.priority.value, "reason": "confirmed at triage"},
            at,
        )
    if number % 6 == 1:
        _statement(session, demo, number, spec, incident_id, received + dt.timedelta(minutes=30))
    if not reached:
        _meet_clocks(session, demo, incident_id, received, spec.days_ago)
        return
    demo.run(session, "officer", "incident.acknowledge", {"id": key}, at)
    urgent = session.get(Incident, incident_id).priority in (Priority.P1, Priority.P2)
    if urgent:
        demo.run(
            session,
            "officer",
            "incident.assign_role",
            {"id": key, "role": "communication_lead", "user_id": str(demo.users["supervisor"].id)},
            at,
        )
        demo.run(
            session,
            "supervisor",
            "status_update.create",
            {
                "id": _uid(key, "update-1"),
                "incident_id": key,
                "audience": "internal",
                "template": "holding",
                "impact": spec.description[:120],
            },
            at + dt.timedelta(minutes=5),
        )
    if IncidentStatus.INVESTIGATING in reached:
        at += dt.timedelta(minutes=20)
        demo.run(session, "officer", "incident.transition", {"id": key, "to": "investigating"}, at)
        demo.run(
            session,
            "officer",
            "investigation.patch",
            {
                "incident_id": key,
                "base_version": 0,
                "fields": {
                    "five_whys": {"old": [], "new": WHYS[number % len(WHYS)]},
                    "root_cause_category": {"old": None, "new": CAUSES[number % len(CAUSES)]},
                    "root_cause": {"old": "", "new": WHYS[number % len(WHYS)][-1]},
                    "contributing_factors": {
                        "old": [],
                        "new": [
                            {
                                "category": "procedures",
                                "description": "The written procedure did not cover this task",
                            },
                            {
                                "category": "equipment",
                                "description": "The guard or aid that would have helped was missing",
                            },
                        ],
                    },
                },
            },
            at + dt.timedelta(hours=2),
        )
    if IncidentStatus.RESOLVED not in reached:
        _capa(session, demo, key, spec, at + dt.timedelta(hours=3), verify=False)
        _meet_clocks(session, demo, incident_id, received, spec.days_ago)
        return
    at += dt.timedelta(hours=rng.randint(4, 30))
    _capa(session, demo, key, spec, at, verify=spec.status is IncidentStatus.CLOSED)
    demo.run(
        session,
        "officer",
        "incident.transition",
        {
            "id": key,
            "to": "resolved",
            "resolution_type": "permanent_fix",
            "summary": "Cause removed and the area made safe; see the corrective actions.",
        },
        at + dt.timedelta(days=2),
    )
    if urgent:
        review = _uid(key, "review")
        demo.run(
            session,
            "officer",
            "pir.create",
            {
                "id": review,
                "incident_id": key,
                "scheduled_for": (at + dt.timedelta(days=2, hours=4)).isoformat(),
            },
            at + dt.timedelta(days=2, hours=1),
        )
    if spec.status is IncidentStatus.CLOSED:
        at += dt.timedelta(days=4)
        if urgent:
            demo.run(
                session,
                "officer",
                "pir.patch",
                {
                    "id": review,
                    "what_happened": spec.description,
                    "root_cause": WHYS[number % len(WHYS)][-1],
                    "detection": "Reported from the floor in minutes; a sensor alarm would be faster.",
                    "went_well": "The area was made safe fast. Slowed us: the spare part was out of stock.",
                    "actions": [
                        {
                            "id": _uid(key, "review-action-1"),
                            "description": "Keep critical spares in stock and review the list monthly",
                            "owner_id": str(demo.users["supervisor"].id),
                            "due_on": str((at + dt.timedelta(days=30)).date()),
                        }
                    ],
                },
                at,
            )
            demo.run(session, "officer", "pir.complete", {"id": review}, at + dt.timedelta(hours=1))
        demo.run(
            session,
            "officer",
            "incident.transition",
            {
                "id": key,
                "to": "closed",
                "service_restored": True,
                "affected_informed": True,
            },
            at + dt.timedelta(hours=2),
        )
    _meet_clocks(session, demo, incident_id, received, spec.days_ago)


def _capa(
    session: Session, demo: Demo, key: str, spec: DemoIncident, at: dt.datetime, *, verify: bool
) -> None:
    """Raise a corrective action; when verifying, do it, show evidence, and have the supervisor sign."""
    action = _uid(key, "capa-1")
    level, title = CONTROLS[spec.kind]
    demo.run(
        session,
        "officer",
        "ca.create",
        {
            "id": action,
            "incident_id": key,
            "control_level": level,
            "title": title,
            "owner_id": str(demo.users["officer"].id),
            "due_on": str((at + dt.timedelta(days=14)).date()),
        },
        at,
    )
    demo.run(
        session,
        "officer",
        "ca.transition",
        {"id": action, "from": "open", "to": "in_progress"},
        at + dt.timedelta(hours=1),
    )
    if not verify:
        return
    demo.run(
        session,
        "officer",
        "ca.transition",
        {
            "id": action,
            "from": "in_progress",
            "to": "done",
            "evidence": [{"note": "Work order closed; photos of the installed control on file."}],
        },
        at + dt.timedelta(days=1),
    )
    signature = demo.put(session, signature_png("Maria Gonzalez"), "image/png")
    demo.run(
        session,
        "supervisor",
        "ca.verify",
        {
            "id": action,
            "signature_sha256": signature,
            "signer_name": "Maria Gonzalez",
        },
        at + dt.timedelta(days=1, hours=3),
    )


def _statement(
    session: Session, demo: Demo, number: int, spec: DemoIncident, incident_id: uuid.UUID, at: dt.datetime
) -> None:
    """Take a signed witness statement."""
    witness = WITNESSES[number % len(WITNESSES)]
    signature = demo.put(session, signature_png(witness), "image/png")
    demo.run(
        session,
        "officer",
        "statement.create",
        {
            "id": _uid(str(incident_id), "statement-1"),
            "incident_id": str(incident_id),
            "witness_name": witness,
            "contact": "ext. 2231",
            "relation": "employee",
            "language": "en",
            "statement": f"I was working nearby and saw it happen. {spec.description}",
            "signature_sha256": signature,
            "signed_at": at.isoformat(),
            "taken_at": at.isoformat(),
        },
        at,
    )


def _meet_clocks(
    session: Session, demo: Demo, incident_id: uuid.UUID, received: dt.datetime, days_ago: int
) -> None:
    """Record the notices made for older incidents; the last days' clocks keep running."""
    if days_ago <= 3:
        return
    clocks = session.scalars(
        select(RegulatoryClock).where(
            RegulatoryClock.incident_id == incident_id,
            RegulatoryClock.cancelled_at.is_(None),
            RegulatoryClock.met_at.is_(None),
        )
    ).all()
    for index, clock in enumerate(clocks, start=1):
        met = min(clock.started_at + (clock.due_at - clock.started_at) / 2, received + dt.timedelta(days=2))
        demo.run(
            session,
            "hse",
            "clock.meet",
            {
                "id": str(clock.id),
                "method": "online form",
                "met_at": met.isoformat(),
                "reference_number": f"REF-{received:%y%m%d}-{index:02d}",
            },
            met,
        )


def _uid(key: str, name: str) -> str:
    """A stable id for a demo record that belongs to an incident."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"field-ims-demo/{key}/{name}"))


WHYS = [
    [
        "The worker's hand entered the danger zone",
        "The guard was open",
        "The interlock had been bypassed",
        "Bypassing saved time during jams",
        "Jams were frequent because the feed was misaligned",
    ],
    [
        "The load fell",
        "The sling failed",
        "The sling was worn past its limit",
        "Slings were not on the inspection register",
    ],
    [
        "The floor was slippery",
        "Oil leaked from a forklift hose",
        "The hose was past its service life",
        "Preventive maintenance intervals were not followed",
    ],
    [
        "The service stopped",
        "A certificate expired",
        "Nobody was alerted before expiry",
        "Expiry dates were tracked by hand",
    ],
]
CAUSES = ["maintenance", "procedures", "equipment_failure", "management_system", "training"]
WITNESSES = ["Aisha Tan", "Rudy Hartono", "Mike Alvarez", "Priya Nair", "Omar Haddad"]
CONTROLS = {
    IncidentKind.INJURY: ("engineering", "Fit a fixed guard with an interlock"),
    IncidentKind.ILLNESS: ("substitution", "Replace the solvent with a water-based cleaner"),
    IncidentKind.NEAR_MISS: ("engineering", "Separate pedestrian walkways with barriers"),
    IncidentKind.DANGEROUS_OCCURRENCE: (
        "administrative",
        "Put every lifting accessory on the inspection register",
    ),
    IncidentKind.PROPERTY_DAMAGE: ("engineering", "Install collision bollards"),
    IncidentKind.ENVIRONMENTAL: ("engineering", "Bund the drum store and add spill kits"),
    IncidentKind.IT_OUTAGE: ("administrative", "Automate certificate expiry alerts"),
    IncidentKind.SECURITY: ("administrative", "Phishing-awareness training and MFA for all staff"),
}
