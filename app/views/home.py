"""Home screen: what the signed-in role needs first (a worker: their reports; officers: the queue)."""

from __future__ import annotations

import flet as ft

from app.shell import Shell
from app.store import IncidentRow


def incident_tile(shell: Shell, row: IncidentRow) -> ft.ListTile:
    """One incident in a list: priority, title, kind, status, site and time."""
    t = shell.t
    subtitle = " · ".join(
        [
            t(f"kind.{row.kind.value}"),
            t(f"status.{row.status.value}"),
            row.site_name,
            f"{row.occurred_at:%Y-%m-%d %H:%M}",
        ]
    )
    return ft.ListTile(
        leading=ft.Text(row.priority.value if row.priority else "–", weight=ft.FontWeight.BOLD),
        title=ft.Text(row.title),
        subtitle=ft.Text(subtitle),
        key=f"incident-{row.id}",
    )


async def home_view(shell: Shell) -> ft.View:
    """Build the home screen for the signed-in account."""
    t = shell.t
    account = shell.store.account
    assert account is not None
    mine = account.is_worker_only
    rows = await shell.store.incidents(mine=mine)
    roles = ", ".join(sorted({t(f"role.{role.value}") for _site, role in account.roles}))

    async def sign_out(_e: ft.Event | None = None) -> None:
        await shell.store.sign_out()
        await shell.go("/")

    listing: list[ft.Control] = [incident_tile(shell, row) for row in rows] or [ft.Text(t("home.empty"))]
    return ft.View(
        route="/home",
        appbar=ft.AppBar(
            title=ft.Text(t("home.my_reports") if mine else t("home.queue")),
            actions=[
                ft.TextButton(t("home.sign_out"), icon=ft.Icons.LOGOUT, on_click=sign_out, key="sign_out")
            ],
        ),
        controls=[
            ft.Text(t("home.signed_in_as", name=account.display_name), key="signed_in_as"),
            ft.Text(roles, key="roles"),
            ft.ListView(listing, expand=True, key="incidents"),
        ],
    )
