"""The Flet app's entry: build the store, then route between screens. Runs on phone, desktop and web."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import flet as ft

from app.shell import Shell
from app.store import Store
from app.theme import apply_theme
from app.views.home import home_view
from app.views.login import login_view

Main = Callable[[ft.Page], Awaitable[None]]


def make_main(store_factory: Callable[[], Store]) -> Main:
    """Return a Flet `main` that gives every page (phone, browser tab) its own store."""

    async def main(page: ft.Page) -> None:
        shell = Shell(page=page, store=store_factory())
        page.title = shell.t("app.title")
        apply_theme(page, rtl=shell.t.rtl)

        async def route_change(_e: ft.RouteChangeEvent | None = None) -> None:
            if shell.store.account is None:
                view = login_view(shell)
            else:
                view = await home_view(shell)
            page.views.clear()
            page.views.append(view)
            page.update()

        page.on_route_change = route_change
        shell.render = route_change
        await route_change()

    return main


def run() -> None:
    """Start the phone/desktop app (the entry `flet build` packages)."""
    from app.phone_store import PhoneStore
    from app.settings import PhoneSettings

    settings = PhoneSettings.from_env()
    ft.run(make_main(lambda: PhoneStore(settings)))


if __name__ == "__main__":
    run()
