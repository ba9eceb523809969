"""The forms themselves: required fields, kinds, the registry, quick fields and the pick-lists."""

import datetime as dt

import pytest

from forms import (
    FORMS,
    FULL_FORMS,
    QUICK_FORM,
    UnknownForm,
    defaults,
    form_for,
    get,
    validate,
    validate_quick,
)
from forms.fields import Choice, MultiChoice
from forms.injury import FIRST_AID, MEDICAL_TREATMENT, NOT_TREATMENT, TREATMENTS
from forms.taxonomies import (
    BODY_PARTS,
    CERT_IN_NAMES,
    DOSH_CATEGORY_NAMES,
    DOSH_DANGEROUS_OCCURRENCES,
    DOSH_SECOND_SCHEDULE_STATUS,
    NATURE_NAMES,
    NATURES,
    PART_OF_BODY_NAMES,
    cert_in_item,
)
from models.enums import IncidentKind
from models.rules import CERT_IN_ANNEXURE_I, default_rules

NOW = dt.datetime(2025, 3, 14, 6, 0, tzinfo=dt.UTC)


def required_errors(form_id: str, values: dict) -> list[str]:
    """Return the names of the fields reported as required."""
    return [e.field for e in validate(get(form_id), values, now=NOW) if e.code == "required"]


@pytest.mark.parametrize(
    ("form_id", "values", "required"),
    [
        ("injury", {}, ["title", "occurred_at", "employee_name", "what_happened", "injury_description"]),
        (
            "injury",
            {"case_type": "illness", "inpatient": "treatment", "died": True},
            [
                "title",
                "occurred_at",
                "employee_name",
                "what_happened",
                "injury_description",
                "illness_type",
                "inpatient_date",
                "date_of_death",
            ],
        ),
        (
            "near_miss",
            {},
            ["title", "occurred_at", "hazard_type", "what_could_have_happened", "potential_severity"],
        ),
        ("outage", {}, ["title", "occurred_at"]),
        ("occurrence", {}, ["title", "occurred_at", "dosh_category"]),
        ("occurrence", {"kind": "property_damage"}, ["title", "occurred_at", "damage_description"]),
        ("occurrence", {"kind": "environmental"}, ["title", "occurred_at", "substance"]),
        (
            "occurrence",
            {"kind": "environmental", "quantity": 40},
            ["title", "occurred_at", "substance", "unit"],
        ),
        ("quick", {}, ["kind", "title", "occurred_at"]),
    ],
)
def test_required_fields_of_each_form(form_id, values, required):
    assert required_errors(form_id, values) == required


def test_a_kind_selector_with_a_default_is_answered_by_its_default():
    assert defaults(get("outage"))["kind"] == "it_outage"
    assert defaults(get("occurrence"))["kind"] == "dangerous_occurrence"
    assert defaults(get("outage"))["customer_impact"] == "none"
    assert "kind" not in defaults(QUICK_FORM)  # the quick path makes the worker pick


def test_every_incident_kind_has_exactly_one_detailed_form():
    kinds = [kind for spec in FULL_FORMS for kind in spec.kinds]
    assert sorted(kinds) == sorted(IncidentKind)
    for kind in IncidentKind:
        assert kind in form_for(kind).kinds
    assert form_for("illness").id == "injury"
    assert form_for(IncidentKind.SECURITY).id == "outage"


def test_kind_of_reads_the_kind_selector():
    assert get("injury").kind_of({"case_type": "illness"}) is IncidentKind.ILLNESS
    assert get("injury").kind_of({}) is IncidentKind.INJURY
    assert get("outage").kind_of({"kind": "security"}) is IncidentKind.SECURITY
    assert get("occurrence").kind_of({"kind": "environmental"}) is IncidentKind.ENVIRONMENTAL
    assert get("near_miss").kind_of({"kind": "security"}) is IncidentKind.NEAR_MISS


def test_unknown_form_ids_and_kinds_raise_unknown_form():
    with pytest.raises(UnknownForm) as caught:
        get("injury_v9")
    assert caught.value.code == "unknown_form"
    with pytest.raises(UnknownForm):
        form_for("earthquake")


def test_registry_lists_every_form_by_id():
    assert set(FORMS) == {"injury", "near_miss", "outage", "occurrence", "quick"}
    assert all(FORMS[form_id].id == form_id for form_id in FORMS)


def test_common_fields_come_first_on_every_form():
    for spec in FULL_FORMS:
        names = [n for n in spec.names if n not in {"kind", "case_type"}]
        assert names[:7] == [
            "title",
            "occurred_at",
            "description",
            "location_text",
            "area_id",
            "asset_id",
            "location",
        ]
        assert names[-1] == "photos"
        assert spec.field("title").max_length == 120
        assert spec.field("occurred_at").required


def test_quick_fields_are_the_quick_form_plus_the_kind_selector():
    quick_names = {f.name for f in QUICK_FORM.fields} - {"kind"}
    for spec in FULL_FORMS:
        names = {f.name for f in spec.quick_fields}
        selector = {spec.kind_field} if spec.kind_field else set()
        assert names == quick_names | selector


def test_quick_report_needs_only_kind_title_and_time():
    assert (
        validate_quick(
            {"kind": "injury", "title": "Fell", "occurred_at": "2025-03-14T13:00:00+08:00"}, now=NOW
        )
        == []
    )
    errors = validate_quick({"kind": "flood", "title": "", "occurred_at": None}, now=NOW)
    assert [(e.field, e.code) for e in errors] == [
        ("kind", "unknown_option"),
        ("title", "required"),
        ("occurred_at", "required"),
    ]


def test_injury_form_covers_every_osha_301_item():
    names = set(get("injury").names)
    items = {
        1: {"employee_name"},
        2: {"employee_street", "employee_city", "employee_state", "employee_zip"},
        3: {"date_of_birth"},
        4: {"date_hired"},
        5: {"sex"},
        6: {"physician"},
        7: {"treatment_facility"},
        8: {"emergency_room"},
        9: {"inpatient", "inpatient_date"},
        11: {"occurred_at"},
        12: {"time_began_work"},
        13: {"time_of_event", "time_unknown"},
        14: {"activity_before"},
        15: {"what_happened"},
        16: {"injury_description", "body_parts", "nature"},
        17: {"object_substance"},
        18: {"died", "date_of_death"},
    }
    for item, fields in items.items():
        assert fields <= names, f"OSHA 301 item {item}"
    dosh = {"id_number", "citizenship", "employment_status", "permanent_disability"}
    assert dosh <= names


def test_treatment_checklist_uses_exactly_the_rules_table_codes():
    rules = default_rules()
    assert FIRST_AID == rules["osha.first_aid_codes"].value
    assert NOT_TREATMENT == rules["osha.not_treatment_codes"].value
    assert MEDICAL_TREATMENT == rules["osha.medical_treatment_codes"].value
    assert [g.code for g in TREATMENTS.groups] == ["first_aid", "not_treatment", "medical_treatment"]
    diagnoses = get("injury").field("diagnoses")
    assert isinstance(diagnoses, MultiChoice)
    assert diagnoses.options.codes == rules["osha.significant_diagnoses"].value


def test_oiics_pick_lists_group_every_assignable_code_under_its_division():
    assert [g.code for g in BODY_PARTS.groups] == ["1", "2", "3", "4", "5", "6", "8", "unspecified"]
    assert "44" in BODY_PARTS.groups[3].codes and BODY_PARTS.groups[5].codes == ("6",)
    assert PART_OF_BODY_NAMES["44"] == "Hand(s), finger(s)"
    assert NATURE_NAMES["13"] == "Surface and flesh wounds"
    assert set(BODY_PARTS.codes) == set(PART_OF_BODY_NAMES)
    assert set(NATURES.codes) == set(NATURE_NAMES) and "7" in NATURES.codes and "990" in NATURES.codes
    assert get("injury").field("body_parts").options is BODY_PARTS


def test_dosh_list_is_marked_provisional():
    assert DOSH_SECOND_SCHEDULE_STATUS == "R"
    assert all(t.status == "R" for t in DOSH_DANGEROUS_OCCURRENCES)
    category = get("occurrence").field("dosh_category")
    assert isinstance(category, Choice) and set(category.options.codes) == set(DOSH_CATEGORY_NAMES)
    assert category.help is not None  # the help text says the list is provisional


def test_cert_in_categories_map_to_annexure_items():
    category = get("outage").field("regulatory_category")
    assert isinstance(category, Choice) and len(category.options.codes) == 20
    assert CERT_IN_NAMES["cert_in_11"] == CERT_IN_ANNEXURE_I[11] == "Data Breach"
    assert cert_in_item("cert_in_8") == 8
    assert (
        cert_in_item("cert_in_21") is None
        and cert_in_item("gdpr_art_33") is None
        and cert_in_item(None) is None
    )
