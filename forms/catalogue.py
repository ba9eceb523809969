"""What the forms need from the string catalogue: every key they use, and an error's message.

Key conventions (flat keys in assets/i18n/forms.<lang>.json):
  form.<form_id>                 the form's name ("Injury or illness")
  form.<form_id>.<field>         a field's label; fields shared by every form use form_id "common"
  form.<form_id>.<field>.help    a field's help text
  section.<name>                 a section heading
  option.<set>.<code>            an option's label; option.<set>.group.<code> a heading over options
  part.<name>                    a part of a composite field (a range's start, a fix's latitude...)
  error.<code>                   a validation message, with {placeholders} from FieldError.params
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from forms.errors import FieldError
from forms.spec import FormSpec

ERROR_CODES = (
    "required",
    "not_an_object",
    "not_text",
    "too_long",
    "bad_format",
    "not_a_list",
    "too_many_items",
    "not_a_number",
    "not_an_integer",
    "too_small",
    "too_large",
    "unknown_option",
    "not_a_boolean",
    "bad_date",
    "bad_time",
    "bad_datetime",
    "no_timezone",
    "in_future",
    "too_early",
    "end_before_start",
    "ranges_overlap",
    "bad_photo",
    "too_few_photos",
    "too_many_photos",
    "duplicate_slot",
    "bad_id",
)
"""Every code `validate` can report; each has an "error.<code>" message."""

LABEL_PARAMS = frozenset({"other"})
"""Params whose value is itself a catalogue key (another field's label), translated before use."""


def catalogue_keys(specs: Iterable[FormSpec]) -> set[str]:
    """Return every catalogue key the forms and their error messages refer to."""
    keys = {f"error.{code}" for code in ERROR_CODES}
    for spec in specs:
        keys |= spec.keys()
    return keys


def render_error(error: FieldError, messages: Mapping[str, str]) -> str:
    """Return an error's message from a catalogue, translating label params; the key when it is missing."""
    params = {
        name: messages.get(value, value) if name in LABEL_PARAMS and isinstance(value, str) else value
        for name, value in error.params.items()
    }
    template = messages.get(f"error.{error.code}", f"error.{error.code}")
    return template.format(**params)
