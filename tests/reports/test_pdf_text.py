"""Multi-script PDF text: fonts embedded, Hindi shaped, Arabic joined right to left, Chinese drawn."""

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame

from reports import pdf_text
from reports.pdf_text import ARABIC, DEVANAGARI, FONTS, HAN, LATIN, Run

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
NAMES = ["Siti Nurhaliza binti Ahmad", "Budi Santoso", "राजेश कुमार", "أحمد بن علي", "张伟"]
HINDI = "घटना रिपोर्ट: सुरक्षा निरीक्षक ने क्षति दर्ज की"
ARABIC_REPORT = "تقرير الحادث رقم 42: إصابة عامل"
MIXED = "Pelapor: Budi Santoso / राजेश कुमार / أحمد بن علي / 张伟"
ARABIC_STATEMENT = (
    "تقرير الحادث رقم 42: إصابة عامل في موقع البناء أثناء نقل المواد الثقيلة، "
    "وتم نقله إلى المستشفى رقم 7 لتلقي العلاج (حالة مستقرة)."
)
HINDI_STATEMENT = "कर्मचारी राजेश कुमार को सीढ़ी से गिरने के बाद प्राथमिक उपचार दिया गया और रिपोर्ट 42 दर्ज हुई।"
MALAY_STATEMENT = "Laporan: Siti Nurhaliza binti Ahmad melihat kejadian. 报告人：张伟。 Saksi: أحمد بن علي."
STYLE = ParagraphStyle("body", fontSize=12, leading=16)
DPI = 80
PAGE_W, PAGE_H = A4


def _ink_box(x0: float, x1: float, baseline: float, size: float) -> tuple[int, int, int, int]:
    """Pixel box (left, top, right, bottom) at DPI around a line drawn from x0 to x1 on ``baseline``."""
    scale = DPI / 72
    return (
        int(x0 * scale),
        int((PAGE_H - baseline - size) * scale),
        int(x1 * scale) + 1,
        int((PAGE_H - baseline + 0.35 * size) * scale) + 1,
    )


@pytest.fixture(scope="module")
def page_pdf() -> tuple[Path, dict[str, tuple[int, int, int, int]]]:
    """Build the sample page; return the PDF path and, per drawn line, the pixel box it should ink."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "pdf_text.pdf"
    canvas = Canvas(str(path), pagesize=A4, invariant=1)
    boxes = {}
    y = 800.0
    for text in [*NAMES, HINDI, MIXED]:
        width = pdf_text.draw_text(canvas, 50, y, text, 14, bold=text == MIXED)
        boxes[text] = _ink_box(50, 50 + width, y, 14)
        y -= 24
    width = pdf_text.draw_text(canvas, 545, y, ARABIC_REPORT, 14, bold=True, align="right")
    boxes[ARABIC_REPORT] = _ink_box(545 - width, 545, y, 14)
    frame = Frame(50, 80, 495, y - 100, showBoundary=0)
    frame.addFromList(
        [
            pdf_text.paragraph(ARABIC_STATEMENT, STYLE),
            pdf_text.paragraph(HINDI_STATEMENT, STYLE, bold=True),
            pdf_text.paragraph(MALAY_STATEMENT, STYLE),
        ],
        canvas,
    )
    canvas.showPage()
    canvas.save()
    return path, boxes


def test_script_runs_split_a_mixed_line_by_script():
    """Each script gets its own run; spaces and punctuation go with a sensible neighbour."""
    assert pdf_text.script_runs("Pelapor: राजेश कुमार, (张伟) تقرير 42. Budi") == [
        Run(LATIN, "Pelapor: "),
        Run(DEVANAGARI, "राजेश कुमार, "),
        Run(HAN, "(张伟) "),
        Run(ARABIC, "تقرير 42. "),
        Run(LATIN, "Budi"),
    ]


def test_trailing_punctuation_stays_in_the_devanagari_run():
    """The colon after रिपोर्ट is drawn with the Devanagari font, so the word is shaped as one piece."""
    assert pdf_text.script_runs("घटना रिपोर्ट: Laporan") == [
        Run(DEVANAGARI, "घटना रिपोर्ट: "),
        Run(LATIN, "Laporan"),
    ]
    assert pdf_text.script_runs("Budi (राजेश)") == [Run(LATIN, "Budi "), Run(DEVANAGARI, "(राजेश)")]
    assert pdf_text.script_runs("42") == [Run(LATIN, "42")]


def test_arabic_display_order_keeps_digits_and_joins_letters():
    """Right-to-left words are reversed and joined; the number 42 still reads 42."""
    visual = pdf_text.visual_order(ARABIC_REPORT)
    assert "42" in visual and "24" not in visual
    assert visual.split()[-1] == pdf_text.visual_order("تقرير")  # the first word is at the right end
    letters = [c for c in visual if pdf_text.script_runs(c)[0].script == ARABIC]
    assert letters and all(0xFB50 <= ord(c) <= 0xFEFF for c in letters)  # joined presentation forms


def test_brackets_are_mirrored_in_right_to_left_text():
    """A bracketed Arabic phrase is drawn as (…), not )…(."""
    visual = pdf_text.visual_order("العلاج (حالة مستقرة).")
    assert [c for c in visual if c in "()"] == ["(", ")"]
    assert visual.startswith(".")


def test_every_sample_character_has_a_glyph_and_rare_hanzi_are_reported():
    """All sample names draw with real glyphs; a hanzi outside GB2312 is reported, not silently boxed."""
    pdf_text.register_fonts()
    for script, text in [(LATIN, NAMES[0]), (DEVANAGARI, NAMES[2]), (ARABIC, NAMES[3]), (HAN, NAMES[4])]:
        face = pdfmetrics.getFont(FONTS[script][0]).face
        assert ord(text[0]) in face.charToGlyph
    for text in [*NAMES, HINDI, ARABIC_REPORT, MIXED, MALAY_STATEMENT]:
        assert pdf_text.missing_glyphs(text) == []
        assert pdf_text.missing_glyphs(text, bold=True) == []
    assert pdf_text.missing_glyphs("张堃") == ["堃"]


def test_register_fonts_is_idempotent():
    """A second call keeps the same registered font objects."""
    pdf_text.register_fonts()
    before = {name: pdfmetrics.getFont(name) for name in pdf_text.FONT_FILES}
    pdf_text.register_fonts()
    assert all(pdfmetrics.getFont(name) is font for name, font in before.items())


def test_devanagari_paragraph_is_shaped():
    """The Hindi paragraph carries HarfBuzz output: reph and conjunct glyphs, not one glyph per letter."""
    para = pdf_text.paragraph("रिपोर्ट क्षति", STYLE)
    para.wrap(400, 100)
    shaped = [w.text for line in para.blPara.lines for w in line.words if isinstance(w.text, ShapedStr)]
    assert shaped
    face = pdfmetrics.getFont(FONTS[DEVANAGARI][0]).face
    drawn = [face.charToGlyph[ord(c)] for c in "".join(shaped) if not c.isspace()]
    plain = [face.charToGlyph[ord(c)] for c in "रिपोर्ट क्षति" if not c.isspace()]
    assert drawn != plain
    assert len(drawn) < len(plain)  # र्ट reph and क्ष conjunct: fewer glyphs than code points


def test_arabic_paragraph_wraps_in_reading_order_and_aligns_right():
    """The sentence starts on the first line (at its right end) and ends on the last; lines fit the width."""
    para = pdf_text.paragraph(ARABIC_STATEMENT, STYLE)
    width, height = para.wrap(200, 1000)
    lines = ["".join(w.text for w in line.words) for line in para.blPara.lines]
    assert len(lines) > 2 and height == len(lines) * STYLE.leading
    assert lines[0].endswith(pdf_text.visual_order("تقرير"))
    assert pdf_text.visual_order("مستقرة)") in lines[-1]
    assert all(line.extraSpace >= 0 for line in para.blPara.lines)
    assert para.style.alignment == TA_RIGHT


def test_split_arabic_paragraph_rewraps_the_rest_for_the_next_frame():
    """Split across frames, nothing is lost, the order holds, and the rest is laid out for its own width."""
    para = pdf_text.paragraph(ARABIC_STATEMENT, STYLE)
    para.wrap(150, 1000)
    first, rest = para.split(150, 3 * STYLE.leading)
    rest.wrap(400, 1000)

    def lines(piece):
        return ["".join(w.text for w in line.words) for line in piece.blPara.lines]

    assert len(lines(first)) == 3 and lines(first) == lines(para)[:3]
    drawn = "".join(lines(first) + lines(rest))
    assert sorted(drawn.replace(" ", "")) == sorted("".join(lines(para)).replace(" ", ""))
    assert pdf_text.visual_order("مستقرة)") in lines(rest)[-1]
    assert len(lines(rest)) < len(lines(para)) - 3  # the wider frame needs fewer lines


def test_paragraph_style_names_and_bold():
    """A sample style name works; a bold sample style uses the bold fonts; a wrong name is refused."""
    assert pdf_text.paragraph("Laporan", "Title").style.fontName == FONTS[LATIN][1]
    assert pdf_text.paragraph("Laporan", "Normal").style.fontName == FONTS[LATIN][0]
    with pytest.raises(ValueError, match="unknown paragraph style 'Nope'"):
        pdf_text.paragraph("Laporan", "Nope")


def test_draw_text_rejects_an_unknown_alignment(tmp_path):
    """align must be left, right or center."""
    with pytest.raises(ValueError, match="align must be"):
        pdf_text.draw_text(Canvas(str(tmp_path / "x.pdf")), 0, 0, "Budi", 12, align="middle")


def test_pdf_embeds_every_font_and_keeps_latin_and_chinese_text(page_pdf):
    """Each script's font is embedded as TrueType, no text uses a built-in font, the names are searchable."""
    path, _ = page_pdf
    page = PdfReader(path).pages[0]
    embedded, builtin = {}, []
    for resource, ref in page["/Resources"]["/Font"].items():
        font = ref.get_object()
        if "/FontDescriptor" in font:
            embedded[str(font["/BaseFont"]).split("+")[-1]] = font["/FontDescriptor"].get_object()
        else:
            builtin.append(resource)
    for name in [
        "NotoSans-Regular",
        "NotoSans-Bold",
        "NotoSansDevanagari-Regular",
        "NotoSansDevanagari-Bold",
        "NotoSansArabic-Regular",
        "NotoSansArabic-Bold",
        "NotoSansCJKsc-Regular",
    ]:
        assert name in embedded, sorted(embedded)
        assert "/FontFile2" in embedded[name]
    content = page.get_contents().get_data().decode("latin-1")
    text_objects = [block.split("ET")[0] for block in content.split("BT")[1:]]
    for resource in builtin:  # reportlab's page preamble selects Helvetica but shows no text with it
        assert not any(f"{resource} " in block and "Tj" in block for block in text_objects)
    text = page.extract_text()
    for expected in ["Siti Nurhaliza binti Ahmad", "Budi Santoso", "张伟", "报告人", "42"]:
        assert expected in text


def test_rendered_page_has_ink_where_each_script_is_drawn(page_pdf):
    """Render page 1 with pdftoppm: every script's line leaves ink; an empty margin stays white."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed; CI installs it")
    path, boxes = page_pdf
    prefix = ARTIFACTS / "pdf_text_page"
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-png", "-f", "1", "-l", "1", "-singlefile", str(path), str(prefix)],
        check=True,
    )
    image = Image.open(prefix.with_suffix(".png")).convert("L")
    assert image.getextrema()[0] < 64  # not a blank page

    def dark_pixels(box):
        return sum(1 for value in image.crop(box).getdata() if value < 128)

    for text, box in boxes.items():
        assert dark_pixels(box) > 30, text
    assert dark_pixels(_ink_box(0, 40, 400, 14)) == 0  # left margin: nothing drawn there
