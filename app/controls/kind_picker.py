"""The quick path's first question, "what kind of event?", as a grid of big buttons (one tap, gloves on)."""

from __future__ import annotations

from typing import Any

import flet as ft

from app.controls.fields import Editor, RenderContext
from app.controls.widgets import error_line, show_error
from forms.fields import Choice

KIND_BUTTON_HEIGHT = 80


class KindPicker(Editor):
    """A choice field drawn as a grid of large buttons; the chosen one is filled."""

    def __init__(self, ctx: RenderContext, spec: Choice, icons: dict[str, ft.IconData]) -> None:
        super().__init__(ctx, spec)
        self.options = spec.options
        self.icons = icons
        self.chosen: str | None = None
        self.grid = ft.ResponsiveRow(spacing=8, run_spacing=8, key=f"field.{spec.name}")
        self.error = error_line(key=f"field.{spec.name}.error")
        self.control = ft.Column(
            [ft.Text(ctx.label(spec), weight=ft.FontWeight.W_600, size=18), self.grid, self.error], spacing=8
        )
        self.render()

    def render(self) -> None:
        """Draw the buttons, the chosen one filled."""
        buttons: list[ft.Control] = []
        for code in self.options.codes:
            label = self.ctx.option(self.options, code)
            make = ft.FilledButton if code == self.chosen else ft.OutlinedButton
            buttons.append(
                make(
                    content=ft.Text(label, size=15, text_align=ft.TextAlign.CENTER, max_lines=3),
                    icon=self.icons.get(code),
                    height=KIND_BUTTON_HEIGHT,
                    on_click=lambda _e, c=code: self.choose(c),
                    key=f"kind.{code}",
                    col={"xs": 6, "md": 3},
                    style=ft.ButtonStyle(shape=ft.RoundedRectangleBorder(radius=16)),
                )
            )
        self.grid.controls = buttons

    def choose(self, code: str) -> None:
        """Take a tap on a kind."""
        self.chosen = code
        self.render()
        self.emit(code)

    def show(self, value: Any) -> None:
        """Show a stored choice."""
        self.chosen = value if isinstance(value, str) and value in self.options.codes else None
        self.render()

    def set_error(self, message: str | None) -> None:
        """Show a validation message under the grid."""
        show_error(self.error, message)

    @property
    def wide(self) -> bool:
        """The grid takes the full width."""
        return True
