"""The Flet theme: Noto fallbacks in every text slot, font files present, readable colours, RTL switch."""

import dataclasses
import subprocess
import sys
from types import SimpleNamespace

import flet as ft
import pytest

from app import theme

MAGIC = {".ttf": b"\x00\x01\x00\x00", ".woff2": b"wOF2"}


def _luminance(hex_color: str) -> float:
    """WCAG relative luminance of a #RRGGBB colour."""
    channels = [int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    """WCAG contrast ratio between two colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_slots_cover_every_text_theme_field():
    """The 15 slots we fill are exactly the fields of Flet's TextTheme."""
    assert {field.name for field in dataclasses.fields(ft.TextTheme)} == set(theme.TEXT_THEME_SLOTS)
    assert len(theme.TEXT_THEME_SLOTS) == 15


@pytest.mark.parametrize("dark", [False, True])
def test_every_text_slot_falls_back_to_the_bundled_fonts(dark):
    """Each slot lists the Devanagari, Arabic and Chinese families and keeps a readable text colour."""
    built = theme.build_theme(dark=dark)
    assert built.use_material3 and built.color_scheme_seed == theme.SEED_COLOR
    for slot in theme.TEXT_THEME_SLOTS:
        style = getattr(built.text_theme, slot)
        assert style.font_family_fallback == ["NotoSansDevanagari", "NotoSansArabic", "NotoSansSC"], slot
        assert style.color == built.color_scheme.on_surface, slot


def test_every_font_file_exists_and_is_a_font():
    """Each page.fonts path points at a real TrueType or WOFF2 file under the assets dir."""
    fonts = theme.font_map()
    assert set(fonts) == set(theme.FONT_FALLBACK)
    assert fonts["NotoSansSC"].endswith(".woff2")
    for family, relative in fonts.items():
        path = theme.assets_dir() / relative
        assert path.is_file(), family
        assert path.read_bytes()[:4] == MAGIC[path.suffix], family


@pytest.mark.parametrize("dark", [False, True])
def test_text_colours_have_wcag_aa_contrast(dark):
    """Text on every main surface reaches a contrast ratio of at least 4.5:1."""
    scheme = theme.color_scheme(dark)
    for background, text in [
        ("primary", "on_primary"),
        ("secondary", "on_secondary"),
        ("error", "on_error"),
        ("surface", "on_surface"),
        ("surface", "on_surface_variant"),
    ]:
        ratio = _contrast(getattr(scheme, background), getattr(scheme, text))
        assert ratio >= 4.5, (background, text, round(ratio, 2))


@pytest.mark.parametrize("rtl", [True, False])
def test_apply_theme_sets_fonts_themes_and_direction(rtl):
    """apply_theme fills in page.fonts, both themes and page.rtl."""
    page = SimpleNamespace()
    theme.apply_theme(page, rtl=rtl)
    assert page.fonts == theme.font_map()
    assert page.theme == theme.build_theme()
    assert page.dark_theme == theme.build_theme(dark=True)
    assert page.rtl is rtl


def test_theme_module_does_not_import_reportlab():
    """The phone imports app.theme; it must not drag in the PDF stack."""
    code = "import sys, app.theme; sys.exit('reportlab' in sys.modules or 'reports' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=theme.assets_dir().parent).returncode == 0
