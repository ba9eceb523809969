"""Regenerate the vendored fonts in this directory from Debian's Noto packages (build-time tool).

What it writes next to itself (or into ``--out``):

* ``NotoSans``, ``NotoSansDevanagari`` and ``NotoSansArabic`` Regular and Bold ``.ttf``: byte-for-byte
  copies from ``fonts-noto-core`` (``/usr/share/fonts/truetype/noto/``).
* ``NotoSansSC-GB2312.woff2``: Noto Sans CJK SC (face 2 of ``NotoSansCJK-Regular.ttc`` from
  ``fonts-noto-cjk``) cut down to the GB2312 character set plus Latin, general punctuation, CJK
  punctuation and full-width forms. WOFF2 keeps the CFF outlines; Flet web (CanvasKit) reads it.
* ``NotoSansSC-GB2312.ttf``: the same subset with its cubic CFF outlines converted to quadratic
  TrueType ``glyf`` outlines, because reportlab only reads TrueType outlines.
* ``OFL.txt``: the copyright and trademark notices read from each written font's ``name`` table,
  followed by the SIL Open Font License 1.1 text taken from Debian's copyright file.

Reproducible: the source timestamps are kept (no ``head.modified`` refresh), so two runs on the same
Debian packages give byte-identical files.

Set-up and run (from the repository root)::

    apt-get install fonts-noto-core fonts-noto-cjk
    .venv/bin/pip install fonttools brotli      # build-time only, not project dependencies
    .venv/bin/python assets/fonts/make_fonts.py
"""

import argparse
import hashlib
import io
import shutil
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

HERE = Path(__file__).resolve().parent
NOTO_CORE_DIR = Path("/usr/share/fonts/truetype/noto")
NOTO_CJK_TTC = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
NOTO_CORE_COPYRIGHT = Path("/usr/share/doc/fonts-noto-core/copyright")
SC_FAMILY = "Noto Sans CJK SC"

COPIED = [
    f"{family}-{weight}.ttf"
    for family in ("NotoSans", "NotoSansDevanagari", "NotoSansArabic")
    for weight in ("Regular", "Bold")
]
SC_WOFF2 = "NotoSansSC-GB2312.woff2"
SC_TTF = "NotoSansSC-GB2312.ttf"

# Code points kept besides GB2312: Basic Latin to IPA (names typed in Latin next to Chinese), general
# punctuation, CJK symbols and punctuation, and half/full-width forms.
EXTRA_RANGES = [(0x20, 0x250), (0x2000, 0x2070), (0x3000, 0x3040), (0xFF00, 0xFFF0)]


def gb2312_code_points() -> set[int]:
    """Return every code point encodable in GB2312 (both bytes in 0xA1-0xFE)."""
    points = set()
    for high in range(0xA1, 0xFF):
        for low in range(0xA1, 0xFF):
            try:
                points.add(ord(bytes([high, low]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return points


def sc_code_points() -> set[int]:
    """Return the code points kept in the Chinese subset."""
    points = gb2312_code_points()
    for start, stop in EXTRA_RANGES:
        points.update(range(start, stop))
    return points


def load_sc_face(ttc_path: Path) -> TTFont:
    """Return the Simplified Chinese face of the Noto Sans CJK collection, checked by its family name."""
    for face in TTCollection(str(ttc_path), recalcTimestamp=False).fonts:
        if face["name"].getDebugName(1) == SC_FAMILY:
            return face
    raise SystemExit(f"{ttc_path} has no face named {SC_FAMILY!r}")


def subset_sc(face: TTFont) -> bytes:
    """Subset the SC face in place to ``sc_code_points()`` and return it serialised as OpenType/CFF."""
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sc_code_points())
    subsetter.subset(face)
    buffer = io.BytesIO()
    face.save(buffer)
    return buffer.getvalue()


def to_woff2(otf: bytes, target: Path) -> None:
    """Write the OpenType font bytes as WOFF2 (needs brotli)."""
    font = TTFont(io.BytesIO(otf), recalcTimestamp=False)
    font.flavor = "woff2"
    font.save(str(target))


def to_truetype(otf: bytes, target: Path) -> None:
    """Convert CFF outlines to quadratic TrueType ``glyf`` outlines and write a .ttf reportlab can read."""
    font = TTFont(io.BytesIO(otf), recalcTimestamp=False)
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name in order:
        advance, _ = hmtx.metrics[name]
        hmtx.metrics[name] = (advance, getattr(glyf.glyphs[name], "xMin", 0))
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["maxp"] = maxp
    font["post"].formatType = 3.0  # no glyph names: CID-keyed source has none worth keeping
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    font.save(str(target))


def ofl_text(copyright_file: Path) -> str:
    """Return the OFL 1.1 text from a Debian (DEP-5) copyright file, re-flowed into plain paragraphs."""
    for stanza in copyright_file.read_text(encoding="utf-8").split("\n\n"):
        lines = stanza.splitlines()
        if lines and lines[0].strip() == "License: OFL-1.1" and len(lines) > 1:
            paragraphs, current = [], []
            for line in lines[1:]:
                if line.strip() == ".":
                    paragraphs.append(" ".join(current))
                    current = []
                else:
                    current.append(line.strip())
            paragraphs.append(" ".join(current))
            return "\n\n".join(paragraphs) + "\n"
    raise SystemExit(f"{copyright_file} has no OFL-1.1 licence text")


def write_licence(out: Path, copyright_file: Path) -> None:
    """Write OFL.txt: each vendored font's own notices, then the licence text."""
    notices = []
    for file_name in [*COPIED, SC_TTF]:
        names = TTFont(str(out / file_name), lazy=True)["name"]
        files = "NotoSansSC-GB2312.ttf and .woff2" if file_name == SC_TTF else file_name
        notices.append(f"{files}: {names.getDebugName(0)} {names.getDebugName(7) or ''}".rstrip())
    text = (
        "Fonts in this directory, written by make_fonts.py from Debian's fonts-noto-core and\n"
        "fonts-noto-cjk packages. NotoSansSC-GB2312.* are Modified Versions of Noto Sans CJK SC\n"
        "(subset to GB2312 and Latin; converted to WOFF2 and to TrueType outlines).\n\n"
        + "\n".join(notices)
        + "\n\nThis Font Software is licensed under the SIL Open Font License, Version 1.1.\n"
        "This license is copied below, and is also available with a FAQ at: https://openfontlicense.org\n\n"
        "-----------------------------------------------------------\n"
        "SIL OPEN FONT LICENSE Version 1.1 - 26 February 2007\n"
        "-----------------------------------------------------------\n\n" + ofl_text(copyright_file)
    )
    (out / "OFL.txt").write_text(text, encoding="utf-8")


def main() -> None:
    """Copy, subset and convert the fonts, write OFL.txt, then print each file's size and SHA-256."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=HERE, help="output directory (default: next to this script)"
    )
    parser.add_argument("--noto-dir", type=Path, default=NOTO_CORE_DIR, help="fonts-noto-core TrueType dir")
    parser.add_argument("--cjk-ttc", type=Path, default=NOTO_CJK_TTC, help="NotoSansCJK-Regular.ttc")
    parser.add_argument("--copyright", type=Path, default=NOTO_CORE_COPYRIGHT, help="Debian copyright file")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    for file_name in COPIED:
        shutil.copyfile(args.noto_dir / file_name, args.out / file_name)
    otf = subset_sc(load_sc_face(args.cjk_ttc))
    to_woff2(otf, args.out / SC_WOFF2)
    to_truetype(otf, args.out / SC_TTF)
    write_licence(args.out, args.copyright)

    for file_name in [*COPIED, SC_WOFF2, SC_TTF, "OFL.txt"]:
        data = (args.out / file_name).read_bytes()
        print(f"{len(data):>10,}  {hashlib.sha256(data).hexdigest()[:16]}  {file_name}")  # noqa: T201


if __name__ == "__main__":
    main()
