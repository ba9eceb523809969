"""The incident report PDF: golden text, every section present, the site plan drawn to scale with the
incident point, photo thumbnails, and what it says when something is missing."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from support.pdfs import assert_golden, ink, pdf_text, render_page
from support.report_data import RECORD

from reports import incident_pdf
from reports.incident_data import SitePlan

RED = (217, 48, 37)
AREA_BLUE = (210, 227, 252)


def test_incident_report_golden():
    assert_golden("incident.txt", pdf_text(incident_pdf.incident_pdf(RECORD)))


def test_every_section_is_there_in_order():
    text = pdf_text(incident_pdf.incident_pdf(RECORD))
    sections = [
        "Incident report RIV-2025-0002",
        "Details",
        "Notification clocks",
        "Timeline",
        "Position on the site plan",
        "Photos",
        "Witness statements",
        "Investigation",
        "Corrective and preventive actions",
        "Post-incident review",
        "Audit",
    ]
    positions = [text.index(f"\n{section}\n") for section in sections[1:]]
    assert positions == sorted(positions)
    assert "f" * 64 in text  # the audit chain head, in full
    assert "photo not available here" in text  # photo3 has no bytes here
    assert "Sign-off: verified" in text and "Hana Manager (hse_manager)" in text


def test_the_site_plan_shows_the_areas_and_the_incident_point():
    image = render_page(incident_pdf.incident_pdf(RECORD), "incident_page")
    assert ink(image, (0.05, 0.5, 0.95, 0.95), colour=RED) > 20  # the incident point
    assert ink(image, (0.05, 0.5, 0.95, 0.95), colour=AREA_BLUE) > 2000  # the areas
    assert ink(image, (0.05, 0.05, 0.95, 0.5), colour=RED) == 0  # nothing red above the plan


def test_without_a_position_the_plan_says_so():
    plan = SitePlan("Riverside Fabrication Plant", (), None, None, "")
    record = dataclasses.replace(RECORD, plan=plan, clocks=(), photos=(), statements=(), investigation=None)
    record = dataclasses.replace(record, actions=(), review=None)
    text = pdf_text(incident_pdf.incident_pdf(record))
    for sentence in (
        "No position recorded",
        "No position was recorded for this incident.",
        "No notification clocks are stored for this incident.",
        "No photos were attached.",
        "No witness statements were taken.",
        "No investigation has been recorded.",
        "No corrective or preventive actions.",
    ):
        assert sentence in text
    assert "Post-incident review" not in text


def test_a_duty_standing_is_said_in_words_as_of_the_report():
    [met] = RECORD.clocks
    due, now = met.due_at, met.due_at
    say = incident_pdf.standing
    assert say(met, now) == "Met on time"
    assert (
        say(dataclasses.replace(met, met_at=due + timedelta(hours=2, minutes=5)), now)
        == "Met 2 h 05 min late"
    )
    open_ = dataclasses.replace(met, met_at=None, state="ok")
    assert say(open_, due - timedelta(days=1, hours=21, minutes=3)) == "Open, 1 d 21 h left"
    soon = dataclasses.replace(open_, state="warning")
    assert say(soon, due - timedelta(minutes=40)) == "Due soon, 40 min left"
    assert say(open_, due + timedelta(hours=3)) == "OVERDUE by 3 h 00 min"
