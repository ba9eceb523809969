"""Status updates: when the next one is due (open P1 every 30 minutes, P2 hourly), posting one from a
template (the holding message comes ready to post), and the ones posted so far."""

from __future__ import annotations

import flet as ft

from app.controls.widgets import note, readable
from app.views.incident_context import IncidentPage
from app.views.workflow_common import (
    Problem,
    action_row,
    button,
    new_id,
    perform,
    section,
    update_cadence,
    update_countdown,
)
from models import utcnow
from models.enums import IncidentRoleKind, UpdateAudience
from models.workflow import STATUS_TEMPLATES, render_status_update

LEADS = (IncidentRoleKind.COMMUNICATION_LEAD, IncidentRoleKind.COMMANDER)


class UpdateForm:
    """A status update being written: audience, template, impact, services, message, and its preview."""

    def __init__(self, page: IncidentPage) -> None:
        t, d = page.t, page.detail
        self.page = page
        self.problem = Problem(key="update_problem")
        self.audience = ft.RadioGroup(
            content=ft.Row(
                [
                    ft.Radio(
                        visual_density=ft.VisualDensity.STANDARD,
                        value=a.value,
                        label=t(f"wf.audience.{a.value}"),
                        key=f"update.audience.{a.value}",
                    )
                    for a in UpdateAudience
                ],
            ),
            value=UpdateAudience.INTERNAL.value,
            key="update.audience",
        )
        self.template = ft.Dropdown(
            label=t("wf.updates.template"),
            tooltip=t("wf.updates.template"),
            value="update" if d.updates else "holding",
            options=[ft.DropdownOption(key=name, text=t(f"wf.template.{name}")) for name in STATUS_TEMPLATES],
            on_select=self.changed,
            key="update.template",
            width=280,
        )
        self.impact = ft.TextField(label=t("wf.updates.impact"), on_change=self.changed, key="update.impact")
        self.services = ft.TextField(
            label=t("wf.updates.services"),
            hint_text=t("wf.updates.services_hint"),
            on_change=self.changed,
            key="update.services",
        )
        self.message = ft.TextField(
            label=t("wf.updates.message"),
            multiline=True,
            min_lines=2,
            on_change=self.changed,
            key="update.message",
        )
        self.preview = ft.Text("", selectable=True, key="update.preview")
        self.changed()

    def service_list(self) -> list[str]:
        """The affected services as typed (comma separated)."""
        return [s.strip() for s in (self.services.value or "").split(",") if s.strip()]

    def changed(self, _e: ft.Event | None = None) -> None:
        """Show the text that will be posted, as the template writes it."""
        t, d = self.page.t, self.page.detail
        now = utcnow()
        template = self.template.value or "holding"
        following = now + update_cadence(d.priority)
        if template == "custom":
            text = (self.message.value or "").strip() or t("wf.updates.custom_hint")
        else:
            text = render_status_update(
                template,
                at_text=now.astimezone(self.page.zone).strftime("%Y-%m-%d %H:%M %Z"),
                title=d.title,
                status=d.status,
                impact=self.impact.value or "",
                services=self.service_list(),
                message=self.message.value or "",
                next_text=following.astimezone(self.page.zone).strftime("%Y-%m-%d %H:%M %Z"),
            )
        self.preview.value = self.preview.semantics_label = text  # selectable text is read by its label

    async def post(self, _e: ft.Event | None = None) -> None:
        """Post the update (the server writes the final text and when the next one is due)."""
        t, d = self.page.t, self.page.detail
        template = self.template.value or "holding"
        if template == "custom" and not (self.message.value or "").strip():
            self.problem.say(t("wf.updates.custom_hint"))
            return
        args = {
            "id": new_id(),
            "incident_id": str(d.id),
            "audience": self.audience.value or UpdateAudience.INTERNAL.value,
            "template": template,
            "impact": (self.impact.value or "").strip(),
            "message": (self.message.value or "").strip(),
        }
        if self.service_list():
            args["services"] = self.service_list()
        await perform(
            self.page.shell, "status_update.create", args, self.problem, done=t("wf.done.update_posted")
        )

    def controls(self) -> list[ft.Control]:
        """The form with its preview."""
        t = self.page.t
        return [
            self.audience,
            self.template,
            self.impact,
            self.services,
            self.message,
            ft.Text(t("wf.updates.preview"), weight=ft.FontWeight.W_600),
            ft.Container(
                self.preview, padding=10, bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST, border_radius=8
            ),
            self.problem,
            action_row(
                [button(t("wf.updates.post"), self.post, key="update.post", icon=ft.Icons.SEND, filled=True)]
            ),
        ]


async def updates_tab(page: IncidentPage) -> list[ft.Control]:
    """When the next update is due, the form for the communication lead, and the updates so far."""
    t, d = page.t, page.detail
    blocks: list[ft.Control] = []
    due: list[ft.Control] = [
        ft.Row([page.track(update_countdown(t, d.next_update_due_at, d.priority, key="updates.due"))])
        if d.next_update_due_at is not None
        else note(t("wf.updates.none_due"), key="updates.none_due"),
        note(t("wf.updates.cadence")),
    ]
    leads = [
        r.user_name for r in d.roles if r.role is IncidentRoleKind.COMMUNICATION_LEAD and r.ended_at is None
    ]
    due.append(note(t("wf.updates.lead", name=", ".join(leads) or t("wf.roles.nobody")), key="updates.lead"))
    blocks.append(section(t("wf.updates.next"), due, key="updates.next"))
    if (page.can("status_update.create") or page.holds(*LEADS)) and not page.closed:
        blocks.append(section(t("wf.updates.new"), UpdateForm(page).controls(), key="updates.form"))
    posted = [
        ft.Container(
            ft.Column(
                [
                    readable(u.body),
                    note(
                        " · ".join((page.time(u.posted_at), t(f"wf.audience.{u.audience}"), u.posted_by_name))
                    ),
                ],
                spacing=2,
            ),
            padding=ft.Padding.symmetric(vertical=6),
            key=f"update-{u.id}",
        )
        for u in reversed(d.updates)
    ]
    blocks.append(
        section(t("wf.updates.history"), posted or [note(t("wf.updates.no_history"))], key="updates.history")
    )
    return blocks
