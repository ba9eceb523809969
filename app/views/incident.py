"""One incident for the people who work it: a header with its clocks and the lifecycle steps that are
legal now, then tabs (summary, timeline, evidence, investigation, actions, status updates, review,
notification clocks), each at its own route `/incidents/<id>/<tab>`.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import flet as ft

from app.controls.widgets import note
from app.queries_staff import site_people, staff_sites
from app.queries_workflow import incident_detail
from app.shell import Shell
from app.views.capa_board import actions_tab
from app.views.common import kind_label
from app.views.incident_context import TABS, IncidentPage
from app.views.incident_record import clocks_tab, evidence_tab, timeline_tab
from app.views.incident_summary import checklist_lines, summary_tab
from app.views.investigation import investigation_tab
from app.views.review import review_tab
from app.views.status_updates import updates_tab
from app.views.workflow_common import (
    Countdown,
    Problem,
    action_row,
    badge,
    button,
    message_screen,
    perform,
    priority_badge,
    staff_screen,
    start_ticker,
    status_badge,
    update_countdown,
)
from models.enums import IncidentStatus, ResolutionType

Tab = Callable[[IncidentPage], Awaitable[list[ft.Control]]]


def header(page: IncidentPage) -> list[ft.Control]:
    """Title, priority, status, kind and place, and the incident's running clocks."""
    t, d = page.t, page.detail
    flags: list[ft.Control] = [
        priority_badge(t, d.priority, key="incident_priority"),
        status_badge(t, d.status, key="incident_status"),
        badge(
            kind_label(page.shell, d.kind),
            bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
            color=ft.Colors.ON_SURFACE,
        ),
    ]
    if d.ack_overdue or d.update_overdue:
        flags.insert(
            0,
            badge(
                t("wf.queue.overdue"),
                bgcolor=ft.Colors.RED_700,
                color=ft.Colors.WHITE,
                icon=ft.Icons.ERROR,
                key="incident_overdue",
            ),
        )
    if d.privacy_case:
        flags.append(
            badge(
                t("wf.summary.privacy"),
                bgcolor=ft.Colors.PURPLE_100,
                color=ft.Colors.BLACK,
                icon=ft.Icons.LOCK,
            )
        )
    clocks: list[ft.Control] = []
    if d.status is IncidentStatus.REPORTED and d.ack_due_at is not None:
        clocks.append(
            page.track(
                Countdown(
                    t, t("wf.clock.ack"), due_at=d.ack_due_at, started_at=d.reported_at, key="clock.ack"
                )
            )
        )
    if d.next_update_due_at is not None:
        clocks.append(page.track(update_countdown(t, d.next_update_due_at, d.priority, key="clock.update")))
    if d.review_due_at is not None and d.resolved_at is not None:
        completed = d.review.completed_at if d.review is not None else None
        clocks.append(
            page.track(
                Countdown(
                    t,
                    t("wf.clock.review"),
                    due_at=d.review_due_at,
                    started_at=d.resolved_at,
                    met_at=completed,
                    key="clock.review",
                )
            )
        )
    place = " / ".join(p for p in (d.ref or "", d.site_name, d.area_name) if p)
    return [
        ft.Text(
            d.title,
            theme_style=ft.TextThemeStyle.HEADLINE_SMALL,
            weight=ft.FontWeight.W_600,
            key="incident_title",
        ),
        note(place, key="incident_place"),
        ft.Row(flags, wrap=True, spacing=6, run_spacing=6),
        *([ft.Row(clocks, wrap=True, spacing=6, run_spacing=6)] if clocks else []),
    ]


class Lifecycle:
    """The lifecycle steps legal from the incident's status, each with the few answers it needs."""

    def __init__(self, page: IncidentPage) -> None:
        t, d = page.t, page.detail
        self.page = page
        self.problem = Problem(key="lifecycle_problem")
        self.resolution = ft.RadioGroup(
            content=ft.Row(
                [
                    ft.Radio(
                        visual_density=ft.VisualDensity.STANDARD,
                        value=r.value,
                        label=t(f"wf.resolution.{r.value}"),
                        key=f"resolution.{r.value}",
                    )
                    for r in ResolutionType
                ],
            ),
            value=d.resolution_type,
            key="resolution_type",
        )
        self.summary = ft.TextField(
            label=t("wf.close.summary"),
            value=d.resolution_summary,
            multiline=True,
            min_lines=2,
            max_lines=6,
            key="resolution_summary",
        )
        self.restored = ft.Checkbox(
            label=t("wf.check.service_restored"), value=d.service_restored, key="service_restored"
        )
        self.informed = ft.Checkbox(
            label=t("wf.check.affected_informed"), value=d.affected_informed, key="affected_informed"
        )
        self.reason = ft.TextField(label=t("wf.close.reopen_reason"), multiline=True, key="reopen_reason")
        self.change_title = ft.TextField(label=t("wf.close.change_title"), key="change_title", expand=True)
        self.panels: dict[str, ft.Container] = {}

    def panel(self, name: str, controls: list[ft.Control]) -> ft.Container:
        """An inline form opened by its step's button."""
        box = ft.Container(
            ft.Column(controls, spacing=10),
            padding=12,
            border=ft.Border.all(1, ft.Colors.OUTLINE),
            border_radius=8,
            visible=False,
            key=f"panel.{name}",
        )
        self.panels[name] = box
        return box

    def opener(self, name: str) -> Callable[[ft.Event | None], None]:
        """A click handler that shows one panel and hides the others."""

        def show(_e: ft.Event | None = None) -> None:
            for other, box in self.panels.items():
                box.visible = other == name and not box.visible
            self.problem.clear()

        return show

    async def move(self, to: IncidentStatus, **extra: object) -> None:
        """Ask the store to move the incident to `to`."""
        d = self.page.detail
        args = {"id": str(d.id), "to": to.value, **extra}
        await perform(
            self.page.shell,
            "incident.transition",
            args,
            self.problem,
            done=self.page.t(f"wf.done.to.{to.value}"),
        )

    def ticks(self) -> dict[str, object]:
        """The resolution summary and checklist ticks as typed."""
        return {
            "summary": (self.summary.value or "").strip(),
            "service_restored": bool(self.restored.value),
            "affected_informed": bool(self.informed.value),
        }

    async def acknowledge(self, _e: ft.Event | None = None) -> None:
        """Acknowledge and take command."""
        d = self.page.detail
        await perform(
            self.page.shell,
            "incident.acknowledge",
            {"id": str(d.id), "take_command": True},
            self.problem,
            done=self.page.t("wf.done.acknowledged"),
        )

    async def investigate(self, _e: ft.Event | None = None) -> None:
        """Start the investigation."""
        await self.move(IncidentStatus.INVESTIGATING)

    async def resolve(self, _e: ft.Event | None = None) -> None:
        """Resolve as a workaround or a permanent fix."""
        if not self.resolution.value:
            self.problem.say(self.page.t("wf.refusal.resolution_required"))
            return
        await self.move(IncidentStatus.RESOLVED, resolution_type=self.resolution.value, **self.ticks())

    async def close(self, _e: ft.Event | None = None) -> None:
        """Close (the server checks the checklist)."""
        await self.move(IncidentStatus.CLOSED, **self.ticks())

    async def reopen(self, _e: ft.Event | None = None) -> None:
        """Reopen with a reason."""
        reason = (self.reason.value or "").strip()
        if not reason:
            self.problem.say(self.page.t("wf.refusal.reason_required"))
            return
        await self.move(IncidentStatus.INVESTIGATING, reason=reason)

    async def raise_change(self, _e: ft.Event | None = None) -> None:
        """Raise the change request that makes a workaround's permanent fix (and link it)."""
        d = self.page.detail
        title = (self.change_title.value or "").strip()
        if not title:
            self.problem.say(self.page.t("wf.close.change_title_missing"))
            return
        args = {"id": str(uuid.uuid4()), "site_id": str(d.site_id), "title": title, "incident_id": str(d.id)}
        await perform(
            self.page.shell, "change_request.create", args, self.problem, done=self.page.t("wf.done.saved")
        )

    def controls(self) -> list[ft.Control]:
        """The buttons of the legal steps, their forms, and where a refusal shows."""
        page = self.page
        t, d = page.t, page.detail
        if not page.can("incident.transition"):
            return [note(t("wf.lifecycle.read_only"), key="lifecycle_read_only")]
        buttons: list[ft.Control] = []
        panels: list[ft.Control] = []
        allowed = set(d.next_statuses)
        if IncidentStatus.ACKNOWLEDGED in allowed:
            buttons.append(
                button(
                    t("wf.action.acknowledge"),
                    self.acknowledge,
                    key="acknowledge",
                    icon=ft.Icons.CHECK,
                    filled=True,
                )
            )
        if IncidentStatus.INVESTIGATING in allowed and d.status is IncidentStatus.ACKNOWLEDGED:
            buttons.append(
                button(
                    t("wf.action.investigate"),
                    self.investigate,
                    key="investigate",
                    icon=ft.Icons.SEARCH,
                    filled=True,
                )
            )
        if IncidentStatus.RESOLVED in allowed:
            buttons.append(
                button(
                    t("wf.action.resolve"),
                    self.opener("resolve"),
                    key="open_resolve",
                    icon=ft.Icons.DONE_ALL,
                    filled=True,
                )
            )
            panels.append(
                self.panel(
                    "resolve",
                    [
                        ft.Text(t("wf.close.how_resolved"), weight=ft.FontWeight.W_600),
                        self.resolution,
                        self.summary,
                        self.restored,
                        self.informed,
                        action_row(
                            [
                                button(
                                    t("wf.action.confirm_resolve"),
                                    self.resolve,
                                    key="confirm_resolve",
                                    filled=True,
                                )
                            ]
                        ),
                    ],
                )
            )
        if IncidentStatus.CLOSED in allowed:
            buttons.append(
                button(
                    t("wf.action.close"),
                    self.opener("close"),
                    key="open_close",
                    icon=ft.Icons.LOCK,
                    filled=True,
                )
            )
            extra: list[ft.Control] = []
            if (
                d.resolution_type == ResolutionType.WORKAROUND.value
                and d.change_request is None
                and d.problem is None
            ):
                extra = [
                    note(t("wf.close.workaround_needs_fix")),
                    ft.Row(
                        [
                            self.change_title,
                            button(t("wf.close.raise_change"), self.raise_change, key="raise_change"),
                        ],
                    ),
                ]
            panels.append(
                self.panel(
                    "close",
                    [
                        ft.Text(t("wf.close.checklist"), weight=ft.FontWeight.W_600),
                        *checklist_lines(page),
                        self.summary,
                        self.restored,
                        self.informed,
                        *extra,
                        action_row(
                            [
                                button(
                                    t("wf.action.confirm_close"), self.close, key="confirm_close", filled=True
                                )
                            ]
                        ),
                    ],
                )
            )
        if d.status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
            buttons.append(
                button(t("wf.action.reopen"), self.opener("reopen"), key="open_reopen", icon=ft.Icons.REPLAY)
            )
            panels.append(
                self.panel(
                    "reopen",
                    [
                        self.reason,
                        action_row(
                            [
                                button(
                                    t("wf.action.confirm_reopen"),
                                    self.reopen,
                                    key="confirm_reopen",
                                    filled=True,
                                )
                            ]
                        ),
                    ],
                )
            )
        return [action_row(buttons, key="lifecycle"), *panels, self.problem]


def tab_bar(page: IncidentPage, tab: str) -> ft.Tabs:
    """The tabs of the incident screen; choosing one opens its route."""
    t, d = page.t, page.detail
    counts = {
        "evidence": len(d.attachments) + len(d.statements),
        "actions": len(d.actions),
        "updates": len(d.updates),
    }

    def label(name: str) -> str:
        base = t(f"wf.tab.{name}")
        return f"{base} ({counts[name]})" if counts.get(name) else base

    async def chosen(e: ft.Event[ft.Tabs]) -> None:
        await page.shell.go(page.route(TABS[int(e.control.selected_index or 0)]))

    return ft.Tabs(
        content=ft.TabBar(
            tabs=[ft.Tab(label=label(name), key=f"tab.{name}", height=48) for name in TABS],
            scrollable=True,
            tab_alignment=ft.TabAlignment.START,
        ),
        length=len(TABS),
        selected_index=TABS.index(tab),
        on_change=chosen,
        key="tabs",
    )


TAB_BUILDERS: dict[str, Tab] = {
    "summary": summary_tab,
    "timeline": timeline_tab,
    "evidence": evidence_tab,
    "investigation": investigation_tab,
    "actions": actions_tab,
    "updates": updates_tab,
    "review": review_tab,
    "clocks": clocks_tab,
}


async def incident_view(shell: Shell, route: str, incident_id: str, tab: str) -> ft.View:
    """The incident screen at one of its tabs."""
    t = shell.t
    try:
        wanted = uuid.UUID(incident_id)
    except ValueError:
        return message_screen(shell, route, t("wf.incident.title"), t("wf.incident.not_found"), back="/queue")
    detail = await shell.store.query(incident_detail, incident_id=wanted)
    if detail is None:
        return message_screen(shell, route, t("wf.incident.title"), t("wf.incident.not_found"), back="/queue")
    people = await shell.store.query(site_people, site_id=detail.site_id)
    sites = await shell.store.query(staff_sites)
    page = IncidentPage(shell, detail, people, site=next((s for s in sites if s.id == detail.site_id), None))
    controls = [
        *header(page),
        *Lifecycle(page).controls(),
        tab_bar(page, tab),
        *await TAB_BUILDERS[tab](page),
    ]
    title = detail.ref or t("wf.incident.title")
    view = staff_screen(shell, route, title, controls, back="/queue", nav_route="/queue")
    start_ticker(shell, view, page.countdowns)
    return view
