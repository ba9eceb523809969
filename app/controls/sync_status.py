"""Where the reports stand: the sync monitor (runs syncs, keeps progress and states) and its badge.

Only the phone's store syncs (`sync_once`, `report_states`); in the web app every report is already
on the server, so the monitor says so and never runs. Syncs start from "Sync now", when
connectivity returns, and when the app comes back to the foreground; one at a time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import flet as ft

from app.controls.widgets import TOUCH, safe_update
from app.store import StoreError

if TYPE_CHECKING:
    from app.shell import Shell

log = logging.getLogger(__name__)


class ReportState(StrEnum):
    """A report's journey as the worker sees it; labels "sync.state.<value>"."""

    SAVED = "saved"
    SENDING = "sending"
    SENT = "sent"
    ATTENTION = "attention"


STORE_STATES = {
    "saved_on_phone": ReportState.SAVED,
    "sending": ReportState.SENDING,
    "on_server": ReportState.SENT,
    "needs_attention": ReportState.ATTENTION,
}
"""The phone store's state names (`sync.outbox`) and what the screens call them."""


@dataclass(frozen=True)
class StateInfo:
    """A report's state, with the server's reason when it needs attention."""

    state: ReportState
    code: str | None = None
    message: str | None = None


@dataclass(frozen=True)
class Progress:
    """How far the running sync is: changes sent (reports, statements), photos and their bytes."""

    reports_done: int = 0
    reports_total: int = 0
    photos_done: int = 0
    photos_total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0

    def advanced(self, reading: Any) -> Progress:
        """Fold in one report from the sync client (its phase says which counters it carries)."""
        phase = getattr(reading, "phase", "")
        if phase == "push":
            return replace(self, reports_done=reading.mutations_done, reports_total=reading.mutations_total)
        if phase == "upload":
            return replace(
                self,
                photos_done=reading.reports_done,
                photos_total=reading.reports_total,
                bytes_done=reading.bytes_done,
                bytes_total=reading.bytes_total,
            )
        if phase == "done":
            return replace(
                self,
                reports_done=self.reports_total,
                photos_done=self.photos_total,
                bytes_done=self.bytes_total,
            )
        return self


def read_state(value: Any) -> StateInfo:
    """Read one of the store's report states (`state`, `code`, `message`)."""
    state = STORE_STATES.get(str(getattr(value, "state", "")), ReportState.SAVED)
    return StateInfo(state, getattr(value, "code", None), getattr(value, "message", None) or None)


class SyncMonitor:
    """Runs syncs for one page and tells the screens about progress, states and the last error."""

    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        store = shell.store
        self.supported = callable(getattr(store, "sync_once", None))
        self.running = False
        self.progress = Progress()
        self.last_error: str | None = None
        self.last_error_detail: str = ""
        self.last_success: dt.datetime | None = None
        self.states: dict[str, StateInfo] = {}
        self.listeners: dict[str, Callable[[], None]] = {}

    def listen(self, name: str, listener: Callable[[], None]) -> None:
        """Call `listener` (on the UI loop) on every change; a newer one replaces one of the same name."""
        self.listeners[name] = listener

    def _notify(self) -> None:
        """Tell every listener."""
        for listener in list(self.listeners.values()):
            try:
                listener()
            except Exception:  # a listener of a screen that is gone must not stop the others
                log.debug("sync listener failed", exc_info=True)

    def state_of(self, report_id: object) -> StateInfo:
        """A report's state (on the server unless the phone's outbox says otherwise).

        "Sending" is shown only while a sync runs; between syncs a half-sent report is waiting on the
        phone like any other.
        """
        info = self.states.get(str(report_id), StateInfo(ReportState.SENT))
        if info.state is ReportState.SENDING and not self.running:
            return StateInfo(ReportState.SAVED)
        return info

    @property
    def waiting(self) -> int:
        """How many reports are not on the server yet."""
        return sum(1 for s in self.states.values() if s.state in (ReportState.SAVED, ReportState.SENDING))

    @property
    def attention(self) -> int:
        """How many reports the server refused."""
        return sum(1 for s in self.states.values() if s.state is ReportState.ATTENTION)

    async def refresh_states(self) -> None:
        """Read every report's state from the phone's outbox."""
        read = getattr(self.shell.store, "report_states", None)
        if not callable(read):
            return
        found = await read()
        self.states = {str(key): read_state(value) for key, value in found.items()}
        self._notify()

    def request(self, reason: str) -> None:
        """Start a sync in the background unless one is running (connectivity back, app resumed)."""
        if self.supported and not self.running and self.shell.store.account is not None:
            log.info("sync requested: %s", reason)
            self.shell.spawn(self.sync_now())

    async def sync_now(self) -> None:
        """Run one sync round to the end, showing progress; its error, if any, stays for the sync screen."""
        if not self.supported or self.running:
            return
        loop = asyncio.get_running_loop()
        self.running = True
        self.progress = Progress()
        self._notify()

        def progress(reading: Any) -> None:
            """Take a progress report from the sync (called from the sync's threads)."""
            loop.call_soon_threadsafe(self._progressed, reading)

        try:
            report = await self.shell.store.sync_once(progress)  # type: ignore[attr-defined]
        except StoreError as exc:
            self.last_error, self.last_error_detail = exc.code, exc.detail
        except Exception as exc:  # a sync must never take the app down; the error is shown
            log.exception("sync failed")
            self.last_error, self.last_error_detail = "other", type(exc).__name__
        else:
            error = getattr(report, "error", None)
            self.last_error, self.last_error_detail = error, getattr(report, "message", "") or ""
            if error is None:
                self.last_success = dt.datetime.now(dt.UTC)
        finally:
            self.running = False
        await self.refresh_states()

    def _progressed(self, reading: Any) -> None:
        """Keep a progress report and tell the screens."""
        self.progress = self.progress.advanced(reading)
        self._notify()


class SyncBadge(ft.Container):
    """A compact, tappable line saying whether everything is sent; opens the sync screen."""

    def __init__(self, shell: Shell, *, key: str = "sync_badge") -> None:
        self.shell = shell
        self.icon = ft.Icon(ft.Icons.CLOUD_DONE, size=22)
        self.label = ft.Text("", weight=ft.FontWeight.W_500, key=f"{key}.text")
        super().__init__(
            content=ft.Row([self.icon, self.label], tight=True, spacing=8),
            padding=ft.Padding.symmetric(horizontal=12, vertical=8),
            border_radius=24,
            height=TOUCH,
            key=key,
            on_click=self.open,
            tooltip=None,
        )
        self.show()
        if shell.sync is not None:
            shell.sync.listen(key, self.changed)

    async def open(self, _e: ft.Event | None = None) -> None:
        """Go to the sync screen."""
        await self.shell.go("/sync")

    def changed(self) -> None:
        """Redraw after the monitor changed (outside an event handler)."""
        self.show()
        safe_update(self)

    def show(self) -> None:
        """Pick the words, icon and colours for the current state."""
        t, sync = self.shell.t, self.shell.sync
        if sync is None or not sync.supported:
            text, icon, color = t("sync.badge.server"), ft.Icons.CLOUD_DONE, ft.Colors.PRIMARY_CONTAINER
        elif sync.running:
            text, icon, color = t("sync.badge.sending"), ft.Icons.CLOUD_UPLOAD, ft.Colors.SECONDARY_CONTAINER
        elif sync.attention:
            text = t("sync.badge.attention", n=sync.attention)
            icon, color = ft.Icons.ERROR, ft.Colors.ERROR_CONTAINER
        elif sync.waiting:
            text = t("sync.badge.waiting", n=sync.waiting)
            icon, color = ft.Icons.CLOUD_QUEUE, ft.Colors.TERTIARY_CONTAINER
        else:
            text, icon, color = t("sync.badge.all_sent"), ft.Icons.CLOUD_DONE, ft.Colors.PRIMARY_CONTAINER
        self.label.value = text
        self.icon.icon = icon
        self.bgcolor = color
