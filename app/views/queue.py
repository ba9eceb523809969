"""The incident queue: filtered by site, priority and status, most urgent first, overdue marked in words.

Filters live in the route (`/queue?site=<id>&priority=P1&status=reported`), so Back and a redraw keep
them. A reported incident is acknowledged (and commanded) with one tap on its card.
"""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlencode

import flet as ft

from app.controls.widgets import note
from app.queries_staff import StaffSite, staff_sites
from app.queries_workflow import QueueRow, queue_rows
from app.shell import Shell
from app.views.common import KIND_ICONS, kind_label
from app.views.workflow_common import (
    Countdown,
    Problem,
    action_row,
    badge,
    button,
    can,
    local_time,
    perform,
    priority_badge,
    staff_screen,
    start_ticker,
    status_badge,
    update_countdown,
)
from models.enums import IncidentStatus, Priority

ALL = "all"


def filters_of(route: str) -> dict[str, str]:
    """The queue's filters from its route's query string (unknown values are dropped)."""
    query = parse_qs(route.partition("?")[2])
    found = {name: values[0] for name, values in query.items() if values and values[0] != ALL}
    clean: dict[str, str] = {}
    if found.get("priority") in {p.value for p in Priority}:
        clean["priority"] = found["priority"]
    if found.get("status") in {s.value for s in IncidentStatus}:
        clean["status"] = found["status"]
    try:
        clean["site"] = str(uuid.UUID(found["site"]))
    except (KeyError, ValueError):
        pass
    return clean


def queue_route(filters: dict[str, str]) -> str:
    """The route of the queue with these filters."""
    chosen = {k: v for k, v in sorted(filters.items()) if v and v != ALL}
    return "/queue" + (f"?{urlencode(chosen)}" if chosen else "")


def row_countdowns(shell: Shell, row: QueueRow) -> list[Countdown]:
    """The clocks of a queue row: the acknowledgement while reported, then the next status update."""
    t = shell.t
    found = []
    if row.status is IncidentStatus.REPORTED and row.ack_due_at is not None:
        found.append(
            Countdown(
                t, t("wf.clock.ack"), due_at=row.ack_due_at, started_at=row.reported_at, key=f"ack-{row.id}"
            )
        )
    if row.next_update_due_at is not None:
        found.append(update_countdown(t, row.next_update_due_at, row.priority, key=f"update-{row.id}"))
    return found


def queue_card(shell: Shell, row: QueueRow, timezone: str, countdowns: list[Countdown]) -> ft.Control:
    """One incident of the queue: priority, title, facts, clocks, and Acknowledge while it is reported."""
    t = shell.t
    problem = Problem(key=f"problem-{row.id}")

    async def open_incident(_e: ft.Event | None = None) -> None:
        await shell.go(f"/incidents/{row.id}")

    async def acknowledge(_e: ft.Event | None = None) -> None:
        await perform(
            shell,
            "incident.acknowledge",
            {"id": str(row.id), "take_command": True},
            problem,
            done=t("wf.done.acknowledged"),
        )

    place = " / ".join(part for part in (row.site_name, row.area_name) if part)
    facts = [
        row.ref or "",
        kind_label(shell, row.kind),
        place,
        t("wf.queue.reported", time=local_time(row.reported_at, timezone)),
    ]
    flags: list[ft.Control] = [status_badge(t, row.status, key=f"status-{row.id}")]
    if row.overdue:
        flags.insert(
            0,
            badge(
                t("wf.queue.overdue"),
                bgcolor=ft.Colors.RED_700,
                color=ft.Colors.WHITE,
                icon=ft.Icons.ERROR,
                key=f"overdue-{row.id}",
            ),
        )
    if row.escalation_level > 0:
        flags.append(
            badge(
                t("wf.queue.escalated", level=row.escalation_level),
                bgcolor=ft.Colors.DEEP_ORANGE_100,
                color=ft.Colors.BLACK,
                icon=ft.Icons.TRENDING_UP,
                key=f"escalated-{row.id}",
            )
        )
    if row.problem_id is not None:
        flags.append(
            badge(
                t("wf.queue.repeat"),
                bgcolor=ft.Colors.PURPLE_100,
                color=ft.Colors.BLACK,
                icon=ft.Icons.REPEAT,
            )
        )
    commander = (
        t("wf.queue.commander", name=row.commander_name) if row.commander_name else t("wf.queue.no_commander")
    )
    buttons: list[ft.Control] = [
        button(t("wf.queue.open"), open_incident, key=f"open-{row.id}", icon=ft.Icons.OPEN_IN_NEW)
    ]
    account = shell.store.account
    if row.status is IncidentStatus.REPORTED and can(account, "incident.acknowledge", row.site_id):
        buttons.insert(
            0,
            button(
                t("wf.action.acknowledge"),
                acknowledge,
                key=f"ack-button-{row.id}",
                icon=ft.Icons.CHECK,
                filled=True,
            ),
        )
    stripe = ft.Colors.RED_700 if row.overdue else ft.Colors.TRANSPARENT
    return ft.Card(
        ft.Container(
            ft.Column(
                [
                    ft.Row(
                        [
                            priority_badge(t, row.priority, key=f"priority-{row.id}"),
                            ft.Icon(KIND_ICONS.get(row.kind, ft.Icons.REPORT), size=20),
                            ft.Text(
                                row.title,
                                weight=ft.FontWeight.W_600,
                                size=16,
                                expand=True,
                                key=f"title-{row.id}",
                            ),
                        ],
                        vertical_alignment=ft.CrossAxisAlignment.CENTER,
                    ),
                    note(" · ".join(part for part in facts if part)),
                    ft.Row(flags, wrap=True, spacing=6, run_spacing=6),
                    *([ft.Row(countdowns, wrap=True, spacing=6, run_spacing=6)] if countdowns else []),
                    note(commander, key=f"commander-{row.id}"),
                    problem,
                    action_row(buttons),
                ],
                spacing=8,
            ),
            padding=ft.Padding.only(left=14, right=14, top=12, bottom=12),
            border=ft.Border.only(left=ft.BorderSide(6, stripe)),
            on_click=open_incident,
        ),
        col={"xs": 12, "lg": 6},
        semantic_container=False,
        key=f"queue-{row.id}",
    )


def filter_bar(shell: Shell, sites: list[StaffSite], filters: dict[str, str]) -> ft.ResponsiveRow:
    """Site, priority and status menus; choosing one shows the queue again with that filter."""
    t = shell.t

    def menu(name: str, label: str, options: list[tuple[str, str]]) -> ft.Dropdown:
        async def chosen(e: ft.Event[ft.Dropdown]) -> None:
            await shell.go(queue_route({**filters, name: e.control.value or ALL}))

        return ft.Dropdown(
            label=label,
            tooltip=label,
            value=filters.get(name, ALL),
            options=[ft.DropdownOption(key=k, text=v) for k, v in options],
            on_select=chosen,
            key=f"filter.{name}",
            expand=True,
            col={"xs": 12 if name == "site" else 6, "md": 4},
        )

    return ft.ResponsiveRow(
        [
            menu(
                "site",
                t("wf.filter.site"),
                [(ALL, t("wf.filter.all_sites"))] + [(str(s.id), s.name) for s in sites],
            ),
            menu(
                "priority",
                t("wf.filter.priority"),
                [(ALL, t("wf.filter.all_priorities"))]
                + [(p.value, f"{p.value} · {t(f'wf.priority.{p.value}')}") for p in Priority],
            ),
            menu(
                "status",
                t("wf.filter.status"),
                [(ALL, t("wf.filter.open"))] + [(s.value, t(f"status.{s.value}")) for s in IncidentStatus],
            ),
        ],
        spacing=12,
        run_spacing=12,
        key="filters",
    )


async def queue_view(shell: Shell, route: str) -> ft.View:
    """The queue screen for the signed-in officer, supervisor or manager."""
    t = shell.t
    filters = filters_of(route)
    sites = await shell.store.query(staff_sites)
    zones = {s.id: s.timezone for s in sites}
    rows = await shell.store.query(
        queue_rows,
        site_id=uuid.UUID(filters["site"]) if "site" in filters else None,
        priority=filters.get("priority"),
        status=filters.get("status"),
    )
    overdue = sum(1 for row in rows if row.overdue)
    countdowns: list[Countdown] = []
    cards = []
    for row in rows:
        clocks = row_countdowns(shell, row)
        countdowns += clocks
        cards.append(queue_card(shell, row, zones.get(row.site_id, "UTC"), clocks))
    summary = t("wf.queue.summary", n=len(rows), overdue=overdue)
    controls: list[ft.Control] = [
        filter_bar(shell, sites, filters),
        ft.Text(summary, key="queue_summary", weight=ft.FontWeight.W_500),
    ]
    if cards:
        controls.append(ft.ResponsiveRow(cards, spacing=12, run_spacing=12, key="queue"))
    else:
        controls.append(note(t("wf.queue.empty"), key="queue_empty"))
    view = staff_screen(shell, route, t("wf.queue.title"), controls, nav_route="/queue")
    start_ticker(shell, view, countdowns)
    return view
