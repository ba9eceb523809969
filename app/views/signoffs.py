"""The supervisor's sign-off inbox: corrective actions marked done, waiting for verification.

Verifying takes seconds: the pad opens under the action with the supervisor's name already printed
and the time shown; they sign with a finger and press Sign. Sending back needs only a reason. The
action's owner never sees Verify on their own action (the server refuses it too).
"""

from __future__ import annotations

import hashlib

import flet as ft

from app.controls.signature_pad import SignaturePad
from app.controls.widgets import Handler, note
from app.queries_staff import staff_sites
from app.queries_workflow import SignoffItem, signoff_inbox
from app.shell import Shell
from app.views.workflow_common import (
    Problem,
    action_row,
    badge,
    button,
    level_badge,
    local_time,
    perform,
    staff_screen,
)
from models import utcnow

THUMB = 120


class SignPanel(ft.Container):
    """A drawn signature, the printed name and the time, and the button that verifies the action."""

    def __init__(self, shell: Shell, action_id: str, *, timezone: str | None = None) -> None:
        t = shell.t
        account = shell.store.account
        pad = SignaturePad(
            label=t("wf.sign.sign_here"),
            pad_label=t("wf.sign.pad"),
            clear_label=t("wf.sign.clear"),
            key=f"signature-{action_id}",
            height=160,
        )
        name = ft.TextField(
            label=t("wf.sign.name"),
            value=account.display_name if account else "",
            key=f"sign-name-{action_id}",
        )
        problem = Problem(key=f"sign-problem-{action_id}")
        super().__init__(
            ft.Column(
                [
                    pad,
                    name,
                    note(
                        t("wf.sign.time", time=local_time(utcnow(), timezone)), key=f"sign-time-{action_id}"
                    ),
                    problem,
                    action_row(
                        [
                            button(
                                t("wf.sign.verify"),
                                self.sign,
                                key=f"sign-{action_id}",
                                icon=ft.Icons.VERIFIED,
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
            key=f"sign-panel-{action_id}",
        )
        self.shell = shell
        self.action_id = action_id
        self.pad = pad
        self.name = name
        self.problem = problem

    async def sign(self, _e: ft.Event | None = None) -> None:
        """Verify with the drawn signature (a PNG blob), the printed name and the time."""
        t = self.shell.t
        if self.pad.empty:
            self.problem.say(t("wf.sign.missing"))
            return
        signer = (self.name.value or "").strip()
        if not signer:
            self.problem.say(t("wf.sign.name_missing"))
            return
        png = self.pad.png()
        sha256 = hashlib.sha256(png).hexdigest()
        args = {
            "id": self.action_id,
            "signature_sha256": sha256,
            "signer_name": signer,
            "signed_at": utcnow().astimezone().isoformat(),
        }
        await perform(
            self.shell, "ca.verify", args, self.problem, blobs={sha256: png}, done=t("wf.done.verified")
        )


class ReasonPanel(ft.Container):
    """A reason and the button that sends an action back (or cancels it)."""

    def __init__(self, shell: Shell, action_id: str, *, to: str, current: str) -> None:
        t = shell.t
        reason = ft.TextField(label=t(f"wf.capa.{to}_reason"), multiline=True, key=f"{to}-reason-{action_id}")
        problem = Problem(key=f"{to}-problem-{action_id}")
        super().__init__(
            ft.Column(
                [
                    reason,
                    problem,
                    action_row(
                        [
                            button(
                                t(f"wf.capa.confirm_{to}"),
                                self.send,
                                key=f"confirm-{to}-{action_id}",
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
            key=f"{to}-panel-{action_id}",
        )
        self.shell = shell
        self.action_id = action_id
        self.target = "in_progress" if to == "send_back" else "cancelled"
        self.current = current
        self.kind = to
        self.reason = reason
        self.problem = problem

    async def send(self, _e: ft.Event | None = None) -> None:
        """Move the action with the reason given."""
        t = self.shell.t
        reason = (self.reason.value or "").strip()
        if not reason:
            self.problem.say(t("wf.refusal.reason_required"))
            return
        args = {"id": self.action_id, "from": self.current, "to": self.target, "reason": reason}
        await perform(self.shell, "ca.transition", args, self.problem, done=t(f"wf.done.{self.kind}"))


def toggler(*panels: ft.Container) -> list[Handler]:
    """Click handlers that show one of the panels (and hide the others), one per panel."""

    def show(chosen: ft.Container) -> Handler:
        def handler(_e: ft.Event | None = None) -> None:
            for panel in panels:
                panel.visible = panel is chosen and not panel.visible

        return handler

    return [show(panel) for panel in panels]


async def evidence_lines(shell: Shell, evidence: tuple[dict[str, str], ...], key: str) -> list[ft.Control]:
    """The evidence of a done action: notes as text, photos as thumbnails."""
    t = shell.t
    notes = [ft.Text(f"• {e['note']}") for e in evidence if e.get("note")]
    pictures: list[ft.Control] = []
    for e in evidence:
        if e.get("sha256"):
            data = await shell.store.blob(e["sha256"])
            if data:
                pictures.append(
                    ft.Image(
                        src=data,
                        width=THUMB,
                        height=THUMB,
                        fit=ft.BoxFit.COVER,
                        border_radius=6,
                        semantics_label=e.get("caption") or t("wf.capa.photo"),
                    )
                )
            else:
                pictures.append(note(t("report.photo_elsewhere")))
    rows: list[ft.Control] = [*notes]
    if pictures:
        rows.append(ft.Row(pictures, wrap=True, spacing=8))
    return rows or [note(t("wf.capa.no_evidence"), key=f"no-evidence-{key}")]


async def inbox_card(shell: Shell, item: SignoffItem, timezone: str | None) -> ft.Control:
    """One action waiting for verification: what was done, the evidence, Verify and Send back."""
    t = shell.t
    action_id = str(item.action_id)
    sign = SignPanel(shell, action_id, timezone=timezone)
    back = ReasonPanel(shell, action_id, to="send_back", current="done")
    open_sign, open_back = toggler(sign, back)

    async def open_incident(_e: ft.Event | None = None) -> None:
        await shell.go(f"/incidents/{item.incident_id}/actions")

    incident = " · ".join(p for p in (item.incident_ref or "", item.incident_title) if p)
    head: list[ft.Control] = [
        ft.Text(item.title, weight=ft.FontWeight.W_600, size=16, key=f"inbox-title-{action_id}"),
        ft.Row(
            [
                level_badge(t, item.control_level, key=f"inbox-level-{action_id}"),
                badge(
                    t(f"wf.capa_type.{item.type}"),
                    bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
                    color=ft.Colors.ON_SURFACE,
                ),
            ],
            wrap=True,
            spacing=6,
        ),
        note(
            t(
                "wf.inbox.owner",
                name=item.owner_name,
                due=item.due_on.isoformat(),
                done=local_time(item.done_at, timezone),
            )
        ),
        note(f"{item.site_name} · {incident}"),
    ]
    if item.description:
        head.append(ft.Text(item.description))
    buttons = [
        button(t("wf.capa.verify"), open_sign, key=f"verify-{action_id}", icon=ft.Icons.DRAW, filled=True),
        button(t("wf.capa.send_back"), open_back, key=f"send-back-{action_id}", icon=ft.Icons.UNDO),
    ]
    if item.incident_id is not None:
        buttons.append(
            button(
                t("wf.inbox.open_incident"),
                open_incident,
                key=f"inbox-open-{action_id}",
                icon=ft.Icons.OPEN_IN_NEW,
            )
        )
    return ft.Card(
        ft.Container(
            ft.Column(
                [
                    *head,
                    ft.Text(t("wf.capa.evidence"), weight=ft.FontWeight.W_600),
                    *await evidence_lines(shell, item.evidence, action_id),
                    note(t("wf.inbox.signs_for", digest=item.content_sha256[:12])),
                    action_row(buttons),
                    sign,
                    back,
                ],
                spacing=8,
            ),
            padding=14,
        ),
        col={"xs": 12, "lg": 6},
        semantic_container=False,
        key=f"inbox-{action_id}",
    )


async def signoffs_view(shell: Shell, route: str) -> ft.View:
    """The inbox screen."""
    t = shell.t
    items = await shell.store.query(signoff_inbox)
    zones = {site.name: site.timezone for site in await shell.store.query(staff_sites)}
    controls: list[ft.Control] = [
        ft.Text(t("wf.inbox.summary", n=len(items)), key="inbox_summary", weight=ft.FontWeight.W_500)
    ]
    if items:
        controls.append(
            ft.ResponsiveRow(
                [await inbox_card(shell, item, zones.get(item.site_name)) for item in items],
                spacing=12,
                run_spacing=12,
                key="inbox",
            )
        )
    else:
        controls.append(note(t("wf.inbox.empty"), key="inbox_empty"))
    return staff_screen(shell, route, t("wf.inbox.title"), controls)
