"""The adjustable rules table: the shipped values, and site overrides validated with clear errors."""

import ast
import dataclasses
import json
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from models.rules import (
    CERT_IN_ANNEXURE_I,
    JURISDICTIONS,
    Rule,
    RuleError,
    check_table,
    default_rules,
    merge_overrides,
    require,
)

# A copy of shared/reference/regulatory/*.json, so the table is checked against the sources in CI too.
REFERENCE = Path(__file__).resolve().parent.parent / "reference"


@pytest.mark.parametrize(
    ("code", "value", "unit", "jurisdiction"),
    [
        ("osha.fatality_8h", 8, "hours", "US"),
        ("osha.severe_injury_24h", 24, "hours", "US"),
        ("osha.fatality_window_days", 30, "days", "US"),
        ("osha.severe_injury_window_hours", 24, "hours", "US"),
        ("osha.record_7d", 7, "days", "US"),
        ("osha.day_count_cap", 180, "days", "US"),
        ("osha.rx_ibuprofen_mg", 467, "mg", "US"),
        ("osha.rx_diphenhydramine_mg", 50, "mg", "US"),
        ("osha.rx_naproxen_sodium_mg", 220, "mg", "US"),
        ("osha.rx_ketoprofen_mg", 25, "mg", "US"),
        ("osha.hearing_level_db", 25, "dB", "US"),
        ("osha.300a_post_from", "02-01", "month_day", "US"),
        ("osha.300a_post_until", "04-30", "month_day", "US"),
        ("osha.ita_due", "03-02", "month_day", "US"),
        ("dosh.immediate_notice", 0, "hours", "MY"),
        ("dosh.jkkp6_7d", 7, "days", "MY"),
        ("dosh.lost_time_days", 4, "days", "MY"),
        ("dosh.lost_time_jkkp6_7d", 7, "days", "MY"),
        ("dosh.jkkp7_7d", 7, "days", "MY"),
        ("certin.incident_6h", 6, "hours", "IN"),
        ("my_pdpa.breach_72h", 72, "hours", "MY"),
        ("id_pdp.breach_72h", 72, "hours", "ID"),
        ("sa_pdpl.breach_72h", 72, "hours", "SA"),
        ("ae_pdpl.breach_immediate", 0, "hours", "AE"),
        ("policy.response_p1", 15, "minutes", "ALL"),
        ("policy.response_p2", 30, "minutes", "ALL"),
        ("policy.response_p3", 4, "hours", "ALL"),
        ("policy.response_p4", 24, "hours", "ALL"),
        ("policy.update_p1", 30, "minutes", "ALL"),
        ("policy.update_p2", 60, "minutes", "ALL"),
        ("policy.pir_p1_p2", 72, "hours", "ALL"),
        ("policy.capa_check_1", 30, "days", "ALL"),
        ("policy.capa_check_2", 60, "days", "ALL"),
        ("policy.capa_check_3", 90, "days", "ALL"),
    ],
)
def test_shipped_values(code, value, unit, jurisdiction):
    rule = default_rules()[code]
    assert (rule.value, rule.unit, rule.jurisdiction) == (value, unit, jurisdiction)


def test_every_rule_is_complete_and_keyed_by_its_code():
    rules = default_rules()
    assert len(rules) >= 40
    for code, rule in rules.items():
        assert code == rule.code
        assert rule.jurisdiction in JURISDICTIONS
        assert rule.confidence in ("V", "C", "R")
        assert rule.authority and rule.trigger and rule.citation


def test_recalled_facts_are_labelled_r():
    rules = default_rules()
    assert rules["my_pdpa.data_subjects_7d"].confidence == "R"
    assert rules["dosh.jkkp8_due"].confidence == "R"
    assert rules["osha.fatality_8h"].confidence == "V"


def test_uae_immediate_is_zero_hours_with_a_note():
    rule = default_rules()["ae_pdpl.breach_immediate"]
    assert rule.duration == timedelta(0)
    assert "Immediately" in rule.note


def test_thresholds_agree_with_the_reference_json():
    osha = json.loads((REFERENCE / "osha.json").read_text())["rules_1904"]
    thresholds = osha["prescription_strength_single_dose"]["thresholds"]
    rules = default_rules()
    assert rules["osha.rx_ibuprofen_mg"].value == thresholds["ibuprofen_mg_gt"]
    assert rules["osha.rx_diphenhydramine_mg"].value == thresholds["diphenhydramine_mg_gt"]
    assert rules["osha.rx_naproxen_sodium_mg"].value == thresholds["naproxen_sodium_mg_gt"]
    assert rules["osha.rx_ketoprofen_mg"].value == thresholds["ketoprofen_mg_gt"]
    assert len(rules["osha.first_aid_codes"].value) == len(osha["first_aid_list"]["items"]) == 14


def test_cert_in_annexure_matches_the_reference_json():
    cyber = json.loads((REFERENCE / "cyber.json").read_text())
    assert list(CERT_IN_ANNEXURE_I.values()) == cyber["india_cert_in"]["annexure_I_types"]
    assert default_rules()["certin.annexure_i_types"].value == tuple(range(1, 21))


def test_durations_and_hours():
    rules = default_rules()
    assert rules["policy.response_p1"].duration == timedelta(minutes=15)
    assert rules["policy.response_p1"].hours == 0.25
    assert rules["dosh.jkkp6_7d"].hours == 168
    with pytest.raises(RuleError, match="is in mg, not a duration"):
        _ = rules["osha.rx_ibuprofen_mg"].hours


def test_month_day_rules_give_dates():
    rules = default_rules()
    assert rules["osha.ita_due"].on_year(2025) == date(2025, 3, 2)
    with pytest.raises(RuleError, match="not a month_day"):
        rules["osha.record_7d"].on_year(2025)


def test_rules_are_frozen():
    rule = default_rules()["osha.fatality_8h"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.value = 12


def test_default_rules_returns_a_fresh_table():
    first = default_rules()
    first.pop("osha.fatality_8h")
    assert "osha.fatality_8h" in default_rules()


def test_require_names_a_missing_rule():
    with pytest.raises(RuleError, match="no rule 'osha.nope'") as error:
        require(default_rules(), "osha.nope")
    assert error.value.code == "unknown_rule"


# --- overrides ----------------------------------------------------------------------------------------


def test_override_changes_value_and_provenance_without_touching_the_input():
    rules = default_rules()
    merged = merge_overrides(
        rules,
        {"my_pdpa.data_subjects_7d": {"value": 5, "confidence": "V", "note": "Checked in Guideline para 8."}},
    )
    assert merged["my_pdpa.data_subjects_7d"].value == 5
    assert merged["my_pdpa.data_subjects_7d"].confidence == "V"
    assert merged["my_pdpa.data_subjects_7d"].citation == rules["my_pdpa.data_subjects_7d"].citation
    assert rules["my_pdpa.data_subjects_7d"].value == 7


def test_override_code_list_becomes_a_tuple():
    merged = merge_overrides(default_rules(), {"certin.annexure_i_types": {"value": [11, 12]}})
    assert merged["certin.annexure_i_types"].value == (11, 12)


def test_empty_overrides_return_an_equal_table():
    assert merge_overrides(default_rules(), {}) == default_rules()


@pytest.mark.parametrize(
    ("overrides", "code", "message"),
    [
        (
            {"osha.fatality_9h": {"value": 8}},
            "unknown_rule",
            "unknown rule 'osha.fatality_9h'; did you mean 'osha",
        ),
        (
            {"osha.fatality_8h": {"hours": 8}},
            "unknown_field",
            r"osha.fatality_8h.hours: unknown field; allowed: value",
        ),
        (
            {"osha.fatality_8h": {"unit": "minutes"}},
            "fixed_field",
            "osha.fatality_8h.unit: cannot be overridden",
        ),
        ({"osha.fatality_8h": {"jurisdiction": "MY"}}, "fixed_field", "jurisdiction: cannot be overridden"),
        ({"osha.fatality_8h": {"value": -1}}, "bad_value", "osha.fatality_8h.value: must not be negative"),
        ({"osha.fatality_8h": {"value": "8"}}, "bad_value", "expected a number of hours, got '8'"),
        ({"osha.fatality_8h": {"value": True}}, "bad_value", "expected a number of hours"),
        ({"osha.fatality_8h": {"value": float("nan")}}, "bad_value", "expected a number of hours"),
        (
            {"osha.fatality_8h": {"confidence": "maybe"}},
            "bad_value",
            "confidence: 'maybe' is not one of V, C, R",
        ),
        ({"osha.fatality_8h": {"authority": " "}}, "bad_value", "authority: must be non-empty text"),
        ({"osha.fatality_8h": 8}, "bad_override", "osha.fatality_8h: the override must be an object"),
        ({"osha.ita_due": {"value": "02-29"}}, "bad_value", "expected a date in every year as 'MM-DD'"),
        ({"osha.ita_due": {"value": "March 2"}}, "bad_value", "'MM-DD'"),
        ({"osha.first_aid_codes": {"value": "massage"}}, "bad_value", "expected a list of codes"),
        ({"osha.first_aid_codes": {"value": ["massage", "massage"]}}, "bad_value", "duplicate codes massage"),
        ({"osha.first_aid_codes": {"value": ["massage", 3]}}, "bad_value", "codes must be text"),
        ({"certin.annexure_i_types": {"value": ["11"]}}, "bad_value", "codes must be whole numbers"),
        (
            {"osha.first_aid_codes": {"value": ["massage", "oxygen"]}},
            "inconsistent_table",
            "oxygen cannot be in both osha.first_aid_codes and osha.medical_treatment_codes",
        ),
        (
            {"osha.300a_post_until": {"value": "01-15"}},
            "inconsistent_table",
            "osha.300a_post_until is before osha.300a_post_from",
        ),
    ],
)
def test_bad_overrides_are_refused_with_clear_errors(overrides, code, message):
    with pytest.raises(RuleError, match=message) as error:
        merge_overrides(default_rules(), overrides)
    assert error.value.code == code
    assert isinstance(error.value, ValueError)


def test_overrides_must_be_an_object():
    with pytest.raises(RuleError, match="overrides must be an object"):
        merge_overrides(default_rules(), [("osha.fatality_8h", {"value": 8})])


def test_check_table_refuses_a_key_that_does_not_match_its_rule():
    rules = default_rules()
    rules["osha.other"] = rules["osha.fatality_8h"]
    with pytest.raises(RuleError, match="table key 'osha.other' holds rule 'osha.fatality_8h'"):
        check_table(rules)


def test_rule_codes_must_be_dotted():
    with pytest.raises(RuleError, match="must look like 'area.name'"):
        Rule("fatality", "US", "OSHA", 8, "hours", "death", "1904.39", "V")


def test_unknown_unit_and_jurisdiction_are_refused():
    with pytest.raises(RuleError, match="unit: 'weeks' is not one of"):
        Rule("osha.x", "US", "OSHA", 1, "weeks", "t", "c", "V")
    with pytest.raises(RuleError, match="jurisdiction: 'UK' is not one of"):
        Rule("osha.x", "UK", "OSHA", 1, "hours", "t", "c", "V")


def test_mixed_code_lists_are_refused():
    with pytest.raises(RuleError, match="all text or all whole numbers"):
        Rule("osha.x", "US", "OSHA", ["a", 1], "codes", "t", "c", "V")


@pytest.mark.parametrize("module", ["rules", "recordability", "clocks", "metrics"])
def test_domain_rule_modules_import_only_the_standard_library(module):
    tree = ast.parse((Path(__file__).parents[2] / "models" / f"{module}.py").read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.module.startswith("models."):
            imported.add(node.module.split(".")[0])
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)
