"""What every screen shares: the store, the translator, the page and navigation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import flet as ft

from app.i18n import Translator
from app.store import Store
from app.theme import apply_theme


@dataclass
class Shell:
    """The app's state for one page (one phone, one browser tab)."""

    page: ft.Page
    store: Store
    t: Translator = field(default_factory=Translator)
    render: Callable[[], Awaitable[None]] | None = None

    def set_language(self, language: str) -> None:
        """Switch the language (and the layout direction) of the whole app."""
        self.t = Translator(language)
        apply_theme(self.page, rtl=self.t.rtl)

    async def go(self, route: str) -> None:
        """Navigate to a route."""
        await self.page.push_route(route)

    async def refresh(self) -> None:
        """Build the current screen again (after a language change, or new data)."""
        if self.render is not None:
            await self.render()

    def toast(self, message: str) -> None:
        """Show a short message at the bottom of the screen."""
        self.page.show_dialog(ft.SnackBar(ft.Text(message)))
