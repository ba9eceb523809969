"""Page furniture shared by the report PDFs: styles, paragraphs in any script, tables, footers, formats."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from reports import pdf_text

GREY = colors.HexColor("#5f6368")
LIGHT = colors.HexColor("#e8eaed")
LINE = colors.HexColor("#9aa0a6")
INK = colors.black
MARGIN = 12 * mm

STYLES: dict[str, ParagraphStyle] = {
    "title": ParagraphStyle("title", fontSize=15, leading=19, spaceAfter=2),
    "h2": ParagraphStyle("h2", fontSize=11, leading=14, spaceBefore=8, spaceAfter=3),
    "body": ParagraphStyle("body", fontSize=9, leading=11.5),
    "cell": ParagraphStyle("cell", fontSize=7.5, leading=9),
    "small": ParagraphStyle("small", fontSize=6.5, leading=8, textColor=GREY),
    "tiny": ParagraphStyle("tiny", fontSize=6.2, leading=7.4),
    "label": ParagraphStyle("label", fontSize=7, leading=8.5, textColor=GREY),
    "note": ParagraphStyle("note", fontSize=7.5, leading=9.5, textColor=GREY),
}
"""Named paragraph styles; pdf_text.paragraph swaps in the script fonts."""

Header = Callable[[Canvas, SimpleDocTemplate], None]


def para(text: object, style: str = "body", *, bold: bool = False) -> Paragraph:
    """Return a paragraph of any text (Malay, Hindi, Arabic, Chinese…) in one of STYLES."""
    return pdf_text.paragraph("" if text is None else str(text), STYLES[style], bold=bold)


def grid(
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    *,
    header_rows: int = 1,
    style: str = "cell",
    extra: Sequence[tuple] = (),
) -> Table:
    """Return a ruled table; plain cell values become paragraphs, the header rows are bold and shaded."""
    cells = [
        [value if isinstance(value, Flowable) else para(value, style, bold=r < header_rows) for value in row]
        for r, row in enumerate(rows)
    ]
    table = Table(cells, colWidths=list(widths), repeatRows=header_rows)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.4, LINE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), LIGHT))
    table.setStyle(TableStyle([*commands, *extra]))
    return table


def fields(pairs: Sequence[tuple[str, object]], width: float, *, label_share: float = 0.32) -> Table:
    """Return a two-column table of label: value pairs (an empty value prints as a dash)."""
    rows = [[para(label, "label"), para(_or_dash(value), "body")] for label, value in pairs]
    table = Table(rows, colWidths=[width * label_share, width * (1 - label_share)])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, LIGHT),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _or_dash(value: object) -> str:
    """Return the value as text, or a dash for nothing."""
    text = "" if value is None else str(value)
    return text if text.strip() else "—"


def _footer_canvas(footer: str) -> type[Canvas]:
    """Return a canvas class that prints the footer and 'page x of y' on every page (two passes)."""

    class FooterCanvas(Canvas):
        """A canvas that holds its pages until save() so each footer can name the page count."""

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            """Keep the page's state instead of emitting it now."""
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            """Emit every page with its footer, then write the file."""
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                width = self._pagesize[0]
                self.setStrokeColor(LINE)
                self.setLineWidth(0.4)
                self.line(MARGIN, MARGIN - 4, width - MARGIN, MARGIN - 4)
                self.setFillColor(GREY)
                pdf_text.draw_text(self, MARGIN, MARGIN - 12, footer, 6.5)
                pdf_text.draw_text(
                    self, width - MARGIN, MARGIN - 12, f"page {number} of {total}", 6.5, align="right"
                )
                super().showPage()
            super().save()

    return FooterCanvas


def build(
    flowables: list[Flowable],
    *,
    pagesize: tuple[float, float],
    title: str,
    footer: str,
    header: Header | None = None,
    top_margin: float = MARGIN,
) -> bytes:
    """Lay out the flowables on pages of `pagesize` and return the PDF bytes (reproducible: invariant=1)."""
    pdf_text.register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=top_margin,
        bottomMargin=MARGIN + 4,
        title=title,
        author="Field IMS",
        creator="Field IMS",
        invariant=1,
    )
    on_page = header or (lambda _canvas, _doc: None)
    doc.build(flowables, onFirstPage=on_page, onLaterPages=on_page, canvasmaker=_footer_canvas(footer))
    return buffer.getvalue()


def frame_width(pagesize: tuple[float, float]) -> float:
    """Return the width between the margins of a page."""
    return pagesize[0] - 2 * MARGIN


def us_date(value: dt.date | None) -> str:
    """Return a date as MM/DD/YYYY (OSHA forms), or '' for none."""
    return value.strftime("%m/%d/%Y") if value else ""


def iso_date(value: dt.date | None) -> str:
    """Return a date as YYYY-MM-DD, or '' for none."""
    return value.isoformat() if value else ""


def dmy(value: dt.date | None) -> str:
    """Return a date as DD/MM/YYYY (Malaysian forms), or '' for none."""
    return value.strftime("%d/%m/%Y") if value else ""


def clock_time(value: dt.time | None) -> str:
    """Return a time of day as HH:MM, or '' for none."""
    return value.strftime("%H:%M") if value else ""


def local(value: dt.datetime | None) -> str:
    """Return an aware datetime as 'YYYY-MM-DD HH:MM ZONE' in its own zone, or '' for none."""
    if value is None:
        return ""
    zone = value.strftime("%Z") or value.strftime("%z")
    return f"{value:%Y-%m-%d %H:%M} {zone}".strip()


def yes_no(value: bool | None) -> str:
    """Return Yes / No, or '' when unknown."""
    return "" if value is None else ("Yes" if value else "No")


def number(value: float | None, digits: int = 2) -> str:
    """Return a number with thousands separators and `digits` decimals, or 'n/a' when undefined."""
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"
