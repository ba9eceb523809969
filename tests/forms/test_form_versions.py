"""Form versions: a draft saved with an older form opens, validates and files in the current one."""

import datetime as dt
import uuid

import pytest

from forms import UnknownFormVersion, build_incident, get, upgrade, validate
from forms.versions import Rename, SetDefault

NOW = dt.datetime(2025, 3, 14, 6, 0, tzinfo=dt.UTC)
V1_DRAFT = {
    "title": "Burnt arm on the oven door",
    "occurred_at": "2025-03-14T10:15:00+07:00",
    "employee_name": "Budi Santoso",
    "what_happened": "Opened the oven without gloves.",
    "injury_description": "Burn, right forearm",
    "treatment": "Cold water, then burn cream at the clinic",
}


def test_injury_form_is_at_version_2():
    assert get("injury").version == 2


def test_v1_free_text_treatment_moves_to_notes_and_the_checklist_starts_empty():
    version, values = upgrade("injury", 1, V1_DRAFT)
    assert version == 2
    assert "treatment" not in values
    assert values["treatment_notes"] == "Cold water, then burn cream at the clinic"
    assert values["treatments"] == []
    assert validate(get("injury"), values, now=NOW) == []
    assert V1_DRAFT["treatment"]  # the caller's dict is left alone


def test_current_version_values_pass_through_unchanged():
    values = {**V1_DRAFT, "treatment": None, "treatments": ["hot_cold_therapy"]}
    assert upgrade("injury", 2, values) == (2, values)


def test_unknown_versions_are_refused_with_a_code():
    for version in (0, 3, "1", True):
        with pytest.raises(UnknownFormVersion) as caught:
            upgrade("injury", version, V1_DRAFT)
        assert caught.value.code == "unknown_form_version"


def test_build_incident_upgrades_an_old_draft_first():
    incident = build_incident(
        "injury",
        V1_DRAFT,
        version=1,
        incident_id=uuid.uuid4(),
        site_id=uuid.uuid4(),
        reporter_id=uuid.uuid4(),
        now=NOW,
    )
    assert incident.form_version == 2
    assert incident.form_values["treatment_notes"].startswith("Cold water")
    assert incident.injury.treatments == []


def test_steps_rename_and_set_defaults_without_overwriting_answers():
    values = {"old": 1, "new": 2, "kept": "x"}
    Rename("old", "new").apply(values)
    assert values == {"new": 2, "kept": "x"}
    Rename("missing", "kept").apply(values)
    SetDefault("fresh", []).apply(values)
    SetDefault("new", 9).apply(values)
    assert values == {"new": 2, "kept": "x", "fresh": []}
