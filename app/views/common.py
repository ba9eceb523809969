"""What the screens have in common: the frame of a screen, the navigation bar, report states and kinds."""

from __future__ import annotations

import flet as ft

from app.controls.sync_status import ReportState, StateInfo
from app.controls.widgets import body, icon_action
from app.shell import Shell
from models.enums import IncidentKind

KIND_ICONS: dict[IncidentKind, ft.IconData] = {
    IncidentKind.INJURY: ft.Icons.PERSONAL_INJURY,
    IncidentKind.ILLNESS: ft.Icons.SICK,
    IncidentKind.NEAR_MISS: ft.Icons.WARNING_AMBER,
    IncidentKind.DANGEROUS_OCCURRENCE: ft.Icons.REPORT,
    IncidentKind.PROPERTY_DAMAGE: ft.Icons.CONSTRUCTION,
    IncidentKind.ENVIRONMENTAL: ft.Icons.WATER_DROP,
    IncidentKind.IT_OUTAGE: ft.Icons.CLOUD_OFF,
    IncidentKind.SECURITY: ft.Icons.SHIELD,
}

NAV_ROUTES = ("/home", "/reports", "/sync")

STATE_STYLE: dict[ReportState, tuple[ft.IconData, str]] = {
    ReportState.SAVED: (ft.Icons.PHONE_ANDROID, ft.Colors.TERTIARY_CONTAINER),
    ReportState.SENDING: (ft.Icons.CLOUD_UPLOAD, ft.Colors.SECONDARY_CONTAINER),
    ReportState.SENT: (ft.Icons.CLOUD_DONE, ft.Colors.PRIMARY_CONTAINER),
    ReportState.ATTENTION: (ft.Icons.ERROR, ft.Colors.ERROR_CONTAINER),
}


def nav_bar(shell: Shell, route: str) -> ft.NavigationBar:
    """Home, My reports and Sync at the bottom of the main screens."""
    t = shell.t

    async def change(e: ft.Event[ft.NavigationBar]) -> None:
        await shell.go(NAV_ROUTES[int(e.control.selected_index or 0)])

    return ft.NavigationBar(
        destinations=[
            ft.NavigationBarDestination(
                icon=ft.Icons.HOME_OUTLINED, selected_icon=ft.Icons.HOME, label=t("nav.home")
            ),
            ft.NavigationBarDestination(icon=ft.Icons.LIST_ALT, label=t("nav.my_reports")),
            ft.NavigationBarDestination(icon=ft.Icons.SYNC, label=t("nav.sync")),
        ],
        selected_index=NAV_ROUTES.index(route) if route in NAV_ROUTES else 0,
        on_change=change,
        key="nav",
    )


def screen(
    shell: Shell,
    route: str,
    title: str,
    controls: list[ft.Control],
    *,
    back: str | None = None,
    nav: bool = False,
    actions: list[ft.Control] | None = None,
) -> ft.View:
    """A screen: app bar (with a named Back button when `back` is given), scrolling centred body."""

    async def go_back(_e: ft.Event | None = None) -> None:
        await shell.go(back or "/home")

    leading = icon_action(ft.Icons.ARROW_BACK, shell.t("nav.back"), go_back, key="back") if back else None
    return ft.View(
        route=route,
        appbar=ft.AppBar(
            title=ft.Text(title, key="screen_title"),
            leading=leading,
            automatically_imply_leading=False,
            actions=actions or [],
        ),
        controls=[body(controls)],
        navigation_bar=nav_bar(shell, route) if nav else None,
        scroll=ft.ScrollMode.AUTO,
        horizontal_alignment=ft.CrossAxisAlignment.CENTER,
        padding=0,
    )


def state_chip(shell: Shell, info: StateInfo, *, key: str | None = None) -> ft.Container:
    """A report's state in words, with the server's reason when it needs attention."""
    icon, color = STATE_STYLE[info.state]
    text = shell.t(f"sync.state.{info.state.value}")
    if info.state is ReportState.ATTENTION:
        text = f"{text}: {reason_text(shell, info)}"
    return ft.Container(
        ft.Row(
            [ft.Icon(icon, size=18), ft.Text(text, size=13, weight=ft.FontWeight.W_500, expand=True)],
            tight=True,
        ),
        bgcolor=color,
        padding=ft.Padding.symmetric(horizontal=10, vertical=4),
        border_radius=16,
        key=key,
    )


def reason_text(shell: Shell, info: StateInfo) -> str:
    """The server's reason for refusing a report, in plain words."""
    key = f"sync.reason.{info.code}"
    text = shell.t(key)
    if text == key:
        text = shell.t("sync.reason.other")
    return text


def kind_label(shell: Shell, kind: IncidentKind) -> str:
    """An incident kind in words."""
    return shell.t(f"kind.{kind.value}")
