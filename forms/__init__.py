"""Declarative report forms: fields, conditions, validation, versions, pick-lists and conversion to models.

Pure code shared by the phone and the server: it imports only `models` and the standard library.
"""

from forms.catalogue import ERROR_CODES, catalogue_keys, render_error
from forms.conditions import All, Any, Condition, Eq, In, Not, Truthy
from forms.convert import CASE_FILE_KEYS, build_incident, case_file, case_file_from_model, promote_quick
from forms.errors import FieldError, FormError, InvalidForm, UnknownForm, UnknownFormVersion
from forms.quick import QUICK_FORM, validate_quick
from forms.registry import FORMS, FULL_FORMS, form_for, get, upgrade
from forms.spec import FormSpec, answers, clean, defaults, validate, visible_fields

__all__ = [
    "All",
    "Any",
    "CASE_FILE_KEYS",
    "Condition",
    "ERROR_CODES",
    "Eq",
    "FORMS",
    "FULL_FORMS",
    "FieldError",
    "FormError",
    "FormSpec",
    "In",
    "InvalidForm",
    "Not",
    "QUICK_FORM",
    "Truthy",
    "UnknownForm",
    "UnknownFormVersion",
    "answers",
    "build_incident",
    "case_file",
    "case_file_from_model",
    "catalogue_keys",
    "clean",
    "defaults",
    "form_for",
    "get",
    "promote_quick",
    "render_error",
    "upgrade",
    "validate",
    "validate_quick",
    "visible_fields",
]
