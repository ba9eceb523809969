"""Investigation fields changed on two devices: what it was, what it is now, what came in, and a choice —
keep the current value, take the incoming one, or write a value that merges both."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import flet as ft

from app.controls.widgets import Handler, note, readable
from app.i18n import Translator
from app.queries_staff import user_names
from app.queries_workflow import ConflictRow, conflicts
from app.shell import Shell
from app.views.signoffs import toggler
from app.views.workflow_common import (
    Problem,
    action_row,
    button,
    enum_word,
    local_time,
    perform,
    staff_screen,
)
from models.enums import ContributingFactor, RootCauseCategory

EDITABLE = ("root_cause", "findings", "five_whys", "contributing_factors", "root_cause_category")
"""Fields a person can rewrite here; the lead and the evidence list are kept or taken as they are."""


def shown(t: Translator, field: str, value: Any, names: dict[uuid.UUID, str]) -> str:
    """A field's value in words."""
    if value in (None, "", []):
        return t("wf.conflicts.empty")
    if field == "five_whys":
        return "\n".join(f"{i}. {why}" for i, why in enumerate(value, start=1))
    if field == "contributing_factors":
        return "\n".join(
            f"{enum_word(t, 'factor', f.get('category'))}: {f.get('description', '')}" for f in value
        )
    if field == "root_cause_category":
        return enum_word(t, "cause", value)
    if field == "evidence":
        return t("wf.conflicts.references", n=len(value))
    if field == "lead_id":
        try:
            return names.get(uuid.UUID(str(value)), str(value))
        except ValueError:
            return str(value)
    return str(value)


def as_text(field: str, value: Any) -> str:
    """A value as the edit box shows it (lists one per line; factors as "category: description")."""
    if field == "five_whys":
        return "\n".join(value or [])
    if field == "contributing_factors":
        return "\n".join(f"{f.get('category')}: {f.get('description', '')}" for f in value or [])
    return "" if value is None else str(value)


def from_text(field: str, text: str) -> Any:
    """The value an edit box stands for, or None when a line names no factor."""
    if field == "five_whys":
        return [line.strip() for line in text.splitlines() if line.strip()]
    if field == "contributing_factors":
        factors = []
        allowed = {c.value for c in ContributingFactor}
        for line in text.splitlines():
            category, _, description = line.partition(":")
            if not line.strip():
                continue
            if category.strip() not in allowed:
                return None
            factors.append({"category": category.strip(), "description": description.strip()})
        return factors
    return text.strip()


def conflict_card(shell: Shell, row: ConflictRow, names: dict[uuid.UUID, str]) -> ft.Control:
    """One conflict: the three values side by side, and the three ways to settle it."""
    t = shell.t
    problem = Problem(key=f"conflict-problem-{row.id}")

    def settle(resolution: str, edited: Callable[[], Any] | None = None) -> Handler:
        async def handler(_e: ft.Event | None = None) -> None:
            args: dict[str, Any] = {"id": str(row.id), "resolution": resolution}
            if edited is not None:
                args["value"] = edited()
                if args["value"] is None:
                    problem.say(
                        t("wf.conflicts.bad_factor", factors=", ".join(c.value for c in ContributingFactor))
                    )
                    return
            await perform(shell, "conflict.resolve", args, problem, done=t("wf.done.conflict_resolved"))

        return handler

    def column(title: str, value: Any, key: str) -> ft.Control:
        return ft.Container(
            ft.Column(
                [
                    ft.Text(title, weight=ft.FontWeight.W_600),
                    readable(shown(t, row.field, value, names), key=key),
                ],
                spacing=4,
            ),
            padding=10,
            bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
            border_radius=8,
            col={"xs": 12, "md": 4},
        )

    buttons: list[ft.Control] = [
        button(t("wf.conflicts.keep"), settle("kept_current"), key=f"keep-{row.id}", icon=ft.Icons.CHECK),
        button(
            t("wf.conflicts.take"), settle("took_incoming"), key=f"take-{row.id}", icon=ft.Icons.CALL_RECEIVED
        ),
    ]
    panels: list[ft.Container] = []
    if row.field in EDITABLE:
        if row.field == "root_cause_category":
            editor: ft.Control = ft.Dropdown(
                label=t("wf.conflicts.value"),
                tooltip=t("wf.conflicts.value"),
                value=row.incoming_value,
                options=[
                    ft.DropdownOption(key=c.value, text=enum_word(t, "cause", c.value))
                    for c in RootCauseCategory
                ],
                key=f"edit-value-{row.id}",
                width=320,
            )
        else:
            editor = ft.TextField(
                label=t("wf.conflicts.value"),
                value=as_text(row.field, row.incoming_value),
                multiline=True,
                min_lines=3,
                helper=t(f"wf.conflicts.hint.{row.field}")
                if row.field in ("five_whys", "contributing_factors")
                else None,
                key=f"edit-value-{row.id}",
            )
        save = settle("edited", lambda: from_text(row.field, str(getattr(editor, "value", "") or "")))
        panel = ft.Container(
            ft.Column(
                [
                    editor,
                    action_row(
                        [button(t("wf.conflicts.save"), save, key=f"save-edit-{row.id}", filled=True)]
                    ),
                ],
                spacing=8,
            ),
            padding=10,
            border=ft.Border.all(1, ft.Colors.OUTLINE),
            border_radius=8,
            visible=False,
            key=f"edit-panel-{row.id}",
        )
        panels.append(panel)
        [open_edit] = toggler(panel)
        buttons.append(button(t("wf.conflicts.edit"), open_edit, key=f"edit-{row.id}", icon=ft.Icons.EDIT))

    async def open_incident(_e: ft.Event | None = None) -> None:
        await shell.go(f"/incidents/{row.incident_id}/investigation")

    buttons.append(
        button(
            t("wf.inbox.open_incident"),
            open_incident,
            key=f"conflict-open-{row.id}",
            icon=ft.Icons.OPEN_IN_NEW,
        )
    )
    incident = " · ".join(p for p in (row.incident_ref or "", row.incident_title) if p)
    return ft.Card(
        ft.Container(
            ft.Column(
                [
                    ft.Text(
                        t("wf.conflicts.field", field=t(f"wf.inv.field.{row.field}")),
                        weight=ft.FontWeight.W_600,
                        size=16,
                        key=f"conflict-field-{row.id}",
                    ),
                    note(incident),
                    note(
                        t("wf.conflicts.by", name=row.user_name or "—", time=local_time(row.created_at, None))
                    ),
                    ft.ResponsiveRow(
                        [
                            column(t("wf.conflicts.base"), row.base_value, f"base-{row.id}"),
                            column(t("wf.conflicts.current"), row.live_value, f"current-{row.id}"),
                            column(t("wf.conflicts.incoming"), row.incoming_value, f"incoming-{row.id}"),
                        ],
                        spacing=8,
                        run_spacing=8,
                    ),
                    problem,
                    action_row(buttons),
                    *panels,
                ],
                spacing=8,
            ),
            padding=14,
        ),
        semantic_container=False,
        key=f"conflict-{row.id}",
    )


async def conflicts_view(shell: Shell, route: str) -> ft.View:
    """The conflicts screen: every unsettled conflict on incidents the viewer may see."""
    t = shell.t
    rows = await shell.store.query(conflicts)
    mentioned = []
    for row in rows:
        if row.field == "lead_id":
            for value in (row.base_value, row.live_value, row.incoming_value):
                try:
                    mentioned.append(uuid.UUID(str(value)))
                except ValueError:
                    continue
    names = await shell.store.query(user_names, ids=mentioned)
    controls: list[ft.Control] = [
        ft.Text(t("wf.conflicts.summary", n=len(rows)), key="conflicts_summary", weight=ft.FontWeight.W_500)
    ]
    if rows:
        controls += [conflict_card(shell, row, names) for row in rows]
    else:
        controls.append(note(t("wf.conflicts.none"), key="conflicts_none"))
    return staff_screen(shell, route, t("wf.conflicts.title"), controls)
