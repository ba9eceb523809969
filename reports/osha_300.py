"""OSHA Form 300, the Log of Work-Related Injuries and Illnesses (landscape, columns A-M), and its
confidential list of privacy cases (29 CFR 1904.29(b)(6)), kept as a separate document."""

from __future__ import annotations

from reportlab.lib.pagesizes import landscape, legal, letter
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import PageBreak, SimpleDocTemplate, Spacer

from reports import pdf_text
from reports.osha_data import OUTCOME_COLUMNS, TYPE_COLUMNS, OshaCase, OshaLog, footer, log_name, totals
from reports.pdf_layout import MARGIN, build, fields, frame_width, grid, para, us_date

PAGE = landscape(legal)
TOP = MARGIN + 86
_FIXED = (42, 108, 78, 40, 108, 30, 34, 40, 38, 38, 42, 28, 28, 30, 28, 28, 30)
WIDTHS = (*_FIXED[:5], frame_width(PAGE) - sum(_FIXED), *_FIXED[5:])
"""Column widths A, B, C, D, E, F, G, H, I, J, K, L, M(1)-M(6); F takes what the others leave of the frame."""

LABELS = (
    "(A) Case no.",
    "(B) Employee's name",
    "(C) Job title (e.g., Welder)",
    "(D) Date of injury or onset of illness (mo./day)",
    "(E) Where the event occurred (e.g., Loading dock north end)",
    "(F) Describe injury or illness, parts of body affected, and object/substance that directly injured "
    "or made person ill (e.g., Second degree burns on right forearm from acetylene torch)",
)
CLASS_LABELS = (
    "(G) Death",
    "(H) Days away from work",
    "(I) Job transfer or restriction",
    "(J) Other recordable cases",
    "(K) Away from work (days)",
    "(L) On job transfer or restriction (days)",
    "(M)(1) Injury",
    "(2) Skin disorder",
    "(3) Respiratory condition",
    "(4) Poisoning",
    "(5) Hearing loss",
    "(6) All other illnesses",
)
ATTENTION = (
    "Attention: This form contains information relating to employee health and must be used in a manner "
    "that protects the confidentiality of employees to the extent possible while the information is being "
    "used for occupational safety and health purposes."
)
PRIVACY_GROUNDS = {
    "intimate_body_part": "An injury or illness to an intimate body part or the reproductive system "
    "(1904.29(b)(7)(i))",
    "sexual_assault": "An injury or illness resulting from a sexual assault (1904.29(b)(7)(ii))",
    "mental_illness": "A mental illness (1904.29(b)(7)(iii))",
    "hiv_hepatitis_tb": "HIV infection, hepatitis or tuberculosis (1904.29(b)(7)(iv))",
    "contaminated_sharps": "A needlestick or cut from a sharp object contaminated with another person's "
    "blood or other potentially infectious material (1904.29(b)(7)(v))",
    "employee_request": "An illness whose privacy-case treatment the employee asked for (1904.29(b)(7)(vi))",
}


def log_pdf(log: OshaLog) -> bytes:
    """Return the Form 300 log of the year: every recordable case, page totals on every page."""
    pages = _paginate(log.cases)
    story: list = []
    for index, cases in enumerate(pages):
        if index:
            story.append(PageBreak())
        story.append(grid(_rows(log, cases), WIDTHS, header_rows=3, extra=_table_style(len(cases))))
        story.append(Spacer(1, 4))
        story.append(
            para(
                "Be sure to transfer the totals to the Summary page (Form 300A) before you post it. "
                "Public reporting burden and confidentiality notes: see the instructions of the OSHA "
                "recordkeeping forms (OMB 1218-0176).",
                "note",
            )
        )
    return build(
        story,
        pagesize=PAGE,
        title=f"OSHA Form 300 {log.year} {log.establishment.name}",
        footer=footer(log, "OSHA Form 300 (Rev. 01/2004)"),
        header=lambda canvas, doc: _header(canvas, doc, log),
        top_margin=TOP,
    )


def _header(canvas: Canvas, _doc: SimpleDocTemplate, log: OshaLog) -> None:
    """Draw the form's title block, the attention note and the establishment line on a page."""
    width, height = PAGE
    top = height - MARGIN
    canvas.saveState()
    pdf_text.draw_text(canvas, MARGIN, top - 10, "OSHA's Form 300 (Rev. 01/2004)", 9, bold=True)
    pdf_text.draw_text(canvas, MARGIN, top - 30, "Log of Work-Related Injuries and Illnesses", 16, bold=True)
    right = width - MARGIN
    pdf_text.draw_text(canvas, right, top - 10, f"Year {log.year}", 14, bold=True, align="right")
    pdf_text.draw_text(canvas, right, top - 24, "U.S. Department of Labor", 8, align="right")
    pdf_text.draw_text(
        canvas, right, top - 34, "Occupational Safety and Health Administration", 8, align="right"
    )
    pdf_text.draw_text(canvas, right, top - 44, "Form approved OMB no. 1218-0176", 7, align="right")
    note = para(ATTENTION, "note")
    _, used = note.wrap(560, 40)
    note.drawOn(canvas, MARGIN, top - 36 - used)
    establishment = log.establishment
    line = (
        f"Establishment name: {establishment.name}    City: {establishment.city}    "
        f"State: {establishment.state}"
    )
    pdf_text.draw_text(canvas, MARGIN, top - 74, line, 9, bold=True)
    canvas.restoreState()


def _rows(log: OshaLog, cases: list[OshaCase]) -> list[list[object]]:
    """Return the table rows of one page: three header rows, one row per case, the page totals."""
    blank = [""] * 18
    groups = ["Identify the person", "", "", "Describe the case", "", "", "Classify the case", *blank[7:]]
    sub = [
        *LABELS,
        "CHECK ONLY ONE box for each case based on the most serious outcome for that case:",
        "",
        "",
        "",
        "Enter the number of days the injured or ill worker was:",
        "",
        'Check the "Injury" column or choose one type of illness:',
        *blank[13:],
    ]
    labels = [*blank[:6], *(para(label, "tiny", bold=True) for label in CLASS_LABELS)]
    rows: list[list[object]] = [groups, sub, labels]
    if not cases:
        rows.append([f"No recordable injuries or illnesses were recorded in {log.year}.", *blank[1:]])
    for case in cases:
        checks = ["X" if case.outcome == key else "" for key in OUTCOME_COLUMNS]
        types = ["X" if case.type_column == key else "" for key in TYPE_COLUMNS]
        rows.append(
            [
                case.case_number,
                log_name(case),
                case.job_title,
                case.incident_date.strftime("%m/%d"),
                case.where,
                case.description,
                *checks,
                str(case.days_away),
                str(case.days_restricted),
                *types,
            ]
        )
    total = totals(cases)
    rows.append(
        [
            "Page totals",
            *blank[1:6],
            *(
                str(n)
                for n in (
                    total.deaths,
                    total.days_away_cases,
                    total.restricted_cases,
                    total.other_cases,
                    total.days_away,
                    total.days_restricted,
                    total.injuries,
                    total.skin_disorders,
                    total.respiratory_conditions,
                    total.poisonings,
                    total.hearing_loss,
                    total.other_illnesses,
                )
            ),
        ]
    )
    return rows


HEADER_STYLE = [
    ("SPAN", (0, 0), (2, 0)),
    ("SPAN", (3, 0), (5, 0)),
    ("SPAN", (6, 0), (17, 0)),
    *[("SPAN", (col, 1), (col, 2)) for col in range(6)],
    ("SPAN", (6, 1), (9, 1)),
    ("SPAN", (10, 1), (11, 1)),
    ("SPAN", (12, 1), (17, 1)),
]
"""Spans of the three header rows: the groups, then the column labels A-F over two rows."""


def _table_style(case_rows: int) -> list[tuple]:
    """Return the spans and alignments of one page's table: header, check columns, the totals row."""
    style = [
        *HEADER_STYLE,
        ("ALIGN", (6, 3), (17, -1), "CENTER"),
        ("SPAN", (0, -1), (5, -1)),
    ]
    if case_rows == 0:
        style.append(("SPAN", (0, 3), (17, 3)))
    return style


def _paginate(cases: tuple[OshaCase, ...]) -> list[list[OshaCase]]:
    """Split the cases into pages, measuring each row so that a page never overflows."""
    header = grid(_rows_header_only(), WIDTHS, header_rows=3, extra=HEADER_STYLE)
    _, header_height = header.wrap(frame_width(PAGE), PAGE[1])
    room = PAGE[1] - TOP - (MARGIN + 4) - header_height - 60
    pages: list[list[OshaCase]] = [[]]
    used = 0.0
    for case in cases:
        height = _row_height(case)
        if pages[-1] and used + height > room:
            pages.append([])
            used = 0.0
        pages[-1].append(case)
        used += height
    return pages


def _rows_header_only() -> list[list[object]]:
    """Return the three header rows alone (for measuring)."""
    blank = [""] * 18
    return [
        blank,
        [*LABELS, *blank[6:]],
        [*blank[:6], *(para(label, "tiny", bold=True) for label in CLASS_LABELS)],
    ]


def _row_height(case: OshaCase) -> float:
    """Return the height a case's row takes on the log."""
    texts = (case.case_number, log_name(case), case.job_title, "", case.where, case.description)
    return (
        max(para(text, "cell").wrap(width - 5, 10_000)[1] for text, width in zip(texts, WIDTHS, strict=False))
        + 4
    )


def privacy_list_pdf(log: OshaLog) -> bytes:
    """Return the confidential list of privacy cases: case number and name for each (1904.29(b)(6))."""
    page = letter
    width = frame_width(page)
    establishment = log.establishment
    cases = [case for case in log.cases if case.privacy_case]
    story: list = [
        para(f"Confidential list of privacy cases — {log.year}", "title", bold=True),
        para(
            "OSHA's Form 300 Log of Work-Related Injuries and Illnesses: privacy case list", "h2", bold=True
        ),
        fields(
            [
                ("Establishment", establishment.name),
                ("Address", _address(log)),
                ("Year", str(log.year)),
            ],
            width,
        ),
        Spacer(1, 6),
        para(
            '29 CFR 1904.29(b)(6): the Form 300 shows "Privacy case" in place of the employee\'s name for '
            "these cases. This list links each case number to the employee's name. Keep it confidential: "
            "give it only to those who may see the names (for example a government representative under "
            "1904.40), never with the posted log.",
            "body",
        ),
        Spacer(1, 8),
    ]
    if cases:
        rows = [["Case no.", "Employee's name", "Date of injury or onset of illness", "Ground", "Incident"]]
        rows += [
            [
                case.case_number,
                case.employee_name,
                us_date(case.incident_date),
                PRIVACY_GROUNDS.get(case.privacy_concern or "", "Privacy case (1904.29(b)(7))"),
                case.incident_ref,
            ]
            for case in cases
        ]
        story.append(grid(rows, [w * width for w in (0.1, 0.22, 0.14, 0.4, 0.14)], style="body"))
    else:
        story.append(para(f"There are no privacy cases on the {log.year} log.", "body", bold=True))
    return build(
        story,
        pagesize=page,
        title=f"Privacy case list {log.year} {establishment.name}",
        footer=footer(log, "CONFIDENTIAL: privacy case list"),
    )


def _address(log: OshaLog) -> str:
    """Return the establishment's one-line address."""
    e = log.establishment
    return ", ".join(part for part in (e.street, e.city, f"{e.state} {e.postal_code}".strip()) if part)
