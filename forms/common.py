"""The fields every report has (what, when, where, photos) and the helper that assembles a form."""

from __future__ import annotations

from forms.fields import Choice, Coordinates, DateTime, Field, PhotoSlots, Ref, Text
from forms.options import OptionSet
from models.enums import IncidentKind

MAX_PHOTOS = 10


def key(form_id: str, name: str) -> str:
    """Return the catalogue key of a field's label: "form.<form_id>.<name>"."""
    return f"form.{form_id}.{name}"


def help_key(form_id: str, name: str) -> str:
    """Return the catalogue key of a field's help text: "form.<form_id>.<name>.help"."""
    return f"{key(form_id, name)}.help"


TITLE = Text(
    "title",
    key("common", "title"),
    max_length=120,
    required=True,
    quick=True,
    section="event",
    help=help_key("common", "title"),
)
OCCURRED_AT = DateTime(
    "occurred_at",
    key("common", "occurred_at"),
    required=True,
    quick=True,
    section="event",
    help=help_key("common", "occurred_at"),
)
DESCRIPTION = Text(
    "description", key("common", "description"), max_length=4000, multiline=True, section="event"
)
LOCATION_TEXT = Text("location_text", key("common", "location_text"), max_length=200, section="where")
AREA_ID = Ref("area_id", key("common", "area_id"), "site_area", quick=True, section="where")
ASSET_ID = Ref("asset_id", key("common", "asset_id"), "asset", section="where")
LOCATION = Coordinates("location", key("common", "location"), quick=True, section="where")
PHOTOS = PhotoSlots("photos", key("common", "photos"), max_photos=MAX_PHOTOS, quick=True, section="photos")

KINDS = OptionSet.from_enum("kind", IncidentKind)
"""Every incident kind; labels "option.kind.<kind>"."""


def kind_choice(kinds: tuple[IncidentKind, ...]) -> Choice:
    """Return the `kind` selector for a form that files several kinds; the first is the default."""
    return Choice(
        "kind",
        key("common", "kind"),
        OptionSet("kind", tuple(k.value for k in kinds)),
        required=True,
        quick=True,
        section="event",
        default=kinds[0].value,
    )


def assemble(selector: Field | None, specific: tuple[Field, ...]) -> tuple[Field, ...]:
    """Put a form together: kind selector, what and when, where, the kind's own fields, photos."""
    head = (selector,) if selector is not None else ()
    return (
        *head,
        TITLE,
        OCCURRED_AT,
        DESCRIPTION,
        LOCATION_TEXT,
        AREA_ID,
        ASSET_ID,
        LOCATION,
        *specific,
        PHOTOS,
    )
