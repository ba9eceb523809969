"""What every screen shares: the store, the translator, the page, navigation, drafts and device services."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import flet as ft

from app.drafts import Drafts
from app.i18n import Translator
from app.store import Store
from app.theme import apply_theme

if TYPE_CHECKING:
    from app.controls.location_panel import Positioning
    from app.controls.sync_status import SyncMonitor
    from app.queries_reporting import SiteChoice

log = logging.getLogger(__name__)

GPS_PLATFORMS = {ft.PagePlatform.ANDROID, ft.PagePlatform.IOS}
LANGUAGE_KEY = "ims.language"
SERVICE_TIMEOUT = 5.0
"""Seconds to wait for a device service (preferences, connectivity) before going on without it."""


@dataclass
class Shell:
    """The app's state for one page (one phone, one browser tab)."""

    page: ft.Page
    store: Store
    t: Translator = field(default_factory=Translator)
    render: Callable[[], Awaitable[None]] | None = None
    drafts: Drafts = field(default_factory=Drafts.in_memory)
    geocoder: Any = None
    online: bool = True
    site: SiteChoice | None = None
    sync: SyncMonitor | None = None
    file_picker: ft.FilePicker | None = None
    location: Positioning | None = None
    services: list[ft.Service] = field(default_factory=list)
    flush: Callable[[], Awaitable[None]] | None = None
    prefs: ft.SharedPreferences | None = None
    autosave_delay: float = 1.0
    """Seconds of quiet after a change before a draft is written."""
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    language_picked: bool = False
    """Whether the person picked a language on the sign-in screen (it then beats the account's)."""

    def set_language(self, language: str) -> None:
        """Switch the language (and the layout direction) of the whole app."""
        self.t = Translator(language)
        apply_theme(self.page, rtl=self.t.rtl)

    async def go(self, route: str) -> None:
        """Navigate to a route (the same route is built again: Flet drops a change to the current route)."""
        if route == self.page.route:
            await self.refresh()
        else:
            await self.page.push_route(route)

    async def refresh(self) -> None:
        """Build the current screen again (after a language change, or new data)."""
        if self.render is not None:
            await self.render()

    def toast(self, message: str) -> None:
        """Show a short message at the bottom of the screen."""
        # No key: two toasts sharing one would be diffed as one control and frozen, and the later
        # one's dismissal then fails with "Frozen controls cannot be updated" (Flet 1.0.5).
        self.page.show_dialog(ft.SnackBar(ft.Text(message)))

    def spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run work in the background (a GPS fix, an address, a sync), keeping it alive until done."""
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        """Forget a finished background task; log a failure (it must never take the app down)."""
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("background work failed", exc_info=task.exception())

    async def idle(self) -> None:
        """Wait for the background work started so far (and what it starts) to finish."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    async def remember_language(self) -> None:
        """Keep the chosen language on this device for the next start."""
        if self.prefs is None:
            return
        try:
            await asyncio.wait_for(self.prefs.set(LANGUAGE_KEY, self.t.language), SERVICE_TIMEOUT)
        except Exception:  # a preference that is not kept is no reason to stop
            log.info("language not remembered", exc_info=True)

    async def remembered_language(self) -> str | None:
        """The language chosen on this device before, if any."""
        if self.prefs is None:
            return None
        try:
            value = await asyncio.wait_for(self.prefs.get(LANGUAGE_KEY), SERVICE_TIMEOUT)
        except Exception:
            log.info("remembered language not readable", exc_info=True)
            return None
        return value if isinstance(value, str) else None

    def start_services(self) -> None:
        """Create the device services this platform has, kept referenced for the page's life."""
        from app.controls.location_panel import DeviceLocation

        page = self.page
        self.file_picker = ft.FilePicker()
        self.prefs = ft.SharedPreferences()
        self.services += [self.file_picker, self.prefs]
        if page.web or page.platform in GPS_PLATFORMS:
            location = DeviceLocation(page)
            self.location = location
            self.services.append(location.geolocator)
            if location.permissions is not None:
                self.services.append(location.permissions)

    @property
    def user_id(self) -> str:
        """The signed-in account's id as text (drafts are kept per account)."""
        account = self.store.account
        return str(account.user_id) if account else ""
