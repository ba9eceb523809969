"""Small building blocks every screen uses: big labelled buttons, headings, error lines, page bodies.

Touch targets are at least 48 dp (56 for the main action of a screen); every button carries visible
text, which is also its accessibility label (and what browser tests find it by).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

TOUCH = 48
"""The smallest height of anything a finger (in a glove) must hit."""
MAIN_ACTION = 56
"""The height of a screen's main action."""
TABLET_WIDTH = 720
"""From this page width on, screens use the tablet layout."""
CONTENT_MAX_WIDTH = 760
"""Forms and lists do not grow wider than this on a tablet or desktop."""

Handler = Callable[..., Any]


def readable(text: str, **kwargs: Any) -> ft.Text:
    """Selectable text that screen readers can read (Flet 1.0.5 web shows selectable text as an empty box)."""
    return ft.Text(text, selectable=True, semantics_label=text, **kwargs)


def main_button(
    text: str, on_click: Handler, *, key: str, icon: ft.IconData | None = None
) -> ft.FilledButton:
    """The one big action of a screen (Save, Sign in): full width, 56 dp tall."""
    return ft.FilledButton(
        content=ft.Text(text, size=18, weight=ft.FontWeight.W_600),
        icon=icon,
        on_click=on_click,
        key=key,
        height=MAIN_ACTION,
        expand=True,
    )


def plain_button(
    text: str, on_click: Handler, *, key: str, icon: ft.IconData | None = None, expand: bool = False
) -> ft.OutlinedButton:
    """A secondary action with visible text, 48 dp tall."""
    # An explicit `expand=False` breaks a wrapping Row in Flet 1.0.5 web (a grey error box): leave it unset.
    return ft.OutlinedButton(
        content=text, icon=icon, on_click=on_click, key=key, height=TOUCH, expand=True if expand else None
    )


def text_button(text: str, on_click: Handler, *, key: str, icon: ft.IconData | None = None) -> ft.TextButton:
    """A light action (Change, Remove) with visible text, 48 dp tall."""
    return ft.TextButton(content=text, icon=icon, on_click=on_click, key=key, height=TOUCH)


def icon_action(icon: ft.IconData, label: str, on_click: Handler, *, key: str) -> ft.IconButton:
    """An icon-only button (48 dp) that still has a name for screen readers and tests.

    The name is the icon's semantics label: one button node named `label` (a tooltip or a Semantics
    wrapper would add a second node or repeat the name).
    """
    return ft.IconButton(icon=ft.Icon(icon, semantics_label=label), on_click=on_click, key=key)


def heading(text: str, *, key: str | None = None) -> ft.Text:
    """A section heading."""
    return ft.Text(text, theme_style=ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.W_600, key=key)


def note(text: str, *, key: str | None = None, visible: bool = True) -> ft.Text:
    """Secondary explanatory text."""
    return ft.Text(
        text,
        theme_style=ft.TextThemeStyle.BODY_MEDIUM,
        color=ft.Colors.ON_SURFACE_VARIANT,
        key=key,
        visible=visible,
    )


def error_line(*, key: str | None = None) -> ft.Text:
    """A hidden error message line; set `.value` and `.visible` to show it."""
    return ft.Text("", color=ft.Colors.ERROR, key=key, visible=False, weight=ft.FontWeight.W_500)


def show_error(line: ft.Text, message: str | None) -> None:
    """Show a message on an error line, or hide the line."""
    line.value = message or ""
    line.visible = bool(message)


def is_tablet(page: ft.Page) -> bool:
    """Whether the page is wide enough for the tablet layout."""
    return bool(page.width and page.width >= TABLET_WIDTH)


def body(controls: list[ft.Control], *, spacing: int = 16) -> ft.Container:
    """A screen's scrolling content: padded, and centred at a readable width on wide screens."""
    return ft.Container(
        ft.Column(controls, spacing=spacing, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
        padding=ft.Padding.symmetric(horizontal=16, vertical=12),
        width=CONTENT_MAX_WIDTH,
    )


def safe_update(control: ft.Control) -> None:
    """Show a change now (mid-handler, or from background work); a control no longer on screen is skipped.

    Flet skips its update at the end of an event handler once `update()` was called during it, which
    would lose every later change of that handler; the flag is reset so that the final update happens.
    """
    try:
        control.update()
    except RuntimeError:
        return
    ft.context.reset_update_called()
