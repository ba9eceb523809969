"""Multi-script text for reportlab PDFs: the vendored Noto fonts, script runs, shaping and bidi.

Works with plain ``reportlab==5.1.0`` + ``uharfbuzz`` (not the ``[bidi]`` extra, whose ``rlbidi`` is not on
PyPI and whose absence makes reportlab silently ignore ``direction="RTL"``). How each script is drawn:

* Latin (Malay, Indonesian, ...) and Han: drawn as given with Noto Sans / the GB2312 cut of Noto Sans SC.
* Devanagari: shaped with HarfBuzz (conjuncts, reph, i-matra). In a ``Paragraph`` that is reportlab's
  ``ParagraphStyle(shaping=1)``; on a canvas it is ``shapeStr``. reportlab shapes each whitespace-separated
  *word* with the font of its first fragment, so a word never mixes a Devanagari font with another font:
  neutral characters next to Devanagari stay in the Devanagari run (``"रिपोर्ट:"``), and where a word still
  changes between a Devanagari font and another font (``"ID:राजेश"``), a space is put at the change.
* Arabic: shaped by ``arabic_reshaper`` (presentation forms), put in display order by python-bidi, then
  drawn unshaped. The Latin, Arabic and Han fonts are registered as ``_PlainTTFont``, which reportlab's
  paragraph shaping skips, so HarfBuzz never re-reverses that display-order text. We call
  ``bidi.algorithm.get_display`` (python-bidi's pure-Python implementation), not ``bidi.get_display``:
  the Rust-backed one in python-bidi 0.6 skips rule L4, so brackets in right-to-left text come out
  backwards (``)حالة(``; python-bidi issue #25). The pure-Python one mirrors them but lacks the
  paired-bracket rule N0, which only matters for a bracketed phrase of one direction whose closing
  bracket is followed by text of the other direction.

Flowing text with Arabic in it cannot be left to reportlab's line breaking, because display order is a
property of a *line*: ``get_display`` on a whole paragraph and then wrapping would put the end of the
sentence on the first line. ``BidiParagraph`` therefore wraps the logical text itself at the width it is
given (measuring reshaped Arabic and shaped Devanagari exactly as reportlab will), runs ``get_display`` on
each line, and hands reportlab the lines joined by ``<br/>``. A paragraph's direction follows the Unicode
bidi rule (its first strong character), as Flutter's does in the app; right-to-left paragraphs are
aligned to the right.
"""

import math
import unicodedata
from pathlib import Path
from typing import NamedTuple
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi.algorithm import get_base_level, get_display
from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.fonts import ps2tt
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedStr, TTFont, shapeStr
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import cleanBlockQuotedText

LATIN = "latin"
DEVANAGARI = "devanagari"
ARABIC = "arabic"
HAN = "han"

# Script -> (regular, bold) registered font names. The Chinese subset has no bold cut: bold Han is regular.
FONTS: dict[str, tuple[str, str]] = {
    LATIN: ("NotoSans", "NotoSans-Bold"),
    DEVANAGARI: ("NotoSansDevanagari", "NotoSansDevanagari-Bold"),
    ARABIC: ("NotoSansArabic", "NotoSansArabic-Bold"),
    HAN: ("NotoSansSC", "NotoSansSC"),
}
# Registered font name -> file in fonts_dir().
FONT_FILES: dict[str, str] = {
    "NotoSans": "NotoSans-Regular.ttf",
    "NotoSans-Bold": "NotoSans-Bold.ttf",
    "NotoSansDevanagari": "NotoSansDevanagari-Regular.ttf",
    "NotoSansDevanagari-Bold": "NotoSansDevanagari-Bold.ttf",
    "NotoSansArabic": "NotoSansArabic-Regular.ttf",
    "NotoSansArabic-Bold": "NotoSansArabic-Bold.ttf",
    "NotoSansSC": "NotoSansSC-GB2312.ttf",
}
SHAPED_FONTS = frozenset(FONTS[DEVANAGARI])
_FALLBACK_ORDER = (LATIN, HAN, DEVANAGARI, ARABIC)  # who draws a character the run's own font lacks

# Unicode blocks whose characters pick a font; everything else that is a letter is Latin (Noto Sans).
_BLOCKS = (
    (0x0600, 0x06FF, ARABIC),
    (0x0750, 0x077F, ARABIC),
    (0x0870, 0x08FF, ARABIC),
    (0x0900, 0x097F, DEVANAGARI),
    (0x1CD0, 0x1CFF, DEVANAGARI),
    (0x2E80, 0x2FDF, HAN),
    (0x3000, 0x312F, HAN),  # CJK punctuation, kana, bopomofo
    (0x31C0, 0x9FFF, HAN),  # strokes, enclosed, compatibility, extension A, unified ideographs
    (0xA8E0, 0xA8FF, DEVANAGARI),
    (0xF900, 0xFAFF, HAN),
    (0xFB50, 0xFDFF, ARABIC),
    (0xFE30, 0xFE4F, HAN),
    (0xFE70, 0xFEFF, ARABIC),
    (0xFF00, 0xFFEF, HAN),  # full-width forms
    (0x20000, 0x3FFFF, HAN),
)
_MARK = "mark"


class Run(NamedTuple):
    """A stretch of text drawn with one script's font."""

    script: str
    text: str


class _PlainTTFont(TTFont):
    """A TrueType font that reportlab's paragraph shaping leaves alone: its text is drawn exactly as given.

    reportlab's ``shapeFragWord`` returns a word unchanged when its font has no ``hbFont`` (its path for
    non-TrueType fonts); raising AttributeError here takes that path.
    """

    @property
    def hbFont(self):  # noqa: N802 - reportlab's name
        """Refuse HarfBuzz shaping (see the class docstring)."""
        raise AttributeError(f"{self.fontName} is drawn unshaped")


def fonts_dir() -> Path:
    """Return the directory holding the vendored font files."""
    return Path(__file__).resolve().parent.parent / "assets" / "fonts"


def register_fonts() -> None:
    """Register the Noto fonts and their bold families with reportlab; calling it again does nothing."""
    registered = set(pdfmetrics.getRegisteredFontNames())
    if registered.issuperset(FONT_FILES):
        return
    for name, file_name in FONT_FILES.items():
        if name in registered:
            continue
        path = fonts_dir() / file_name
        if not path.is_file():
            raise FileNotFoundError(f"font file {path} is missing; run assets/fonts/make_fonts.py")
        font_class = TTFont if name in SHAPED_FONTS else _PlainTTFont
        pdfmetrics.registerFont(font_class(name, str(path)))
    for regular, bold in FONTS.values():
        pdfmetrics.registerFontFamily(regular, normal=regular, bold=bold, italic=regular, boldItalic=bold)


def _script_of(char: str) -> str | None:
    """Return the script whose font draws ``char``, ``_MARK`` for a combining mark, None for a neutral."""
    if char.isspace():
        return None
    code = ord(char)
    for start, stop, script in _BLOCKS:
        if start <= code <= stop:
            return script
    category = unicodedata.category(char)
    if category in ("Mn", "Mc", "Me"):
        return _MARK
    return LATIN if category.startswith("L") else None


def script_runs(text: str) -> list[Run]:
    """Split ``text`` into runs by script, attaching spaces, digits and punctuation to a neighbour.

    A neutral stretch between two runs of the same script joins them. Between different scripts, the
    neutrals up to and including the last space stay with the run before (so ``"रिपोर्ट: "`` keeps its
    colon), and those after it (an opening bracket or quote) go with the run after. Neutrals with no run
    before them go with the run after; text with no letters at all is one Latin run.
    """
    kinds: list[str | None] = []
    for char in text:
        kind = _script_of(char)
        if kind == _MARK:
            kind = kinds[-1] if kinds else None
        kinds.append(kind)
    i = 0
    while i < len(kinds):
        if kinds[i] is not None:
            i += 1
            continue
        j = i
        while j < len(kinds) and kinds[j] is None:
            j += 1
        before = kinds[i - 1] if i else None
        after = kinds[j] if j < len(kinds) else None
        if before is None or after is None or before == after:
            fill = [before or after or LATIN] * (j - i)
        else:
            spaces = [k for k in range(i, j) if text[k].isspace()]
            cut = spaces[-1] + 1 if spaces else j
            fill = [before] * (cut - i) + [after] * (j - cut)
        kinds[i:j] = fill
        i = j
    runs: list[Run] = []
    for char, kind in zip(text, kinds, strict=True):
        if runs and runs[-1].script == kind:
            runs[-1] = Run(kind, runs[-1].text + char)
        else:
            runs.append(Run(kind, char))
    return runs


def _has_glyph(font_name: str, char: str) -> bool:
    """Tell whether a registered font maps ``char`` to a glyph."""
    return ord(char) in pdfmetrics.getFont(font_name).face.charToGlyph


def _font_pieces(text: str, bold: bool) -> list[tuple[str, str]]:
    """Return (font name, text) pieces: each run's font, or a fallback font for characters it lacks."""
    register_fonts()
    pieces: list[tuple[str, str]] = []
    for run in script_runs(text):
        own = FONTS[run.script][bold]
        for char in run.text:
            font = own
            if not _has_glyph(own, char):
                font = next(
                    (f for s in _FALLBACK_ORDER if _has_glyph(f := FONTS[s][bold], char)),
                    own,
                )
            if pieces and pieces[-1][0] == font:
                pieces[-1] = (font, pieces[-1][1] + char)
            else:
                pieces.append((font, char))
    return pieces


def _separate_shaped(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Put a space where a word changes between a Devanagari font and another font (see module docstring)."""
    out = list(pieces)
    for k in range(len(out) - 1):
        (font_a, text_a), (font_b, text_b) = out[k], out[k + 1]
        if (
            (font_a in SHAPED_FONTS or font_b in SHAPED_FONTS)
            and not text_a[-1].isspace()
            and not text_b[0].isspace()
        ):
            out[k] = (font_a, text_a + " ")
    return out


def _has_script(text: str, script: str) -> bool:
    """Tell whether any character of ``text`` belongs to ``script``."""
    return any(_script_of(char) == script for char in text)


def is_rtl(text: str) -> bool:
    """Tell whether ``text`` reads right to left: its first strong character is right-to-left (Unicode P2)."""
    return get_base_level(text) == 1


def visual_order(text: str, rtl: bool | None = None) -> str:
    """Return one line of text in display order: Arabic joined by arabic_reshaper, then python-bidi.

    ``rtl`` forces the line's base direction; by default it is ``is_rtl(text)``. Text without Arabic is
    returned unchanged.
    """
    if not _has_script(text, ARABIC):
        return text
    direction = is_rtl(text) if rtl is None else rtl
    return get_display(arabic_reshaper.reshape(text), base_dir="R" if direction else "L")


def _shaped(font: str, text: str, size: float) -> tuple[str, float]:
    """Return ``text`` as reportlab will draw it in ``font`` (shaped for Devanagari) and its width."""
    if font in SHAPED_FONTS:
        shaped = shapeStr(text, font, size)
        if isinstance(shaped, ShapedStr):
            return shaped, sum(data.x_advance for data in shaped.__shapeData__) * size / 1000
    return text, pdfmetrics.stringWidth(text, font, size)


def missing_glyphs(text: str, bold: bool = False) -> list[str]:
    """Return the characters of ``text`` that no vendored font can draw (they would print as empty boxes)."""
    missing = {
        char
        for font, piece in _font_pieces(text, bold)
        for char in piece
        if unicodedata.category(char) != "Cc" and not char.isspace() and not _has_glyph(font, char)
    }
    return sorted(missing)


def draw_text(
    canvas: Canvas, x: float, y: float, text: str, size: float, bold: bool = False, align: str = "left"
) -> float:
    """Draw one line of mixed-script text on a canvas and return its width.

    ``align`` is "left" (``x`` is the left edge), "right" (``x`` is the right edge) or "center".
    Line breaks in ``text`` are drawn as spaces.
    """
    if align not in ("left", "right", "center"):
        raise ValueError(f"align must be 'left', 'right' or 'center', not {align!r}")
    line = " ".join(text.splitlines())
    drawn = [(font, *_shaped(font, piece, size)) for font, piece in _font_pieces(visual_order(line), bold)]
    width = sum(piece_width for _, _, piece_width in drawn)
    cursor = {"left": x, "right": x - width, "center": x - width / 2}[align]
    canvas.saveState()
    for font, piece, piece_width in drawn:
        canvas.setFont(font, size)
        canvas.drawString(cursor, y, piece)
        cursor += piece_width
    canvas.restoreState()
    return width


def _line_markup(text: str, bold: bool, shaping: bool) -> str:
    """Return reportlab markup for one display-order line: XML-escaped text in ``<font>`` runs."""
    pieces = _font_pieces(text, bold)
    if shaping:
        pieces = _separate_shaped(pieces)
    return "".join(f'<font name="{font}">{escape(piece)}</font>' for font, piece in pieces)


def _word_width(word: str, size: float, bold: bool, shaping: bool) -> float:
    """Return the width reportlab will give one logical word (Arabic reshaped, Devanagari shaped)."""
    if _has_script(word, ARABIC):
        word = arabic_reshaper.reshape(word)
    pieces = _font_pieces(word, bold)
    if shaping:
        pieces = _separate_shaped(pieces)
    return sum(_shaped(font, piece, size)[1] for font, piece in pieces)


def _wrap_logical(text: str, width: float, size: float, bold: bool, shaping: bool) -> list[str]:
    """Break one logical line into lines no wider than ``width``; a longer word gets a line of its own."""
    words = text.split()
    if not words:
        return [""]
    space = max(pdfmetrics.stringWidth(" ", FONTS[script][bold], size) for script in FONTS)
    lines: list[list[str]] = [[]]
    used = 0.0
    for word in words:
        word_width = _word_width(word, size, bold, shaping)
        if lines[-1] and used + space + word_width > width + 1e-6:
            lines.append([])
        used = word_width if not lines[-1] else used + space + word_width
        lines[-1].append(word)
    return [" ".join(line) for line in lines]


class BidiParagraph(Paragraph):
    """A Paragraph with Arabic in it: wraps its logical text itself, then puts each line in display order."""

    # Class defaults: the first piece reportlab's split() makes (``cls(None, style, frags=...)``) is plain.
    _logical_lines: tuple[str, ...] | None = None
    _bold = False
    _rtl = False
    _laid_out_width: float | None = None
    _display_lines: tuple[tuple[int, str], ...] = ()

    @classmethod
    def from_text(cls, text: str, style: ParagraphStyle, *, bold: bool, rtl: bool) -> "BidiParagraph":
        """Build the paragraph from logical text (``\\n`` breaks lines); wrap() lays it out for a width."""
        para = cls("", style)
        para._logical_lines, para._bold, para._rtl = tuple(text.split("\n")), bold, rtl
        para._lay_out(math.inf)
        return para

    def _lay_out(self, width: float) -> None:
        """Break the logical lines at ``width`` and set up the display-order lines as paragraph markup."""
        shaping = bool(self.style.shaping)
        self._display_lines = tuple(
            (index, line)
            for index, logical_line in enumerate(self._logical_lines)
            for line in _wrap_logical(logical_line, width, self.style.fontSize, self._bold, shaping)
        )
        markup = "<br/>".join(
            _line_markup(visual_order(line, self._rtl), self._bold, shaping)
            for _, line in self._display_lines
        )
        self._setup(markup, self.style, self.bulletText, None, cleanBlockQuotedText)
        self._laid_out_width = width

    def wrap(self, availWidth, availHeight):  # noqa: N803 - reportlab's signature
        """Re-break the logical text for this width, then let reportlab measure the display-order lines."""
        if self._logical_lines is not None:
            style = self.style
            width = availWidth - style.leftIndent - style.rightIndent - max(style.firstLineIndent, 0)
            if width != self._laid_out_width:
                self._lay_out(width)
        return super().wrap(availWidth, availHeight)

    def split(self, availWidth, availHeight):  # noqa: N803 - reportlab's signature
        """Split like a Paragraph, but make the rest a new BidiParagraph so it is re-broken for its frame."""
        pieces = super().split(availWidth, availHeight)
        if self._logical_lines is None or len(pieces) != 2:
            return pieces
        first = pieces[0]
        rest: dict[int, list[str]] = {}
        for index, line in self._display_lines[len(first.blPara.lines) :]:
            rest.setdefault(index, []).append(line)
        style = self.style
        if style.firstLineIndent:
            style = ParagraphStyle(f"{style.name}+rest", parent=style, firstLineIndent=0)
        text = "\n".join(" ".join(lines) for lines in rest.values())
        return [first, BidiParagraph.from_text(text, style, bold=self._bold, rtl=self._rtl)]


_MIRRORED_ALIGNMENT = {TA_LEFT: TA_RIGHT, TA_JUSTIFY: TA_RIGHT, TA_RIGHT: TA_LEFT}


def _base_style(style: str | ParagraphStyle) -> ParagraphStyle:
    """Return ``style`` itself, or the reportlab sample style of that name ("Normal", "Title", ...)."""
    if isinstance(style, ParagraphStyle):
        return style
    sheet = getSampleStyleSheet()
    if style not in sheet:
        raise ValueError(
            f"unknown paragraph style {style!r}; use a ParagraphStyle or one of {sorted(sheet.byName)}"
        )
    return sheet[style]


def _is_bold_font(font_name: str) -> bool:
    """Tell whether a style's font is a bold face (e.g. the sample "Title" uses Helvetica-Bold)."""
    try:
        return bool(ps2tt(font_name)[1])
    except ValueError:
        return False


def paragraph(text: str, style: str | ParagraphStyle, bold: bool = False) -> Paragraph:
    """Return a flowing Paragraph for plain text in any mix of scripts (``\\n`` starts a new line).

    ``style`` is a ParagraphStyle or a reportlab sample style name; its size, leading, colour and
    alignment are kept, its font is replaced by the script fonts (bold if ``bold`` or the style's font
    is bold). Text with Arabic in it becomes a ``BidiParagraph``; right-to-left text is right-aligned.
    """
    register_fonts()
    base = _base_style(style)
    bold = bold or _is_bold_font(base.fontName)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    shaping = _has_script(text, DEVANAGARI)
    para_style = ParagraphStyle(
        f"{base.name}+scripts", parent=base, fontName=FONTS[LATIN][bold], shaping=int(shaping), wordWrap=None
    )
    if not _has_script(text, ARABIC):
        return Paragraph(
            "<br/>".join(_line_markup(line, bold, shaping) for line in text.split("\n")), para_style
        )
    rtl = is_rtl(text)
    if rtl:
        para_style.alignment = _MIRRORED_ALIGNMENT.get(base.alignment, base.alignment)
    para_style.splitLongWords = 0  # the lines are already broken; never re-break one in display order
    return BidiParagraph.from_text(text, para_style, bold=bold, rtl=rtl)
