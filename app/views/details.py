"""Adding details to a filed report: the full form over what was filed, sent as a `report.amend`.

A quick report becomes its kind's full form (`forms.convert.promote_quick`); the worker fills in
what they know now, step by step, and only the answers that changed travel, as an amendment (a
filed report is never edited in place). Photos and the place stay as filed. The answers are kept
as a draft until they are sent, like any report.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import flet as ft

from app.controls.fields import FormRenderer, RenderContext
from app.controls.widgets import note, show_error
from app.drafts import Draft
from app.queries_reporting import Area, ReportDetail, report_detail, reporting_sites
from app.shell import Shell
from app.store import StoreError
from app.views.common import screen
from app.views.report_form import FormSteps, ReportEditor, save_error
from forms.convert import promote_quick
from forms.quick import QUICK_FORM
from forms.registry import get
from forms.spec import clean

log = logging.getLogger(__name__)

KEPT = ("photos", "location")
"""Fields a details form leaves as filed."""


def base_of(detail: ReportDetail) -> tuple[str, dict[str, Any]]:
    """The full form a filed report is completed with, and its answers so far."""
    if detail.form_id == QUICK_FORM.id:
        return promote_quick(detail.form_values)
    return detail.form_id, dict(detail.form_values)


class DetailsEditor(ReportEditor):
    """A full form over a filed report's answers; saving sends the changed answers as an amendment."""

    def __init__(
        self, shell: Shell, detail: ReportDetail, draft_id: str, values: dict[str, Any], **kw: Any
    ) -> None:
        form_id, self.base = base_of(detail)
        super().__init__(shell, get(form_id), draft_id, values, {"incident_id": str(detail.row.id)}, **kw)
        self.detail = detail

    def build(self, ctx: RenderContext, areas: list[Area], blobs: dict[str, bytes]) -> None:
        """The form's editors without photos and place (they stay as filed)."""
        names = tuple(n for n in self.spec.names if n not in KEPT)
        self.renderer = FormRenderer(self.spec, ctx, self.initial, only=names, on_change=self.changed)

    def area_chosen(self, area_id: str | None) -> None:
        """There is no location panel here."""

    def draft_blobs(self) -> dict[str, bytes]:
        """No photos are added here."""
        return {}

    def draft_extra(self) -> dict[str, Any]:
        """The report the details belong to."""
        return {"site_id": str(self.site.id), "incident_id": str(self.detail.row.id)}

    def changes(self) -> dict[str, Any]:
        """The answers that differ from what was filed."""
        values = {**self.base, **self.renderer.values}
        now, before = clean(self.spec, values), clean(self.spec, self.base)
        names = [n for n in self.spec.names if n not in KEPT]
        return {n: now.get(n) for n in names if now.get(n) != before.get(n) and n in now}

    async def submit(self, _e: ft.Event | None = None) -> bool:
        """Check every answer, then send what changed as `report.amend`; True when it was saved."""
        t = self.shell.t
        if self.saving or self.filed:
            return False
        if self.renderer.check():
            show_error(self.banner, t("report.fix_errors"))
            return False
        changes = self.changes()
        if not changes:
            show_error(self.banner, t("details.nothing_changed"))
            return False
        args = {"id": self.draft_id, "incident_id": str(self.detail.row.id), "changes": changes, "reason": ""}
        self.saving = True
        try:
            await self.shell.store.mutate("report.amend", args)
        except StoreError as exc:
            show_error(self.banner, save_error(t, exc.code))
            return False
        except Exception:  # the answers stay on screen and in the draft; the user can try again
            log.exception("report.amend failed")
            show_error(self.banner, t("save.error.other"))
            return False
        finally:
            self.saving = False
        self.filed = True
        await self.shell.drafts.delete(self.draft_id)
        self.shell.toast(t("details.saved"))
        if self.shell.sync is not None:
            await self.shell.sync.refresh_states()
            self.shell.sync.request("details")
        await self.shell.go(f"/reports/{self.detail.row.id}")
        return True


async def details_view(shell: Shell, report_id: str, draft: Draft | None = None) -> ft.View:
    """The full form over a filed report (a new set of details, or a draft of one)."""
    t = shell.t
    route = f"/reports/{report_id}/details"
    try:
        detail = await shell.store.query(report_detail, incident_id=uuid.UUID(report_id))
    except ValueError:
        detail = None
    sites = await shell.store.query(reporting_sites)
    site = next((s for s in sites if detail is not None and s.id == detail.site_id), None)
    if detail is None or site is None:
        return screen(
            shell, route, t("details.title"), [note(t("report.not_found"), key="not_found")], back="/reports"
        )
    values = dict(draft.values) if draft else base_of(detail)[1]
    editor = DetailsEditor(
        shell, detail, draft.id if draft else str(uuid.uuid4()), values, sites=sites, site=site
    )
    await editor.load({})
    shell.flush = editor.save_draft
    steps = FormSteps(shell, editor)
    controls = [note(t("details.intro", title=detail.row.title), key="details_intro"), *steps.controls()]
    return screen(shell, route, t("details.title"), controls, back=f"/reports/{report_id}")
