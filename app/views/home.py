"""Home screen: what the signed-in role needs first.

Everyone who reports gets the two big ways to report, drafts to continue and their latest reports
with their states; officers, supervisors and managers also get the incident queue.
"""

from __future__ import annotations

import flet as ft

from app.controls.sync_status import SyncBadge
from app.controls.widgets import MAIN_ACTION, heading, note, plain_button, text_button
from app.i18n import LANGUAGES
from app.queries_reporting import my_reports
from app.shell import Shell
from app.store import IncidentRow
from app.views.common import screen
from app.views.reports import draft_card, report_card
from app.views.workflow_common import staff_nav

RECENT = 3
STAFF_LATEST = 5


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

    async def open_incident(_e: ft.Event | None = None) -> None:
        await shell.go(f"/incidents/{row.id}")

    return ft.ListTile(
        leading=ft.Text(row.priority.value if row.priority else "–", weight=ft.FontWeight.BOLD),
        title=ft.Text(row.title),
        subtitle=ft.Text(subtitle),
        on_click=open_incident,
        key=f"incident-{row.id}",
    )


def report_buttons(shell: Shell) -> ft.Control:
    """The two ways to report: quick (the big one) and the full forms."""
    t = shell.t

    async def quick(_e: ft.Event | None = None) -> None:
        await shell.go("/report/quick")

    async def full(_e: ft.Event | None = None) -> None:
        await shell.go("/report/new")

    return ft.ResponsiveRow(
        [
            ft.Column(
                [
                    ft.FilledButton(
                        content=ft.Text(t("home.quick_report"), size=20, weight=ft.FontWeight.W_700),
                        icon=ft.Icons.BOLT,
                        on_click=quick,
                        key="quick_report",
                        height=MAIN_ACTION + 16,
                    ),
                    note(t("home.quick_hint")),
                ],
                spacing=4,
                horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                col={"xs": 12, "md": 6},
            ),
            ft.Column(
                [
                    ft.OutlinedButton(
                        content=ft.Text(t("home.full_report"), size=17, weight=ft.FontWeight.W_600),
                        icon=ft.Icons.ASSIGNMENT,
                        on_click=full,
                        key="full_report",
                        height=MAIN_ACTION + 16,
                    ),
                    note(t("home.full_hint")),
                ],
                spacing=4,
                horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
                col={"xs": 12, "md": 6},
            ),
        ],
        spacing=12,
        run_spacing=12,
    )


def language_menu(shell: Shell) -> ft.Dropdown:
    """The language of the whole app (Arabic turns the layout right to left)."""

    async def change(e: ft.Event[ft.Dropdown]) -> None:
        shell.set_language(e.control.value or "en")
        await shell.remember_language()
        await shell.refresh()

    return ft.Dropdown(
        label=shell.t("home.language"),
        tooltip=shell.t("home.language"),
        key="language",
        value=shell.t.language,
        options=[ft.DropdownOption(key=code, text=name) for code, name in LANGUAGES.items()],
        on_select=change,
        expand=True,
    )


async def home_view(shell: Shell) -> ft.View:
    """Build the home screen for the signed-in account."""
    t = shell.t
    account = shell.store.account
    assert account is not None
    worker = account.is_worker_only
    roles = ", ".join(sorted({t(f"role.{role.value}") for _site, role in account.roles}))
    if shell.sync is not None:
        await shell.sync.refresh_states()
    drafts = await shell.drafts.for_user(shell.user_id)
    mine = await shell.store.query(my_reports, limit=RECENT)

    async def sign_out(_e: ft.Event | None = None) -> None:
        await shell.store.sign_out()
        await shell.go("/")

    async def all_reports(_e: ft.Event | None = None) -> None:
        await shell.go("/reports")

    controls: list[ft.Control] = [
        ft.Column(
            [
                ft.Text(t("home.signed_in_as", name=account.display_name), key="signed_in_as", size=16),
                note(roles, key="roles"),
            ],
            spacing=2,
        ),
        ft.Row([SyncBadge(shell)]),
        report_buttons(shell),
    ]
    if drafts:
        controls += [
            heading(t("drafts.title"), key="drafts_title"),
            ft.ResponsiveRow([draft_card(shell, d) for d in drafts], spacing=8, run_spacing=8, key="drafts"),
        ]
    controls.append(heading(t("home.recent"), key="recent_title"))
    if mine:
        controls.append(ft.ResponsiveRow([report_card(shell, r) for r in mine], spacing=8, run_spacing=8))
        controls.append(
            ft.Row(
                [text_button(t("home.all_reports"), all_reports, key="all_reports", icon=ft.Icons.LIST_ALT)]
            )
        )
    else:
        controls.append(note(t("home.no_reports"), key="no_reports"))
    if not worker:

        async def open_queue(_e: ft.Event | None = None) -> None:
            await shell.go("/queue")

        rows = await shell.store.incidents(limit=STAFF_LATEST)
        listing: list[ft.Control] = [incident_tile(shell, row) for row in rows] or [note(t("home.empty"))]
        controls += [
            heading(t("home.queue"), key="queue_title"),
            ft.Row([text_button(t("home.open_queue"), open_queue, key="open_queue", icon=ft.Icons.INBOX)]),
            ft.Column(listing, spacing=0, key="incidents"),
        ]
    controls.append(
        ft.Row(
            [
                language_menu(shell),
                plain_button(t("home.sign_out"), sign_out, key="sign_out", icon=ft.Icons.LOGOUT),
            ],
            vertical_alignment=ft.CrossAxisAlignment.CENTER,
        )
    )
    view = screen(shell, "/home", t("app.title"), controls, nav=worker)
    if not worker:
        view.navigation_bar = staff_nav(shell, "/home")
    return view
