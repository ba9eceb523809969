"""Safety metric formulas: known values, undefined cases and refused input."""

import math
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.metrics import (
    MetricError,
    capa_on_time_rate,
    count_repeats,
    dart,
    dosh_frequency_rate,
    dosh_incidence_rate,
    fatality_rate,
    ltifr,
    mtta,
    mttr,
    near_miss_ratio,
    repeat_incident_rate,
    response_target_compliance,
    severity_rate,
    trir,
)


def test_trir_of_100_full_time_workers():
    # 100 workers x 2,000 h = 200,000 h: the rate equals the case count.
    assert trir(3, 200_000) == 3.0
    assert trir(5, 412_000) == pytest.approx(2.427, abs=1e-3)


def test_dart_uses_the_same_base():
    assert dart(2, 400_000) == 1.0


def test_ltifr_default_base_is_one_million_and_configurable():
    assert ltifr(4, 2_000_000) == 2.0
    assert ltifr(4, 2_000_000, base=200_000) == 0.4


def test_severity_rate():
    assert severity_rate(45, 1_500_000) == 30.0
    assert severity_rate(45, 1_500_000, base=200_000) == 6.0


def test_dosh_rates():
    assert dosh_frequency_rate(3, 600_000) == 5.0
    assert dosh_incidence_rate(31, 10_000) == pytest.approx(3.1)  # DOSH 2014 national rate shape
    assert fatality_rate(421, 10_000_000) == pytest.approx(4.21)


def test_near_miss_ratio():
    assert near_miss_ratio(30, 3) == 10.0
    assert near_miss_ratio(0, 3) == 0.0


@pytest.mark.parametrize(
    "call",
    [
        lambda: trir(0, 0),
        lambda: trir(3, 0),
        lambda: dart(1, 0),
        lambda: ltifr(1, 0),
        lambda: severity_rate(10, 0),
        lambda: dosh_frequency_rate(1, 0),
        lambda: dosh_incidence_rate(1, 0),
        lambda: fatality_rate(1, 0),
        lambda: near_miss_ratio(5, 0),
        lambda: repeat_incident_rate(0, 0),
    ],
)
def test_zero_exposure_gives_none_not_a_division_error(call):
    assert call() is None


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: trir(-1, 1000), "^recordable_cases: expected a number of 0 or more"),
        (lambda: trir(1, -1000), "^hours_worked: expected a number of 0 or more"),
        (lambda: trir("3", 1000), "^recordable_cases"),
        (lambda: trir(True, 1000), "^recordable_cases"),
        (lambda: trir(1, math.inf), "^hours_worked"),
        (lambda: ltifr(1, 1000, base=0), "^base: must be more than 0"),
        (lambda: repeat_incident_rate(5, 3), "repeat_incidents cannot exceed incidents"),
    ],
)
def test_impossible_input_is_refused(call, message):
    with pytest.raises(MetricError, match=message):
        call()


def test_mtta_and_mttr_in_minutes_by_default():
    assert mtta([timedelta(minutes=4), timedelta(minutes=8)]) == 6.0
    assert mttr([timedelta(hours=1), timedelta(hours=2)]) == 90.0
    assert mttr([timedelta(hours=1), timedelta(hours=2)], unit=timedelta(hours=1)) == 1.5


def test_mean_times_without_data_are_none():
    assert mtta([]) is None
    assert mttr(iter([])) is None


def test_mean_times_refuse_bad_durations():
    with pytest.raises(MetricError, match=r"^times_to_acknowledge\[1\]: expected a duration"):
        mtta([timedelta(minutes=1), 5])
    with pytest.raises(MetricError, match=r"^times_to_resolve\[0\]"):
        mttr([timedelta(minutes=-1)])
    with pytest.raises(MetricError, match="^unit"):
        mttr([timedelta(minutes=1)], unit=timedelta(0))


def test_response_target_compliance():
    p1, p3 = timedelta(minutes=15), timedelta(hours=4)
    responses = [
        (timedelta(minutes=10), p1),
        (timedelta(minutes=15), p1),
        (timedelta(minutes=20), p1),
        (p3, p3),
    ]
    assert response_target_compliance(responses) == 0.75
    assert response_target_compliance([]) is None
    with pytest.raises(MetricError, match=r"^responses\[0\]"):
        response_target_compliance([(timedelta(minutes=1),)])


def test_capa_on_time_rate_counts_overdue_open_actions_as_late():
    as_of = date(2024, 6, 30)
    actions = [
        (date(2024, 5, 1), date(2024, 4, 30)),  # closed early
        (date(2024, 5, 1), date(2024, 5, 1)),  # closed on the day
        (date(2024, 5, 1), date(2024, 5, 9)),  # closed late
        (date(2024, 6, 1), None),  # open and overdue
        (date(2024, 7, 15), None),  # open, not yet due: left out
    ]
    assert capa_on_time_rate(actions, as_of) == 0.5
    assert capa_on_time_rate([(date(2024, 7, 15), None)], as_of) is None


def test_capa_on_time_rate_with_datetimes_and_mixed_kinds():
    due = datetime(2024, 5, 1, 17, 0, tzinfo=UTC)
    assert capa_on_time_rate([(due, due - timedelta(hours=1))], due) == 1.0
    with pytest.raises(MetricError, match=r"^actions\[0\]: due, closed and as_of must be all dates"):
        capa_on_time_rate([(date(2024, 5, 1), due)], due)


def test_repeat_incident_rate_and_counting_repeats():
    causes = ["training", "maintenance", None, "training", "training", "design", None]
    assert count_repeats(causes) == 2
    assert repeat_incident_rate(count_repeats(causes), len(causes)) == pytest.approx(2 / 7)


@given(st.integers(0, 10_000), st.floats(1, 1e9, allow_nan=False))
def test_rates_scale_linearly_with_the_base(cases, hours):
    assert ltifr(cases, hours) == pytest.approx(trir(cases, hours) * 5)


@given(st.lists(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)), min_size=1))
def test_mean_lies_between_min_and_max(durations):
    mean = mttr(durations, unit=timedelta(seconds=1))
    assert min(durations).total_seconds() - 1e-6 <= mean <= max(durations).total_seconds() + 1e-6
