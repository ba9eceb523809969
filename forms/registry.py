"""Every form by id, the form that files each incident kind, and draft upgrades by form id."""

from __future__ import annotations

from typing import Any

from forms.errors import UnknownForm
from forms.injury import INJURY_FORM
from forms.near_miss import NEAR_MISS_FORM
from forms.occurrence import OCCURRENCE_FORM
from forms.outage import OUTAGE_FORM
from forms.quick import QUICK_FORM
from forms.spec import FormSpec, migrate
from models.enums import IncidentKind

FULL_FORMS: tuple[FormSpec, ...] = (INJURY_FORM, NEAR_MISS_FORM, OUTAGE_FORM, OCCURRENCE_FORM)
"""The detailed forms; together they file every incident kind exactly once."""

FORMS: dict[str, FormSpec] = {spec.id: spec for spec in (*FULL_FORMS, QUICK_FORM)}

_BY_KIND: dict[IncidentKind, FormSpec] = {kind: spec for spec in FULL_FORMS for kind in spec.kinds}


def get(form_id: str) -> FormSpec:
    """Return the form with this id, or raise UnknownForm."""
    try:
        return FORMS[form_id]
    except (KeyError, TypeError):
        raise UnknownForm(str(form_id)) from None


def form_for(kind: IncidentKind | str) -> FormSpec:
    """Return the detailed form that files this incident kind, or raise UnknownForm."""
    try:
        return _BY_KIND[IncidentKind(kind)]
    except ValueError:
        raise UnknownForm(str(kind)) from None


def upgrade(form_id: str, from_version: int, values: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Bring values saved with an older version of a form up to its current version: (version, values)."""
    return migrate(get(form_id), from_version, values)
