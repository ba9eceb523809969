"""Bar charts drawn with reportlab graphics (no matplotlib), rendered to SVG or PDF."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics import renderPDF, renderSVG
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from reports import pdf_text

FONT = pdf_text.FONTS[pdf_text.LATIN][0]
BOLD = pdf_text.FONTS[pdf_text.LATIN][1]
PALETTE = (colors.HexColor("#1a73e8"), colors.HexColor("#e8710a"), colors.HexColor("#188038"))


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    caption: str,
    *,
    digits: int = 2,
    width: float = 500,
    height: float = 250,
) -> Drawing:
    """Return a titled vertical bar chart; a None value draws no bar and is labelled 'n/a'.

    `series` is [(name, values per category)]; with more than one series a legend names them. The
    caption (for example the rate bases) is printed under the chart.
    """
    pdf_text.register_fonts()
    drawing = Drawing(width, height)
    drawing.add(String(8, height - 16, title, fontName=BOLD, fontSize=11))
    chart = VerticalBarChart()
    chart.x, chart.y = 44, 52
    chart.width, chart.height = width - 60 - (90 if len(series) > 1 else 0), height - 92
    chart.data = [[0.0 if v is None else float(v) for v in values] for _, values in series]
    chart.barLabelFormat = "values"
    chart.barLabelArray = [
        ["n/a" if v is None else f"{v:,.{digits}f}" for v in values] for _, values in series
    ]
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    chart.categoryAxis.categoryNames = list(categories)
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 0 if len(categories) <= 6 else 30
    chart.categoryAxis.labels.boxAnchor = "n" if len(categories) <= 6 else "ne"
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    peak = max((max(row) for row in chart.data if row), default=0.0)
    chart.valueAxis.valueMax = peak * 1.2 if peak > 0 else 1
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dadce0")
    chart.groupSpacing = 8
    for index in range(len(series)):
        chart.bars[index].fillColor = PALETTE[index % len(PALETTE)]
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    if len(series) > 1:
        legend = Legend()
        legend.x, legend.y = width - 96, height - 40
        legend.fontName = FONT
        legend.fontSize = 8
        legend.alignment = "right"
        legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], name) for i, (name, _) in enumerate(series)]
        drawing.add(legend)
    drawing.add(String(8, 8, caption, fontName=FONT, fontSize=7, fillColor=colors.HexColor("#5f6368")))
    return drawing


def to_svg(drawing: Drawing) -> str:
    """Return the chart as an SVG document."""
    return renderSVG.drawToString(drawing)


def to_pdf(drawing: Drawing) -> bytes:
    """Return the chart as a one-page PDF (reproducible: invariant=1)."""
    return renderPDF.drawToString(drawing, invariant=1)
