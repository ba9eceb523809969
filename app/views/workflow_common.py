"""What the officer's, supervisor's and HSE manager's screens share: their frame and navigation, badges
for priority and status, live countdowns, refusals in the user's words, and running a mutation.

Colours never carry meaning alone: every badge and countdown also has an icon and words.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import flet as ft

from app.controls.clock import short_time, zone_for
from app.controls.widgets import TOUCH, heading, icon_action, note, safe_update
from app.i18n import Translator
from app.shell import Shell
from app.store import Account, MutationResult, StoreError
from models import utcnow
from models.clocks import Obligation, clock_state, next_status_update
from models.enums import ControlLevel, IncidentStatus, Priority, Role
from models.rules import default_rules
from models.workflow import HOLDING_CADENCE_RULE, may

log = logging.getLogger(__name__)

WIDE_MAX_WIDTH = 1240
"""Staff screens use the width of a tablet or desktop, up to this."""
TICK_SECONDS = 30.0
"""How often countdowns move on."""

PRIORITY_COLOURS = {
    Priority.P1: (ft.Colors.RED_700, ft.Colors.WHITE),
    Priority.P2: (ft.Colors.ORANGE_800, ft.Colors.WHITE),
    Priority.P3: (ft.Colors.BLUE_700, ft.Colors.WHITE),
    Priority.P4: (ft.Colors.BLUE_GREY_600, ft.Colors.WHITE),
}
STATE_STYLE: dict[str, tuple[ft.IconData, str, str]] = {
    "ok": (ft.Icons.SCHEDULE, ft.Colors.GREEN_100, ft.Colors.GREEN_900),
    "warning": (ft.Icons.WARNING_AMBER, ft.Colors.AMBER_300, ft.Colors.BLACK),
    "overdue": (ft.Icons.ERROR, ft.Colors.RED_700, ft.Colors.WHITE),
    "met": (ft.Icons.CHECK_CIRCLE, ft.Colors.GREY_300, ft.Colors.BLACK),
}
"""Countdown state -> icon, background, text colour (amber under a quarter of the time, red when late)."""
LEVEL_COLOURS = {
    ControlLevel.ELIMINATION: ft.Colors.GREEN_200,
    ControlLevel.SUBSTITUTION: ft.Colors.LIGHT_GREEN_200,
    ControlLevel.ENGINEERING: ft.Colors.LIME_200,
    ControlLevel.ADMINISTRATIVE: ft.Colors.AMBER_200,
    ControlLevel.PPE: ft.Colors.ORANGE_200,
}
"""Hierarchy-of-controls level -> colour, from the most effective (elimination) to the least (PPE)."""


@dataclass(frozen=True)
class Destination:
    """A main staff screen in the navigation bar."""

    route: str
    label: str
    icon: ft.IconData
    roles: frozenset[Role]


DESTINATIONS = (
    Destination("/home", "nav.home", ft.Icons.HOME_OUTLINED, frozenset(Role)),
    Destination(
        "/queue",
        "wf.nav.queue",
        ft.Icons.INBOX,
        frozenset({Role.SAFETY_OFFICER, Role.SUPERVISOR, Role.HSE_MANAGER, Role.ADMIN}),
    ),
    Destination(
        "/signoffs", "wf.nav.signoffs", ft.Icons.DRAW, frozenset({Role.SUPERVISOR, Role.HSE_MANAGER})
    ),
    Destination(
        "/conflicts",
        "wf.nav.conflicts",
        ft.Icons.CALL_SPLIT,
        frozenset({Role.SAFETY_OFFICER, Role.SUPERVISOR, Role.HSE_MANAGER}),
    ),
    Destination(
        "/dashboard",
        "wf.nav.dashboard",
        ft.Icons.INSIGHTS,
        frozenset({Role.SAFETY_OFFICER, Role.HSE_MANAGER}),
    ),
)


def destinations_for(account: Account) -> list[Destination]:
    """The main staff screens this account may open."""
    return [d for d in DESTINATIONS if account.has(*d.roles)]


def is_staff(account: Account | None) -> bool:
    """Whether the account works incidents (anyone but a reporter-only account)."""
    return account is not None and account.has(
        Role.SAFETY_OFFICER, Role.SUPERVISOR, Role.HSE_MANAGER, Role.ADMIN
    )


def staff_nav(shell: Shell, route: str) -> ft.NavigationBar:
    """The staff screens at the bottom: Home, Queue, Sign-offs, Conflicts, Dashboard (as the roles allow)."""
    account = shell.store.account
    assert account is not None
    shown = destinations_for(account)
    current = next((i for i, d in enumerate(shown) if route.startswith(d.route)), 1 if len(shown) > 1 else 0)

    async def change(e: ft.Event[ft.NavigationBar]) -> None:
        await shell.go(shown[int(e.control.selected_index or 0)].route)

    return ft.NavigationBar(
        destinations=[ft.NavigationBarDestination(icon=d.icon, label=shell.t(d.label)) for d in shown],
        selected_index=current,
        on_change=change,
        key="staff_nav",
    )


def staff_screen(
    shell: Shell,
    route: str,
    title: str,
    controls: list[ft.Control],
    *,
    back: str | None = None,
    nav_route: str | None = None,
) -> ft.View:
    """A staff screen: app bar (Back when `back` is given), a wide scrolling body, the staff navigation."""

    async def go_back(_e: ft.Event | None = None) -> None:
        await shell.go(back or "/queue")

    leading = icon_action(ft.Icons.ARROW_BACK, shell.t("nav.back"), go_back, key="back") if back else None
    return ft.View(
        route=route,
        appbar=ft.AppBar(
            title=ft.Text(title, key="screen_title"),
            leading=leading,
            automatically_imply_leading=False,
        ),
        controls=[
            ft.Container(
                ft.Column(controls, spacing=16, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
                padding=ft.Padding.symmetric(horizontal=16, vertical=12),
                width=WIDE_MAX_WIDTH,
            )
        ],
        navigation_bar=staff_nav(shell, nav_route or route),
        scroll=ft.ScrollMode.AUTO,
        horizontal_alignment=ft.CrossAxisAlignment.CENTER,
        padding=0,
    )


def message_screen(shell: Shell, route: str, title: str, text: str, *, back: str | None = None) -> ft.View:
    """A staff screen that only says something (not found, not for this role, needs a connection)."""
    return staff_screen(shell, route, title, [note(text, key="screen_message")], back=back)


# --- Words ----------------------------------------------------------------------------------------


def enum_word(t: Translator, family: str, value: Any) -> str:
    """An enum value in words: `wf.<family>.<value>`, falling back to the value made readable."""
    raw = str(getattr(value, "value", value))
    key = f"wf.{family}.{raw}"
    text = t(key)
    return text if text != key else raw.replace("_", " ")


def duration_text(t: Translator, span: dt.timedelta) -> str:
    """A span of time to the minute: "3 d 4 h", "2 h 05 min" or "12 min"."""
    minutes = max(0, int(abs(span.total_seconds()) // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return t("wf.dur.days", d=days, h=hours)
    if hours:
        return t("wf.dur.hours", h=hours, m=f"{mins:02d}")
    return t("wf.dur.minutes", m=mins)


def local_time(moment: dt.datetime | None, timezone: str | None) -> str:
    """A time on the site's wall clock ("2025-03-20 14:05"), blank when there is none."""
    return short_time(moment, zone_for(timezone)) if moment is not None else ""


# --- Badges and countdowns -------------------------------------------------------------------------


def badge(
    text: str, *, bgcolor: str, color: str, icon: ft.IconData | None = None, key: str | None = None
) -> ft.Container:
    """A small rounded label; the words (and icon) carry the meaning, the colour only helps."""
    parts: list[ft.Control] = []
    if icon is not None:
        parts.append(ft.Icon(icon, size=16, color=color))
    parts.append(ft.Text(text, size=13, weight=ft.FontWeight.W_600, color=color))
    return ft.Container(
        ft.Row(parts, tight=True, spacing=4),
        bgcolor=bgcolor,
        padding=ft.Padding.symmetric(horizontal=10, vertical=4),
        border_radius=14,
        key=key,
    )


def priority_badge(t: Translator, priority: Priority | None, *, key: str | None = None) -> ft.Container:
    """The priority as a coloured label with its name ("P1 · Critical")."""
    if priority is None:
        return badge(t("wf.priority.none"), bgcolor=ft.Colors.GREY_300, color=ft.Colors.BLACK, key=key)
    bg, fg = PRIORITY_COLOURS[priority]
    return badge(f"{priority.value} · {t(f'wf.priority.{priority.value}')}", bgcolor=bg, color=fg, key=key)


def status_badge(t: Translator, status: IncidentStatus, *, key: str | None = None) -> ft.Container:
    """The incident's lifecycle status in words."""
    return badge(
        t(f"status.{status.value}"),
        bgcolor=ft.Colors.SECONDARY_CONTAINER,
        color=ft.Colors.ON_SECONDARY_CONTAINER,
        icon=ft.Icons.FLAG,
        key=key,
    )


def level_badge(t: Translator, level: str, *, key: str | None = None) -> ft.Container:
    """The hierarchy-of-controls level with its rank (1 elimination, the most effective … 5 PPE)."""
    control = ControlLevel(level)
    rank = list(ControlLevel).index(control) + 1
    return badge(
        t("wf.capa.level", rank=rank, level=t(f"wf.level.{level}")),
        bgcolor=LEVEL_COLOURS[control],
        color=ft.Colors.BLACK,
        icon=ft.Icons.SHIELD,
        key=key,
    )


class Countdown(ft.Container):
    """A live countdown to a due time: words, icon and colour for on time, due soon (under a quarter of
    the time left: amber), overdue (red) or met."""

    def __init__(
        self,
        t: Translator,
        label: str,
        *,
        due_at: dt.datetime,
        started_at: dt.datetime,
        met_at: dt.datetime | None = None,
        now: dt.datetime | None = None,
        key: str | None = None,
    ) -> None:
        icon = ft.Icon(ft.Icons.SCHEDULE, size=18)
        words = ft.Text("", size=13, weight=ft.FontWeight.W_600)
        super().__init__(
            content=ft.Row([icon, words], tight=True, spacing=6),
            padding=ft.Padding.symmetric(horizontal=10, vertical=6),
            border_radius=14,
            key=key,
        )
        self.t = t
        self.label = label
        self.duty = Obligation("countdown", "", due_at, min(started_at, due_at), label, "")
        self.met_at = met_at
        self.icon = icon
        self.words = words
        self.state = ""
        self.tick(now or utcnow())

    def tick(self, now: dt.datetime) -> None:
        """Show the time left (or how late it is) at `now`."""
        t = self.t
        self.state = clock_state(self.duty, now, self.met_at)
        left = self.duty.due_at - now
        if self.met_at is not None:
            when = t("wf.clock.met") if self.state == "met" else t("wf.clock.met_late")
            words = f"{self.label}: {when}"
        elif left < dt.timedelta(0):
            words = f"{self.label}: {t('wf.clock.overdue_by', time=duration_text(t, left))}"
        else:
            words = f"{self.label}: {t('wf.clock.left', time=duration_text(t, left))}"
        icon, bg, fg = STATE_STYLE[self.state]
        self.icon.icon = icon
        self.icon.color = fg
        self.words.value = words
        self.words.color = fg
        self.bgcolor = bg


def update_cadence(priority: Priority | None) -> dt.timedelta:
    """How often an open incident owes a status update: P1 every 30 minutes, P2 hourly; otherwise the
    promise a holding message makes."""
    cadence = default_rules()[HOLDING_CADENCE_RULE].duration
    if priority is not None:
        now = utcnow()
        following = next_status_update(priority.value, now)
        if following is not None:
            cadence = following - now
    return cadence


def update_countdown(t: Translator, due_at: dt.datetime, priority: Priority | None, *, key: str) -> Countdown:
    """The countdown to the next status update, measured over one cadence."""
    started = due_at - update_cadence(priority)
    return Countdown(t, t("wf.clock.update"), due_at=due_at, started_at=started, key=key)


def start_ticker(shell: Shell, view: ft.View, countdowns: Sequence[Countdown]) -> None:
    """Move the countdowns on every TICK_SECONDS while the screen is shown (a task, not a blocking sleep)."""
    if not countdowns:
        return

    async def run() -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            if view not in shell.page.views:
                return
            now = utcnow()
            for countdown in countdowns:
                countdown.tick(now)
            safe_update(view)

    view.data = shell.page.run_task(run)


# --- Refusals and mutations -------------------------------------------------------------------------


def refusal_text(t: Translator, code: str) -> str:
    """Why the server (or the phone) refused, in the user's language."""
    key = f"wf.refusal.{code}"
    text = t(key)
    return text if text != key else t("wf.refusal.other")


class Problem(ft.Column):
    """Where a refusal shows: the reason in the user's words, and the server's own detail under it."""

    def __init__(self, *, key: str) -> None:
        reason = ft.Text("", color=ft.Colors.ERROR, weight=ft.FontWeight.W_600, key=f"{key}.reason")
        detail = ft.Text("", size=12, color=ft.Colors.ON_SURFACE_VARIANT, key=f"{key}.detail")
        super().__init__([reason, detail], spacing=2, visible=False, key=key)
        self.reason = reason
        self.detail = detail

    def show(self, t: Translator, error: StoreError) -> None:
        """Show a refusal."""
        self.reason.value = refusal_text(t, error.code)
        self.detail.value = t("wf.refusal.detail", detail=error.detail) if error.detail else ""
        self.detail.visible = bool(error.detail)
        self.visible = True

    def say(self, text: str) -> None:
        """Show a problem found before asking the store (a missing answer)."""
        self.reason.value = text
        self.detail.visible = False
        self.visible = True

    def clear(self) -> None:
        """Hide the line."""
        self.visible = False


async def perform(
    shell: Shell,
    name: str,
    args: dict[str, Any],
    problem: Problem,
    *,
    done: str | None = None,
    blobs: dict[str, bytes] | None = None,
    refresh: bool = True,
) -> MutationResult | None:
    """Run a mutation through the store; a refusal is shown at `problem`, a success redraws the screen."""
    problem.clear()
    try:
        result = await shell.store.mutate(name, args, blobs=blobs)
    except StoreError as error:
        problem.show(shell.t, error)
        return None
    except Exception:  # what was typed stays on screen; the user can try again
        log.exception("%s failed", name)
        problem.say(shell.t("wf.refusal.other"))
        return None
    if done:
        shell.toast(done)
    if refresh:
        await shell.refresh()
    return result


def new_id() -> str:
    """A fresh id for a record this screen creates (the same id on phone and server)."""
    return str(uuid.uuid4())


def can(account: Account | None, action: str, site_id: uuid.UUID | None) -> bool:
    """Whether the account's site roles allow a workflow action (the server checks again)."""
    return account is not None and may(action, account.roles, site_id)


def section(title: str, controls: list[ft.Control], *, key: str | None = None) -> ft.Container:
    """A titled, outlined block of a screen."""
    return ft.Container(
        ft.Column(
            [heading(title), *controls], spacing=10, horizontal_alignment=ft.CrossAxisAlignment.STRETCH
        ),
        padding=16,
        border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
        border_radius=12,
        key=key,
    )


def action_row(controls: list[ft.Control], *, key: str | None = None) -> ft.Row:
    """Buttons in a row that wraps on a narrow screen."""
    return ft.Row(controls, wrap=True, spacing=8, run_spacing=8, key=key)


def button(
    text: str, on_click: Any, *, key: str, icon: ft.IconData | None = None, filled: bool = False
) -> ft.Control:
    """A labelled button, 48 dp tall; `filled` for the main action of a block."""
    kind = ft.FilledButton if filled else ft.OutlinedButton
    return kind(content=text, icon=icon, on_click=on_click, key=key, height=TOUCH)
