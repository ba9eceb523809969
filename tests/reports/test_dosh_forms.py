"""DOSH JKKP 6 and JKKP 8: golden text, the register's rates, what the forms say about unretrieved fields,
and pages checked as images."""

from __future__ import annotations

import dataclasses

import pytest
from support.pdfs import assert_golden, ink, pdf_text, render_page
from support.report_data import NOTIFICATION, OCCURRENCE_NOTIFICATION, REGISTER

from reports import dosh
from reports.dosh_data import rates
from reports.pdf_layout import LIGHT


def test_jkkp6_accident_golden():
    assert_golden("jkkp6_accident.txt", pdf_text(dosh.jkkp6_pdf(NOTIFICATION)))


def test_jkkp6_dangerous_occurrence_golden():
    assert_golden("jkkp6_occurrence.txt", pdf_text(dosh.jkkp6_pdf(OCCURRENCE_NOTIFICATION)))


def test_jkkp8_golden():
    assert_golden("jkkp8.txt", pdf_text(dosh.jkkp8_pdf(REGISTER)))


def test_register_rates_follow_the_dosh_formulas():
    result = rates(REGISTER)
    # Lost-time injuries: 6 and 15 days off, and the permanent disability (HUK, 30 days); not the 0-day case.
    assert result.lost_time_injuries == 3
    assert result.days_lost == 51
    assert result.frequency == pytest.approx(3 * 1_000_000 / 873_600)
    assert result.severity == pytest.approx(51 * 1_000_000 / 873_600)
    assert result.incidence == pytest.approx(3 * 1_000 / 420)
    text = pdf_text(dosh.jkkp8_pdf(REGISTER))
    assert "3.43" in text and "58.38" in text and "7.14" in text


def test_rates_without_hours_are_not_invented():
    employer = dataclasses.replace(REGISTER.employer, hours_worked=None, workers=None)
    register = dataclasses.replace(REGISTER, employer=employer)
    assert (rates(register).frequency, rates(register).incidence) == (None, None)
    assert pdf_text(dosh.jkkp8_pdf(register)).count("n/a") == 3


def test_the_forms_say_what_was_not_retrieved():
    notice = pdf_text(dosh.jkkp6_pdf(NOTIFICATION))
    assert "field list were not retrieved" in notice and "Jadual 3 code not retrieved" in notice
    register = pdf_text(dosh.jkkp8_pdf(REGISTER))
    assert "code tables Jadual 3 (industry), 7" in register
    assert "recalled, not read" in register  # the 31 January date
    assert "provisional" in register  # the Second Schedule categories


def test_industry_size_comes_from_the_workforce():
    for workers, size in ((420, "B"), (151, "B"), (150, "S"), (51, "S"), (50, "K"), (None, "")):
        assert dataclasses.replace(REGISTER.employer, workers=workers).size == size


def test_an_empty_register_says_so_in_every_part():
    empty = dataclasses.replace(REGISTER, accidents=(), occurrences=(), diseases=())
    text = pdf_text(dosh.jkkp8_pdf(empty))
    assert text.count("Tiada kemalangan / no accidents") == 2
    assert "Tiada kejadian berbahaya" in text and "Tiada keracunan" in text


def test_jkkp_pages_render():
    notice = render_page(dosh.jkkp6_pdf(NOTIFICATION), "jkkp6_page")
    assert notice.size[1] > notice.size[0]  # A4 portrait
    grey = tuple(int(LIGHT.rgb()[i] * 255) for i in range(3))
    assert ink(notice, (0.05, 0.1, 0.95, 0.2), colour=grey) > 1000  # the shaded note about the form
    register = render_page(dosh.jkkp8_pdf(REGISTER), "jkkp8_page")
    assert register.size[0] > register.size[1]  # A4 landscape
    assert ink(register, (0.05, 0.45, 0.95, 0.7)) > 1000  # part I rows
