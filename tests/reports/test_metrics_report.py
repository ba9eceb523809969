"""Safety metrics of a year: the numbers, the table, the charts (bases printed on each) and the PDF."""

from __future__ import annotations

import dataclasses

import pytest
from support.pdfs import assert_golden, ink, pdf_text, render_page
from support.report_data import METRICS

from reports import charts, metrics

BLUE = (26, 115, 232)


def test_every_metric_of_the_year():
    m = metrics.compute(METRICS)
    assert m.trir == pytest.approx(7 * 200_000 / 249_600)
    assert m.dart == pytest.approx(2 * 200_000 / 249_600)
    assert m.ltifr == pytest.approx(2 * 1_000_000 / 249_600)
    assert m.severity_rate == pytest.approx(12 * 1_000_000 / 249_600)
    assert (m.near_misses, m.harm_incidents, m.near_miss_ratio) == (3, 3, 1.0)
    assert m.mtta_minutes == {"P1": 15.0, "P2": 10.0, "P3": pytest.approx(350 / 3), "P4": 60.0}
    # MTTR runs from detection, five minutes before each report.
    assert m.mttr_minutes == {"P1": 215.0, "P2": 305.0, "P3": pytest.approx(2705 / 3), "P4": None}
    # Eight responses count: five within target, one P3 and one P1 late, one P2 still waiting past its target.
    assert (m.responses_counted, m.response_compliance) == (8, 5 / 8)
    # Three actions count (one due next year does not yet): one closed on time.
    assert (m.actions_counted, m.capa_on_time) == (3, pytest.approx(1 / 3))
    assert (m.repeats, m.repeat_rate) == (1, pytest.approx(1 / 9))
    assert m.volume == {"illness": 1, "injury": 2, "it_outage": 2, "near_miss": 3, "security": 1}


def test_ltifr_base_is_configurable_and_printed_on_every_chart():
    m = metrics.compute(dataclasses.replace(METRICS, ltifr_base=200_000))
    assert m.ltifr == pytest.approx(2 * 200_000 / 249_600)
    drawings = metrics.charts(m)
    assert set(drawings) == {"rates", "response", "performance", "volume"}
    for drawing in drawings.values():
        svg = charts.to_svg(drawing)
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg
        assert "LTIFR per 200,000 hours" in svg and "TRIR and DART per 200,000 hours" in svg
    assert "LTIFR (per 200,000 h)" in charts.to_svg(drawings["rates"])
    assert pdf_text(charts.to_pdf(drawings["rates"])).count("LTIFR per 200,000 hours") == 1


def test_without_hours_or_data_the_metrics_are_undefined_not_zero():
    empty = dataclasses.replace(METRICS, hours_worked=None, incidents=(), actions=())
    m = metrics.compute(empty)
    assert (m.trir, m.dart, m.ltifr, m.severity_rate) == (None, None, None, None)
    assert (m.near_miss_ratio, m.response_compliance, m.capa_on_time, m.repeat_rate) == (
        None,
        None,
        None,
        None,
    )
    text = metrics.table_text(m)
    assert "Hours worked in 2025: not entered." in text
    assert text.count("n/a") == 16  # 4 rates, the ratio, 8 mean times, 3 shares
    assert pdf_text(metrics.metrics_pdf(m))  # still a document, with empty charts


def test_metrics_table_golden():
    assert_golden("metrics_table.txt", metrics.table_text(metrics.compute(METRICS)))


def test_metrics_pdf_golden_and_its_charts_render():
    data = metrics.metrics_pdf(metrics.compute(METRICS))
    assert_golden("metrics.txt", pdf_text(data))
    page = render_page(data, "metrics_page")
    assert ink(page, (0.05, 0.5, 0.95, 0.95), colour=BLUE) > 500  # the bars of the first chart


def test_metrics_as_json():
    data = metrics.compute(METRICS).as_dict()
    assert data["trir"] == pytest.approx(5.609, abs=1e-3)
    assert data["generated_at"] == "2026-01-15T09:30:00-06:00"
    assert data["mtta_minutes"]["P4"] == 60.0
