"""PDF checks for the report tests: text as pypdf extracts it, golden files, pages rendered by pdftoppm."""

from __future__ import annotations

import difflib
import io
import os
import re
import subprocess
import tempfile
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

GOLDEN = Path(__file__).resolve().parents[1] / "reports" / "golden"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
UPDATE = "IMS_UPDATE_GOLDEN"


PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def pdf_text(data: bytes) -> str:
    """Return the text of every page, one '=== page N ===' line before each, spaces collapsed per line.

    Shaped Devanagari clusters have no Unicode of their own: reportlab maps them to private-use code
    points numbered in the order the process first drew them, so they are all shown as U+FFFD.
    """
    reader = PdfReader(io.BytesIO(data))
    out = []
    for number, page in enumerate(reader.pages, start=1):
        out.append(f"=== page {number} ===")
        text = PRIVATE_USE.sub("\ufffd", page.extract_text())
        out += [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    return "\n".join(out) + "\n"


def assert_golden(name: str, text: str) -> None:
    """Compare text with tests/reports/golden/NAME; with IMS_UPDATE_GOLDEN=1 set, write it instead."""
    path = GOLDEN / name
    if os.environ.get(UPDATE):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "\n".join(
            difflib.unified_diff(expected.splitlines(), text.splitlines(), "golden", "now", lineterm="", n=1)
        )
        raise AssertionError(f"{name} differs from its golden file (review, then {UPDATE}=1):\n{diff}")


def render_page(data: bytes, name: str, page: int = 1, dpi: int = 60) -> Image.Image:
    """Render one page with pdftoppm, keep it as tests/artifacts/NAME.png, and return it as RGB."""
    ARTIFACTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "doc.pdf"
        source.write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), "-singlefile", str(source),
             str(Path(tmp) / "page")],
            check=True,
            timeout=60,
        )  # fmt: skip
        image = Image.open(Path(tmp) / "page.png").convert("RGB")
    image.save(ARTIFACTS / f"{name}.png")
    return image


def ink(
    image: Image.Image, box: tuple[float, float, float, float], *, colour: tuple[int, int, int] | None = None
) -> int:
    """Count pixels in a box (fractions of the page: left, top, right, bottom) that are not white,
    or that are close to a colour when one is given."""
    width, height = image.size
    left, top, right, bottom = box
    crop = image.crop((int(left * width), int(top * height), int(right * width), int(bottom * height)))
    if colour is None:
        return sum(1 for pixel in crop.getdata() if sum(pixel) < 600)
    return sum(
        1 for pixel in crop.getdata() if all(abs(a - b) < 40 for a, b in zip(pixel, colour, strict=True))
    )
