"""Safety and incident metric formulas: pure functions that return a float, or None when undefined."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime, timedelta

OSHA_BASE_HOURS = 200_000
MILLION_HOURS = 1_000_000
PER_THOUSAND_WORKERS = 1_000
PER_HUNDRED_THOUSAND_WORKERS = 100_000


class MetricError(ValueError):
    """An input to a metric is impossible (negative, not a number); `code` is stable."""

    def __init__(self, message: str, *, code: str = "bad_metric_input") -> None:
        super().__init__(message)
        self.code = code


def trir(recordable_cases: float, hours_worked: float, base: float = OSHA_BASE_HOURS) -> float | None:
    """Return the Total Recordable Incident Rate: recordable cases x 200,000 / hours worked."""
    return _rate(recordable_cases, "recordable_cases", hours_worked, "hours_worked", base)


def dart(dart_cases: float, hours_worked: float, base: float = OSHA_BASE_HOURS) -> float | None:
    """Return the DART rate: cases with days away, restriction or transfer x 200,000 / hours worked."""
    return _rate(dart_cases, "dart_cases", hours_worked, "hours_worked", base)


def ltifr(lost_time_injuries: float, hours_worked: float, base: float = MILLION_HOURS) -> float | None:
    """Return the Lost Time Injury Frequency Rate: lost-time injuries x base (default 1,000,000) / hours."""
    return _rate(lost_time_injuries, "lost_time_injuries", hours_worked, "hours_worked", base)


def severity_rate(days_lost: float, hours_worked: float, base: float = MILLION_HOURS) -> float | None:
    """Return the severity rate: days lost x base (default 1,000,000) / hours worked."""
    return _rate(days_lost, "days_lost", hours_worked, "hours_worked", base)


def dosh_frequency_rate(lost_time_injuries: float, hours_worked: float) -> float | None:
    """Return DOSH's frequency rate: lost-time injuries x 1,000,000 / hours worked."""
    return _rate(lost_time_injuries, "lost_time_injuries", hours_worked, "hours_worked", MILLION_HOURS)


def dosh_incidence_rate(accidents: float, workers: float) -> float | None:
    """Return DOSH's accident (incidence) rate per 1,000 workers."""
    return _rate(accidents, "accidents", workers, "workers", PER_THOUSAND_WORKERS)


def fatality_rate(
    fatalities: float, workers: float, base: float = PER_HUNDRED_THOUSAND_WORKERS
) -> float | None:
    """Return the fatality rate per 100,000 workers (DOSH's national measure)."""
    return _rate(fatalities, "fatalities", workers, "workers", base)


def near_miss_ratio(near_misses: float, incidents: float) -> float | None:
    """Return near misses reported per incident with harm (e.g. 10.0 for 10:1); None without incidents."""
    return _rate(near_misses, "near_misses", incidents, "incidents", 1)


def mtta(times_to_acknowledge: Iterable[timedelta], unit: timedelta = timedelta(minutes=1)) -> float | None:
    """Return the mean time to acknowledge, in `unit`s (default minutes); None when there is no data."""
    return _mean_duration(times_to_acknowledge, "times_to_acknowledge", unit)


def mttr(times_to_resolve: Iterable[timedelta], unit: timedelta = timedelta(minutes=1)) -> float | None:
    """Return the mean time to resolve, in `unit`s (default minutes); None when there is no data."""
    return _mean_duration(times_to_resolve, "times_to_resolve", unit)


def response_target_compliance(responses: Iterable[tuple[timedelta, timedelta]]) -> float | None:
    """Return the share (0-1) of (response time, target) pairs answered within target; None when empty."""
    met = total = 0
    for i, pair in enumerate(responses):
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise MetricError(f"responses[{i}]: expected a (response time, target) pair, got {pair!r}")
        taken = _duration(pair[0], f"responses[{i}][0]")
        target = _duration(pair[1], f"responses[{i}][1]")
        total += 1
        met += taken <= target
    return met / total if total else None


def capa_on_time_rate(
    actions: Iterable[tuple[date | datetime, date | datetime | None]], as_of: date | datetime
) -> float | None:
    """Return the share (0-1) of due corrective actions closed by their due time.

    Each action is (due, closed or None). Closed actions count whenever they closed; open ones count as
    late once their due time is before as_of, and are left out before that. None when nothing counts.
    """
    on_time = total = 0
    for i, pair in enumerate(actions):
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise MetricError(f"actions[{i}]: expected a (due, closed) pair, got {pair!r}")
        due, closed = pair
        try:
            if closed is not None:
                total += 1
                on_time += closed <= due
            elif due < as_of:
                total += 1
        except TypeError:
            raise MetricError(
                f"actions[{i}]: due, closed and as_of must be all dates or all aware datetimes"
            ) from None
    return on_time / total if total else None


def repeat_incident_rate(repeat_incidents: float, incidents: float) -> float | None:
    """Return the share (0-1) of incidents whose root cause had occurred before; None without incidents."""
    if _number(repeat_incidents, "repeat_incidents") > _number(incidents, "incidents"):
        raise MetricError("repeat_incidents cannot exceed incidents")
    return _rate(repeat_incidents, "repeat_incidents", incidents, "incidents", 1)


def count_repeats(root_causes: Iterable[str | None]) -> int:
    """Count incidents (in time order) whose root cause an earlier one already had; None means unknown."""
    seen: set[str] = set()
    repeats = 0
    for cause in root_causes:
        if cause is None:
            continue
        repeats += cause in seen
        seen.add(cause)
    return repeats


def _rate(count: float, count_name: str, exposure: float, exposure_name: str, base: float) -> float | None:
    """Return count x base / exposure, or None when the exposure is zero."""
    count = _number(count, count_name)
    exposure = _number(exposure, exposure_name)
    if _number(base, "base") <= 0:
        raise MetricError(f"base: must be more than 0, got {base!r}")
    if exposure == 0:
        return None
    return count * base / exposure


def _number(value: object, name: str) -> float:
    """Return value if it is a finite number of 0 or more, else raise MetricError naming it."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise MetricError(f"{name}: expected a number of 0 or more, got {value!r}")
    return value


def _duration(value: object, name: str) -> timedelta:
    """Return value if it is a timedelta of 0 or more, else raise MetricError naming it."""
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise MetricError(f"{name}: expected a duration of 0 or more, got {value!r}")
    return value


def _mean_duration(values: Iterable[timedelta], name: str, unit: timedelta) -> float | None:
    """Return the mean of the durations in units, or None when there are none."""
    if not isinstance(unit, timedelta) or unit <= timedelta(0):
        raise MetricError(f"unit: expected a positive duration, got {unit!r}")
    durations = [_duration(value, f"{name}[{i}]") for i, value in enumerate(values)]
    if not durations:
        return None
    return sum(durations, timedelta(0)) / len(durations) / unit
