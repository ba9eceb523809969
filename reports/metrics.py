"""Safety and incident metrics of one site and year: computed from plain data with models.metrics,
printed as a table, drawn as charts, and laid out as a PDF.

Definitions: recordable, DART and lost-time cases come from the OSHA log (lost time = death or days
away); days lost are the log's days away. A near miss is compared with incidents that harmed someone
(injury and illness reports). MTTA runs from the report reaching the store to its acknowledgement, MTTR
from detection (or occurrence) to resolution. A response counts against the priority's target when it
was acknowledged, or when it is still waiting past its target. A corrective action counts once it is
due or done; cancelled ones do not count.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass

from reportlab.lib.pagesizes import A4
from reportlab.platypus import KeepTogether, Spacer

from models.metrics import (
    MILLION_HOURS,
    OSHA_BASE_HOURS,
    capa_on_time_rate,
    count_repeats,
    dart,
    ltifr,
    mtta,
    mttr,
    near_miss_ratio,
    repeat_incident_rate,
    response_target_compliance,
    severity_rate,
    trir,
)
from reports.charts import bar_chart
from reports.pdf_layout import build, frame_width, grid, para

PRIORITIES = ("P1", "P2", "P3", "P4")
HARM_KINDS = ("injury", "illness")


@dataclass(frozen=True)
class IncidentSample:
    """What the metrics need of one incident of the year."""

    kind: str
    priority: str | None
    reported_at: dt.datetime
    started_at: dt.datetime
    acknowledged_at: dt.datetime | None
    resolved_at: dt.datetime | None
    response_target: dt.timedelta | None
    cause: str | None


@dataclass(frozen=True)
class MetricsInput:
    """One site's year: hours, the log's case counts, the incidents and the corrective actions."""

    site: str
    year: int
    hours_worked: int | None
    employees: int | None
    recordable_cases: int
    dart_cases: int
    lost_time_cases: int
    days_lost: int
    incidents: tuple[IncidentSample, ...]
    actions: tuple[tuple[dt.date, dt.date | None], ...]
    as_of: dt.datetime
    generated_at: dt.datetime
    ltifr_base: int = MILLION_HOURS


@dataclass(frozen=True)
class Metrics:
    """Every metric of the year; None where it is undefined (no hours, no incidents, no data)."""

    site: str
    year: int
    hours_worked: int | None
    employees: int | None
    ltifr_base: int
    recordable_cases: int
    dart_cases: int
    lost_time_cases: int
    days_lost: int
    trir: float | None
    dart: float | None
    ltifr: float | None
    severity_rate: float | None
    near_misses: int
    harm_incidents: int
    near_miss_ratio: float | None
    mtta_minutes: dict[str, float | None]
    mttr_minutes: dict[str, float | None]
    responses_counted: int
    response_compliance: float | None
    actions_counted: int
    capa_on_time: float | None
    repeats: int
    repeat_rate: float | None
    volume: dict[str, int]
    generated_at: dt.datetime

    def as_dict(self) -> dict[str, object]:
        """Return the metrics as JSON-ready values (times as ISO text)."""
        data = asdict(self)
        data["generated_at"] = self.generated_at.isoformat()
        return data


def compute(data: MetricsInput) -> Metrics:
    """Compute every metric of the year from the input."""
    hours = data.hours_worked or 0
    incidents = data.incidents
    by_priority = {p: [i for i in incidents if i.priority == p] for p in PRIORITIES}
    responses = [
        (taken, item.response_target)
        for item in incidents
        if item.response_target is not None and (taken := _response_time(item, data.as_of)) is not None
    ]
    ordered = sorted(incidents, key=lambda item: item.started_at)
    repeats = count_repeats(item.cause for item in ordered)
    near_misses = sum(item.kind == "near_miss" for item in incidents)
    harm = sum(item.kind in HARM_KINDS for item in incidents)
    actions = [pair for pair in data.actions if pair[1] is not None or pair[0] < data.as_of.date()]
    return Metrics(
        site=data.site,
        year=data.year,
        hours_worked=data.hours_worked,
        employees=data.employees,
        ltifr_base=data.ltifr_base,
        recordable_cases=data.recordable_cases,
        dart_cases=data.dart_cases,
        lost_time_cases=data.lost_time_cases,
        days_lost=data.days_lost,
        trir=trir(data.recordable_cases, hours),
        dart=dart(data.dart_cases, hours),
        ltifr=ltifr(data.lost_time_cases, hours, base=data.ltifr_base),
        severity_rate=severity_rate(data.days_lost, hours),
        near_misses=near_misses,
        harm_incidents=harm,
        near_miss_ratio=near_miss_ratio(near_misses, harm),
        mtta_minutes={
            p: mtta(i.acknowledged_at - i.reported_at for i in items if i.acknowledged_at)
            for p, items in by_priority.items()
        },
        mttr_minutes={
            p: mttr(i.resolved_at - i.started_at for i in items if i.resolved_at)
            for p, items in by_priority.items()
        },
        responses_counted=len(responses),
        response_compliance=response_target_compliance(responses),
        actions_counted=len(actions),
        capa_on_time=capa_on_time_rate(actions, data.as_of.date()),
        repeats=repeats,
        repeat_rate=repeat_incident_rate(repeats, len(incidents)),
        volume=dict(sorted(Counter(item.kind for item in incidents).items())),
        generated_at=data.generated_at,
    )


def _response_time(item: IncidentSample, as_of: dt.datetime) -> dt.timedelta | None:
    """Return how long the response took, or how long it has waited once past its target."""
    if item.acknowledged_at is not None:
        return max(item.acknowledged_at - item.reported_at, dt.timedelta(0))
    waited = as_of - item.reported_at
    return waited if item.response_target is not None and waited > item.response_target else None


def bases(metrics: Metrics) -> str:
    """Return the rate bases printed on every chart and table."""
    hours = "not entered" if metrics.hours_worked is None else f"{metrics.hours_worked:,}"
    return (
        f"Bases: TRIR and DART per {OSHA_BASE_HOURS:,} hours; LTIFR per {metrics.ltifr_base:,} hours; "
        f"severity rate per {MILLION_HOURS:,} hours. Hours worked in {metrics.year}: {hours}."
    )


def _fmt(value: float | None, digits: int = 2, *, percent: bool = False) -> str:
    """Return a metric for the table: 'n/a' when undefined, a percentage for shares."""
    if value is None:
        return "n/a"
    return f"{value * 100:.1f}%" if percent else f"{value:,.{digits}f}"


def rows(metrics: Metrics) -> list[tuple[str, str, str]]:
    """Return the table of metrics as (metric, value, how it is computed)."""
    m = metrics
    out = [
        ("TRIR", _fmt(m.trir), f"{m.recordable_cases} recordable cases × {OSHA_BASE_HOURS:,} ÷ hours"),
        ("DART rate", _fmt(m.dart), f"{m.dart_cases} DART cases × {OSHA_BASE_HOURS:,} ÷ hours"),
        ("LTIFR", _fmt(m.ltifr), f"{m.lost_time_cases} lost-time cases × {m.ltifr_base:,} ÷ hours"),
        ("Severity rate", _fmt(m.severity_rate), f"{m.days_lost} days lost × {MILLION_HOURS:,} ÷ hours"),
        (
            "Near-miss ratio",
            _fmt(m.near_miss_ratio),
            f"{m.near_misses} near misses ÷ {m.harm_incidents} harm",
        ),
    ]
    for p in PRIORITIES:
        out.append((f"MTTA {p} (min)", _fmt(m.mtta_minutes[p], 1), "report received → acknowledged"))
    for p in PRIORITIES:
        out.append((f"MTTR {p} (min)", _fmt(m.mttr_minutes[p], 1), "detected → resolved"))
    out += [
        (
            "Response-target compliance",
            _fmt(m.response_compliance, percent=True),
            f"{m.responses_counted} responses against the priority targets",
        ),
        (
            "CAPA on-time closure",
            _fmt(m.capa_on_time, percent=True),
            f"{m.actions_counted} actions due or done",
        ),
        (
            "Repeat-incident rate",
            _fmt(m.repeat_rate, percent=True),
            f"{m.repeats} repeats of an earlier cause",
        ),
    ]
    out += [(f"Incidents: {kind}", str(count), "reported in the year") for kind, count in m.volume.items()]
    return out


def table_text(metrics: Metrics) -> str:
    """Return the metrics as an aligned plain-text table (for the command line)."""
    lines = rows(metrics)
    first = max(len(name) for name, _, _ in lines)
    second = max(len(value) for _, value, _ in lines)
    head = f"Safety metrics — {metrics.site} — {metrics.year}"
    body = [f"{name:<{first}}  {value:>{second}}  {how}" for name, value, how in lines]
    return "\n".join([head, "", *body, "", bases(metrics)]) + "\n"


def charts(metrics: Metrics) -> dict[str, object]:
    """Return the dashboard charts by name, each printing the rate bases."""
    m = metrics
    caption = bases(m)
    return {
        "rates": bar_chart(
            "Injury rates",
            ["TRIR", "DART", f"LTIFR (per {m.ltifr_base:,} h)", "Severity (per 1,000,000 h)"],
            [("rate", [m.trir, m.dart, m.ltifr, m.severity_rate])],
            caption,
        ),
        "response": bar_chart(
            "Mean time to acknowledge and to resolve (minutes)",
            list(PRIORITIES),
            [
                ("MTTA", [m.mtta_minutes[p] for p in PRIORITIES]),
                ("MTTR", [m.mttr_minutes[p] for p in PRIORITIES]),
            ],
            caption,
            digits=0,
        ),
        "performance": bar_chart(
            "Response targets, corrective actions and repeats (%)",
            ["Response-target compliance", "CAPA on-time closure", "Repeat-incident rate"],
            [
                (
                    "share",
                    [
                        None if v is None else v * 100
                        for v in (m.response_compliance, m.capa_on_time, m.repeat_rate)
                    ],
                )
            ],
            caption,
            digits=1,
        ),
        "volume": bar_chart(
            f"Incidents by category (near-miss ratio {_fmt(m.near_miss_ratio)})",
            [kind.replace("_", " ") for kind in m.volume] or ["none"],
            [("incidents", list(m.volume.values()) or [0])],
            caption,
            digits=0,
        ),
    }


def metrics_pdf(metrics: Metrics) -> bytes:
    """Return the metrics report: the table and every chart."""
    width = frame_width(A4)
    story: list = [
        para(f"Safety metrics {metrics.year}", "title", bold=True),
        para(metrics.site, "h2", bold=True),
        grid([("Metric", "Value", "How"), *rows(metrics)], [width * 0.3, width * 0.15, width * 0.55]),
        para(bases(metrics), "note"),
        Spacer(1, 8),
    ]
    for drawing in charts(metrics).values():
        story += [KeepTogether([drawing, Spacer(1, 10)])]
    return build(
        story,
        pagesize=A4,
        title=f"Safety metrics {metrics.year} {metrics.site}",
        footer=f"Safety metrics · {metrics.site} · {metrics.year} · generated "
        f"{metrics.generated_at:%Y-%m-%d %H:%M %Z}",
    )
