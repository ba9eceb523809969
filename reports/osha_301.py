"""OSHA Form 301, the Injury and Illness Incident Report: one report (items 1-18) per recordable case."""

from __future__ import annotations

import datetime as dt

from reportlab.lib.pagesizes import letter
from reportlab.platypus import KeepTogether, PageBreak, Spacer, Table, TableStyle

from reports.osha_data import OshaCase, OshaLog, footer
from reports.pdf_layout import LINE, build, frame_width, grid, para, us_date, yes_no

SEX = {"male": "Male", "female": "Female"}


def incident_reports_pdf(log: OshaLog, cases: tuple[OshaCase, ...] | None = None) -> bytes:
    """Return one Form 301 per case (every case of the log by default), each starting on a new page."""
    chosen = log.cases if cases is None else cases
    width = frame_width(letter)
    story: list = []
    for index, case in enumerate(chosen):
        if index:
            story.append(PageBreak())
        story += _report(log, case, width)
    if not chosen:
        story.append(para(f"There are no recordable cases on the {log.year} log.", "title", bold=True))
    return build(
        story,
        pagesize=letter,
        title=f"OSHA Form 301 {log.year} {log.establishment.name}",
        footer=footer(log, "OSHA Form 301 (Rev. 01/2004)"),
    )


def items(case: OshaCase) -> list[tuple[int, str, str]]:
    """Return the 18 items of a case's Form 301 as (number, question, answer)."""
    address = ", ".join(
        part
        for part in (
            case.employee_street,
            case.employee_city,
            f"{case.employee_state} {case.employee_zip}".strip(),
        )
        if part
    )
    if case.time_unknown:
        event_time = "Check if time cannot be determined: X"
    else:
        event_time = _ampm(case.time_of_event)
    return [
        (1, "Full name", case.employee_name),
        (2, "Street, City, State, ZIP", address),
        (3, "Date of birth", us_date(case.date_of_birth)),
        (4, "Date hired", us_date(case.date_hired)),
        (5, "Male / Female", SEX.get(case.sex, "")),
        (6, "Name of physician or other health care professional", case.physician),
        (
            7,
            "If treatment was given away from the worksite, where was it given? (facility, address)",
            case.treatment_facility,
        ),
        (8, "Was employee treated in an emergency room?", yes_no(case.emergency_room)),
        (9, "Was employee hospitalized overnight as an in-patient?", yes_no(case.inpatient)),
        (10, "Case number from the Log", case.case_number),
        (11, "Date of injury or illness", us_date(case.incident_date)),
        (12, "Time employee began work", _ampm(case.time_began_work)),
        (13, "Time of event", event_time),
        (
            14,
            "What was the employee doing just before the incident occurred? Describe the activity, as "
            "well as the tools, equipment, or material the employee was using.",
            case.activity_before,
        ),
        (15, "What happened? Tell us how the injury occurred.", case.what_happened),
        (
            16,
            "What was the injury or illness? Tell us the part of the body that was affected and how it "
            "was affected.",
            case.injury_description,
        ),
        (17, "What object or substance directly harmed the employee?", case.object_substance),
        (18, "If the employee died, when did death occur? Date of death", us_date(case.died_on)),
    ]


def _ampm(value: dt.time | None) -> str:
    """Return a time of day as the form prints it (7:30 AM), or '' for none."""
    return value.strftime("%I:%M %p").lstrip("0") if value else ""


def _report(log: OshaLog, case: OshaCase, width: float) -> list:
    """Return the flowables of one Form 301."""
    answers = items(case)
    sections = (
        ("Information about the employee", answers[0:5]),
        ("Information about the physician or other health care professional", answers[5:9]),
        ("Information about the case", answers[9:18]),
    )
    story: list = [
        para("OSHA's Form 301 (Rev. 01/2004)", "label", bold=True),
        para("Injury and Illness Incident Report", "title", bold=True),
        para(
            "U.S. Department of Labor, Occupational Safety and Health Administration · Form approved OMB "
            f"no. 1218-0176 · {log.establishment.name}, {log.establishment.city} · incident "
            f"{case.incident_ref}",
            "body",
        ),
        para(
            "Attention: This form contains information relating to employee health and must be used in a "
            "manner that protects the confidentiality of employees to the extent possible while the "
            "information is being used for occupational safety and health purposes.",
            "note",
        ),
    ]
    for heading, rows in sections:
        story.append(para(heading, "h2", bold=True))
        story.append(
            grid(
                [[f"{number})", question, answer or "—"] for number, question, answer in rows],
                [width * 0.05, width * 0.45, width * 0.5],
                header_rows=0,
                style="body",
            )
        )
    story.append(Spacer(1, 10))
    story.append(KeepTogether([para("Completed by", "h2", bold=True), _completed_by(width)]))
    return story


def _completed_by(width: float) -> Table:
    """Return the lines the person completing the form fills in by hand."""
    cells = [
        [para("", "label"), para("", "label"), para("", "label"), para("", "label")],
        [
            para("Completed by", "label"),
            para("Title", "label"),
            para("Phone", "label"),
            para("Date", "label"),
        ],
    ]
    table = Table(
        cells, colWidths=[width * 0.34, width * 0.26, width * 0.22, width * 0.18], rowHeights=[22, 12]
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, LINE),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10),
            ]
        )
    )
    return table
