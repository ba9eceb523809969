"""The form catalogues: every key in all five languages, matching placeholders, messages that render."""

import json
import string
from pathlib import Path

import pytest

from forms import ERROR_CODES, FORMS, FieldError, catalogue_keys, render_error

I18N = Path(__file__).resolve().parents[2] / "assets" / "i18n"
LANGUAGES = ("en", "ms", "id", "hi", "ar")
SCRIPTS = {"hi": ("\u0900", "\u097f"), "ar": ("\u0600", "\u06ff")}
SAME_AS_ENGLISH = {"form.occurrence.unit"}  # "Unit" is the Malay word too


def load(language: str) -> dict[str, str]:
    """Read one language's form catalogue."""
    return json.loads((I18N / f"forms.{language}.json").read_text(encoding="utf-8"))


def placeholders(text: str) -> set[str]:
    """Return the {names} a message expects."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_the_forms_use_is_translated(language):
    messages = load(language)
    needed = catalogue_keys(FORMS.values())
    assert sorted(needed - set(messages)) == []
    assert sorted(set(messages) - needed) == []  # no stale keys either
    assert [key for key, text in messages.items() if not text.strip()] == []


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_placeholders_match_english(language):
    english, messages = load("en"), load(language)
    assert [key for key in english if placeholders(messages[key]) != placeholders(english[key])] == []


@pytest.mark.parametrize("language", ("hi", "ar"))
def test_translations_are_written_in_their_script(language):
    low, high = SCRIPTS[language]
    messages = load(language)
    untranslated = [key for key, text in messages.items() if not any(low <= ch <= high for ch in text)]
    # Units and the like may stay in Latin letters; labels and messages may not.
    assert [key for key in untranslated if key.startswith(("form.", "section.", "error."))] == []


@pytest.mark.parametrize("language", ("ms", "id"))
def test_malay_and_indonesian_are_not_copies_of_english(language):
    english, messages = load("en"), load(language)
    same = [
        key
        for key in english
        if messages[key] == english[key] and key not in SAME_AS_ENGLISH and not key.startswith("option.unit.")
    ]
    assert same == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("code", ERROR_CODES)
def test_every_error_renders_in_every_language(language, code):
    messages = load(language)
    error = FieldError(
        "date_hired", code, {"max": 120, "min": 1, "value": "x", "other": "form.injury.date_of_birth"}
    )
    text = render_error(error, messages)
    assert "{" not in text and text != f"error.{code}"
    if "{other}" in messages[f"error.{code}"]:
        assert messages["form.injury.date_of_birth"] in text  # the other field's label, translated


def test_render_error_without_a_message_shows_the_key():
    assert render_error(FieldError("title", "required"), {}) == "error.required"


def test_form_keys_do_not_collide_with_other_catalogue_parts():
    # The app merges every <part>.<lang>.json into one map: a shared key would silently override.
    forms = set(load("en"))
    for part in I18N.glob("*.en.json"):
        if part.name != "forms.en.json":
            clash = forms & set(json.loads(part.read_text(encoding="utf-8")))
            assert sorted(clash) == [], part.name
