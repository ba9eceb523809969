"""OSHA Form 300A, the Summary of Work-Related Injuries and Illnesses: the log's totals (zeros printed),
the establishment and employment information, and the certification block."""

from __future__ import annotations

from reportlab.lib.pagesizes import letter
from reportlab.platypus import Spacer, Table, TableStyle

from reports.osha_data import OshaLog, Totals, footer, totals
from reports.pdf_layout import LINE, build, fields, frame_width, grid, para, us_date

CERTIFICATION = (
    "I certify that I have examined this document and that to the best of my knowledge the entries are "
    "true, accurate, and complete."
)


def summary_pdf(log: OshaLog) -> bytes:
    """Return the Form 300A of the log's year; every total is the sum of the log's column."""
    page = letter
    width = frame_width(page)
    total = totals(log.cases)
    establishment = log.establishment
    story: list = [
        para("OSHA's Form 300A (Rev. 01/2004)", "label", bold=True),
        para("Summary of Work-Related Injuries and Illnesses", "title", bold=True),
        para(
            f"Year {log.year} · U.S. Department of Labor, Occupational Safety and Health Administration · "
            "Form approved OMB no. 1218-0176",
            "body",
        ),
        Spacer(1, 4),
        para(
            "All establishments covered by Part 1904 must complete this Summary page, even if no "
            "work-related injuries or illnesses occurred during the year. Remember to review the Log to "
            "verify that the entries are complete and accurate before completing this summary. Using the "
            "Log, count the individual entries you made for each category. Then write the totals below, "
            "making sure you have added the entries from every page of the Log. If you had no cases, "
            'write "0."',
            "note",
        ),
        para("Number of Cases", "h2", bold=True),
        _boxes(
            [
                ("Total number of deaths", total.deaths, "(G)"),
                ("Total number of cases with days away from work", total.days_away_cases, "(H)"),
                ("Total number of cases with job transfer or restriction", total.restricted_cases, "(I)"),
                ("Total number of other recordable cases", total.other_cases, "(J)"),
            ],
            width,
        ),
        para("Number of Days", "h2", bold=True),
        _boxes(
            [
                ("Total number of days away from work", total.days_away, "(K)"),
                ("Total number of days of job transfer or restriction", total.days_restricted, "(L)"),
            ],
            width,
        ),
        para("Injury and Illness Types", "h2", bold=True),
        _types(total, width),
        Spacer(1, 6),
        para(
            f"Post this Summary page from {_long_date(log.posting_from)} to {_long_date(log.posting_until)} "
            f"(29 CFR 1904.32(b)(6)). Electronic submission (ITA) of establishments that must submit is due "
            f"{us_date(log.ita_due)} (29 CFR 1904.41(c)).",
            "body",
            bold=True,
        ),
        para("Establishment information", "h2", bold=True),
        fields(
            [
                ("Your establishment name", establishment.name),
                ("Company name", establishment.company_name),
                ("Street", establishment.street),
                (
                    "City / State / ZIP",
                    f"{establishment.city}, {establishment.state} {establishment.postal_code}",
                ),
                (
                    "Industry description (e.g., Manufacture of motor truck trailers)",
                    establishment.industry_description,
                ),
                ("Standard Industrial Classification (SIC), if known", ""),
                ("North American Industrial Classification (NAICS), if known", establishment.naics_code),
                ("Employer identification number (EIN)", establishment.ein),
            ],
            width,
            label_share=0.45,
        ),
        para("Employment information", "h2", bold=True),
        fields(
            [
                ("Annual average number of employees", _figure(establishment.annual_average_employees)),
                ("Total hours worked by all employees last year", _figure(establishment.total_hours_worked)),
            ],
            width,
            label_share=0.45,
        ),
        para("Sign here", "h2", bold=True),
        para(
            "Knowingly falsifying this document may result in a fine. " + CERTIFICATION,
            "body",
        ),
        Spacer(1, 4),
        _signature_block(width),
        Spacer(1, 4),
        para(
            "Signed by a company executive: an owner, a corporate officer, the highest ranking company "
            "official working at the establishment, or that official's immediate supervisor "
            "(29 CFR 1904.32(b)(3)-(4)).",
            "note",
        ),
    ]
    return build(
        story,
        pagesize=page,
        title=f"OSHA Form 300A {log.year} {establishment.name}",
        footer=footer(log, "OSHA Form 300A (Rev. 01/2004)"),
    )


def _long_date(value) -> str:
    """Return a date as 'February 1, 2026'."""
    return f"{value:%B} {value.day}, {value.year}"


def _figure(value: int | None) -> str:
    """Return an employment figure with separators, or a request to enter it."""
    return "not entered: add the year's figures to the site" if value is None else f"{value:,}"


def _boxes(items: list[tuple[str, int, str]], width: float) -> Table:
    """Return totals as big numbers over their labels and column letters."""
    numbers = [para(str(value), "title", bold=True) for _, value, _ in items]
    labels = [para(f"{label} {column}", "label") for label, _, column in items]
    column = width / len(items)
    table = Table([numbers, labels], colWidths=[column] * len(items))
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, LINE),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _types(total: Totals, width: float) -> Table:
    """Return the injury and illness type totals M(1)-M(6)."""
    rows = [
        ["Total number of…", "", "", ""],
        ["(M)(1) Injuries", str(total.injuries), "(4) Poisonings", str(total.poisonings)],
        ["(2) Skin disorders", str(total.skin_disorders), "(5) Hearing loss", str(total.hearing_loss)],
        [
            "(3) Respiratory conditions",
            str(total.respiratory_conditions),
            "(6) All other illnesses",
            str(total.other_illnesses),
        ],
    ]
    return grid(
        rows,
        [width * 0.3, width * 0.2, width * 0.3, width * 0.2],
        style="body",
        extra=[("SPAN", (0, 0), (-1, 0))],
    )


def _signature_block(width: float) -> Table:
    """Return the lines a company executive fills in by hand."""
    rows = [
        ["", "", ""],
        ["Company executive", "Title", ""],
        ["", "", ""],
        ["Phone", "Date", ""],
    ]
    cells = [[para(text, "label") for text in row] for row in rows]
    table = Table(cells, colWidths=[width * 0.45, width * 0.35, width * 0.2], rowHeights=[22, 12, 22, 12])
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (1, 0), 0.6, LINE),
                ("LINEBELOW", (0, 2), (1, 2), 0.6, LINE),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 12),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table
