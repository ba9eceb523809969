"""Look of the Flet UI: bundled Noto fonts for Hindi, Arabic and Chinese, and high-contrast colour schemes.

Flet web runs offline (``no_cdn``), so Flutter cannot fetch its own Noto fallbacks and non-Latin text
would show as empty boxes. The fix (verified, see docs/flet-serving-fonts-pdf.md section 2) is to register
the fonts with ``page.fonts`` *and* name them in ``font_family_fallback`` of every ``TextTheme`` slot:
``Theme(font_family=...)`` alone does not help, and a per-``Text`` fallback misses TextField and button
labels. Roboto (bundled with Flutter) stays the primary font for Latin text.

Flet replaces a slot's whole style with the one given here (``TextTheme.copyWith``), which drops the
default text colour; so every slot also carries the scheme's ``on_surface`` colour (sizes and weights
still come from Material's typography). Both the light and the dark theme get the fallbacks, otherwise a
phone in dark mode would show boxes again.
"""

from pathlib import Path

import flet as ft

# Family -> file, relative to the assets dir the app is served with (``assets_dir()``).
FONT_FILES: dict[str, str] = {
    "NotoSansDevanagari": "fonts/NotoSansDevanagari-Regular.ttf",
    "NotoSansArabic": "fonts/NotoSansArabic-Regular.ttf",
    "NotoSansSC": "fonts/NotoSansSC-GB2312.woff2",
}
FONT_FALLBACK: tuple[str, ...] = tuple(FONT_FILES)
TEXT_THEME_SLOTS: tuple[str, ...] = tuple(
    f"{group}_{size}"
    for group in ("display", "headline", "title", "body", "label")
    for size in ("large", "medium", "small")
)
SEED_COLOR = "#00796B"  # teal; the accent (secondary) is safety orange

# Explicit roles on top of the seed-generated scheme; every text/background pair has WCAG contrast >= 4.5.
_LIGHT = {
    "primary": "#00695C",
    "on_primary": "#FFFFFF",
    "secondary": "#FF6D00",
    "on_secondary": "#000000",
    "error": "#B3261E",
    "on_error": "#FFFFFF",
    "surface": "#FFFFFF",
    "on_surface": "#1A1C1C",
    "on_surface_variant": "#3F4947",
    "outline": "#5F6B69",
}
_DARK = {
    "primary": "#4DB6AC",
    "on_primary": "#00201C",
    "secondary": "#FFB74D",
    "on_secondary": "#000000",
    "error": "#F2B8B5",
    "on_error": "#601410",
    "surface": "#101414",
    "on_surface": "#E8EDEB",
    "on_surface_variant": "#BFC9C6",
    "outline": "#89938F",
}


def assets_dir() -> Path:
    """Return the absolute assets dir to serve the app with; ``page.fonts`` paths are relative to it."""
    return Path(__file__).resolve().parent.parent / "assets"


def font_map() -> dict[str, str]:
    """Return the ``page.fonts`` mapping: font family -> file path relative to ``assets_dir()``."""
    return dict(FONT_FILES)


def color_scheme(dark: bool = False) -> ft.ColorScheme:
    """Return the high-contrast colour roles for the light or the dark theme."""
    return ft.ColorScheme(**(_DARK if dark else _LIGHT))


def build_theme(dark: bool = False) -> ft.Theme:
    """Return the Material 3 theme: teal seed, readable colours, Noto fallbacks in every text slot."""
    scheme = color_scheme(dark)
    text_theme = ft.TextTheme(
        **{
            slot: ft.TextStyle(font_family_fallback=list(FONT_FALLBACK), color=scheme.on_surface)
            for slot in TEXT_THEME_SLOTS
        }
    )
    return ft.Theme(
        color_scheme_seed=SEED_COLOR, color_scheme=scheme, use_material3=True, text_theme=text_theme
    )


def apply_theme(page: ft.Page, rtl: bool) -> None:
    """Set the page's fonts, light and dark themes and reading direction (shown at the next update)."""
    page.fonts = font_map()
    page.theme = build_theme()
    page.dark_theme = build_theme(dark=True)
    page.rtl = rtl
