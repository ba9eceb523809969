"""Pick-lists as data: OIICS part of body and nature, DOSH dangerous occurrences, CERT-In types, hazards.

Transcribed from the regulatory reference (shared/reference/regulatory/*.json), which is not shipped;
the CERT-In titles come from the rules table (models.rules), so that text exists once.
Each entry keeps the official English title in `name`: reports and exports for regulators use it.
What a worker sees on screen is the catalogue label "option.<set>.<code>" (assets/i18n/forms.*.json),
plain words in five languages. `status` follows the reference: "V" verified, "C" corroborated,
"R" recalled and provisional. A corrected list is a change to the data below, not to code.

OIICS 2.01: the reference holds divisions and major groups only, so the assignable codes are the
major groups (2 digits), a division that has none (part 6, nature 7) and the special code 990;
divisions are the group headings. Finer coding (3-4 digits) is left to the investigating officer.
"""

from __future__ import annotations

from dataclasses import dataclass

from forms.options import OptionGroup, OptionSet
from models.rules import CERT_IN_ANNEXURE_I


@dataclass(frozen=True)
class Taxon:
    """One code of a pick-list with its official English title and the reference's status label."""

    code: str
    name: str
    status: str = "C"


@dataclass(frozen=True)
class Division:
    """An OIICS division: a heading over its assignable codes."""

    code: str
    name: str
    members: tuple[Taxon, ...]


PART_OF_BODY_DIVISIONS: tuple[Division, ...] = (
    Division(
        "1",
        "HEAD",
        (
            Taxon("10", "Head— unspecified"),
            Taxon("11", "Cranial region"),
            Taxon("12", "Ear(s), facial region"),
            Taxon("18", "Multiple regions of the head"),
            Taxon("19", "Other part of head— n.e.c."),
        ),
    ),
    Division(
        "2",
        "NECK",
        (
            Taxon("21", "Exterior and musculoskeletal structures of the neck"),
            Taxon("22", "Internal neck structures"),
            Taxon("28", "External and internal neck locations"),
        ),
    ),
    Division(
        "3",
        "TRUNK",
        (
            Taxon("30", "Trunk— unspecified"),
            Taxon("31", "Chest— including ribs, internal organs"),
            Taxon("32", "Exterior and musculoskeletal structures of the back"),
            Taxon("33", "Abdomen"),
            Taxon("34", "Pelvic region"),
            Taxon("38", "Multiple trunk locations"),
            Taxon("39", "Other part of trunk— n.e.c."),
        ),
    ),
    Division(
        "4",
        "UPPER EXTREMITIES",
        (
            Taxon("40", "Upper extremities— unspecified"),
            Taxon("41", "Shoulder(s), clavicle(s), scapula(e)"),
            Taxon("42", "Arm(s)"),
            Taxon("43", "Wrist(s)"),
            Taxon("44", "Hand(s), finger(s)"),
            Taxon("48", "Multiple upper extremities locations"),
            Taxon("49", "Other upper extremities— n.e.c."),
        ),
    ),
    Division(
        "5",
        "LOWER EXTREMITIES",
        (
            Taxon("50", "Lower extremities— unspecified"),
            Taxon("51", "Hip joint(s)"),
            Taxon("52", "Leg(s)"),
            Taxon("53", "Ankle(s)"),
            Taxon("54", "Foot (feet), toe(s)"),
            Taxon("58", "Multiple lower extremities locations"),
            Taxon("59", "Lower extremities— n.e.c."),
        ),
    ),
    Division(
        "6",
        "BODY SYSTEMS",
        (Taxon("6", "Body systems"),),
    ),
    Division(
        "8",
        "MULTIPLE BODY PARTS",
        (
            Taxon("80", "Multiple body parts— unspecified"),
            Taxon("81", "Head and other part(s) of body"),
            Taxon("82", "Neck and other part(s) of body"),
            Taxon("83", "Trunk and other part(s) of body"),
            Taxon("84", "Upper and lower extremities"),
            Taxon("88", "Other multiple parts of body"),
        ),
    ),
)
PART_OF_BODY_UNSPECIFIED = Taxon("990", "Part of body— unspecified")

NATURE_DIVISIONS: tuple[Division, ...] = (
    Division(
        "1",
        "TRAUMATIC INJURIES AND DISORDERS",
        (
            Taxon("10", "Traumatic injuries or exposures-- nonspecific and unspecified"),
            Taxon("11", "Injuries to the brain, spinal cord"),
            Taxon("12", "Severe wounds, internal injuries"),
            Taxon("13", "Surface and flesh wounds"),
            Taxon("14", "Soft tissue injuries"),
            Taxon("15", "Burns, corrosions, electrical injuries"),
            Taxon("16", "Effects of poison, toxic, or allergenic exposure"),
            Taxon("17", "Effects of environmental conditions and exposures"),
            Taxon("18", "Multiple traumatic injuries and disorders"),
            Taxon("19", "Traumatic injuries— n.e.c."),
        ),
    ),
    Division(
        "2",
        "DISEASES AND DISORDERS OF BODY SYSTEMS",
        (
            Taxon("20", "Systemic diseases and disorders— unspecified"),
            Taxon("21", "Anemia and other diseases of the blood and blood forming organs"),
            Taxon("22", "Nervous system and sense organs diseases"),
            Taxon("23", "Circulatory system diseases"),
            Taxon("24", "Respiratory system diseases"),
            Taxon("25", "Digestive system diseases and disorders"),
            Taxon("26", "Genitourinary system diseases and disorders"),
            Taxon("27", "Musculoskeletal and connective tissue diseases and disorders"),
            Taxon("28", "Disorders of the skin and subcutaneous tissue"),
            Taxon("29", "Other systemic diseases and disorders"),
        ),
    ),
    Division(
        "3",
        "INFECTIOUS AND PARASITIC DISEASES",
        (
            Taxon("30", "Infectious and parasitic diseases— unspecified"),
            Taxon("31", "Bacterial diseases"),
            Taxon("32", "Viral diseases"),
            Taxon("33", "Other non-viral arthropod-borne diseases"),
            Taxon("34", "Mycoses, fungal infections"),
            Taxon("35", "Helminthiases, worm infections"),
            Taxon("36", "Infectious diseases peculiar to the intestines"),
            Taxon("39", "Other infectious and parasitic diseases"),
        ),
    ),
    Division(
        "4",
        "NEOPLASMS, TUMORS, AND CANCERS",
        (
            Taxon("41", "Malignant neoplasms and tumors (cancers, carcinomas, sarcomas)"),
            Taxon("42", "Benign neoplasms and tumors"),
            Taxon("43", "Neoplasms and tumors of unknown properties"),
        ),
    ),
    Division(
        "5",
        "SYMPTOMS, SIGNS, AND ILL-DEFINED CONDITIONS",
        (
            Taxon("50", "Symptoms, signs, and ill-defined conditions— unspecified"),
            Taxon("51", "Symptoms"),
            Taxon("52", "Abnormal findings"),
            Taxon("58", "Multiple symptoms, signs, and ill-defined conditions"),
            Taxon("59", "Symptoms, signs, and ill-defined conditions— n.e.c."),
        ),
    ),
    Division(
        "6",
        "OTHER DISEASES, CONDITIONS, AND DISORDERS",
        (
            Taxon("60", "Other diseases, conditions, and disorders— unspecified"),
            Taxon("61", "Damage to prosthetic and orthopedic devices"),
            Taxon("62", "Mental disorders and syndromes"),
            Taxon("69", "Other diseases, conditions, and disorders— n.e.c."),
        ),
    ),
    Division(
        "7",
        "EXPOSURES TO HARMFUL SUBSTANCE OR ENVIRONMENT—NO INJURY OR ILLNESS INCURRED",
        (Taxon("7", "Exposures to harmful substance or environment—no injury or illness incurred"),),
    ),
    Division(
        "8",
        "MULTIPLE DISEASES, CONDITIONS, AND DISORDERS",
        (
            Taxon("81", "Traumatic injuries and mental disorders"),
            Taxon("82", "Traumatic injuries and damage to prosthetic or orthopedic devices"),
            Taxon("83", "Traumatic injuries and infectious disease"),
        ),
    ),
)
NATURE_UNSPECIFIED = Taxon("990", "Nature— unspecified")

DOSH_SECOND_SCHEDULE_STATUS = "R"
"""Provisional: the Malaysian Second Schedule text (P.U.(A) 128/2004) was not retrieved. These
categories are recalled, modelled on UK RIDDOR 1995 Sch. 2 Part I (dosh.json "schedules.second").
Replace with the gazetted list once it is transcribed; "other" keeps reports flowing meanwhile."""

DOSH_DANGEROUS_OCCURRENCES: tuple[Taxon, ...] = (
    Taxon("lifting_machinery", "Collapse, overturning or failure of lifting machinery", "R"),
    Taxon("pressure_systems", "Failure of a pressure vessel or boiler", "R"),
    Taxon("freight_containers", "Failure of a freight container", "R"),
    Taxon("overhead_electric_lines", "Contact with or arcing from overhead electric lines", "R"),
    Taxon(
        "electrical_short_circuit",
        "Electrical short circuit with fire or explosion causing more than 24 hours' stoppage",
        "R",
    ),
    Taxon("explosives", "Unintended explosion or ignition of explosives", "R"),
    Taxon("biological_agents", "Release of or exposure to a biological agent", "R"),
    Taxon("radiation_generators", "Malfunction of a radiation generator", "R"),
    Taxon("breathing_apparatus", "Malfunction of breathing apparatus", "R"),
    Taxon("diving_operations", "Dangerous occurrence in diving operations", "R"),
    Taxon("scaffolding_collapse", "Collapse of scaffolding (more than 5 m high)", "R"),
    Taxon("train_collision", "Train collision", "R"),
    Taxon("wells", "Uncontrolled flow or blow-out from a well", "R"),
    Taxon("pipelines", "Failure or damage of a pipeline", "R"),
    Taxon("fairground_equipment", "Failure of fairground equipment", "R"),
    Taxon("dangerous_substances_road", "Incident in the carriage of dangerous substances by road", "R"),
    Taxon("structure_collapse", "Collapse of a building or structure", "R"),
    Taxon("fire_explosion", "Explosion or fire causing suspension of work for more than 24 hours", "R"),
    Taxon("flammable_substance_escape", "Escape of a flammable substance", "R"),
    Taxon("substance_escape", "Escape of a harmful substance", "R"),
    Taxon("other", "Other dangerous occurrence", "R"),
)

CERT_IN_PREFIX = "cert_in_"

CERT_IN_TYPES: tuple[Taxon, ...] = tuple(
    Taxon(f"{CERT_IN_PREFIX}{number}", name) for number, name in CERT_IN_ANNEXURE_I.items()
)
"""CERT-In Directions 20(3)/2022 Annexure I, items 1-20, from the rules table (one copy of the text)."""

HAZARD_TYPES: tuple[Taxon, ...] = (
    Taxon("slip_trip", "Slip or trip on the same level"),
    Taxon("fall_from_height", "Fall from height"),
    Taxon("falling_object", "Falling or flying object"),
    Taxon("moving_machinery", "Moving machinery or unguarded parts"),
    Taxon("vehicle", "Vehicle or forklift"),
    Taxon("electrical", "Electricity"),
    Taxon("fire_explosion", "Fire or explosion"),
    Taxon("hazardous_substance", "Chemical or other hazardous substance"),
    Taxon("hot_surface", "Hot surface, steam or molten material"),
    Taxon("sharp_object", "Sharp edge or object"),
    Taxon("manual_handling", "Lifting, carrying or awkward posture"),
    Taxon("confined_space", "Confined space"),
    Taxon("noise", "Noise"),
    Taxon("housekeeping", "Untidy or blocked floors, aisles or exits"),
    Taxon("missing_guard_or_ppe", "Missing guard or personal protective equipment"),
    Taxon("other", "Other hazard"),
)
"""Common workplace hazards for near-miss reports (our own list, not a regulatory code list)."""


def oiics_options(name: str, divisions: tuple[Division, ...], unspecified: Taxon) -> OptionSet:
    """Build a grouped option set from OIICS divisions; the special 'unspecified' code comes last."""
    groups = tuple(OptionGroup(d.code, tuple(t.code for t in d.members)) for d in divisions)
    groups += (OptionGroup("unspecified", (unspecified.code,)),)
    return OptionSet(name, tuple(c for g in groups for c in g.codes), groups)


def flat_options(name: str, taxa: tuple[Taxon, ...]) -> OptionSet:
    """Build an ungrouped option set from a list of taxa."""
    return OptionSet(name, tuple(t.code for t in taxa))


def oiics_names(divisions: tuple[Division, ...], unspecified: Taxon) -> dict[str, str]:
    """Map every assignable OIICS code of a structure to its official title."""
    return {t.code: t.name for d in divisions for t in d.members} | {unspecified.code: unspecified.name}


BODY_PARTS = oiics_options("body_part", PART_OF_BODY_DIVISIONS, PART_OF_BODY_UNSPECIFIED)
NATURES = oiics_options("nature", NATURE_DIVISIONS, NATURE_UNSPECIFIED)
DOSH_CATEGORIES = flat_options("dosh_category", DOSH_DANGEROUS_OCCURRENCES)
CERT_IN_CATEGORIES = flat_options("cert_in", CERT_IN_TYPES)
HAZARDS = flat_options("hazard", HAZARD_TYPES)

PART_OF_BODY_NAMES = oiics_names(PART_OF_BODY_DIVISIONS, PART_OF_BODY_UNSPECIFIED)
NATURE_NAMES = oiics_names(NATURE_DIVISIONS, NATURE_UNSPECIFIED)
DOSH_CATEGORY_NAMES = {t.code: t.name for t in DOSH_DANGEROUS_OCCURRENCES}
CERT_IN_NAMES = {t.code: t.name for t in CERT_IN_TYPES}
HAZARD_NAMES = {t.code: t.name for t in HAZARD_TYPES}


def cert_in_item(code: str | None) -> int | None:
    """Return the Annexure I item number (1-20) of a `regulatory_category` code, None for other codes."""
    if code and code.startswith(CERT_IN_PREFIX) and code.removeprefix(CERT_IN_PREFIX).isdigit():
        number = int(code.removeprefix(CERT_IN_PREFIX))
        return number if number in CERT_IN_ANNEXURE_I else None
    return None
