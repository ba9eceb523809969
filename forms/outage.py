"""The IT outage / security incident form: services, impact, detection and the regulatory category."""

from __future__ import annotations

from forms.common import assemble, help_key, key, kind_choice
from forms.conditions import Not, Truthy
from forms.fields import Boolean, Choice, DateTime, Number, Text, TextList
from forms.options import OptionSet
from forms.spec import FormSpec
from forms.taxonomies import CERT_IN_CATEGORIES
from models.enums import CustomerImpact, DetectionSource, IncidentKind

FORM_ID = "outage"


def _k(name: str) -> str:
    """Label key of an outage-form field."""
    return key(FORM_ID, name)


OUTAGE_FORM = FormSpec(
    id=FORM_ID,
    version=1,
    kind=IncidentKind.IT_OUTAGE,
    fields=assemble(
        kind_choice((IncidentKind.IT_OUTAGE, IncidentKind.SECURITY)),
        (
            TextList("affected_services", _k("affected_services"), section="impact"),
            DateTime("started_at", _k("started_at"), section="impact", help=help_key(FORM_ID, "started_at")),
            DateTime("detected_at", _k("detected_at"), not_before="started_at", section="impact"),
            DateTime("ended_at", _k("ended_at"), not_before="started_at", section="impact"),
            Choice(
                "detection_source",
                _k("detection_source"),
                OptionSet.from_enum("detection_source", DetectionSource),
                section="impact",
            ),
            Choice(
                "customer_impact",
                _k("customer_impact"),
                OptionSet.from_enum("customer_impact", CustomerImpact),
                required=True,
                default=CustomerImpact.NONE.value,
                section="impact",
            ),
            Text(
                "impact_description",
                _k("impact_description"),
                max_length=2000,
                multiline=True,
                section="impact",
            ),
            Boolean("all_users_affected", _k("all_users_affected"), section="impact"),
            Number(
                "users_affected",
                _k("users_affected"),
                min=0,
                integer=True,
                visible_if=Not(Truthy("all_users_affected")),
                section="impact",
            ),
            Boolean("workaround_available", _k("workaround_available"), section="impact"),
            Choice(
                "regulatory_category",
                _k("regulatory_category"),
                CERT_IN_CATEGORIES,
                section="regulatory",
                help=help_key(FORM_ID, "regulatory_category"),
            ),
            Boolean(
                "personal_data_breach",
                _k("personal_data_breach"),
                section="regulatory",
                help=help_key(FORM_ID, "personal_data_breach"),
            ),
            Number(
                "data_subjects_affected",
                _k("data_subjects_affected"),
                min=0,
                integer=True,
                visible_if=Truthy("personal_data_breach"),
                section="regulatory",
            ),
        ),
    ),
    kind_field="kind",
)
