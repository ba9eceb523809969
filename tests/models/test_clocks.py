"""Notification clocks: who must be told, by when, and how each clock stands."""

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from models.clocks import (
    ClockError,
    IncidentFacts,
    Obligation,
    add_elapsed,
    capa_checks,
    clock_state,
    ita_due,
    next_status_update,
    obligations,
    osha_300a_posting,
    pir_due,
    time_left,
)
from models.recordability import classify
from models.rules import default_rules, merge_overrides

KL = ZoneInfo("Asia/Kuala_Lumpur")
LEARNT = datetime(2024, 3, 1, 14, 30, tzinfo=UTC)


def facts(country="US", kind="injury", **fields):
    """Return incident facts learnt at LEARNT, with the given fields."""
    return IncidentFacts(kind=kind, country=country, learnt_at=fields.pop("learnt_at", LEARNT), **fields)


def by_code(found):
    """Index obligations by rule code."""
    return {item.rule_code: item for item in found}


def osha_case(**fields):
    """Return a work-related 1904 injury case file on 2024-03-01."""
    return {"case_type": "injury", "work_related": True, "incident_date": "2024-03-01"} | fields


# --- OSHA --------------------------------------------------------------------------------------------


def test_us_death_is_reported_in_8_hours_and_recorded_in_7_days():
    found = obligations(facts(osha=osha_case(died_on="2024-03-01")))
    assert [item.rule_code for item in found] == ["osha.fatality_8h", "osha.record_7d"]
    death, record = found
    assert death.due_at == LEARNT + timedelta(hours=8)
    assert death.started_at == LEARNT
    assert death.authority == "OSHA"
    assert "1-800-321-6742" in death.how
    assert record.due_at == LEARNT + timedelta(days=7)


def test_us_classification_dict_is_used_as_given():
    result = classify(osha_case(inpatient_admission={"date": "2024-03-01", "purpose": "treatment"}))
    codes = [item.rule_code for item in obligations(facts(osha=result))]
    assert codes == ["osha.severe_injury_24h", "osha.record_7d"]


def test_us_public_road_amputation_is_only_recorded():
    found = obligations(facts(osha=osha_case(amputation=True, public_road_motor_vehicle=True)))
    assert [item.rule_code for item in found] == ["osha.record_7d"]


def test_us_first_aid_case_owes_nothing():
    assert obligations(facts(osha=osha_case(treatments=["wound_covering"]))) == []


def test_us_flags_alone_start_the_report_clocks():
    assert [o.rule_code for o in obligations(facts(died=True))] == ["osha.fatality_8h"]
    assert [o.rule_code for o in obligations(facts(eye_loss=True))] == ["osha.severe_injury_24h"]
    assert [o.rule_code for o in obligations(facts(inpatient=True))] == ["osha.severe_injury_24h"]


def test_us_late_learning_starts_the_clock_when_learnt():
    learnt = datetime(2024, 3, 20, 9, 0, tzinfo=UTC)
    found = obligations(facts(learnt_at=learnt, osha=osha_case(died_on="2024-03-19")))
    assert by_code(found)["osha.fatality_8h"].due_at == learnt + timedelta(hours=8)


def test_us_bad_classification_dict_is_refused():
    with pytest.raises(ClockError, match="^osha: a classification needs"):
        obligations(facts(osha={"report_to_osha": "soon", "recordable": True}))


def test_us_invalid_case_file_raises_the_case_error():
    with pytest.raises(ValueError, match="unknown treatment code 'x'"):
        obligations(facts(osha=osha_case(treatments=["x"])))


# --- DOSH --------------------------------------------------------------------------------------------


def test_my_death_needs_immediate_notice_and_jkkp6_from_the_accident():
    occurred = datetime(2024, 3, 1, 8, 0, tzinfo=KL)
    learnt = datetime(2024, 3, 1, 9, 0, tzinfo=KL)
    found = by_code(obligations(facts("MY", died=True, occurred_at=occurred, learnt_at=learnt)))
    assert set(found) == {"dosh.immediate_notice", "dosh.jkkp6_7d"}
    assert found["dosh.immediate_notice"].due_at == learnt
    assert found["dosh.jkkp6_7d"].started_at == occurred
    assert found["dosh.jkkp6_7d"].due_at == datetime(2024, 3, 8, 8, 0, tzinfo=KL)
    assert found["dosh.jkkp6_7d"].due_at.tzinfo is KL


@pytest.mark.parametrize(
    "fields", [{"dangerous_occurrence": True}, {"serious_bodily_injury": True}, {"amputation": True}]
)
def test_my_reg_5_1_events(fields):
    codes = {item.rule_code for item in obligations(facts("MY", **fields))}
    assert codes == {"dosh.immediate_notice", "dosh.jkkp6_7d"}


def test_my_lost_time_over_four_days_needs_only_jkkp6():
    assert obligations(facts("MY", lost_days=4)) == []
    found = obligations(facts("MY", lost_days=5))
    assert [item.rule_code for item in found] == ["dosh.lost_time_jkkp6_7d"]
    assert found[0].due_at == LEARNT + timedelta(days=7)


def test_my_death_with_lost_days_gives_one_jkkp6():
    codes = [item.rule_code for item in obligations(facts("MY", died=True, lost_days=30))]
    assert sorted(codes) == ["dosh.immediate_notice", "dosh.jkkp6_7d"]


def test_my_occupational_disease_needs_jkkp7():
    found = obligations(facts("MY", kind="illness", occupational_disease=True))
    assert [item.rule_code for item in found] == ["dosh.jkkp7_7d"]


def test_my_threshold_is_adjustable():
    rules = merge_overrides(default_rules(), {"dosh.lost_time_days": {"value": 3}})
    assert [o.rule_code for o in obligations(facts("MY", lost_days=4), rules)] == ["dosh.lost_time_jkkp6_7d"]


# --- data and cyber ----------------------------------------------------------------------------------


def test_my_breach_with_harm_owes_commissioner_and_data_subjects():
    found = by_code(obligations(facts("MY", kind="security", personal_data_breach=True, data_subjects=10)))
    assert found["my_pdpa.breach_72h"].due_at == LEARNT + timedelta(hours=72)
    subjects = found["my_pdpa.data_subjects_7d"]
    assert subjects.started_at == LEARNT + timedelta(hours=72)
    assert subjects.due_at == LEARNT + timedelta(hours=72, days=7)


def test_my_breach_without_harm_needs_significant_scale():
    small = facts("MY", personal_data_breach=True, harm_likely=False, data_subjects=1000)
    assert obligations(small) == []
    large = facts("MY", personal_data_breach=True, harm_likely=False, data_subjects=1001)
    assert [item.rule_code for item in obligations(large)] == ["my_pdpa.breach_72h"]


def test_india_annexure_i_incident_is_reported_in_6_hours():
    found = obligations(facts("IN", kind="security", cert_in_type=8))
    assert [item.rule_code for item in found] == ["certin.incident_6h"]
    assert found[0].due_at == LEARNT + timedelta(hours=6)
    assert "Denial of Service" in found[0].title


def test_india_personal_data_breach_counts_as_annexure_item_11():
    found = obligations(facts("IN", kind="security", personal_data_breach=True))
    assert [item.rule_code for item in found] == ["certin.incident_6h"]
    assert "11. Data Breach" in found[0].title


def test_india_type_outside_the_site_list_owes_nothing():
    rules = merge_overrides(default_rules(), {"certin.annexure_i_types": {"value": [11, 12]}})
    assert obligations(facts("IN", cert_in_type=8), rules) == []


def test_indonesia_breach_is_3_x_24_hours():
    found = obligations(facts("ID", personal_data_breach=True))
    assert [item.rule_code for item in found] == ["id_pdp.breach_72h"]
    assert found[0].due_at - found[0].started_at == timedelta(hours=72)


def test_saudi_breach_only_when_harm_is_expected():
    assert [o.rule_code for o in obligations(facts("SA", personal_data_breach=True))] == [
        "sa_pdpl.breach_72h"
    ]
    assert obligations(facts("SA", personal_data_breach=True, harm_likely=False)) == []


def test_uae_breach_is_due_at_once_and_warns_until_met():
    (found,) = obligations(facts("AE", personal_data_breach=True))
    assert found.rule_code == "ae_pdpl.breach_immediate"
    assert found.due_at == found.started_at == LEARNT
    assert clock_state(found, LEARNT) == "warning"
    assert clock_state(found, LEARNT + timedelta(minutes=1)) == "overdue"
    assert clock_state(found, LEARNT + timedelta(hours=1), met_at=LEARNT) == "met"


def test_a_country_without_rules_owes_nothing_but_policy():
    assert obligations(facts("GB", died=True, personal_data_breach=True)) == []
    found = obligations(facts("GB", kind="it_outage", priority="P1"))
    assert [item.rule_code for item in found] == ["policy.response_p1"]
    assert found[0].due_at == LEARNT + timedelta(minutes=15)


def test_obligations_are_sorted_by_due_time():
    found = obligations(facts("MY", died=True, personal_data_breach=True, priority="P2"))
    assert [item.due_at for item in found] == sorted(item.due_at for item in found)
    assert found[0].rule_code == "dosh.immediate_notice"


def test_overridden_deadline_moves_the_due_time():
    rules = merge_overrides(default_rules(), {"certin.incident_6h": {"value": 4}})
    (found,) = obligations(facts("IN", cert_in_type=1), rules)
    assert found.due_at == LEARNT + timedelta(hours=4)


# --- time arithmetic and clock state -----------------------------------------------------------------


def test_deadlines_count_real_hours_across_a_dst_change():
    new_york = ZoneInfo("America/New_York")
    learnt = datetime(2024, 3, 9, 23, 0, tzinfo=new_york)  # clocks go forward at 02:00 on 10 March
    (found,) = obligations(facts(died=True, learnt_at=learnt))
    assert found.due_at.astimezone(UTC) - learnt.astimezone(UTC) == timedelta(hours=8)
    assert (found.due_at.hour, found.due_at.tzinfo) == (8, new_york)  # 23:00 EST + 8 h = 08:00 EDT
    assert clock_state(found, datetime(2024, 3, 10, 6, 1, tzinfo=new_york)) == "warning"  # 1 h 59 min left
    assert clock_state(found, datetime(2024, 3, 10, 5, 59, tzinfo=new_york)) == "ok"


def test_met_at_is_compared_in_real_time_across_dst_end():
    new_york = ZoneInfo("America/New_York")
    learnt = datetime(2024, 11, 2, 19, 30, tzinfo=new_york)  # clocks go back at 02:00 on 3 November
    (found,) = obligations(facts("IN", cert_in_type=5, learnt_at=learnt))
    assert found.due_at.astimezone(UTC) == datetime(2024, 11, 3, 5, 30, tzinfo=UTC)  # 01:30 EDT
    second_one_ten = datetime(2024, 11, 3, 1, 10, fold=1, tzinfo=new_york)  # 01:10 EST, 40 min late
    assert clock_state(found, second_one_ten, met_at=second_one_ten) == "overdue"
    first_one_ten = datetime(2024, 11, 3, 1, 10, tzinfo=new_york)  # 01:10 EDT, 20 min early
    assert clock_state(found, first_one_ten, met_at=first_one_ten) == "met"


def test_add_elapsed_refuses_naive_times():
    with pytest.raises(ClockError, match="timezone-aware"):
        add_elapsed(datetime(2024, 3, 1), timedelta(hours=1))


def obligation(hours=8):
    """Return an 8-hour obligation started at LEARNT."""
    return Obligation("osha.fatality_8h", "OSHA", LEARNT + timedelta(hours=hours), LEARNT, "t", "h")


@pytest.mark.parametrize(
    ("elapsed", "state"),
    [
        (timedelta(0), "ok"),
        (timedelta(hours=5, minutes=59), "ok"),
        (timedelta(hours=6), "ok"),  # exactly a quarter left
        (timedelta(hours=6, seconds=1), "warning"),
        (timedelta(hours=8), "warning"),
        (timedelta(hours=8, seconds=1), "overdue"),
    ],
)
def test_clock_state_by_time_left(elapsed, state):
    assert clock_state(obligation(), LEARNT + elapsed) == state


def test_met_on_time_is_met_and_met_late_stays_overdue():
    item = obligation()
    later = LEARNT + timedelta(days=3)
    assert clock_state(item, later, met_at=LEARNT + timedelta(hours=7)) == "met"
    assert clock_state(item, later, met_at=LEARNT + timedelta(hours=9)) == "overdue"


def test_time_left_is_negative_once_overdue_and_zone_independent():
    item = obligation()
    assert time_left(item, LEARNT + timedelta(hours=2)) == timedelta(hours=6)
    assert time_left(item, (LEARNT + timedelta(hours=10)).astimezone(KL)) == timedelta(hours=-2)


def test_naive_now_is_refused():
    with pytest.raises(ClockError, match="^now: expected a timezone-aware datetime"):
        clock_state(obligation(), datetime(2024, 3, 1, 15))


# --- facts validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"country": "my"}, "^country: expected an ISO alpha-2 code"),
        ({"kind": ""}, "^kind: required"),
        ({"learnt_at": datetime(2024, 3, 1)}, "^learnt_at: expected a timezone-aware datetime"),
        ({"occurred_at": "2024-03-01"}, "^occurred_at: expected a timezone-aware datetime"),
        ({"occurred_at": LEARNT + timedelta(minutes=1)}, "^occurred_at: after learnt_at"),
        ({"cert_in_type": 21}, "^cert_in_type: expected an Annexure I item 1-20"),
        ({"cert_in_type": True}, "^cert_in_type"),
        ({"priority": "P5"}, "^priority: expected one of P1-P4"),
        ({"lost_days": -1}, "^lost_days: expected a whole number"),
        ({"data_subjects": 2.5}, "^data_subjects: expected a whole number"),
        ({"died": "yes"}, "^died: expected true or false"),
        ({"osha": ["case"]}, "^osha: expected a case file"),
    ],
)
def test_bad_facts_are_named(fields, message):
    base = {"kind": "injury", "country": "US", "learnt_at": LEARNT} | fields
    with pytest.raises(ClockError, match=message):
        IncidentFacts(**base)


def test_facts_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts().died = True


def test_fixed_offset_zones_are_accepted():
    learnt = datetime(2024, 3, 1, 9, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    (found,) = obligations(facts("IN", cert_in_type=3, learnt_at=learnt))
    assert found.due_at == datetime(2024, 3, 1, 15, 0, tzinfo=learnt.tzinfo)


# --- policy and calendar helpers ---------------------------------------------------------------------


def test_status_update_cadence():
    assert next_status_update("P1", LEARNT) == LEARNT + timedelta(minutes=30)
    assert next_status_update("P2", LEARNT) == LEARNT + timedelta(hours=1)
    assert next_status_update("P3", LEARNT) is None
    with pytest.raises(ClockError, match="priority"):
        next_status_update("urgent", LEARNT)


def test_post_incident_review_due_for_p1_and_p2_only():
    assert pir_due("P1", LEARNT) == LEARNT + timedelta(hours=72)
    assert pir_due("P2", LEARNT) == LEARNT + timedelta(hours=72)
    assert pir_due("P4", LEARNT) is None


def test_capa_effectiveness_checks_at_30_60_90_days():
    assert capa_checks(LEARNT) == [LEARNT + timedelta(days=n) for n in (30, 60, 90)]


def test_300a_posting_window_and_ita_due_fall_in_the_next_year():
    assert osha_300a_posting(2024) == (date(2025, 2, 1), date(2025, 4, 30))
    assert ita_due(2024) == date(2025, 3, 2)
    rules = merge_overrides(default_rules(), {"osha.ita_due": {"value": "03-15"}})
    assert ita_due(2024, rules) == date(2025, 3, 15)
