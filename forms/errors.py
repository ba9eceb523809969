"""Validation results and the package's exceptions, each with a stable code the app branches on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: `field` is a dotted path ("medications.0.dose_mg"), `code` is stable.

    The message comes from the catalogue entry "error.<code>" with `params` substituted; a param named
    `other` holds a catalogue key (another field's label) that the app translates before substituting.
    """

    field: str
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """Return the top-level field name the error belongs to."""
        return self.field.split(".", 1)[0]

    def to_dict(self) -> dict[str, Any]:
        """Return the error as a JSON-ready dict for the wire."""
        return {"field": self.field, "code": self.code, "params": dict(self.params)}


class FormError(Exception):
    """Base of the forms package's exceptions; `code` is stable, the message is for logs."""

    code = "form_error"


class UnknownForm(FormError):
    """No form has this id."""

    code = "unknown_form"

    def __init__(self, form_id: str) -> None:
        super().__init__(f"no form with id {form_id!r}")
        self.form_id = form_id


class UnknownFormVersion(FormError):
    """The values were saved with a version of the form this code does not know."""

    code = "unknown_form_version"

    def __init__(self, form_id: str, version: object) -> None:
        super().__init__(f"form {form_id!r} has no version {version!r}")
        self.form_id = form_id
        self.version = version


class InvalidForm(FormError):
    """The values do not pass validation; `errors` says where and why."""

    code = "invalid_form"

    def __init__(self, form_id: str, errors: list[FieldError]) -> None:
        summary = ", ".join(f"{e.field}: {e.code}" for e in errors[:5])
        super().__init__(f"form {form_id!r} is not valid ({summary})")
        self.form_id = form_id
        self.errors = errors
