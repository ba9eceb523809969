"""OSHA 29 CFR 1904 recordability: cases from the regulation, OSHA's FAQs and interpretations."""

import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.recordability import CaseError, classify
from models.rules import RuleError, default_rules, merge_overrides

INCIDENT = "2024-03-01"  # a Friday

FIRST_AID = [
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
]
NOT_TREATMENT = ["diagnostic_xray", "diagnostic_test", "observation", "counseling"]
MEDICAL = [
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
]


def case(**fields):
    """Return a work-related injury on Friday 2024-03-01 with the given fields added."""
    return {
        "case_type": "injury",
        "work_related": True,
        "incident_date": INCIDENT,
        "as_of": "2024-12-31",
    } | fields


def away(start, end):
    """Return one inclusive date range."""
    return {"start": start, "end": end}


# --- medical treatment vs first aid -------------------------------------------------------------------


def test_steri_strips_only_is_first_aid_and_not_recordable():
    result = classify(case(treatments=["wound_covering"]))
    assert result["recordable"] is False
    assert result["classification"] == "not_recordable"
    assert any(reason.startswith("1904.7(b)(5)(ii)(D)") for reason in result["reasons"])


def test_sutures_are_medical_treatment():
    result = classify(case(treatments=["wound_cleaning", "sutures"]))
    assert result["recordable"] is True
    assert result["classification"] == "other_recordable"
    assert "1904.7(b)(5)(ii)(D): sutures is medical treatment" in result["reasons"]


@pytest.mark.parametrize("code", FIRST_AID)
def test_each_first_aid_code_alone_is_not_recordable(code):
    assert classify(case(treatments=[code]))["recordable"] is False


def test_all_first_aid_together_is_still_not_recordable():
    assert classify(case(treatments=FIRST_AID))["classification"] == "not_recordable"


@pytest.mark.parametrize("code", NOT_TREATMENT)
def test_diagnostic_and_observation_visits_are_not_treatment(code):
    result = classify(case(treatments=[code]))
    assert result["recordable"] is False
    assert any(reason.startswith("1904.7(b)(5)(i)(") for reason in result["reasons"])


def test_xray_only_is_not_recordable():
    assert classify(case(treatments=["diagnostic_xray"]))["recordable"] is False


@pytest.mark.parametrize("code", MEDICAL)
def test_each_medical_treatment_code_is_recordable(code):
    result = classify(case(treatments=[code]))
    assert result["recordable"] is True
    assert result["classification"] == "other_recordable"


def test_oxygen_is_not_on_the_first_aid_list():
    assert classify(case(treatments=["oxygen"]))["recordable"] is True


def test_rigid_splint_is_medical_but_splint_for_transport_is_first_aid():
    assert classify(case(treatments=["rigid_splint_or_support"]))["recordable"] is True
    assert classify(case(treatments=["temporary_immobilization_for_transport"]))["recordable"] is False


def test_hepatitis_b_vaccine_is_medical_treatment_but_tetanus_is_not():
    assert classify(case(treatments=["immunization_other"]))["recordable"] is True
    assert classify(case(treatments=["tetanus_immunization"]))["recordable"] is False


def test_eye_foreign_body_by_instrument_is_recordable_but_by_irrigation_is_not():
    assert classify(case(treatments=["eye_foreign_body_removal_by_instrument"]))["recordable"] is True
    assert (
        classify(case(treatments=["eye_foreign_body_irrigation_or_swab", "eye_patch"]))["recordable"] is False
    )


def test_physical_therapy_is_recordable_massage_is_not():
    assert classify(case(treatments=["physical_therapy"]))["recordable"] is True
    assert classify(case(treatments=["massage"]))["recordable"] is False


# --- medications (FAQ 7-8) ----------------------------------------------------------------------------


def med(name, dose, prescription_only=False):
    """Return one medication entry."""
    return {"name": name, "dose_mg": dose, "prescription_only": prescription_only}


def test_ibuprofen_800_mg_single_dose_is_recordable():
    result = classify(case(medications=[med("ibuprofen", 800)]))
    assert result["recordable"] is True
    assert any("FAQ 7-8" in reason and "800 mg" in reason for reason in result["reasons"])


def test_ibuprofen_400_mg_is_not_recordable():
    assert classify(case(medications=[med("ibuprofen", 400)]))["recordable"] is False


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        ("ibuprofen", 467),
        ("diphenhydramine", 50),
        ("naproxen sodium", 220),
        ("naproxen", 220),
        ("ketoprofen", 25),
    ],
)
def test_prescription_strength_is_strictly_above_the_threshold(name, limit):
    assert classify(case(medications=[med(name, limit)]))["recordable"] is False
    assert classify(case(medications=[med(name, limit + 1)]))["recordable"] is True


@pytest.mark.parametrize("name", ["IBUPROFEN", "Ibuprofen", "  ibuprofen "])
def test_drug_names_match_case_insensitively(name):
    assert classify(case(medications=[med(name, 600)]))["recordable"] is True


@pytest.mark.parametrize("name", ["Naproxen Sodium", "naproxen_sodium", "NAPROXEN"])
def test_naproxen_spellings_count_as_naproxen_sodium(name):
    assert classify(case(medications=[med(name, 440)]))["recordable"] is True


def test_fractional_dose_just_above_threshold_is_prescription_strength():
    assert classify(case(medications=[med("ibuprofen", 467.5)]))["recordable"] is True


def test_prescription_only_drug_is_medical_treatment_whatever_the_dose():
    result = classify(case(medications=[med("amoxicillin", None, prescription_only=True)]))
    assert result["recordable"] is True
    assert any(reason.startswith("1904.7(b)(5)(ii)(A)") for reason in result["reasons"])


def test_otc_drug_without_dose_is_first_aid():
    assert classify(case(medications=[{"name": "ibuprofen"}]))["recordable"] is False


# --- other general criteria ---------------------------------------------------------------------------


def test_fracture_with_only_first_aid_is_recordable():
    result = classify(case(treatments=["hot_cold_therapy", "non_rigid_support"], diagnoses=["fracture"]))
    assert result["recordable"] is True
    assert result["classification"] == "other_recordable"
    assert any(reason.startswith("1904.7(b)(7)") for reason in result["reasons"])


@pytest.mark.parametrize(
    "diagnosis", ["fracture", "punctured_eardrum", "cancer", "chronic_irreversible_disease"]
)
def test_each_significant_diagnosis_is_recordable(diagnosis):
    assert classify(case(diagnoses=[diagnosis]))["recordable"] is True


def test_loss_of_consciousness_is_recordable():
    result = classify(case(lost_consciousness=True))
    assert result["classification"] == "other_recordable"
    assert any(reason.startswith("1904.7(b)(6)") for reason in result["reasons"])


def test_amputation_implies_medical_treatment():
    assert classify(case(amputation=True))["recordable"] is True


def test_a_case_with_nothing_is_not_recordable():
    result = classify(case())
    assert result == {
        "recordable": False,
        "classification": "not_recordable",
        "days_away": 0,
        "days_restricted": 0,
        "privacy_case": False,
        "report_to_osha": "none",
        "type_column": "injury",
        "reasons": ["1904.7(a): none of the general or special recording criteria is met"],
    }


def test_not_work_related_is_never_recordable_but_keeps_its_type():
    result = classify(
        {
            "case_type": "illness",
            "illness_type": "skin_disorder",
            "work_related": False,
            "incident_date": INCIDENT,
            "treatments": ["surgery"],
            "died_on": "2024-03-02",
        }
    )
    assert result["recordable"] is False
    assert result["classification"] == "not_recordable"
    assert result["report_to_osha"] == "none"
    assert result["type_column"] == "skin_disorder"
    assert result["reasons"][0].startswith("1904.5")


# --- day counting -------------------------------------------------------------------------------------


def test_injured_friday_away_saturday_to_monday_is_three_days():
    result = classify(case(days_away=[away("2024-03-02", "2024-03-04")]))
    assert result["days_away"] == 3
    assert result["classification"] == "days_away"


def test_range_starting_on_the_injury_day_counts_from_the_next_day():
    assert classify(case(days_away=[away(INCIDENT, "2024-03-04")]))["days_away"] == 3


def test_away_only_on_the_injury_day_is_not_recordable():
    result = classify(case(days_away=[away(INCIDENT, INCIDENT)]))
    assert result["recordable"] is False
    assert result["days_away"] == 0
    assert any(reason.startswith("1904.7(b)(3)(i)") for reason in result["reasons"])


def test_restriction_only_on_the_injury_day_is_not_recordable():
    result = classify(case(restrictions=[away(INCIDENT, INCIDENT)]))
    assert result["recordable"] is False
    assert any(reason.startswith("1904.7(b)(4)(iv)") for reason in result["reasons"])


def test_restriction_into_the_next_day_is_restricted_work():
    result = classify(case(restrictions=[away(INCIDENT, "2024-03-02")]))
    assert result["classification"] == "restricted_or_transfer"
    assert (result["days_away"], result["days_restricted"]) == (0, 1)


def test_overlapping_ranges_are_counted_once():
    result = classify(case(days_away=[away("2024-03-02", "2024-03-10"), away("2024-03-05", "2024-03-12")]))
    assert result["days_away"] == 11


def test_a_day_both_away_and_restricted_counts_as_away():
    result = classify(
        case(days_away=[away("2024-03-02", "2024-03-05")], restrictions=[away("2024-03-04", "2024-03-09")])
    )
    assert (result["days_away"], result["days_restricted"]) == (4, 4)


def test_days_count_across_a_month_and_leap_day():
    result = classify(case(incident_date="2024-02-27", days_away=[away("2024-02-28", "2024-03-02")]))
    assert result["days_away"] == 4


def test_200_days_away_are_capped_at_180():
    result = classify(case(days_away=[away("2024-03-02", "2024-09-17")]))  # 200 days
    assert result["days_away"] == 180
    assert any("capped at 180" in reason for reason in result["reasons"])


def test_170_away_and_20_restricted_stop_at_180_together():
    start = date(2024, 3, 2)
    away_end = start + timedelta(days=169)
    restricted = (away_end + timedelta(days=1), away_end + timedelta(days=20))
    result = classify(
        case(
            days_away=[away(start.isoformat(), away_end.isoformat())],
            restrictions=[away(restricted[0].isoformat(), restricted[1].isoformat())],
        )
    )
    assert (result["days_away"], result["days_restricted"]) == (170, 10)


def test_restricted_days_before_days_away_still_leave_days_away_counted_first():
    result = classify(
        case(restrictions=[away("2024-03-02", "2024-08-29")], days_away=[away("2024-08-30", "2024-09-08")])
    )
    assert (result["days_away"], result["days_restricted"]) == (10, 170)


def test_open_range_runs_to_as_of():
    result = classify(case(as_of="2024-03-11", days_away=[away("2024-03-02", None)]))
    assert result["days_away"] == 10


def test_open_range_defaults_to_today():
    incident = date.today() - timedelta(days=10)
    result = classify(
        {
            "case_type": "injury",
            "work_related": True,
            "incident_date": incident.isoformat(),
            "restrictions": [{"start": incident.isoformat(), "end": None}],
        }
    )
    assert result["days_restricted"] == 10


def test_closed_estimate_beyond_as_of_is_counted_in_full():
    result = classify(case(as_of="2024-03-05", days_away=[away("2024-03-02", "2024-03-15")]))
    assert result["days_away"] == 14


def test_open_range_that_starts_after_as_of_counts_nothing_yet():
    result = classify(case(as_of="2024-03-05", restrictions=[away("2024-03-10", None)]))
    assert result["days_restricted"] == 0


def test_custom_cap_from_the_rules_table():
    rules = merge_overrides(default_rules(), {"osha.day_count_cap": {"value": 90}})
    result = classify(case(days_away=[away("2024-03-02", "2024-09-17")]), rules)
    assert result["days_away"] == 90


# --- classification order -----------------------------------------------------------------------------


def test_death_outranks_days_away():
    result = classify(case(days_away=[away("2024-03-02", "2024-03-05")], died_on="2024-03-06"))
    assert result["classification"] == "death"
    assert result["days_away"] == 4


def test_days_away_outrank_restriction():
    result = classify(
        case(days_away=[away("2024-03-02", "2024-03-02")], restrictions=[away("2024-03-03", "2024-03-20")])
    )
    assert result["classification"] == "days_away"


def test_restriction_outranks_medical_treatment():
    result = classify(case(treatments=["sutures"], restrictions=[away("2024-03-02", "2024-03-03")]))
    assert result["classification"] == "restricted_or_transfer"


def test_days_after_death_are_not_counted():
    result = classify(case(days_away=[away("2024-03-02", None)], died_on="2024-03-11"))
    assert result["days_away"] == 10


# --- 1904.39 reporting --------------------------------------------------------------------------------


def test_death_within_30_days_is_reported_within_8_hours():
    assert classify(case(died_on="2024-03-31"))["report_to_osha"] == "8_hours"  # day 30
    assert classify(case(died_on=INCIDENT))["report_to_osha"] == "8_hours"


def test_death_35_days_later_is_recordable_but_not_reportable():
    result = classify(case(died_on="2024-04-05"))
    assert result["recordable"] is True
    assert result["classification"] == "death"
    assert result["report_to_osha"] == "none"
    assert any(reason.startswith("1904.39(b)(6)") for reason in result["reasons"])


def test_treatment_admission_within_24_hours_is_reported_within_24_hours():
    result = classify(case(inpatient_admission={"date": INCIDENT, "purpose": "treatment"}))
    assert result["report_to_osha"] == "24_hours"
    assert result["recordable"] is True
    next_day = classify(case(inpatient_admission={"date": "2024-03-02", "purpose": "treatment"}))
    assert next_day["report_to_osha"] == "24_hours"


def test_admission_two_days_later_is_recorded_but_not_reported():
    result = classify(case(inpatient_admission={"date": "2024-03-03", "purpose": "treatment"}))
    assert result["report_to_osha"] == "none"
    assert result["recordable"] is True


@pytest.mark.parametrize("purpose", ["observation", "diagnostic"])
def test_admission_for_observation_or_diagnosis_is_not_reportable(purpose):
    result = classify(case(inpatient_admission={"date": INCIDENT, "purpose": purpose}))
    assert result["report_to_osha"] == "none"
    assert result["recordable"] is False
    assert any(reason.startswith("1904.39(b)(9)") for reason in result["reasons"])


@pytest.mark.parametrize("event", ["amputation", "eye_loss"])
def test_amputation_or_eye_loss_is_reported_within_24_hours(event):
    result = classify(case(**{event: True}, diagnoses=["fracture"]))
    assert result["report_to_osha"] == "24_hours"
    assert result["recordable"] is True


def test_amputation_in_a_public_road_crash_is_recordable_but_not_reportable():
    result = classify(case(amputation=True, public_road_motor_vehicle=True))
    assert result["recordable"] is True
    assert result["report_to_osha"] == "none"
    assert any(reason.startswith("1904.39(b)(3)") for reason in result["reasons"])


def test_death_on_public_transport_is_recorded_not_reported():
    result = classify(case(died_on=INCIDENT, public_transport=True))
    assert result["classification"] == "death"
    assert result["report_to_osha"] == "none"
    assert any(reason.startswith("1904.39(b)(4)") for reason in result["reasons"])


def test_death_outranks_an_earlier_hospitalisation_for_reporting():
    result = classify(
        case(inpatient_admission={"date": INCIDENT, "purpose": "treatment"}, died_on="2024-03-10")
    )
    assert result["report_to_osha"] == "8_hours"


def test_late_death_after_a_reportable_admission_keeps_the_24_hour_report():
    result = classify(
        case(inpatient_admission={"date": INCIDENT, "purpose": "treatment"}, died_on="2024-05-01")
    )
    assert result["report_to_osha"] == "24_hours"


def test_eye_loss_alone_implies_medical_treatment_and_the_24_hour_report():
    # Removing an eye (enucleation) is surgery: like an amputation, the loss itself is medical treatment.
    result = classify(case(eye_loss=True))
    assert result["recordable"] is True
    assert result["classification"] == "other_recordable"
    assert result["report_to_osha"] == "24_hours"
    assert any("loss of an eye implies medical treatment" in reason for reason in result["reasons"])


# --- special criteria, privacy, column M --------------------------------------------------------------


def test_needlestick_is_recordable_and_a_privacy_case():
    result = classify(case(contaminated_sharps_injury=True, treatments=["wound_cleaning"]))
    assert result["recordable"] is True
    assert result["classification"] == "other_recordable"
    assert result["privacy_case"] is True
    assert any(reason.startswith("1904.8") for reason in result["reasons"])


def test_sharps_privacy_concern_alone_is_recorded_under_1904_8():
    result = classify(case(privacy_concern="contaminated_sharps"))
    assert result["recordable"] is True
    assert result["privacy_case"] is True


def test_needlestick_with_days_away_is_a_days_away_case():
    result = classify(case(contaminated_sharps_injury=True, days_away=[away("2024-03-02", "2024-03-02")]))
    assert result["classification"] == "days_away"


def test_employee_request_on_an_injury_is_not_a_privacy_case():
    result = classify(case(treatments=["sutures"], privacy_concern="employee_request"))
    assert result["recordable"] is True
    assert result["privacy_case"] is False


def test_employee_request_on_an_illness_is_a_privacy_case():
    result = classify(
        case(case_type="illness", illness_type="skin_disorder", treatments=["other_medical_treatment"])
        | {"privacy_concern": "employee_request"}
    )
    assert result["privacy_case"] is True


@pytest.mark.parametrize(
    "concern", ["intimate_body_part", "sexual_assault", "mental_illness", "hiv_hepatitis_tb"]
)
def test_listed_privacy_concerns_make_a_privacy_case(concern):
    assert classify(case(treatments=["sutures"], privacy_concern=concern))["privacy_case"] is True


def test_privacy_concern_on_a_non_recordable_case_is_not_a_privacy_case():
    assert classify(case(privacy_concern="intimate_body_part"))["privacy_case"] is False


def test_hearing_sts_at_20_db_is_not_recordable():
    result = classify(
        case(
            case_type="illness",
            illness_type="hearing_loss",
            hearing={"standard_threshold_shift": True, "hearing_level_db": 20},
        )
    )
    assert result["recordable"] is False
    assert result["type_column"] == "hearing_loss"


def test_hearing_sts_at_25_db_is_recordable_in_the_hearing_loss_column():
    result = classify(
        case(case_type="illness", hearing={"standard_threshold_shift": True, "hearing_level_db": 25})
    )
    assert result["recordable"] is True
    assert result["classification"] == "other_recordable"
    assert result["type_column"] == "hearing_loss"
    assert any(reason.startswith("1904.10(a)") for reason in result["reasons"])


def test_hearing_level_without_a_threshold_shift_is_not_recordable():
    result = classify(case(hearing={"standard_threshold_shift": False, "hearing_level_db": 40}))
    assert result["recordable"] is False


@pytest.mark.parametrize(
    ("illness_type", "column"),
    [
        ("skin_disorder", "skin_disorder"),
        ("respiratory_condition", "respiratory_condition"),
        ("poisoning", "poisoning"),
        ("hearing_loss", "hearing_loss"),
        ("other_illness", "all_other_illnesses"),
        (None, "all_other_illnesses"),
    ],
)
def test_illness_types_map_to_column_m(illness_type, column):
    result = classify(case(case_type="illness", illness_type=illness_type, treatments=["surgery"]))
    assert result["type_column"] == column


def test_every_reason_cites_a_rule():
    result = classify(
        case(
            treatments=["wound_covering", "sutures", "diagnostic_xray"],
            medications=[med("ibuprofen", 800)],
            days_away=[away("2024-03-02", "2024-03-03")],
            contaminated_sharps_injury=True,
            amputation=True,
        )
    )
    assert result["reasons"]
    assert all(re.match(r"^1904\.\d+", reason) for reason in result["reasons"])


# --- invalid input ------------------------------------------------------------------------------------


def test_unknown_treatment_code_is_an_error():
    with pytest.raises(CaseError, match="unknown treatment code 'x'") as error:
        classify(case(treatments=["wound_covering", "x"]))
    assert error.value.field == "treatments[1]"
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize("field", ["case_type", "work_related", "incident_date"])
def test_missing_required_field_names_it(field):
    broken = case()
    del broken[field]
    with pytest.raises(CaseError, match=f"^{field}: required") as error:
        classify(broken)
    assert error.value.code == "missing_field"


@pytest.mark.parametrize("value", ["2024-02-30", "03/01/2024", "20240301", "2024-3-1", 20240301])
def test_bad_dates_are_errors(value):
    with pytest.raises(CaseError, match="^incident_date: expected a date"):
        classify(case(incident_date=value))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"case_type": "accident"}, "^case_type: unknown value 'accident'"),
        ({"illness_type": "cold"}, "^illness_type: unknown value 'cold'"),
        ({"privacy_concern": "celebrity"}, "^privacy_concern: unknown value"),
        ({"diagnoses": ["sprain"]}, r"^diagnoses\[0\]: unknown diagnosis 'sprain'"),
        ({"inpatient_admission": {"date": INCIDENT, "purpose": "rest"}}, r"^inpatient_admission\.purpose"),
        ({"inpatient_admission": {"date": INCIDENT}}, r"^inpatient_admission\.purpose: required"),
        ({"work_related": "yes"}, "^work_related: expected true or false"),
        ({"amputation": 1}, "^amputation: expected true or false"),
        ({"treatments": "sutures"}, "^treatments: expected a list"),
        ({"treatments": [3]}, r"^treatments\[0\]: unknown treatment code 3"),
        ({"medications": [{"dose_mg": 200}]}, r"^medications\[0\]\.name"),
        ({"medications": [{"name": "ibuprofen", "dose_mg": -1}]}, r"^medications\[0\]\.dose_mg"),
        (
            {"hearing": {"standard_threshold_shift": True, "hearing_level_db": "loud"}},
            "^hearing.hearing_level_db",
        ),
        ({"days_away": [{"end": "2024-03-05"}]}, r"^days_away\[0\]\.start: required"),
        ({"restrictions": [{"start": "2024-03-02", "end": "yesterday"}]}, r"^restrictions\[0\]\.end"),
    ],
)
def test_invalid_fields_are_named(fields, message):
    with pytest.raises(CaseError, match=message):
        classify(case(**fields))


def test_end_before_start_is_an_error():
    with pytest.raises(
        CaseError, match=r"^days_away\[0\]: end 2024-03-02 is before start 2024-03-05"
    ) as error:
        classify(case(days_away=[away("2024-03-05", "2024-03-02")]))
    assert error.value.code == "bad_range"


@pytest.mark.parametrize(
    "fields",
    [
        {"days_away": [away("2024-02-28", "2024-03-05")]},
        {"died_on": "2024-02-01"},
        {"inpatient_admission": {"date": "2024-02-29", "purpose": "treatment"}},
        {"as_of": "2024-02-01"},
    ],
)
def test_dates_before_the_incident_are_errors(fields):
    with pytest.raises(CaseError, match="before incident_date"):
        classify(case(**fields))


def test_case_must_be_an_object():
    with pytest.raises(CaseError, match="^case: expected an object"):
        classify(["injury"])


def test_nulls_mean_defaults_and_extra_keys_are_ignored():
    result = classify(
        case(
            treatments=None,
            medications=None,
            diagnoses=None,
            days_away=None,
            restrictions=None,
            hearing=None,
            inpatient_admission=None,
            lost_consciousness=None,
            privacy_concern=None,
            illness_type=None,
            as_of=None,
            case_number="2024-017",
        )
    )
    assert result["recordable"] is False


# --- adjustable thresholds ----------------------------------------------------------------------------


def test_site_can_adjust_a_dose_threshold_by_data():
    rules = merge_overrides(default_rules(), {"osha.rx_ibuprofen_mg": {"value": 800}})
    assert classify(case(medications=[med("ibuprofen", 800)]), rules)["recordable"] is False
    assert classify(case(medications=[med("ibuprofen", 801)]), rules)["recordable"] is True


def test_site_can_adjust_the_hearing_level_by_data():
    rules = merge_overrides(default_rules(), {"osha.hearing_level_db": {"value": 20}})
    hearing = {"standard_threshold_shift": True, "hearing_level_db": 20}
    assert classify(case(case_type="illness", hearing=hearing), rules)["recordable"] is True


def test_site_can_widen_the_fatality_window_by_data():
    rules = merge_overrides(default_rules(), {"osha.fatality_window_days": {"value": 40}})
    assert classify(case(died_on="2024-04-05"), rules)["report_to_osha"] == "8_hours"


def test_a_code_removed_from_every_list_becomes_unknown():
    medical = [code for code in MEDICAL if code != "oxygen"]
    rules = merge_overrides(default_rules(), {"osha.medical_treatment_codes": {"value": medical}})
    with pytest.raises(CaseError, match="unknown treatment code 'oxygen'"):
        classify(case(treatments=["oxygen"]), rules)


def test_a_rules_table_missing_a_rule_is_reported():
    rules = default_rules()
    del rules["osha.day_count_cap"]
    with pytest.raises(RuleError, match="no rule 'osha.day_count_cap'"):
        classify(case(days_away=[away("2024-03-02", "2024-03-04")]), rules)


# --- properties ---------------------------------------------------------------------------------------

BASE_DAY = date(2024, 3, 1)
offsets = st.integers(min_value=0, max_value=400)
ranges = st.lists(
    st.tuples(offsets, st.one_of(st.none(), st.integers(min_value=0, max_value=300))).map(
        lambda pair: {
            "start": (BASE_DAY + timedelta(days=pair[0])).isoformat(),
            "end": None if pair[1] is None else (BASE_DAY + timedelta(days=pair[0] + pair[1])).isoformat(),
        }
    ),
    max_size=4,
)
small_cases = st.fixed_dictionaries(
    {
        "case_type": st.sampled_from(["injury", "illness"]),
        "work_related": st.booleans(),
        "incident_date": st.just(BASE_DAY.isoformat()),
        "as_of": st.just("2025-06-30"),
    },
    optional={
        "treatments": st.lists(st.sampled_from(FIRST_AID + NOT_TREATMENT + MEDICAL), max_size=4),
        "diagnoses": st.lists(st.sampled_from(["fracture", "cancer"]), max_size=1),
        "lost_consciousness": st.booleans(),
        "days_away": ranges,
        "restrictions": ranges,
        "died_on": st.one_of(st.none(), offsets.map(lambda n: (BASE_DAY + timedelta(days=n)).isoformat())),
        "contaminated_sharps_injury": st.booleans(),
        "amputation": st.booleans(),
        "medications": st.lists(
            st.builds(med, st.sampled_from(["ibuprofen", "naproxen", "aspirin"]), st.integers(0, 1000)),
            max_size=2,
        ),
    },
)


@given(small_cases)
def test_days_never_exceed_180_together(data):
    result = classify(data)
    assert 0 <= result["days_away"]
    assert 0 <= result["days_restricted"]
    assert result["days_away"] + result["days_restricted"] <= 180


@given(small_cases, st.lists(st.sampled_from(FIRST_AID + NOT_TREATMENT), min_size=1, max_size=5))
def test_first_aid_never_makes_a_non_recordable_case_recordable(data, extra):
    before = classify(data)
    if before["recordable"]:
        return
    after = classify(data | {"treatments": list(data.get("treatments", [])) + extra})
    assert after["recordable"] is False


@given(small_cases)
def test_classification_is_the_most_serious_outcome(data):
    result = classify(data)
    if not data["work_related"]:
        assert result["classification"] == "not_recordable"
    elif data.get("died_on"):
        assert result["classification"] == "death"
    elif result["days_away"]:
        assert result["classification"] == "days_away"
    elif result["days_restricted"]:
        assert result["classification"] == "restricted_or_transfer"
    assert result["recordable"] == (result["classification"] != "not_recordable")


@given(small_cases, st.sampled_from(MEDICAL))
def test_medical_treatment_makes_any_work_related_case_recordable(data, code):
    result = classify(data | {"work_related": True, "treatments": [code]})
    assert result["recordable"] is True
