"""The CAPA board of an incident: corrective and preventive actions grouped by state, each showing its
level in the hierarchy of controls, with the moves its state and the viewer's role allow.

Open -> in progress (owner or officer) -> done (with evidence: a note or a photo) -> verified (a
supervisor's signature; never the owner's) or sent back with a reason; a supervisor may cancel with a
reason. Verified actions show their effectiveness checks (30/60/90 days), recorded here.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

import flet as ft

from app.controls.widgets import note
from app.photos import PhotoError, process_photo
from app.queries_workflow import ActionRow, CheckRow
from app.views.incident_context import IncidentPage
from app.views.signoffs import ReasonPanel, SignPanel, evidence_lines, toggler
from app.views.workflow_common import (
    Problem,
    action_row,
    badge,
    button,
    level_badge,
    new_id,
    perform,
    section,
)
from models import utcnow
from models.enums import CapaStatus, CapaType, ControlLevel

log = logging.getLogger(__name__)

COLUMNS = (
    (CapaStatus.OPEN, {"xs": 12, "md": 6, "lg": 4}),
    (CapaStatus.IN_PROGRESS, {"xs": 12, "md": 6, "lg": 4}),
    (CapaStatus.DONE, {"xs": 12, "md": 6, "lg": 4}),
    (CapaStatus.VERIFIED, {"xs": 12, "md": 6}),
    (CapaStatus.CANCELLED, {"xs": 12, "md": 6}),
)
DEFAULT_DUE_DAYS = 14


class DonePanel(ft.Container):
    """Evidence for marking an action done: a note and, if wanted, a photo."""

    def __init__(self, page: IncidentPage, action: ActionRow) -> None:
        t = page.t
        self_id = str(action.id)
        text = ft.TextField(label=t("wf.capa.evidence_note"), multiline=True, key=f"done-note-{self_id}")
        photos = note("", key=f"done-photos-{self_id}", visible=False)
        problem = Problem(key=f"done-problem-{self_id}")
        super().__init__(
            ft.Column(
                [
                    text,
                    action_row(
                        [
                            button(
                                t("wf.capa.add_photo"),
                                self.pick,
                                key=f"done-photo-{self_id}",
                                icon=ft.Icons.ADD_A_PHOTO,
                            )
                        ]
                    ),
                    photos,
                    problem,
                    action_row(
                        [
                            button(
                                t("wf.capa.confirm_done"),
                                self.finish,
                                key=f"confirm-done-{self_id}",
                                filled=True,
                            )
                        ]
                    ),
                ],
                spacing=8,
            ),
            padding=12,
            border=ft.Border.all(1, ft.Colors.OUTLINE),
            border_radius=8,
            visible=False,
            key=f"done-panel-{self_id}",
        )
        self.page_ctx = page
        self.capa = action
        self.text = text
        self.photos_line = photos
        self.problem = problem
        self.blobs: dict[str, bytes] = {}

    async def pick(self, _e: ft.Event | None = None) -> None:
        """Pick a photo of the finished work (made upright and small enough to send)."""
        t = self.page_ctx.t
        picker = self.page_ctx.shell.file_picker
        if picker is None:
            return
        files = await picker.pick_files(
            dialog_title=t("wf.capa.add_photo"), file_type=ft.FilePickerFileType.IMAGE, with_data=True
        )
        for file in files or []:
            if not file.bytes:
                continue
            try:
                processed = await asyncio.to_thread(process_photo, file.bytes, filename=file.name)
            except PhotoError as error:
                self.problem.say(t(f"photo.error.{error.code.value}", name=file.name))
                continue
            self.blobs[processed.upload_sha256] = processed.upload_bytes
        self.photos_line.value = t("reports.photos", n=len(self.blobs))
        self.photos_line.visible = bool(self.blobs)

    async def finish(self, _e: ft.Event | None = None) -> None:
        """Mark the action done with its evidence."""
        t = self.page_ctx.t
        evidence: list[dict[str, Any]] = []
        if (self.text.value or "").strip():
            evidence.append({"note": self.text.value.strip()})
        evidence += [{"sha256": sha, "caption": ""} for sha in self.blobs]
        if not evidence and not self.capa.evidence:
            self.problem.say(t("wf.refusal.evidence_required"))
            return
        args = {"id": str(self.capa.id), "from": "in_progress", "to": "done", "evidence": evidence}
        await perform(
            self.page_ctx.shell,
            "ca.transition",
            args,
            self.problem,
            blobs=self.blobs,
            done=t("wf.done.capa_done"),
        )


def check_lines(page: IncidentPage, check: CheckRow) -> list[ft.Control]:
    """An effectiveness check: when it is due, what it found, or buttons to record it."""
    t = page.t
    if check.done_at is not None:
        found = t("wf.capa.effective") if check.effective else t("wf.capa.not_effective")
        return [note(t("wf.capa.check_done", days=check.days_after, result=found, notes=check.notes or "—"))]
    lines: list[ft.Control] = [
        note(t("wf.capa.check_due", days=check.days_after, due=check.due_on.isoformat()))
    ]
    if not page.can("effectiveness.record"):
        return lines
    problem = Problem(key=f"check-problem-{check.id}")
    notes = ft.TextField(label=t("wf.capa.check_notes"), key=f"check-notes-{check.id}")

    def record(effective: bool) -> Any:
        async def handler(_e: ft.Event | None = None) -> None:
            args = {"id": str(check.id), "effective": effective, "notes": (notes.value or "").strip()}
            await perform(page.shell, "effectiveness.record", args, problem, done=t("wf.done.saved"))

        return handler

    return lines + [
        notes,
        action_row(
            [
                button(t("wf.capa.effective"), record(True), key=f"check-yes-{check.id}"),
                button(t("wf.capa.not_effective"), record(False), key=f"check-no-{check.id}"),
            ]
        ),
        problem,
    ]


async def action_card(page: IncidentPage, action: ActionRow) -> ft.Control:
    """One action: title, level, type, owner and due date, evidence, sign-offs, and its legal moves."""
    t = page.t
    me = page.account.user_id
    owner = action.owner_id == me
    officer = page.can("ca.start")
    signer = page.can("ca.verify")
    problem = Problem(key=f"capa-problem-{action.id}")
    action_id = str(action.id)

    async def start(_e: ft.Event | None = None) -> None:
        args = {"id": action_id, "from": "open", "to": "in_progress"}
        await perform(page.shell, "ca.transition", args, problem, done=t("wf.done.saved"))

    lines: list[ft.Control] = [
        ft.Text(action.title, weight=ft.FontWeight.W_600, key=f"capa-title-{action.id}"),
        ft.Row(
            [
                level_badge(t, action.control_level, key=f"capa-level-{action.id}"),
                badge(
                    t(f"wf.capa_type.{action.type}"),
                    bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
                    color=ft.Colors.ON_SURFACE,
                ),
            ],
            wrap=True,
            spacing=6,
            run_spacing=6,
        ),
        note(t("wf.capa.owner_due", name=action.owner_name, due=action.due_on.isoformat())),
    ]
    if action.overdue:
        lines.append(
            badge(
                t("wf.capa.overdue"),
                bgcolor=ft.Colors.RED_700,
                color=ft.Colors.WHITE,
                icon=ft.Icons.ERROR,
                key=f"capa-overdue-{action.id}",
            )
        )
    if action.description and action.description != action.title:
        lines.append(ft.Text(action.description))
    if action.evidence:
        lines += await evidence_lines(page.shell, action.evidence, action_id)
    for s in action.signoffs:
        text = t(
            f"wf.signoff.{s.meaning}", name=s.signer_name, time=page.time(s.signed_at), reason=s.reason or "—"
        )
        lines.append(note(text, key=f"signoff-{s.id}"))
    for check in action.checks:
        lines += check_lines(page, check)
    buttons: list[ft.Control] = []
    panels: list[ft.Container] = []
    status = action.status
    if status is CapaStatus.OPEN and (owner or officer):
        buttons.append(button(t("wf.capa.start"), start, key=f"start-{action.id}", icon=ft.Icons.PLAY_ARROW))
    if status is CapaStatus.IN_PROGRESS and (owner or officer):
        panels.append(DonePanel(page, action))
    if status is CapaStatus.DONE and signer and not owner:
        panels.append(SignPanel(page.shell, action_id, timezone=page.detail.site_timezone))
    if status is CapaStatus.DONE and signer:
        panels.append(ReasonPanel(page.shell, action_id, to="send_back", current=status.value))
    if status in (CapaStatus.OPEN, CapaStatus.IN_PROGRESS, CapaStatus.DONE) and signer:
        panels.append(ReasonPanel(page.shell, action_id, to="cancel", current=status.value))
    labels = {
        DonePanel: ("wf.capa.mark_done", "done", ft.Icons.TASK_ALT),
        SignPanel: ("wf.capa.verify", "verify", ft.Icons.DRAW),
    }
    for panel, opener in zip(panels, toggler(*panels), strict=True):
        if isinstance(panel, ReasonPanel):
            icon = ft.Icons.UNDO if panel.kind == "send_back" else ft.Icons.CANCEL
            label, name = f"wf.capa.{panel.kind}", panel.kind.replace("_", "-")
        else:
            label, name, icon = labels[type(panel)]
        buttons.append(button(t(label), opener, key=f"{name}-{action.id}", icon=icon))
    lines += [problem, action_row(buttons), *panels]
    return ft.Container(
        ft.Column(lines, spacing=6),
        padding=12,
        bgcolor=ft.Colors.SURFACE_CONTAINER_LOW,
        border=ft.Border.all(1, ft.Colors.RED_700 if action.overdue else ft.Colors.OUTLINE_VARIANT),
        border_radius=10,
        key=f"capa-{action.id}",
    )


class NewAction:
    """The form that creates an action: title, details, type, level of control, owner, due date."""

    def __init__(self, page: IncidentPage) -> None:
        t = page.t
        self.page = page
        self.problem = Problem(key="new_capa_problem")
        self.title = ft.TextField(label=t("wf.capa.title"), key="new_capa.title")
        self.description = ft.TextField(
            label=t("wf.capa.description"), multiline=True, key="new_capa.description"
        )
        self.type = ft.RadioGroup(
            content=ft.Row(
                [
                    ft.Radio(
                        visual_density=ft.VisualDensity.STANDARD,
                        value=c.value,
                        label=t(f"wf.capa_type.{c.value}"),
                        key=f"new_capa.type.{c.value}",
                    )
                    for c in CapaType
                ],
            ),
            value=CapaType.CORRECTIVE.value,
            key="new_capa.type",
        )
        self.level = ft.RadioGroup(
            content=ft.Column(
                [
                    ft.Radio(
                        visual_density=ft.VisualDensity.STANDARD,
                        value=c.value,
                        label=t("wf.capa.level", rank=i + 1, level=t(f"wf.level.{c.value}")),
                        key=f"new_capa.level.{c.value}",
                    )
                    for i, c in enumerate(ControlLevel)
                ],
                spacing=0,
            ),
            key="new_capa.level",
        )
        self.owner = ft.Dropdown(
            label=t("wf.capa.owner"),
            tooltip=t("wf.capa.owner"),
            options=page.people_options(),
            key="new_capa.owner",
            width=320,
        )
        due = utcnow().astimezone(page.zone).date() + dt.timedelta(days=DEFAULT_DUE_DAYS)
        self.due = ft.TextField(
            label=t("wf.capa.due"),
            value=due.isoformat(),
            hint_text="YYYY-MM-DD",
            key="new_capa.due",
            width=200,
        )

    async def create(self, _e: ft.Event | None = None) -> None:
        """Create the action (the server checks the owner, the date and the rights)."""
        t, d = self.page.t, self.page.detail
        missing = [
            label
            for label, value in (
                (t("wf.capa.title"), self.title.value),
                (t("wf.capa.level_label"), self.level.value),
                (t("wf.capa.owner"), self.owner.value),
            )
            if not (value or "").strip()
        ]
        if missing:
            self.problem.say(t("wf.capa.missing", fields=", ".join(missing)))
            return
        try:
            due = dt.date.fromisoformat((self.due.value or "").strip())
        except ValueError:
            self.problem.say(t("wf.capa.due_unreadable"))
            return
        args = {
            "id": new_id(),
            "incident_id": str(d.id),
            "title": self.title.value.strip(),
            "description": (self.description.value or "").strip(),
            "type": self.type.value,
            "control_level": self.level.value,
            "owner_id": self.owner.value,
            "due_on": due.isoformat(),
        }
        await perform(self.page.shell, "ca.create", args, self.problem, done=t("wf.done.capa_created"))

    def controls(self) -> list[ft.Control]:
        """The form."""
        t = self.page.t
        return [
            self.title,
            self.description,
            ft.Text(t("wf.capa.type_label"), weight=ft.FontWeight.W_600),
            self.type,
            ft.Text(t("wf.capa.level_label"), weight=ft.FontWeight.W_600),
            self.level,
            ft.Row([self.owner, self.due], wrap=True),
            self.problem,
            action_row(
                [
                    button(
                        t("wf.capa.create"),
                        self.create,
                        key="new_capa.create",
                        icon=ft.Icons.ADD_TASK,
                        filled=True,
                    )
                ]
            ),
        ]


async def actions_tab(page: IncidentPage) -> list[ft.Control]:
    """The board: a column per state, then the form for a new action."""
    t = page.t
    columns: list[ft.Control] = []
    for status, col in COLUMNS:
        mine = [a for a in page.detail.actions if a.status is status]
        cards = [await action_card(page, a) for a in mine] or [note(t("wf.capa.none_here"))]
        columns.append(
            ft.Column(
                [
                    ft.Text(
                        t("wf.capa.column", state=t(f"wf.capa_state.{status.value}"), n=len(mine)),
                        weight=ft.FontWeight.W_600,
                        key=f"column.{status.value}",
                    ),
                    *cards,
                ],
                spacing=8,
                col=col,
                key=f"board.{status.value}",
            )
        )
    blocks: list[ft.Control] = [
        note(t("wf.capa.hierarchy")),
        ft.ResponsiveRow(columns, spacing=12, run_spacing=16, key="board"),
    ]
    if page.can("ca.create") and not page.closed:
        blocks.append(section(t("wf.capa.new"), NewAction(page).controls(), key="new_capa"))
    return blocks
