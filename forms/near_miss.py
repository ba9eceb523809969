"""The near-miss form: the hazard, what could have happened, how bad it could have been, what was done."""

from __future__ import annotations

from forms.common import assemble, help_key, key
from forms.fields import Choice, Text
from forms.options import OptionSet
from forms.spec import FormSpec
from forms.taxonomies import HAZARDS
from models.enums import IncidentKind, PotentialSeverity

FORM_ID = "near_miss"

NEAR_MISS_FORM = FormSpec(
    id=FORM_ID,
    version=1,
    kind=IncidentKind.NEAR_MISS,
    fields=assemble(
        None,
        (
            Choice("hazard_type", key(FORM_ID, "hazard_type"), HAZARDS, required=True, section="hazard"),
            Text(
                "what_could_have_happened",
                key(FORM_ID, "what_could_have_happened"),
                max_length=2000,
                multiline=True,
                required=True,
                section="hazard",
                help=help_key(FORM_ID, "what_could_have_happened"),
            ),
            Choice(
                "potential_severity",
                key(FORM_ID, "potential_severity"),
                OptionSet.from_enum("potential_severity", PotentialSeverity),
                required=True,
                section="hazard",
                help=help_key(FORM_ID, "potential_severity"),
            ),
            Text(
                "immediate_action",
                key(FORM_ID, "immediate_action"),
                max_length=2000,
                multiline=True,
                section="hazard",
            ),
        ),
    ),
)
