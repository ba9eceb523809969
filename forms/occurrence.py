"""The occurrence form: DOSH dangerous occurrences, property damage and environmental releases."""

from __future__ import annotations

from forms.common import assemble, help_key, key, kind_choice
from forms.conditions import Any, Eq, In, Truthy
from forms.fields import Boolean, Choice, Number, Text
from forms.options import OptionSet
from forms.spec import FormSpec
from forms.taxonomies import DOSH_CATEGORIES
from models.enums import IncidentKind

FORM_ID = "occurrence"

RELEASE_MEDIA = OptionSet("release_medium", ("air", "water", "land"))
UNITS = OptionSet("unit", ("kg", "tonne", "litre", "cubic_metre"))

_DANGEROUS = Eq("kind", IncidentKind.DANGEROUS_OCCURRENCE.value)
_ENVIRONMENTAL = Eq("kind", IncidentKind.ENVIRONMENTAL.value)
_DAMAGE = In("kind", (IncidentKind.DANGEROUS_OCCURRENCE.value, IncidentKind.PROPERTY_DAMAGE.value))
_RELEASE = Any(_ENVIRONMENTAL, Truthy("substance_released"))


def _k(name: str) -> str:
    """Label key of an occurrence-form field."""
    return key(FORM_ID, name)


OCCURRENCE_FORM = FormSpec(
    id=FORM_ID,
    version=1,
    kind=IncidentKind.DANGEROUS_OCCURRENCE,
    fields=assemble(
        kind_choice(
            (IncidentKind.DANGEROUS_OCCURRENCE, IncidentKind.PROPERTY_DAMAGE, IncidentKind.ENVIRONMENTAL)
        ),
        (
            Choice(
                "dosh_category",
                _k("dosh_category"),
                DOSH_CATEGORIES,
                required=True,
                visible_if=_DANGEROUS,
                section="occurrence",
                help=help_key(FORM_ID, "dosh_category"),
            ),
            Text("equipment", _k("equipment"), max_length=200, visible_if=_DAMAGE, section="occurrence"),
            Text(
                "damage_description",
                _k("damage_description"),
                max_length=2000,
                multiline=True,
                visible_if=_DAMAGE,
                required_if=Eq("kind", IncidentKind.PROPERTY_DAMAGE.value),
                section="occurrence",
            ),
            Number("estimated_cost", _k("estimated_cost"), min=0, visible_if=_DAMAGE, section="occurrence"),
            Text(
                "currency",
                _k("currency"),
                max_length=3,
                pattern="[A-Z]{3}",
                upper=True,
                visible_if=_DAMAGE,
                required_if=Truthy("estimated_cost"),
                section="occurrence",
                help=help_key(FORM_ID, "currency"),
            ),
            Number("work_stopped_hours", _k("work_stopped_hours"), min=0, section="occurrence"),
            Boolean("substance_released", _k("substance_released"), visible_if=_DANGEROUS, section="release"),
            Text(
                "substance",
                _k("substance"),
                max_length=200,
                visible_if=_RELEASE,
                required_if=_ENVIRONMENTAL,
                section="release",
            ),
            Number("quantity", _k("quantity"), min=0, visible_if=_RELEASE, section="release"),
            Choice(
                "unit",
                _k("unit"),
                UNITS,
                visible_if=_RELEASE,
                required_if=Truthy("quantity"),
                section="release",
            ),
            Choice(
                "release_medium", _k("release_medium"), RELEASE_MEDIA, visible_if=_RELEASE, section="release"
            ),
            Boolean("contained", _k("contained"), visible_if=_RELEASE, section="release"),
        ),
    ),
    kind_field="kind",
)
