"""Validation codes, one case each, and the normal form clean() gives the values."""

import datetime as dt

import pytest

from forms import ERROR_CODES, FormSpec, clean, get, validate, validate_quick
from forms.fields import PhotoSlots
from models.enums import IncidentKind

NOW = dt.datetime(2025, 3, 14, 6, 0, tzinfo=dt.UTC)
SHA = "ab" * 32
INJURY = {
    "title": "Cut hand on press 4",
    "occurred_at": "2025-03-14T08:30:00+08:00",
    "employee_name": "Siti Aminah",
    "what_happened": "The blade caught her glove.",
    "injury_description": "Cut, left hand",
}
OUTAGE = {"kind": "it_outage", "title": "Payroll down", "occurred_at": "2025-03-14T09:00:00+05:30"}
DAMAGE = {
    "kind": "property_damage",
    "title": "Forklift hit racking",
    "occurred_at": "2025-03-14T08:00:00+07:00",
    "damage_description": "Upright bent",
}
HEARING = {**INJURY, "case_type": "illness", "illness_type": "hearing_loss"}

CASES = [
    # (form, base values, changes, error path, code, params)
    ("injury", INJURY, {"title": None}, "title", "required", {}),
    ("injury", INJURY, {"title": 42}, "title", "not_text", {}),
    ("injury", INJURY, {"title": "x" * 121}, "title", "too_long", {"max": 120}),
    ("injury", INJURY, {"location": "near the press"}, "location", "not_an_object", {}),
    ("injury", INJURY, {"location": {"longitude": 101.7}}, "location.latitude", "required", {}),
    (
        "injury",
        INJURY,
        {"location": {"latitude": "north", "longitude": 1}},
        "location.latitude",
        "not_a_number",
        {},
    ),
    (
        "injury",
        INJURY,
        {"location": {"latitude": 91, "longitude": 1}},
        "location.latitude",
        "too_large",
        {"max": 90},
    ),
    ("injury", INJURY, {"body_parts": "44"}, "body_parts", "not_a_list", {}),
    ("injury", INJURY, {"body_parts": ["44", "45"]}, "body_parts", "unknown_option", {"value": "45"}),
    ("injury", INJURY, {"sex": "m"}, "sex", "unknown_option", {"value": "m"}),
    ("injury", INJURY, {"died": "yes"}, "died", "not_a_boolean", {}),
    ("injury", INJURY, {"date_of_birth": "14/03/1990"}, "date_of_birth", "bad_date", {}),
    ("injury", INJURY, {"date_of_birth": "2025-03-16"}, "date_of_birth", "in_future", {}),
    (
        "injury",
        INJURY,
        {"date_of_birth": "1990-05-01", "date_hired": "1989-01-01"},
        "date_hired",
        "too_early",
        {"other": "form.injury.date_of_birth"},
    ),
    ("injury", INJURY, {"time_began_work": "25:00"}, "time_began_work", "bad_time", {}),
    ("injury", INJURY, {"occurred_at": "yesterday"}, "occurred_at", "bad_datetime", {}),
    ("injury", INJURY, {"occurred_at": "2025-03-14T08:30:00"}, "occurred_at", "no_timezone", {}),
    ("injury", INJURY, {"occurred_at": "2025-03-14T06:06:00Z"}, "occurred_at", "in_future", {}),
    (
        "injury",
        INJURY,
        {"days_away": [{"start": "2025-03-13", "end": None}]},
        "days_away.0.start",
        "too_early",
        {"other": "form.common.occurred_at"},
    ),
    (
        "injury",
        INJURY,
        {"days_away": [{"start": "2025-03-20", "end": "2025-03-18"}]},
        "days_away.0.end",
        "end_before_start",
        {},
    ),
    ("injury", INJURY, {"days_away": [{"end": "2025-03-18"}]}, "days_away.0.start", "required", {}),
    ("injury", INJURY, {"days_away": ["2025-03-18"]}, "days_away.0", "not_an_object", {}),
    (
        "injury",
        INJURY,
        {
            "restrictions": [
                {"start": "2025-03-15", "end": "2025-03-20"},
                {"start": "2025-03-18", "end": None},
            ]
        },
        "restrictions.1",
        "ranges_overlap",
        {},
    ),
    ("injury", INJURY, {"medications": [{"dose_mg": 200}]}, "medications.0.name", "required", {}),
    (
        "injury",
        INJURY,
        {"medications": [{"name": "Ibuprofen", "dose_mg": "two"}]},
        "medications.0.dose_mg",
        "not_a_number",
        {},
    ),
    (
        "injury",
        INJURY,
        {"medications": [{"name": "Ibuprofen", "dose_mg": -5}]},
        "medications.0.dose_mg",
        "too_small",
        {"min": 0},
    ),
    (
        "injury",
        INJURY,
        {"medications": [{"name": "Ibuprofen", "prescription_only": "no"}]},
        "medications.0.prescription_only",
        "not_a_boolean",
        {},
    ),
    ("injury", HEARING, {"hearing_level_db": 200}, "hearing_level_db", "too_large", {"max": 130}),
    ("injury", INJURY, {"photos": [{"slot": "p1", "sha256": "xyz"}]}, "photos.0", "bad_photo", {}),
    (
        "injury",
        INJURY,
        {"photos": [{"slot": f"p{i}", "sha256": SHA} for i in range(11)]},
        "photos",
        "too_many_photos",
        {"max": 10},
    ),
    (
        "injury",
        INJURY,
        {"photos": [{"slot": "p1", "sha256": SHA}, {"slot": "p1", "sha256": "cd" * 32}]},
        "photos.1",
        "duplicate_slot",
        {},
    ),
    ("injury", INJURY, {"area_id": "hall 5"}, "area_id", "bad_id", {}),
    ("outage", OUTAGE, {"users_affected": 2.5}, "users_affected", "not_an_integer", {}),
    ("outage", OUTAGE, {"users_affected": -1}, "users_affected", "too_small", {"min": 0}),
    (
        "outage",
        OUTAGE,
        {"affected_services": ["payroll"] * 51},
        "affected_services",
        "too_many_items",
        {"max": 50},
    ),
    ("outage", OUTAGE, {"affected_services": ["payroll", 7]}, "affected_services.1", "not_text", {}),
    (
        "outage",
        OUTAGE,
        {"started_at": "2025-03-14T09:00:00+05:30", "ended_at": "2025-03-14T08:00:00+05:30"},
        "ended_at",
        "too_early",
        {"other": "form.outage.started_at"},
    ),
    ("occurrence", DAMAGE, {"estimated_cost": "1,500"}, "estimated_cost", "not_a_number", {}),
    ("occurrence", DAMAGE, {"estimated_cost": 1500, "currency": "RM1"}, "currency", "bad_format", {}),
]


@pytest.mark.parametrize(("form_id", "base", "changes", "path", "code", "params"), CASES)
def test_each_bad_value_gets_its_code(form_id, base, changes, path, code, params):
    errors = validate(get(form_id), {**base, **changes}, now=NOW)
    assert [(e.field, e.code, dict(e.params)) for e in errors] == [(path, code, params)]


def test_photo_count_below_the_minimum():
    photos = PhotoSlots("photos", "form.common.photos", min_photos=2, required=True)
    spec = FormSpec("evidence", 1, IncidentKind.NEAR_MISS, (photos,))
    errors = validate(spec, {"photos": [{"slot": "p1", "sha256": SHA}]}, now=NOW)
    assert [(e.field, e.code, dict(e.params)) for e in errors] == [("photos", "too_few_photos", {"min": 2})]
    assert [e.code for e in validate(spec, {"photos": []}, now=NOW)] == ["required"]
    two = [{"slot": "p1", "sha256": SHA}, {"slot": "p2", "sha256": SHA}]
    assert validate(spec, {"photos": two}, now=NOW) == []


def test_values_that_are_not_an_object_are_refused():
    assert [(e.field, e.code) for e in validate(get("near_miss"), ["title"], now=NOW)] == [
        ("", "not_an_object")
    ]


def test_every_documented_code_is_produced_by_some_case():
    produced = {code for *_, code, _ in CASES} | {"not_an_object", "too_few_photos"}
    assert produced == set(ERROR_CODES)


def test_occurred_at_may_be_up_to_five_minutes_ahead_of_the_server_clock():
    quick = {"kind": "near_miss", "title": "Oil on the floor"}
    assert validate_quick({**quick, "occurred_at": "2025-03-14T06:04:59Z"}, now=NOW) == []
    late = validate_quick({**quick, "occurred_at": "2025-03-14T14:05:01+08:00"}, now=NOW)
    assert [e.code for e in late] == ["in_future"]


def test_a_date_that_is_already_today_somewhere_is_not_in_the_future():
    # 06:00 UTC is 20:00 on the same day at UTC+14: the 15th is still in the future everywhere.
    assert validate(get("injury"), {**INJURY, "date_of_birth": "2025-03-14"}, now=NOW) == []
    late = dt.datetime(2025, 3, 14, 11, 0, tzinfo=dt.UTC)  # already 01:00 on the 15th at UTC+14
    assert validate(get("injury"), {**INJURY, "date_of_birth": "2025-03-15"}, now=late) == []


def test_clean_normalises_text_numbers_dates_and_lists():
    values = {
        **INJURY,
        "title": "  Cut hand\n on press 4  ",
        "what_happened": "Line one\r\nLine two  ",
        "occurred_at": "2025-03-14T08:30:00.000+08:00",
        "time_began_work": "07:00:00",
        "body_parts": ["44", "12", "44"],
        "medications": [{"name": " Ibuprofen  400 ", "dose_mg": "٤٠٠"}],
        "location": {"latitude": "3.1390", "longitude": 101.6869, "accuracy_m": "१२"},
        "area_id": "6F9619FF-8B86-D011-B42D-00C04FC964FF",
        "photos": [{"slot": "p1", "sha256": SHA.upper()}],
    }
    assert validate(get("injury"), values, now=NOW) == []
    cleaned = clean(get("injury"), values)
    assert cleaned["title"] == "Cut hand on press 4"
    assert cleaned["what_happened"] == "Line one\nLine two"
    assert cleaned["occurred_at"] == "2025-03-14T08:30:00+08:00"
    assert cleaned["time_began_work"] == "07:00"
    assert cleaned["body_parts"] == ["12", "44"]
    assert cleaned["medications"] == [{"name": "Ibuprofen 400", "dose_mg": 400.0, "prescription_only": False}]
    assert cleaned["location"] == {"latitude": 3.139, "longitude": 101.6869, "accuracy_m": 12.0}
    assert cleaned["area_id"] == "6f9619ff-8b86-d011-b42d-00c04fc964ff"
    assert cleaned["photos"] == [{"slot": "p1", "sha256": SHA, "caption": ""}]
    assert cleaned["work_related"] is True and cleaned["inpatient"] == "none"


def test_clean_keeps_whole_numbers_whole_and_uppercases_currency():
    values = {**DAMAGE, "estimated_cost": "1500", "currency": " myr ", "work_stopped_hours": 0}
    assert validate(get("occurrence"), values, now=NOW) == []
    cleaned = clean(get("occurrence"), values)
    assert cleaned["estimated_cost"] == 1500.0 and cleaned["currency"] == "MYR"
    assert cleaned["work_stopped_hours"] == 0.0
    outage = clean(
        get("outage"), {**OUTAGE, "users_affected": "120", "affected_services": [" Payroll ", "  "]}
    )
    assert outage["users_affected"] == 120 and isinstance(outage["users_affected"], int)
    assert outage["affected_services"] == ["Payroll"]


def test_clean_leaves_out_values_it_cannot_read():
    assert "date_of_birth" not in clean(get("injury"), {**INJURY, "date_of_birth": "soon"})


def test_validate_needs_an_aware_clock():
    with pytest.raises(ValueError, match="aware"):
        validate(get("injury"), INJURY, now=dt.datetime(2025, 3, 14, 6, 0))
