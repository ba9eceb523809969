"""The injury / illness form: every OSHA Form 301 item, the recordability facts and the JKKP 8 extras."""

from __future__ import annotations

from forms.common import assemble, help_key, key
from forms.conditions import Eq, In, Not, Truthy
from forms.fields import (
    Boolean,
    Choice,
    Date,
    DateRanges,
    Medications,
    MultiChoice,
    Number,
    Text,
    Time,
)
from forms.options import OptionGroup, OptionSet
from forms.spec import FormSpec
from forms.taxonomies import BODY_PARTS, NATURES
from forms.versions import Rename, SetDefault, Upgrade
from models.enums import CaseType, IllnessType, IncidentKind, InpatientPurpose, PrivacyConcern, Sex

FORM_ID = "injury"

FIRST_AID = (
    "otc_medication_at_otc_strength",
    "tetanus_immunization",
    "wound_cleaning",
    "wound_covering",
    "hot_cold_therapy",
    "non_rigid_support",
    "temporary_immobilization_for_transport",
    "drill_nail_or_drain_blister",
    "eye_patch",
    "eye_foreign_body_irrigation_or_swab",
    "splinter_removal_simple",
    "finger_guard",
    "massage",
    "fluids_for_heat_stress",
)
"""1904.7(b)(5)(ii)(A)-(N): the closed first-aid list, as case-file treatment codes."""

NOT_TREATMENT = ("diagnostic_xray", "diagnostic_test", "observation", "counseling")
"""1904.7(b)(5)(i): visits that are neither first aid nor medical treatment."""

MEDICAL_TREATMENT = (
    "sutures",
    "staples",
    "wound_closure_device",
    "surgical_glue",
    "rigid_splint_or_support",
    "physical_therapy",
    "chiropractic",
    "immunization_other",
    "eye_foreign_body_removal_by_instrument",
    "oxygen",
    "surgery",
    "other_medical_treatment",
)
"""Treatment beyond first aid: any of these makes a work-related case recordable."""

TREATMENTS = OptionSet(
    "treatment",
    FIRST_AID + NOT_TREATMENT + MEDICAL_TREATMENT,
    (
        OptionGroup("first_aid", FIRST_AID),
        OptionGroup("not_treatment", NOT_TREATMENT),
        OptionGroup("medical_treatment", MEDICAL_TREATMENT),
    ),
)
DIAGNOSES = OptionSet(
    "diagnosis", ("fracture", "punctured_eardrum", "cancer", "chronic_irreversible_disease")
)
NO_ADMISSION = "none"
INPATIENT = OptionSet.from_enum("inpatient", InpatientPurpose, first=(NO_ADMISSION,))


def _k(name: str) -> str:
    """Label key of an injury-form field."""
    return key(FORM_ID, name)


def _h(name: str) -> str:
    """Help key of an injury-form field."""
    return help_key(FORM_ID, name)


_ILLNESS = Eq("case_type", CaseType.ILLNESS.value)
_HEARING = Eq("illness_type", IllnessType.HEARING_LOSS.value)
_ADMITTED = In("inpatient", tuple(p.value for p in InpatientPurpose))

CASE_TYPE = Choice(
    "case_type",
    _k("case_type"),
    OptionSet.from_enum("case_type", CaseType),
    required=True,
    quick=True,
    section="event",
    default=CaseType.INJURY.value,
    help=_h("case_type"),
)

EMPLOYEE = (
    Text("employee_name", _k("employee_name"), max_length=120, required=True, section="employee"),
    Text("job_title", _k("job_title"), max_length=80, section="employee"),
    Text("employee_street", _k("employee_street"), max_length=200, section="employee"),
    Text("employee_city", _k("employee_city"), max_length=80, section="employee"),
    Text("employee_state", _k("employee_state"), max_length=80, section="employee"),
    Text("employee_zip", _k("employee_zip"), max_length=20, section="employee"),
    Date("date_of_birth", _k("date_of_birth"), section="employee"),
    Date("date_hired", _k("date_hired"), not_before="date_of_birth", section="employee"),
    Choice("sex", _k("sex"), OptionSet.from_enum("sex", Sex), section="employee"),
    Text("id_number", _k("id_number"), max_length=40, section="employee", help=_h("id_number")),
    Text("citizenship", _k("citizenship"), max_length=60, section="employee"),
    Text("employment_status", _k("employment_status"), max_length=60, section="employee"),
)

EVENT = (
    Time("time_began_work", _k("time_began_work"), section="what_happened"),
    Boolean("time_unknown", _k("time_unknown"), section="what_happened"),
    Time(
        "time_of_event",
        _k("time_of_event"),
        visible_if=Not(Truthy("time_unknown")),
        section="what_happened",
        help=_h("time_of_event"),
    ),
    Text(
        "activity_before",
        _k("activity_before"),
        max_length=2000,
        multiline=True,
        section="what_happened",
        help=_h("activity_before"),
    ),
    Text(
        "what_happened",
        _k("what_happened"),
        max_length=2000,
        multiline=True,
        required=True,
        section="what_happened",
        help=_h("what_happened"),
    ),
    Text(
        "object_substance",
        _k("object_substance"),
        max_length=1000,
        multiline=True,
        section="what_happened",
        help=_h("object_substance"),
    ),
    Boolean(
        "work_related", _k("work_related"), default=True, section="what_happened", help=_h("work_related")
    ),
)

INJURY = (
    Text(
        "injury_description",
        _k("injury_description"),
        max_length=2000,
        multiline=True,
        required=True,
        section="injury",
        help=_h("injury_description"),
    ),
    MultiChoice("body_parts", _k("body_parts"), BODY_PARTS, section="injury"),
    MultiChoice("nature", _k("nature"), NATURES, section="injury"),
    Choice(
        "illness_type",
        _k("illness_type"),
        OptionSet.from_enum("illness_type", IllnessType),
        required=True,
        visible_if=_ILLNESS,
        section="injury",
    ),
    Boolean(
        "standard_threshold_shift",
        _k("standard_threshold_shift"),
        visible_if=_HEARING,
        section="injury",
        help=_h("standard_threshold_shift"),
    ),
    Number(
        "hearing_level_db",
        _k("hearing_level_db"),
        min=-10,
        max=130,
        visible_if=_HEARING,
        section="injury",
        help=_h("hearing_level_db"),
    ),
)

TREATMENT = (
    Text("physician", _k("physician"), max_length=120, section="treatment"),
    Text("treatment_facility", _k("treatment_facility"), max_length=200, section="treatment"),
    Boolean("emergency_room", _k("emergency_room"), section="treatment"),
    Choice(
        "inpatient",
        _k("inpatient"),
        INPATIENT,
        default=NO_ADMISSION,
        section="treatment",
        help=_h("inpatient"),
    ),
    Date(
        "inpatient_date",
        _k("inpatient_date"),
        required=True,
        visible_if=_ADMITTED,
        not_before="occurred_at",
        section="treatment",
    ),
    MultiChoice("treatments", _k("treatments"), TREATMENTS, section="treatment", help=_h("treatments")),
    Text("treatment_notes", _k("treatment_notes"), max_length=2000, multiline=True, section="treatment"),
    Medications("medications", _k("medications"), section="treatment", help=_h("medications")),
    Boolean("lost_consciousness", _k("lost_consciousness"), section="treatment"),
    MultiChoice("diagnoses", _k("diagnoses"), DIAGNOSES, section="treatment", help=_h("diagnoses")),
    Boolean(
        "contaminated_sharps_injury",
        _k("contaminated_sharps_injury"),
        section="treatment",
        help=_h("contaminated_sharps_injury"),
    ),
)

OUTCOME = (
    DateRanges(
        "days_away", _k("days_away"), not_before="occurred_at", section="outcome", help=_h("days_away")
    ),
    DateRanges(
        "restrictions",
        _k("restrictions"),
        not_before="occurred_at",
        section="outcome",
        help=_h("restrictions"),
    ),
    Boolean("died", _k("died"), section="outcome"),
    Date(
        "date_of_death",
        _k("date_of_death"),
        required=True,
        visible_if=Truthy("died"),
        not_before="occurred_at",
        section="outcome",
    ),
    Boolean("amputation", _k("amputation"), section="outcome", help=_h("amputation")),
    Boolean("eye_loss", _k("eye_loss"), section="outcome"),
    Boolean("permanent_disability", _k("permanent_disability"), section="outcome"),
    Boolean("public_road_motor_vehicle", _k("public_road_motor_vehicle"), section="outcome"),
    Boolean("public_transport", _k("public_transport"), section="outcome"),
)

PRIVACY = (
    Choice(
        "privacy_concern",
        _k("privacy_concern"),
        OptionSet.from_enum("privacy_concern", PrivacyConcern),
        section="privacy",
        help=_h("privacy_concern"),
    ),
)

INJURY_FORM = FormSpec(
    id=FORM_ID,
    version=2,
    kind=IncidentKind.INJURY,
    fields=assemble(CASE_TYPE, EMPLOYEE + EVENT + INJURY + TREATMENT + OUTCOME + PRIVACY),
    upgrades=(
        # v1 had one free-text `treatment`; v2 has the treatments checklist and `treatment_notes`.
        Upgrade(1, (Rename("treatment", "treatment_notes"), SetDefault("treatments", []))),
    ),
    kind_field="case_type",
)
