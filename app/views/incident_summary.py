"""The incident's summary: what happened, its priority (changed with a reason), who holds which role
(taken or assigned with one tap), the close checklist and the incident report download."""

from __future__ import annotations

import datetime as dt

import flet as ft

from app.controls.widgets import Handler, note
from app.views.downloads import download_button, may_download, reports_of
from app.views.incident_context import IncidentPage
from app.views.workflow_common import Problem, action_row, button, duration_text, perform, section
from models.enums import IncidentRoleKind, Priority

SINGLE_ROLES = (IncidentRoleKind.COMMANDER, IncidentRoleKind.COMMUNICATION_LEAD, IncidentRoleKind.RESOLVER)


def facts_block(page: IncidentPage) -> ft.Control:
    """What happened, where, when, and who reported it."""
    t, d = page.t, page.detail
    lines = [
        (t("wf.summary.occurred"), page.time(d.occurred_at)),
        (
            t("wf.summary.reported"),
            t("wf.summary.reported_by", time=page.time(d.reported_at), name=d.reporter_name),
        ),
        (
            t("wf.summary.place"),
            " / ".join(
                dict.fromkeys(p for p in (d.site_name, d.area_name, d.asset_name, d.location_text) if p)
            ),
        ),
    ]
    if d.injured_person:
        lines.append((t("wf.summary.person"), d.injured_person))
    if d.acknowledged_at:
        lines.append((t("status.acknowledged"), page.time(d.acknowledged_at)))
    if d.resolved_at:
        resolution = t(f"wf.resolution.{d.resolution_type}") if d.resolution_type else ""
        lines.append(
            (t("status.resolved"), " · ".join(p for p in (page.time(d.resolved_at), resolution) if p))
        )
    if d.closed_at:
        lines.append((t("status.closed"), page.time(d.closed_at)))
    rows: list[ft.Control] = [
        ft.Text(d.description or t("wf.summary.no_description"), key="summary_description")
    ]
    rows += [
        ft.Row([ft.Text(f"{label}:", weight=ft.FontWeight.W_600), ft.Text(value, expand=True)])
        for label, value in lines
        if value
    ]
    if d.problem is not None:
        rows.append(
            note(
                t("wf.summary.problem", title=d.problem.title, repeats=d.problem.repeats),
                key="summary_problem",
            )
        )
    if d.change_request is not None:
        rows.append(note(t("wf.summary.change", title=d.change_request.title), key="summary_change"))
    return section(t("wf.summary.what"), rows, key="summary_facts")


def priority_block(page: IncidentPage) -> ft.Control:
    """The priority, why it is what it is, and changing it with a reason."""
    t, d = page.t, page.detail
    controls: list[ft.Control] = [
        note(d.priority_reason or t("wf.summary.no_priority_reason"), key="priority_reason")
    ]
    if page.can("incident.set_priority") and not page.closed:
        problem = Problem(key="priority_problem")
        choice = ft.Dropdown(
            label=t("wf.filter.priority"),
            tooltip=t("wf.filter.priority"),
            value=d.priority.value if d.priority else None,
            options=[
                ft.DropdownOption(key=p.value, text=f"{p.value} · {t(f'wf.priority.{p.value}')}")
                for p in Priority
            ],
            key="priority_choice",
            expand=True,
            col={"xs": 12, "md": 4},
        )
        reason = ft.TextField(label=t("wf.summary.priority_why"), key="priority_why", col={"xs": 12, "md": 8})

        async def save(_e: ft.Event | None = None) -> None:
            if not choice.value or not (reason.value or "").strip():
                problem.say(t("wf.refusal.reason_required"))
                return
            await perform(
                page.shell,
                "incident.set_priority",
                {"id": str(d.id), "priority": choice.value, "reason": reason.value.strip()},
                problem,
                done=t("wf.done.saved"),
            )

        controls += [
            ft.ResponsiveRow([choice, reason], vertical_alignment=ft.CrossAxisAlignment.START, run_spacing=8),
            problem,
            action_row(
                [button(t("wf.summary.set_priority"), save, key="set_priority", icon=ft.Icons.LOW_PRIORITY)]
            ),
        ]
    return section(t("wf.summary.priority"), controls, key="summary_priority")


def roles_block(page: IncidentPage) -> ft.Control:
    """Commander, communication lead and resolver (take with one tap, or pick someone), and investigators."""
    t, d = page.t, page.detail
    me = page.account.user_id
    problem = Problem(key="roles_problem")
    editable = page.can("incident.assign_role") and not page.closed

    async def assign(role: IncidentRoleKind, user_id: str, *, remove: bool = False) -> None:
        args = {"id": str(d.id), "role": role.value, "user_id": user_id}
        if remove:
            args["remove"] = True
        await perform(page.shell, "incident.assign_role", args, problem, done=t("wf.done.saved"))

    def take(role: IncidentRoleKind) -> Handler:
        async def handler(_e: ft.Event | None = None) -> None:
            await assign(role, str(me))

        return handler

    def pick(role: IncidentRoleKind) -> Handler:
        async def handler(e: ft.Event[ft.Dropdown]) -> None:
            if e.control.value:
                await assign(role, e.control.value)

        return handler

    def drop(role: IncidentRoleKind, user_id: str) -> Handler:
        async def handler(_e: ft.Event | None = None) -> None:
            await assign(role, user_id, remove=True)

        return handler

    rows: list[ft.Control] = []
    for role in SINGLE_ROLES:
        holders = [r for r in d.roles if r.role is role and r.ended_at is None]
        held = {r.user_id for r in holders}
        name = ", ".join(r.user_name for r in holders) or t("wf.roles.nobody")
        cells: list[ft.Control] = [
            ft.Column(
                [
                    ft.Text(t(f"wf.role.{role.value}"), weight=ft.FontWeight.W_600),
                    ft.Text(name, key=f"holder.{role.value}"),
                ],
                spacing=2,
                col={"xs": 12, "md": 5},
            )
        ]
        if editable:
            taker: ft.Control = (
                button(
                    t("wf.roles.take", role=t(f"wf.role.{role.value}")),
                    take(role),
                    key=f"take.{role.value}",
                    icon=ft.Icons.PAN_TOOL,
                )
                if me not in held
                else ft.Container()
            )
            cells += [
                ft.Container(taker, col={"xs": 12, "sm": 5, "md": 3}),
                ft.Dropdown(
                    label=t("wf.roles.assign_to"),
                    tooltip=f"{t('wf.roles.assign_to')} ({t(f'wf.role.{role.value}')})",
                    options=page.people_options(exclude=held),
                    on_select=pick(role),
                    key=f"assign.{role.value}",
                    expand=True,
                    col={"xs": 12, "sm": 7, "md": 4},
                ),
            ]
        rows.append(
            ft.ResponsiveRow(
                cells,
                vertical_alignment=ft.CrossAxisAlignment.CENTER,
                run_spacing=6,
                key=f"role.{role.value}",
            )
        )
    investigators = [r for r in d.roles if r.role is IncidentRoleKind.INVESTIGATOR and r.ended_at is None]
    names: list[ft.Control] = [] if investigators else [ft.Text(t("wf.roles.nobody"))]
    for r in investigators:
        names.append(ft.Text(r.user_name, key=f"investigator-{r.user_id}"))
        if editable:
            names.append(
                button(
                    t("wf.roles.remove", name=r.user_name),
                    drop(IncidentRoleKind.INVESTIGATOR, str(r.user_id)),
                    key=f"remove-investigator-{r.user_id}",
                )
            )
    cells = [
        ft.Column(
            [
                ft.Text(t("wf.role.investigator"), weight=ft.FontWeight.W_600),
                ft.Row(
                    names,
                    wrap=True,
                    spacing=8,
                    run_spacing=4,
                    vertical_alignment=ft.CrossAxisAlignment.CENTER,
                ),
            ],
            spacing=2,
            col={"xs": 12, "md": 8},
        )
    ]
    if editable:
        cells.append(
            ft.Dropdown(
                label=t("wf.roles.add_investigator"),
                tooltip=t("wf.roles.add_investigator"),
                options=page.people_options(exclude={r.user_id for r in investigators}),
                on_select=pick(IncidentRoleKind.INVESTIGATOR),
                key="assign.investigator",
                expand=True,
                col={"xs": 12, "md": 4},
            )
        )
    rows.append(ft.ResponsiveRow(cells, vertical_alignment=ft.CrossAxisAlignment.CENTER, run_spacing=6))
    if d.role_fill_minutes:
        filled = ", ".join(
            t(
                "wf.roles.filled_in",
                role=t(f"wf.role.{role}"),
                time=duration_text(t, dt.timedelta(minutes=minutes)),
            )
            for role, minutes in d.role_fill_minutes.items()
        )
        rows.append(note(filled, key="role_fill"))
    rows.append(problem)
    return section(t("wf.roles.title"), rows, key="roles")


def checklist_block(page: IncidentPage) -> ft.Control:
    """The close checklist, each item ticked or not in words and icon."""
    return section(page.t("wf.close.checklist"), checklist_lines(page), key="checklist")


def checklist_lines(page: IncidentPage) -> list[ft.Control]:
    """One line per checklist item: a tick or a cross, and what it is."""
    t = page.t
    return [
        ft.Row(
            [
                ft.Icon(
                    ft.Icons.CHECK_CIRCLE if item.done else ft.Icons.CANCEL,
                    color=ft.Colors.GREEN_800 if item.done else ft.Colors.RED_700,
                ),
                ft.Text(
                    t(
                        "wf.check.line",
                        item=t(f"wf.check.{item.code}"),
                        state=t(f"wf.check.{'done' if item.done else 'missing'}"),
                    ),
                    expand=True,
                ),
            ],
            key=f"check.{item.code}",
        )
        for item in page.detail.checklist
    ]


async def summary_tab(page: IncidentPage) -> list[ft.Control]:
    """The summary tab's blocks."""
    blocks = [facts_block(page), priority_block(page), roles_block(page), checklist_block(page)]
    if reports_of(page.shell) is not None and may_download(page.account, page.detail.site_id):
        problem = Problem(key="incident_pdf_problem")
        ref = page.detail.ref or str(page.detail.id)
        buttons = [download_button(page.shell, problem, "incident", incident_ref=ref)]
        if page.site is not None and page.site.jurisdiction == "MY":
            buttons.append(download_button(page.shell, problem, "jkkp6", incident_ref=ref))
        blocks.append(
            section(page.t("wf.summary.documents"), [action_row(buttons), problem], key="incident_documents")
        )
    return blocks
