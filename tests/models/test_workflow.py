"""The pure workflow rules: lifecycles, checklists, triage with reasons, targets, escalation, merges."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid

import pytest

from forms.convert import build_incident
from models.enums import (
    CapaStatus,
    CustomerImpact,
    IncidentKind,
    IncidentRoleKind,
    IncidentStatus,
    PotentialSeverity,
    Priority,
    ResolutionType,
    Role,
)
from models.workflow import (
    CAPA_TRANSITIONS,
    INCIDENT_TRANSITIONS,
    PERMISSIONS,
    TriageFacts,
    WorkflowError,
    capa_step,
    check_closable,
    check_incident_transition,
    close_checklist,
    content_digest,
    escalation_level,
    escalation_role,
    facts_of,
    is_reopen,
    may,
    merge_fields,
    render_status_update,
    repeat_window,
    response_targets,
    review_missing,
    role_fill_times,
    triage,
)

S = IncidentStatus
C = CapaStatus
LEGAL_INCIDENT = {
    (S.REPORTED, S.ACKNOWLEDGED),
    (S.ACKNOWLEDGED, S.INVESTIGATING),
    (S.INVESTIGATING, S.RESOLVED),
    (S.RESOLVED, S.CLOSED),
    (S.RESOLVED, S.INVESTIGATING),
    (S.CLOSED, S.INVESTIGATING),
}
LEGAL_CAPA = {
    (C.OPEN, C.IN_PROGRESS): "ca.start",
    (C.OPEN, C.CANCELLED): "ca.cancel",
    (C.IN_PROGRESS, C.DONE): "ca.done",
    (C.IN_PROGRESS, C.CANCELLED): "ca.cancel",
    (C.DONE, C.VERIFIED): "ca.verify",
    (C.DONE, C.IN_PROGRESS): "ca.send_back",
    (C.DONE, C.CANCELLED): "ca.cancel",
}
T0 = dt.datetime(2025, 3, 20, 8, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(("current", "to"), list(itertools.product(S, S)))
def test_every_incident_transition_is_legal_or_refused_by_name(current: S, to: S) -> None:
    if (current, to) in LEGAL_INCIDENT:
        check_incident_transition(current, to)
        assert to in INCIDENT_TRANSITIONS[current]
        return
    with pytest.raises(WorkflowError) as refused:
        check_incident_transition(current, to)
    assert refused.value.code == "illegal_transition"
    assert refused.value.details["current"] == current.value and refused.value.details["to"] == to.value
    assert f"cannot become {to.value}" in refused.value.message


def test_only_going_back_to_investigating_from_resolved_or_closed_is_a_reopen() -> None:
    reopens = {(a, b) for a, b in itertools.product(S, S) if is_reopen(a, b)}
    assert reopens == {(S.RESOLVED, S.INVESTIGATING), (S.CLOSED, S.INVESTIGATING)}


@pytest.mark.parametrize(("current", "to"), list(itertools.product(C, C)))
def test_every_capa_transition_is_legal_or_refused_by_name(current: C, to: C) -> None:
    if (current, to) in LEGAL_CAPA:
        assert capa_step(current, to) == LEGAL_CAPA[(current, to)]
        return
    with pytest.raises(WorkflowError) as refused:
        capa_step(current, to)
    assert refused.value.code == "illegal_transition"
    assert refused.value.details["allowed"] == [s.value for s in CAPA_TRANSITIONS[current]]


def checklist(**changes):
    """A checklist for a P3 permanent fix with everything done, with some facts changed."""
    facts = {
        "priority": Priority.P3,
        "resolution_type": ResolutionType.PERMANENT_FIX,
        "resolution_summary": "Guard refitted and interlock tested.",
        "service_restored": True,
        "affected_informed": True,
        "review_scheduled": False,
        "fix_linked": False,
    }
    return close_checklist(**{**facts, **changes})


def test_a_p3_permanent_fix_needs_three_ticks() -> None:
    items = checklist()
    assert [i.code for i in items] == ["service_restored", "affected_informed", "resolution_summary"]
    check_closable(items)


def test_p1_and_p2_also_need_a_scheduled_review() -> None:
    for priority in (Priority.P1, Priority.P2):
        items = checklist(priority=priority)
        assert items[-1].code == "review_scheduled" and not items[-1].done
        with pytest.raises(WorkflowError) as refused:
            check_closable(items)
        assert refused.value.code == "checklist_incomplete"
        assert refused.value.details["missing"] == ["review_scheduled"]
        check_closable(checklist(priority=priority, review_scheduled=True))


def test_a_workaround_cannot_close_without_a_problem_or_change_request() -> None:
    items = checklist(resolution_type=ResolutionType.WORKAROUND)
    with pytest.raises(WorkflowError) as refused:
        check_closable(items)
    assert refused.value.details["missing"] == ["fix_linked"]
    assert "permanent fix" in refused.value.message
    check_closable(checklist(resolution_type=ResolutionType.WORKAROUND, fix_linked=True))


def test_every_missing_item_is_named_and_a_blank_summary_does_not_count() -> None:
    items = checklist(service_restored=False, affected_informed=False, resolution_summary="   ")
    with pytest.raises(WorkflowError) as refused:
        check_closable(items)
    assert refused.value.details["missing"] == ["service_restored", "affected_informed", "resolution_summary"]
    assert "Affected people told" in refused.value.message


SITE, OTHER = uuid.uuid4(), uuid.uuid4()


def test_permissions_follow_roles_at_the_site() -> None:
    assert may("incident.acknowledge", [(SITE, Role.SAFETY_OFFICER)], SITE)
    assert not may("incident.acknowledge", [(OTHER, Role.SAFETY_OFFICER)], SITE)
    assert may("incident.acknowledge", [(None, Role.HSE_MANAGER)], SITE)
    assert not may("incident.acknowledge", [(SITE, Role.REPORTER)], SITE)
    assert not may("incident.acknowledge", [(None, Role.ADMIN)], SITE)
    assert may("ca.verify", [(SITE, Role.SUPERVISOR)], SITE)
    assert not may("ca.verify", [(SITE, Role.SAFETY_OFFICER)], SITE)
    assert not may("ca.cancel", [(SITE, Role.SAFETY_OFFICER)], SITE)


def test_every_capa_step_has_a_permission() -> None:
    steps = {key for moves in CAPA_TRANSITIONS.values() for key in moves.values()}
    assert steps <= set(PERMISSIONS)


def facts(kind: IncidentKind, **values) -> TriageFacts:
    """Triage facts of one kind."""
    return TriageFacts(kind=kind, **values)


@pytest.mark.parametrize(
    ("fact", "reason"),
    [
        ("died", "a death"),
        ("amputation", "an amputation"),
        ("eye_loss", "the loss of an eye"),
        ("inpatient", "in-patient hospitalisation for treatment"),
    ],
)
def test_severe_injuries_are_p1_and_say_why(fact: str, reason: str) -> None:
    result = triage(facts(IncidentKind.INJURY, **{fact: True}))
    assert result.priority is Priority.P1
    assert (result.impact, result.urgency) == ("high", "high")
    assert f"{reason}: at least P1" in result.reasons


@pytest.mark.parametrize(
    ("values", "priority", "reason"),
    [
        ({"emergency_room": True}, Priority.P2, "treated in an emergency room"),
        ({"hospital_other": True}, Priority.P2, "admitted to hospital for observation or tests"),
        ({"medical_treatment": True}, Priority.P3, "medical treatment beyond first aid"),
        ({"significant_diagnosis": True}, Priority.P3, "a significant diagnosis (e.g. a fracture)"),
        ({}, Priority.P4, "first aid only, as reported"),
    ],
)
def test_other_injuries_go_by_impact_and_urgency(values, priority: Priority, reason: str) -> None:
    result = triage(facts(IncidentKind.ILLNESS, **values))
    assert result.priority is priority
    assert reason in result.reasons
    assert any(r.startswith("impact ") and r.endswith(f"gives {priority.value}") for r in result.reasons)


@pytest.mark.parametrize(
    ("severity", "priority"),
    [
        (PotentialSeverity.LOW, Priority.P4),
        (PotentialSeverity.MEDIUM, Priority.P4),
        (PotentialSeverity.HIGH, Priority.P3),
    ],
)
def test_a_near_miss_is_p4_unless_its_potential_severity_is_high(severity, priority) -> None:
    result = triage(facts(IncidentKind.NEAR_MISS, potential_severity=severity))
    assert result.priority is priority
    assert "a near miss: nobody was hurt" in result.reasons
    assert any("could have caused serious harm" in r for r in result.reasons) is (priority is Priority.P3)


def test_a_dangerous_occurrence_is_p2() -> None:
    result = triage(facts(IncidentKind.DANGEROUS_OCCURRENCE))
    assert result.priority is Priority.P2
    assert "a dangerous occurrence: at least P2" in result.reasons


@pytest.mark.parametrize(
    ("values", "priority"),
    [
        ({"all_users_affected": True, "workaround_available": True}, Priority.P1),
        ({"all_users_affected": True, "outage_ongoing": False}, Priority.P1),
        ({"customer_impact": CustomerImpact.FULL_OUTAGE}, Priority.P1),
        ({"customer_impact": CustomerImpact.FULL_OUTAGE, "workaround_available": True}, Priority.P2),
        ({"customer_impact": CustomerImpact.PARTIAL_OUTAGE}, Priority.P2),
        ({"customer_impact": CustomerImpact.DEGRADED, "workaround_available": True}, Priority.P4),
        ({"customer_impact": CustomerImpact.NONE, "outage_ongoing": False}, Priority.P4),
        ({"personal_data_breach": True, "outage_ongoing": False}, Priority.P2),
    ],
)
def test_outages_by_reach_and_state(values, priority: Priority) -> None:
    result = triage(facts(IncidentKind.IT_OUTAGE, **values))
    assert result.priority is priority, result.reasons


def test_all_users_and_a_breach_give_their_reasons() -> None:
    result = triage(facts(IncidentKind.SECURITY, all_users_affected=True, personal_data_breach=True))
    assert result.priority is Priority.P1
    assert "an IT outage affecting all users: at least P1" in result.reasons
    assert "a personal-data breach (notification deadlines run): at least P2" in result.reasons


def test_property_damage_and_environmental_releases() -> None:
    assert triage(facts(IncidentKind.PROPERTY_DAMAGE)).priority is Priority.P4
    assert triage(facts(IncidentKind.PROPERTY_DAMAGE, work_stopped=True)).priority is Priority.P3
    assert triage(facts(IncidentKind.ENVIRONMENTAL)).priority is Priority.P3
    loose = triage(facts(IncidentKind.ENVIRONMENTAL, contained=False))
    assert loose.priority is Priority.P2 and "an environmental release that is not contained" in loose.reasons


def built(form_id: str, values: dict):
    """An unsaved incident from a real form."""
    ids = {"incident_id": uuid.uuid4(), "site_id": uuid.uuid4(), "reporter_id": uuid.uuid4()}
    return build_incident(form_id, values, now=T0, **ids)


INJURY = {
    "case_type": "injury",
    "title": "Crushed hand",
    "occurred_at": "2025-03-19T10:00:00Z",
    "employee_name": "Ana",
    "what_happened": "Press cycled",
    "injury_description": "Crush injury",
}


def test_facts_are_read_from_filed_forms() -> None:
    admitted = built("injury", {**INJURY, "inpatient": "treatment", "inpatient_date": "2025-03-19"})
    assert facts_of(admitted).inpatient
    assert triage(facts_of(admitted)).priority is Priority.P1
    sutured = built("injury", {**INJURY, "treatments": ["wound_cleaning", "sutures"]})
    assert facts_of(sutured).medical_treatment and not facts_of(sutured).inpatient
    assert triage(facts_of(sutured)).priority is Priority.P3
    outage = built(
        "outage", {"title": "Mail", "occurred_at": "2025-03-19T10:00:00Z", "all_users_affected": True}
    )
    assert triage(facts_of(outage)).priority is Priority.P1
    near = {
        "title": "Pallet",
        "occurred_at": "2025-03-19T10:00:00Z",
        "hazard_type": "falling_object",
        "what_could_have_happened": "Hit someone",
        "potential_severity": "high",
    }
    assert triage(facts_of(built("near_miss", near))).priority is Priority.P3


def test_response_targets_come_from_the_rules_and_sites_may_override_them() -> None:
    minutes = {p: t / dt.timedelta(minutes=1) for p, t in response_targets().items()}
    assert minutes == {Priority.P1: 15, Priority.P2: 30, Priority.P3: 240, Priority.P4: 1440}
    site = response_targets(site_settings={"response_targets": {"P1": 10, "P4": 2880}})
    assert site[Priority.P1] == dt.timedelta(minutes=10) and site[Priority.P2] == dt.timedelta(minutes=30)
    assert site[Priority.P4] == dt.timedelta(days=2)


@pytest.mark.parametrize("bad", [{"P5": 10}, {"P1": 0}, {"P1": "ten"}, {"P1": True}, ["P1"]])
def test_a_malformed_target_override_is_refused(bad) -> None:
    with pytest.raises(WorkflowError) as refused:
        response_targets(site_settings={"response_targets": bad})
    assert refused.value.code == "bad_setting"


def test_escalation_climbs_one_rung_per_missed_target() -> None:
    target = dt.timedelta(minutes=15)
    assert escalation_level(T0, target, T0 + target) == 0
    assert escalation_level(T0, target, T0 + target + dt.timedelta(seconds=1)) == 1
    assert escalation_level(T0, target, T0 + 2 * target) == 1
    assert escalation_level(T0, target, T0 + 2 * target + dt.timedelta(seconds=1)) == 2
    assert escalation_level(T0, target, T0 + 50 * target) == 2
    assert [escalation_role(level) for level in (0, 1, 2)] == [
        Role.SAFETY_OFFICER,
        Role.SUPERVISOR,
        Role.HSE_MANAGER,
    ]


def test_role_fill_time_is_from_the_report_to_the_first_assignment() -> None:
    fill = role_fill_times(
        T0,
        [
            (IncidentRoleKind.RESOLVER, T0 + dt.timedelta(minutes=20)),
            (IncidentRoleKind.COMMANDER, T0 + dt.timedelta(minutes=4)),
            (IncidentRoleKind.COMMANDER, T0 + dt.timedelta(minutes=40)),
        ],
    )
    assert fill == {
        IncidentRoleKind.COMMANDER: dt.timedelta(minutes=4),
        IncidentRoleKind.RESOLVER: dt.timedelta(minutes=20),
    }


def test_the_holding_message_follows_the_template() -> None:
    text = render_status_update(
        "holding",
        at_text="14:05 +08",
        title="Mail down",
        status=IncidentStatus.REPORTED,
        impact="No mail in or out",
        services=["Mail", "Calendar"],
        next_text="14:35 +08",
    )
    assert text == (
        "14:05 +08 | Mail down · Status: Investigating · Impact: No mail in or out · "
        "Affected services: Mail, Calendar · next update by 14:35 +08"
    )


def test_other_templates() -> None:
    update = render_status_update(
        "update",
        at_text="t",
        title="x",
        status=IncidentStatus.INVESTIGATING,
        message="Fix found",
        next_text="n",
    )
    assert "Status: Investigating" in update and "Fix found" in update and update.endswith("next update by n")
    done = render_status_update(
        "resolved", at_text="t", title="x", status=IncidentStatus.RESOLVED, next_text="n"
    )
    assert "Status: Resolved" in done and "next update" not in done
    assert render_status_update("custom", at_text="t", title="x", status=S.REPORTED, message=" Hi ") == "Hi"
    for bad in ("custom", "tweet"):
        with pytest.raises(WorkflowError):
            render_status_update(bad, at_text="t", title="x", status=S.REPORTED)


def test_three_way_merge_field_by_field() -> None:
    current = {"findings": "A", "root_cause": "guard", "five_whys": ["x"], "lead_id": None}
    merge = merge_fields(
        current,
        {
            "findings": ("A", "B"),  # untouched elsewhere: applies
            "root_cause": ("guard", "guard open"),  # untouched: applies
            "five_whys": ([], ["x"]),  # both sides made the same change
            "lead_id": ("u1", "u2"),  # changed on both sides: conflict, current kept
        },
    )
    assert merge.apply == {"findings": "B", "root_cause": "guard open"}
    assert merge.same == ("five_whys",)
    assert [(c.field, c.base, c.current, c.incoming) for c in merge.conflicts] == [
        ("lead_id", "u1", None, "u2")
    ]


def test_a_review_needs_four_answers_and_an_action() -> None:
    answers = {"what_happened": "a", "root_cause": "b", "detection": " ", "went_well": ""}
    assert review_missing(answers, 0) == ["detection", "went_well", "actions"]
    assert review_missing({**answers, "detection": "c", "went_well": "d"}, 1) == []


def test_content_digest_is_stable_and_changes_with_the_content() -> None:
    one = content_digest({"b": 1, "a": ["x", "é"]})
    assert one == content_digest({"a": ["x", "é"], "b": 1}) and len(one) == 64
    assert one != content_digest({"b": 2, "a": ["x", "é"]})


def test_the_repeat_window_defaults_to_90_days_and_is_a_site_setting() -> None:
    assert repeat_window() == dt.timedelta(days=90)
    assert repeat_window({"repeat_window_days": 30}) == dt.timedelta(days=30)
    with pytest.raises(WorkflowError):
        repeat_window({"repeat_window_days": 0})
