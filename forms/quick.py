"""The quick path: kind, one line, a photo, the place filled in by the phone; details follow by amendment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from forms.common import AREA_ID, KINDS, LOCATION, OCCURRED_AT, PHOTOS, TITLE, key
from forms.errors import FieldError
from forms.fields import Choice
from forms.spec import FormSpec, validate
from models.enums import IncidentKind

FORM_ID = "quick"

QUICK_FORM = FormSpec(
    id=FORM_ID,
    version=1,
    kind=IncidentKind.INJURY,
    fields=(
        Choice("kind", key("common", "kind"), KINDS, required=True, quick=True, section="event"),
        TITLE,
        OCCURRED_AT,
        LOCATION,
        AREA_ID,
        PHOTOS,
    ),
    kind_field="kind",
)
"""Only kind, title and occurred_at are required; place, site area and photos come if the phone has them."""


def validate_quick(values: Any, *, now: dt.datetime | None = None) -> list[FieldError]:
    """Return the problems with a quick report (empty when it may be filed)."""
    return validate(QUICK_FORM, values, now=now)
