"""Conditional visibility: conditions, hidden fields neither required nor checked, and dropped by clean()."""

import datetime as dt

import pytest

from forms import All, Any, Eq, FormSpec, In, Not, Truthy, clean, get, validate, visible_fields
from forms.fields import Boolean, Choice, Text
from forms.options import OptionSet
from models.enums import IncidentKind

NOW = dt.datetime(2025, 3, 14, 6, 0, tzinfo=dt.UTC)
BASE = {
    "title": "Cut hand on press 4",
    "occurred_at": "2025-03-14T08:30:00+08:00",
    "employee_name": "Siti Aminah",
    "what_happened": "The blade guard was open and the blade caught her glove.",
    "injury_description": "Cut, left hand",
}


@pytest.mark.parametrize(
    ("condition", "values", "expected"),
    [
        (Eq("a", "x"), {"a": "x"}, True),
        (Eq("a", "x"), {"a": "y"}, False),
        (Eq("a", "x"), {}, False),
        (In("a", ("x", "y")), {"a": "y"}, True),
        (In("a", ("x", "y")), {"a": ["x"]}, False),
        (Truthy("a"), {"a": True}, True),
        (Truthy("a"), {"a": "   "}, False),
        (Truthy("a"), {"a": []}, False),
        (Truthy("a"), {"a": 0}, False),
        (Not(Truthy("a")), {}, True),
        (All(Eq("a", 1), Truthy("b")), {"a": 1, "b": "yes"}, True),
        (All(Eq("a", 1), Truthy("b")), {"a": 1}, False),
        (All(), {}, True),
        (Any(Eq("a", 1), Truthy("b")), {"b": [1]}, True),
        (Any(Eq("a", 1), Truthy("b")), {"a": 2}, False),
        (Any(), {}, False),
    ],
)
def test_conditions_evaluate_against_values(condition, values, expected):
    assert condition.test(values) is expected


def test_conditions_name_the_fields_they_read():
    assert All(Eq("a", 1), Any(Truthy("b"), Not(In("c", ("x",))))).fields() == {"a", "b", "c"}


def test_hidden_required_field_is_not_required():
    spec = get("injury")
    assert validate(spec, BASE, now=NOW) == []  # illness_type is required, but only for illnesses
    errors = validate(spec, {**BASE, "case_type": "illness"}, now=NOW)
    assert [(e.field, e.code) for e in errors] == [("illness_type", "required")]


def test_hidden_field_with_bad_value_is_not_checked_and_is_dropped():
    spec = get("injury")
    values = {
        **BASE,
        "died": False,
        "date_of_death": "not a date",
        "inpatient": "none",
        "inpatient_date": "x",
    }
    assert validate(spec, values, now=NOW) == []
    cleaned = clean(spec, values)
    assert "date_of_death" not in cleaned and "inpatient_date" not in cleaned
    assert cleaned["died"] is False


def test_visible_field_becomes_required_when_its_condition_holds():
    errors = validate(get("injury"), {**BASE, "died": True}, now=NOW)
    assert [(e.field, e.code) for e in errors] == [("date_of_death", "required")]


def test_stale_answer_under_a_hidden_field_cannot_show_anything():
    # A draft switched back from illness to injury still holds illness_type = hearing_loss.
    values = {**BASE, "case_type": "injury", "illness_type": "hearing_loss", "hearing_level_db": 500}
    shown = {f.name for f in visible_fields(get("injury"), values)}
    assert "illness_type" not in shown and "hearing_level_db" not in shown
    assert validate(get("injury"), values, now=NOW) == []
    assert "hearing_level_db" not in clean(get("injury"), values)


def test_unknown_fields_are_ignored_by_validate_and_dropped_by_clean():
    values = {**BASE, "shoe_size": "42"}
    assert validate(get("injury"), values, now=NOW) == []
    assert "shoe_size" not in clean(get("injury"), values)


def test_not_condition_hides_time_of_event_when_time_unknown():
    values = {**BASE, "time_unknown": True, "time_of_event": "25:99"}
    assert validate(get("injury"), values, now=NOW) == []
    assert "time_of_event" not in clean(get("injury"), values)
    errors = validate(get("injury"), {**values, "time_unknown": False}, now=NOW)
    assert [(e.field, e.code) for e in errors] == [("time_of_event", "bad_time")]


def test_required_if_applies_only_when_its_condition_holds():
    spec = get("occurrence")
    common = {"title": "Forklift hit the racking", "occurred_at": "2025-03-14T08:30:00+08:00"}
    assert validate(spec, {**common, "kind": "dangerous_occurrence", "dosh_category": "other"}, now=NOW) == []
    errors = validate(spec, {**common, "kind": "property_damage"}, now=NOW)
    assert [(e.field, e.code) for e in errors] == [("damage_description", "required")]
    errors = validate(
        spec,
        {**common, "kind": "property_damage", "damage_description": "Bent", "estimated_cost": 900},
        now=NOW,
    )
    assert [(e.field, e.code) for e in errors] == [("currency", "required")]


def test_any_condition_shows_release_fields_for_a_dangerous_occurrence_with_a_release():
    spec = get("occurrence")
    values = {"kind": "dangerous_occurrence", "substance_released": True}
    assert "substance" in {f.name for f in visible_fields(spec, values)}
    assert "substance" not in {f.name for f in visible_fields(spec, {"kind": "dangerous_occurrence"})}
    assert "substance" in {f.name for f in visible_fields(spec, {"kind": "environmental"})}


def test_spec_refuses_a_condition_on_a_field_declared_later():
    later = Boolean("later", "form.test.later")
    early = Text("early", "form.test.early", visible_if=Truthy("later"))
    with pytest.raises(ValueError, match="not declared before"):
        FormSpec("test", 1, IncidentKind.NEAR_MISS, (early, later))


def test_spec_refuses_duplicate_names_and_gaps_in_upgrades():
    field = Text("a", "form.test.a")
    with pytest.raises(ValueError, match="declared twice"):
        FormSpec("test", 1, IncidentKind.NEAR_MISS, (field, field))
    with pytest.raises(ValueError, match="upgrades"):
        FormSpec("test", 2, IncidentKind.NEAR_MISS, (field,))


def test_spec_refuses_a_kind_field_that_is_not_a_choice_of_kinds():
    colours = Choice("colour", "form.test.colour", OptionSet("colour", ("red",)))
    with pytest.raises(ValueError, match="kind field"):
        FormSpec("test", 1, IncidentKind.NEAR_MISS, (colours,), kind_field="colour")
