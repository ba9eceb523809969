"""The investigation editor: lead, 5 Whys, contributing factors, root-cause category, root cause,
findings and the photos and statements cited as evidence.

Saving sends only the fields that changed, each with the value the editor started from, so an edit
made meanwhile on another device is merged field by field; a field changed on both sides is kept
for review on the conflicts screen.
"""

from __future__ import annotations

from typing import Any

import flet as ft

from app.controls.widgets import note
from app.views.incident_context import IncidentPage
from app.views.workflow_common import Problem, action_row, button, perform, section
from models.enums import ContributingFactor, RootCauseCategory
from models.investigation import INVESTIGATION_FIELDS
from sync.mutations.investigation import EDITORS

WHYS = 5
NONE = "none"


def started_values(page: IncidentPage) -> dict[str, Any]:
    """The investigation's fields as the editor starts from them (their JSON form; blank when new)."""
    inv = page.detail.investigation
    if inv is None:
        return {
            "five_whys": [],
            "contributing_factors": [],
            "root_cause_category": None,
            "root_cause": "",
            "findings": "",
            "evidence": [],
            "lead_id": None,
        }
    return {
        "five_whys": list(inv.five_whys),
        "contributing_factors": [dict(f) for f in inv.contributing_factors],
        "root_cause_category": inv.root_cause_category,
        "root_cause": inv.root_cause,
        "findings": inv.findings,
        "evidence": [dict(e) for e in inv.evidence],
        "lead_id": str(inv.lead_id) if inv.lead_id else None,
    }


class InvestigationEditor:
    """The investigation's inputs, what they started from, and saving the difference."""

    def __init__(self, page: IncidentPage) -> None:
        t = page.t
        self.page = page
        self.started = started_values(page)
        self.editable = (page.can("investigation.patch") or page.holds(*EDITORS)) and not page.closed
        self.problem = Problem(key="investigation_problem")
        start = self.started
        self.lead = ft.Dropdown(
            label=t("wf.inv.lead"),
            tooltip=t("wf.inv.lead"),
            value=start["lead_id"] or NONE,
            options=[ft.DropdownOption(key=NONE, text=t("wf.roles.nobody")), *page.people_options()],
            key="inv.lead",
            width=320,
        )
        whys = start["five_whys"]
        self.whys = [
            ft.TextField(
                label=t("wf.inv.why", n=i + 1), value=whys[i] if i < len(whys) else "", key=f"inv.why.{i + 1}"
            )
            for i in range(WHYS)
        ]
        given = {f["category"]: f.get("description", "") for f in start["contributing_factors"]}
        self.factors = {
            c: (
                ft.Checkbox(
                    label=t(f"wf.factor.{c.value}"), value=c.value in given, key=f"inv.factor.{c.value}"
                ),
                ft.TextField(
                    label=t("wf.inv.factor_detail", factor=t(f"wf.factor.{c.value}")),
                    value=given.get(c.value, ""),
                    key=f"inv.factor.{c.value}.detail",
                    expand=True,
                ),
            )
            for c in ContributingFactor
        }
        self.category = ft.Dropdown(
            label=t("wf.inv.category"),
            tooltip=t("wf.inv.category"),
            value=start["root_cause_category"] or NONE,
            options=[ft.DropdownOption(key=NONE, text=t("wf.inv.category_none"))]
            + [ft.DropdownOption(key=c.value, text=t(f"wf.cause.{c.value}")) for c in RootCauseCategory],
            key="inv.category",
            width=320,
        )
        self.root_cause = ft.TextField(
            label=t("wf.inv.root_cause"),
            value=start["root_cause"],
            multiline=True,
            min_lines=2,
            key="inv.root_cause",
        )
        self.findings = ft.TextField(
            label=t("wf.inv.findings"),
            value=start["findings"],
            multiline=True,
            min_lines=3,
            key="inv.findings",
        )
        cited = {(e["type"], e["id"]) for e in start["evidence"]}
        d = page.detail
        self.evidence = [
            (
                ("attachment", str(a.id)),
                ft.Checkbox(
                    label=t("wf.inv.cite_photo", name=a.caption or a.slot),
                    value=("attachment", str(a.id)) in cited,
                    key=f"inv.cite.{a.id}",
                ),
            )
            for a in d.attachments
        ] + [
            (
                ("statement", str(s.id)),
                ft.Checkbox(
                    label=t("wf.inv.cite_statement", name=s.witness_name),
                    value=("statement", str(s.id)) in cited,
                    key=f"inv.cite.{s.id}",
                ),
            )
            for s in d.statements
        ]
        if not self.editable:
            for control in self.inputs():
                control.disabled = True

    def inputs(self) -> list[ft.Control]:
        """Every input of the editor."""
        found: list[ft.Control] = [self.lead, *self.whys, self.category, self.root_cause, self.findings]
        for box, text in self.factors.values():
            found += [box, text]
        return found + [box for _ref, box in self.evidence]

    def values(self) -> dict[str, Any]:
        """The fields as typed now, in their JSON form."""
        return {
            "five_whys": [w.value.strip() for w in self.whys if (w.value or "").strip()],
            "contributing_factors": [
                {"category": c.value, "description": (text.value or "").strip()}
                for c, (box, text) in self.factors.items()
                if box.value
            ],
            "root_cause_category": None if self.category.value in (None, NONE) else self.category.value,
            "root_cause": (self.root_cause.value or "").strip(),
            "findings": (self.findings.value or "").strip(),
            "evidence": [{"type": kind, "id": ref} for (kind, ref), box in self.evidence if box.value],
            "lead_id": None if self.lead.value in (None, NONE) else self.lead.value,
        }

    def changes(self) -> dict[str, dict[str, Any]]:
        """Per changed field: the value the editor started from and the new one."""
        now = self.values()
        return {
            name: {"old": self.started[name], "new": now[name]}
            for name in INVESTIGATION_FIELDS
            if now[name] != self.started[name]
        }

    async def save(self, _e: ft.Event | None = None) -> None:
        """Send the changed fields; say when some were changed on another device meanwhile."""
        t, d = self.page.t, self.page.detail
        changes = self.changes()
        if not changes:
            self.problem.say(t("wf.inv.nothing_changed"))
            return
        args = {
            "incident_id": str(d.id),
            "base_version": d.investigation.version if d.investigation else 0,
            "fields": changes,
        }
        result = await perform(self.page.shell, "investigation.patch", args, self.problem, refresh=False)
        if result is None:
            return
        conflicts = result.details.get("conflicts") or []
        self.page.shell.toast(
            t("wf.inv.conflicts_kept", n=len(conflicts)) if conflicts else t("wf.done.saved")
        )
        await self.page.shell.refresh()

    def controls(self) -> list[ft.Control]:
        """The editor's blocks."""
        t, d = self.page.t, self.page.detail
        top: list[ft.Control] = [self.lead]
        inv = d.investigation
        if inv is not None and inv.open_conflicts:

            async def review(_e: ft.Event | None = None) -> None:
                await self.page.shell.go("/conflicts")

            top.append(
                ft.Row(
                    [
                        ft.Icon(ft.Icons.CALL_SPLIT, color=ft.Colors.ORANGE_900),
                        ft.Text(
                            t("wf.inv.open_conflicts", n=inv.open_conflicts),
                            expand=True,
                            key="inv.open_conflicts",
                        ),
                        button(t("wf.inv.review_conflicts"), review, key="inv.review_conflicts"),
                    ],
                )
            )
        if not self.editable:
            top.append(note(t("wf.inv.read_only"), key="inv.read_only"))
        factors = [
            ft.Row([box, text], vertical_alignment=ft.CrossAxisAlignment.CENTER)
            for box, text in self.factors.values()
        ]
        blocks: list[ft.Control] = [
            section(t("wf.inv.lead_block"), top, key="inv.top"),
            section(t("wf.inv.whys"), [note(t("wf.inv.whys_hint")), *self.whys], key="inv.whys"),
            section(t("wf.inv.factors"), factors, key="inv.factors"),
            section(t("wf.inv.cause"), [self.category, self.root_cause, self.findings], key="inv.cause"),
            section(
                t("wf.inv.evidence"),
                [box for _ref, box in self.evidence] or [note(t("wf.inv.no_evidence"))],
                key="inv.evidence",
            ),
        ]
        if self.editable:
            blocks += [
                self.problem,
                action_row(
                    [button(t("wf.inv.save"), self.save, key="inv.save", icon=ft.Icons.SAVE, filled=True)]
                ),
            ]
        return blocks


async def investigation_tab(page: IncidentPage) -> list[ft.Control]:
    """The investigation tab."""
    return InvestigationEditor(page).controls()
