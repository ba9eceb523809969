"""The Flet app's entry: build the store, the services and the sync triggers, then route between screens.

Routes:
  /                                  sign in (every route, until someone is signed in)
  /home                              what the role needs: report buttons, drafts, recent reports, queue
  /report/quick                      the quick path: kind, one line, a photo, the place
  /report/new                        choose a full form
  /report/form/<form_id>             a full form, section by section
  /draft/<draft_id>                  continue a draft (report or witness statement)
  /reports                           my reports with their states, and my drafts
  /reports/<id>                      one report, its photos and witness statements
  /reports/<id>/statement[/<sid>]    take a witness statement (or correct statement <sid>)
  /reports/<id>/details              add details to a filed report (sent as an amendment)
  /sync                              what is still on the phone, Sync now, the last error

Runs on phone, desktop and web.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft

from app.controls.sync_status import SyncMonitor
from app.drafts import Drafts
from app.i18n import Translator
from app.settings import PhoneSettings
from app.shell import SERVICE_TIMEOUT, Shell
from app.store import Store
from app.theme import apply_theme
from app.views.details import details_view
from app.views.home import home_view
from app.views.login import login_view
from app.views.report_form import (
    already_filed,
    choose_form_view,
    form_view,
    no_site_view,
    open_editor,
    quick_view,
)
from app.views.reports import my_reports_view, report_view
from app.views.statement import statement_view
from app.views.sync import sync_view
from forms.quick import QUICK_FORM
from forms.registry import FORMS, FULL_FORMS

log = logging.getLogger(__name__)

Main = Callable[[ft.Page], Awaitable[None]]
FULL_FORM_IDS = {spec.id for spec in FULL_FORMS}
GEOCODER_AGENT = "FieldIMS/0.1 (workplace incident reports)"
PAUSED = {ft.AppLifecycleState.PAUSE, ft.AppLifecycleState.HIDE, ft.AppLifecycleState.INACTIVE}


def parent_of(route: str) -> str:
    """Where Back leads from a route."""
    parts = route.strip("/").split("/")
    if parts[0] == "reports" and len(parts) >= 3:
        return f"/reports/{parts[1]}"
    if parts[0] == "reports" and len(parts) == 2:
        return "/reports"
    if parts[0] == "incidents":
        return "/queue"
    return "/home"


async def build_view(shell: Shell, route: str) -> ft.View:
    """The screen for a route (the sign-in screen while nobody is signed in)."""
    if shell.store.account is None:
        return login_view(shell)
    parts = route.split("?", 1)[0].strip("/").split("/")
    match parts:
        case ["reports"]:
            return await my_reports_view(shell)
        case ["reports", report_id]:
            return await report_view(shell, report_id)
        case ["reports", report_id, "statement"]:
            return await statement_view(shell, report_id)
        case ["reports", report_id, "statement", amends_id]:
            return await statement_view(shell, report_id, amends_id)
        case ["reports", report_id, "details"]:
            return await details_view(shell, report_id)
        case ["report", "quick"]:
            return await editor_view(shell, route, QUICK_FORM.id, None)
        case ["report", "new"]:
            return choose_form_view(shell)
        case ["report", "form", form_id] if form_id in FULL_FORM_IDS:
            return await editor_view(shell, route, form_id, None)
        case ["draft", draft_id]:
            return await draft_view(shell, route, draft_id)
        case ["sync"]:
            return await sync_view(shell)
        case ["queue" | "incidents" | "signoffs" | "conflicts" | "dashboard", *_]:
            from app.views.workflow_routes import staff_view  # staff screens (routes listed there)

            return await staff_view(shell, route)
    return await home_view(shell)


async def editor_view(shell: Shell, route: str, form_id: str, draft: Any) -> ft.View:
    """A report editor (quick or full) for a new report or a draft."""
    editor = await open_editor(shell, form_id, draft)
    if editor is None:
        return no_site_view(shell, route)
    shell.flush = editor.save_draft
    view = quick_view(shell, editor, route) if form_id == QUICK_FORM.id else form_view(shell, editor, route)
    editor.location.start()
    return view


async def draft_view(shell: Shell, route: str, draft_id: str) -> ft.View:
    """Continue a draft: a statement, a quick report or a full form (a draft already filed is dropped)."""
    draft = await shell.drafts.load(draft_id, shell.user_id)
    if draft is None:
        return await home_view(shell)
    if draft.form_id == "statement":
        return await statement_view(
            shell, str(draft.extra.get("incident_id")), draft.extra.get("amends_id"), draft_id=draft.id
        )
    if draft.form_id not in FORMS:
        return await home_view(shell)
    if draft.extra.get("incident_id"):
        return await details_view(shell, str(draft.extra["incident_id"]), draft)
    if await already_filed(shell, draft):
        await shell.drafts.delete(draft.id)
        return await report_view(shell, draft.id)
    return await editor_view(shell, route, draft.form_id, draft)


def make_main(
    store_factory: Callable[[], Store],
    *,
    drafts_factory: Callable[[], Drafts] = Drafts.in_memory,
    geocoder_factory: Callable[[], Any] | None = None,
) -> Main:
    """Return a Flet `main` that gives every page (phone, browser tab) its own store and drafts."""

    async def main(page: ft.Page) -> None:
        shell = Shell(
            page=page,
            store=store_factory(),
            drafts=drafts_factory(),
            geocoder=geocoder_factory() if geocoder_factory else None,
        )
        page.data = shell
        shell.start_services()
        remembered = await shell.remembered_language()
        if remembered:
            shell.t = Translator(remembered)
        page.title = shell.t("app.title")
        apply_theme(page, rtl=shell.t.rtl)
        shell.sync = SyncMonitor(shell)

        async def route_change(_e: ft.RouteChangeEvent | None = None) -> None:
            if shell.flush is not None:
                flush, shell.flush = shell.flush, None
                await flush()
            route = page.route or "/"
            view = await build_view(shell, route)
            if route not in ("/", "/home") and shell.store.account is not None:
                view.can_pop = False
                view.on_confirm_pop = back_pressed
            page.views.clear()
            page.views.append(view)
            page.update()

        async def back_pressed(e: ft.Event[ft.View]) -> None:
            await e.control.confirm_pop(False)
            await shell.go(parent_of(page.route or "/"))

        async def lifecycle(e: ft.AppLifecycleStateChangeEvent) -> None:
            if e.state in PAUSED and shell.flush is not None:
                await shell.flush()
            elif e.state is ft.AppLifecycleState.RESUME and shell.sync is not None:
                shell.sync.request("resumed")

        page.on_route_change = route_change
        page.on_app_lifecycle_state_change = lifecycle
        shell.render = route_change
        if shell.sync.supported:
            watch_connectivity(shell)
        await route_change()
        if shell.sync.supported:
            shell.sync.request("started")

    return main


def watch_connectivity(shell: Shell) -> None:
    """Know whether the device is online, and sync when a connection comes back."""
    connectivity = ft.Connectivity()
    shell.services.append(connectivity)

    def online(kinds: list[ft.ConnectivityType]) -> bool:
        return any(kind is not ft.ConnectivityType.NONE for kind in kinds)

    async def changed(e: ft.ConnectivityChangeEvent) -> None:
        was, shell.online = shell.online, online(e.connectivity)
        if shell.online and not was and shell.sync is not None:
            shell.sync.request("online")

    async def first_look() -> None:
        try:
            kinds = await asyncio.wait_for(connectivity.get_connectivity(), SERVICE_TIMEOUT)
        except Exception:  # no answer: assume online, a failed sync says otherwise
            log.info("connectivity unknown", exc_info=True)
            return
        shell.online = online(kinds)

    connectivity.on_change = changed
    shell.spawn(first_look())


def phone_main(settings: PhoneSettings) -> Main:
    """The phone/desktop app: the local store, drafts in the same file, addresses looked up when online."""
    from app.location import ReverseGeocoder
    from app.phone_store import PhoneStore

    return make_main(
        lambda: PhoneStore(settings),
        drafts_factory=lambda: Drafts.open(settings.database_url),
        geocoder_factory=lambda: ReverseGeocoder(user_agent=GEOCODER_AGENT),
    )


def run() -> None:
    """Start the phone/desktop app (the entry `flet build` packages)."""
    ft.run(phone_main(PhoneSettings.from_env()))


if __name__ == "__main__":
    run()
