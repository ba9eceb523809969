"""Every word of the reporting flow is in the catalogue, in all five languages, with the same placeholders."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.controls.location_panel import Problem, Source
from app.controls.sync_status import ReportState
from app.i18n import ASSETS, LANGUAGES, catalogue
from app.location import LocationErrorCode
from app.photos import PhotoErrorCode
from forms.registry import FULL_FORMS
from models.enums import IncidentKind, WitnessRelation

APP = Path(__file__).resolve().parents[2] / "app"
FLOW = [
    APP / "main.py",
    *sorted((APP / "controls").glob("*.py")),
    *(
        APP / "views" / f"{name}.py"
        for name in ("common", "details", "home", "login", "report_form", "reports", "statement", "sync")
    ),
]
"""The reporting flow's modules (the staff screens keep their own catalogue test)."""
LITERAL = re.compile(r"\bt\(\s*\"([a-z_]+\.[a-z_.]+)\"")
PLACEHOLDER = re.compile(r"{(\w+)}")
SCRIPTS = {"hi": re.compile("[\u0900-\u097f]"), "ar": re.compile("[\u0600-\u06ff]")}


def ui(language: str) -> dict[str, str]:
    """One language's UI catalogue file."""
    return json.loads((ASSETS / "i18n" / f"ui.{language}.json").read_text(encoding="utf-8"))


def keys_used() -> set[str]:
    """Every key the reporting flow names: literal ones in the code, and each family built from a code."""
    used = {key for path in FLOW for key in LITERAL.findall(path.read_text(encoding="utf-8"))}
    families = {
        "photo.error": [c.value for c in PhotoErrorCode] + ["empty", "too_many"],
        "location.problem": [p.value for p in Problem],
        "location.error": [c.value for c in LocationErrorCode],
        "location.from": [s.value for s in Source],
        "sync.state": [s.value for s in ReportState],
        "statement.relation": [r.value for r in WitnessRelation],
        "report.form_hint": [spec.id for spec in FULL_FORMS],
        "kind": [k.value for k in IncidentKind],
        "field": ["add", "add_period", "add_medication"],
    }
    return used | {f"{family}.{code}" for family, codes in families.items() for code in codes}


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_key_the_app_uses_is_translated(language: str) -> None:
    words = catalogue(language)
    english = ui("en")
    own = ui(language)
    missing = sorted(k for k in keys_used() if k not in words)
    assert missing == []
    assert set(own) == set(english), "every language has exactly the English keys"
    for key, text in own.items():
        assert text.strip(), key
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(english[key])), key


@pytest.mark.parametrize("language", ["hi", "ar"])
def test_hindi_and_arabic_screens_are_in_their_own_script(language: str) -> None:
    english, own = ui("en"), ui(language)
    same = [k for k, text in own.items() if text == english[k] and SCRIPTS[language].search(text) is None]
    # what may stay as in English: the product name, placeholders only, date/time patterns, "GPS: …"
    allowed = {"app.title", "field.date_hint", "field.time_hint", "field.error_part", "location.from.gps"}
    assert sorted(set(same) - allowed) == []
