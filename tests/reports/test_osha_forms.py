"""OSHA Forms 300, 300A and 301 and the confidential privacy list: golden text, totals that equal the log
on every page, zeros printed, and pages checked as images."""

from __future__ import annotations

import dataclasses
import datetime as dt

from support.pdfs import assert_golden, ink, pdf_text, render_page
from support.report_data import LOG, osha_case

from reports import osha_300, osha_300a, osha_301
from reports.osha_data import OUTCOME_COLUMNS, TYPE_COLUMNS, totals

TYPE_LABELS = (
    "(M)(1) Injuries",
    "(2) Skin disorders",
    "(3) Respiratory conditions",
    "(4) Poisonings",
    "(5) Hearing loss",
    "(6) All other illnesses",
)


def big_log(count: int):
    """Return the dataset's log with `count` cases cycling through every outcome and type column."""
    outcomes, types = list(OUTCOME_COLUMNS), list(TYPE_COLUMNS)
    cases = tuple(
        osha_case(
            n,
            incident_date=dt.date(2025, 1, 1) + dt.timedelta(days=n * 5),
            outcome=outcomes[n % 4],
            type_column=types[n % 6],
            days_away=n % 7 if outcomes[n % 4] == "days_away" else 0,
            days_restricted=n % 5 if outcomes[n % 4] in ("days_away", "restricted_or_transfer") else 0,
            died_on=dt.date(2025, 12, 31) if outcomes[n % 4] == "death" else None,
            description=f"Case {n}: " + "cut and bruise to the left hand from a steel edge; " * (1 + n % 3),
        )
        for n in range(1, count + 1)
    )
    return dataclasses.replace(LOG, cases=cases)


def page_totals(text: str) -> list[list[int]]:
    """Return the 12 numbers of every 'Page totals' row of a Form 300's text."""
    lines = text.splitlines()
    return [
        [int(value) for value in lines[i + 1 : i + 13]]
        for i, line in enumerate(lines)
        if line == "Page totals"
    ]


def summary_numbers(text: str) -> list[int]:
    """Return the 300A's G, H, I, J, K, L and M(1)-M(6) as printed."""
    lines = text.splitlines()
    cases = lines.index("Number of Cases")
    days = lines.index("Number of Days")
    numbers = [int(v) for v in lines[cases + 1 : cases + 5]] + [int(v) for v in lines[days + 1 : days + 3]]
    return numbers + [int(lines[lines.index(label) + 1]) for label in TYPE_LABELS]


def test_form_300_golden():
    assert_golden("osha_300.txt", pdf_text(osha_300.log_pdf(LOG)))


def test_form_300a_golden():
    assert_golden("osha_300a.txt", pdf_text(osha_300a.summary_pdf(LOG)))


def test_form_301_golden():
    assert_golden("osha_301.txt", pdf_text(osha_301.incident_reports_pdf(LOG)))


def test_privacy_case_list_golden():
    assert_golden("osha_300_privacy.txt", pdf_text(osha_300.privacy_list_pdf(LOG)))


def test_the_log_shows_privacy_case_and_only_the_separate_list_names_the_employee():
    log_text = pdf_text(osha_300.log_pdf(LOG))
    assert "Privacy case" in log_text
    assert "Siti Nurhaliza" not in log_text
    listed = pdf_text(osha_300.privacy_list_pdf(LOG))
    assert "2025-005" in listed and "Siti Nurhaliza binti Ahmad" in listed
    assert "Maria Lopez" not in listed  # only privacy cases are on the list


def test_300a_equals_the_sum_of_every_page_of_a_long_log():
    log = big_log(45)
    log_text = pdf_text(osha_300.log_pdf(log))
    pages = page_totals(log_text)
    assert len(pages) == log_text.count("=== page ") >= 3  # a totals row on every page
    summed = [sum(column) for column in zip(*pages, strict=True)]
    summary = summary_numbers(pdf_text(osha_300a.summary_pdf(log)))
    assert summary == summed
    expected = totals(log.cases)
    assert summary == [
        expected.deaths,
        expected.days_away_cases,
        expected.restricted_cases,
        expected.other_cases,
        expected.days_away,
        expected.days_restricted,
        expected.injuries,
        expected.skin_disorders,
        expected.respiratory_conditions,
        expected.poisonings,
        expected.hearing_loss,
        expected.other_illnesses,
    ]
    assert sum(summary[:4]) == sum(summary[6:]) == 45
    for case in log.cases:
        assert case.case_number in log_text


def test_a_year_without_cases_prints_zeros():
    empty = dataclasses.replace(LOG, cases=())
    assert summary_numbers(pdf_text(osha_300a.summary_pdf(empty))) == [0] * 12
    log_text = pdf_text(osha_300.log_pdf(empty))
    assert "No recordable injuries or illnesses were recorded in 2025." in log_text
    assert page_totals(log_text) == [[0] * 12]
    assert "There are no recordable cases on the 2025 log." in pdf_text(osha_301.incident_reports_pdf(empty))
    assert "There are no privacy cases on the 2025 log." in pdf_text(osha_300.privacy_list_pdf(empty))


def test_missing_employment_figures_are_asked_for_not_invented():
    log = dataclasses.replace(
        LOG,
        establishment=dataclasses.replace(
            LOG.establishment, annual_average_employees=None, total_hours_worked=None
        ),
    )
    text = pdf_text(osha_300a.summary_pdf(log))
    assert text.count("not entered: add the year's figures to the site") == 2


def test_one_301_per_case_each_on_its_own_page():
    text = pdf_text(osha_301.incident_reports_pdf(LOG))
    pages = text.split("=== page ")[1:]
    assert len(pages) == len(LOG.cases)
    for page, case in zip(pages, LOG.cases, strict=True):
        assert "Injury and Illness Incident Report" in page
        assert case.case_number in page
    one = pdf_text(osha_301.incident_reports_pdf(LOG, (LOG.cases[2],)))
    assert (
        one.count("=== page ") == 1 and "2025-003" in one and "Check if time cannot be determined: X" in one
    )


def test_form_300_page_is_landscape_with_checks_in_the_classification_columns():
    image = render_page(osha_300.log_pdf(LOG), "osha_300_page")
    width, height = image.size
    assert width > height * 1.5  # legal, landscape
    assert ink(image, (0.02, 0.04, 0.5, 0.12)) > 500  # the title block
    left_of_checks = sum(osha_300.WIDTHS[:6]) + osha_300.MARGIN
    checks = (left_of_checks / osha_300.PAGE[0], 0.35, 0.97, 0.58)
    assert ink(image, checks) > 100  # X marks and day counts in G-M
    assert ink(image, (0.02, 0.75, 0.98, 0.93)) == 0  # nothing below the table but the footer


def test_form_300a_and_301_pages_render():
    summary = render_page(osha_300a.summary_pdf(LOG), "osha_300a_page")
    assert summary.size[1] > summary.size[0]  # portrait letter
    assert ink(summary, (0.04, 0.15, 0.9, 0.3)) > 300  # the big totals
    report = render_page(osha_301.incident_reports_pdf(LOG), "osha_301_page", page=2)
    assert ink(report, (0.5, 0.15, 0.95, 0.3)) > 50  # item 1: the Hindi name drawn in its cell


def test_documents_are_byte_for_byte_reproducible():
    for make in (
        osha_300.log_pdf,
        osha_300.privacy_list_pdf,
        osha_300a.summary_pdf,
        osha_301.incident_reports_pdf,
    ):
        assert make(LOG) == make(LOG)
