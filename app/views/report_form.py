"""Writing a report: the quick path (kind, one line, a photo, the place) and the full forms, step by step.

Both are a `ReportEditor`: the form's values on screen, saved as a draft a moment after every change
(and at once when the step changes, the screen is left or the app goes to the background), and
filed with `report.create` through the store. The draft's id becomes the report's id, so a save that
is repeated after a crash is recognised as the same report.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

import flet as ft

from app.controls.camera_sheet import has_camera
from app.controls.clock import device_now, iso_local, ltr, now_in, split_local, zone_for
from app.controls.fields import FormRenderer, RenderContext
from app.controls.kind_picker import KindPicker
from app.controls.location_panel import LocationPanel
from app.controls.photo_picker import PhotoPicker
from app.controls.widgets import (
    error_line,
    heading,
    is_tablet,
    main_button,
    note,
    plain_button,
    show_error,
    text_button,
)
from app.drafts import Draft
from app.i18n import Translator
from app.queries_reporting import (
    Area,
    SiteChoice,
    report_detail,
    reporting_sites,
    site_areas,
    site_assets,
)
from app.shell import Shell
from app.store import StoreError
from app.views.common import KIND_ICONS, screen
from forms.convert import promote_quick
from forms.fields import Choice
from forms.quick import QUICK_FORM
from forms.registry import FULL_FORMS, get
from forms.spec import FormSpec, clean, defaults

log = logging.getLogger(__name__)


def save_error(t: Translator, code: str) -> str:
    """Why a save was refused, in plain words (a general message for codes without one)."""
    key = f"save.error.{code}"
    message = t(key)
    return message if message != key else t("save.error.other")


class ReportEditor:
    """One report being written: its values, the controls that edit them, its draft, and its filing."""

    def __init__(
        self,
        shell: Shell,
        spec: FormSpec,
        draft_id: str,
        values: dict[str, Any],
        extra: dict[str, Any],
        sites: list[SiteChoice],
        site: SiteChoice,
    ) -> None:
        self.shell = shell
        self.spec = spec
        self.draft_id = draft_id
        self.sites = sites
        self.site = site
        self.extra = extra
        self.zone = zone_for(site.timezone)
        self.dirty = False
        self.saving = False
        self.filed = False
        self.pending: asyncio.Task[Any] | None = None
        self.initial = values
        self.banner = error_line(key="form_error")

    async def load(self, blobs: dict[str, bytes]) -> None:
        """Read the site's areas and assets and build the editors."""
        store, t = self.shell.store, self.shell.t
        areas = await store.query(site_areas, site_id=self.site.id)
        assets = await store.query(site_assets, site_id=self.site.id)
        ctx = RenderContext(
            t=t,
            zone=self.zone,
            choices={"site_area": [(a.id, a.name) for a in areas], "asset": assets},
            show_dialog=self.shell.page.show_dialog,
        )
        self.build(ctx, areas, blobs)

    def build(self, ctx: RenderContext, areas: list[Area], blobs: dict[str, bytes]) -> None:
        """Make the editors: the form's own, with the location panel and the photo picker."""
        self.location = LocationPanel(
            ctx,
            self.spec.field("location"),
            areas=areas,
            device=self.shell.location,
            spawn=self.shell.spawn,
            geocoder=self.shell.geocoder,
            online=lambda: self.shell.online,
            on_area=self.area_chosen,
        )
        self.photos = PhotoPicker(
            ctx,
            self.spec.field("photos"),  # type: ignore[arg-type]
            picker=self.shell.file_picker,
            camera=has_camera(self.shell.page),
        )
        special: dict[str, Any] = {"location": self.location, "photos": self.photos}
        if self.spec is QUICK_FORM:
            kind = self.spec.field("kind")
            assert isinstance(kind, Choice)
            special["kind"] = KindPicker(ctx, kind, {k.value: icon for k, icon in KIND_ICONS.items()})
        self.renderer = FormRenderer(self.spec, ctx, self.initial, special=special, on_change=self.changed)
        self.location.restore(self.extra.get("location", {}))
        self.photos.restore(self.extra.get("photos", []), blobs)

    # -- drafts ------------------------------------------------------------------------------------

    def changed(self, _name: str, _value: Any) -> None:
        """A value changed: write the draft after a moment of quiet."""
        if self.filed:
            return
        self.dirty = True
        show_error(self.banner, None)
        if self.pending is None or self.pending.done():
            self.pending = self.shell.spawn(self._save_later())

    def area_chosen(self, area_id: str | None) -> None:
        """The location panel settled on a site area: fill the form's area field."""
        if "area_id" in self.renderer.editors and area_id:
            self.renderer.set("area_id", area_id)

    async def _save_later(self) -> None:
        """Write the draft once typing pauses."""
        await asyncio.sleep(self.shell.autosave_delay)
        await self.save_draft()

    async def save_draft(self) -> None:
        """Write the draft now if anything changed since the last write."""
        if not self.dirty or self.filed:
            return
        self.dirty = False
        await self.shell.drafts.save(
            draft_id=self.draft_id,
            user_id=self.shell.user_id,
            form_id=self.spec.id,
            form_version=self.spec.version,
            values=self.renderer.values,
            extra=self.draft_extra(),
            blobs=self.draft_blobs(),
        )

    def draft_blobs(self) -> dict[str, bytes]:
        """The bytes the draft needs kept (the photos)."""
        return self.photos.draft_blobs()

    def draft_extra(self) -> dict[str, Any]:
        """What the draft keeps besides the values."""
        return {
            "site_id": str(self.site.id),
            "location": self.location.extra(),
            "photos": self.photos.extra(),
        }

    async def discard(self, _e: ft.Event | None = None) -> None:
        """Throw the draft away (after the user confirmed)."""
        self.filed = True
        await self.shell.drafts.delete(self.draft_id)
        self.shell.page.pop_dialog()
        await self.shell.go("/home")

    def confirm_discard(self, _e: ft.Event | None = None) -> None:
        """Ask before throwing a draft away."""
        t = self.shell.t
        self.shell.page.show_dialog(
            ft.AlertDialog(
                title=ft.Text(t("draft.discard_title")),
                content=ft.Text(t("draft.discard_text")),
                actions=[
                    text_button(t("draft.keep"), lambda _e: self.shell.page.pop_dialog(), key="discard.keep"),
                    text_button(t("draft.discard"), self.discard, key="discard.confirm"),
                ],
                key="discard_dialog",
            )
        )

    # -- filing ------------------------------------------------------------------------------------

    def report_args(self) -> dict[str, Any]:
        """The `report.create` arguments for the current values."""
        values = clean(self.spec, self.renderer.values)
        return {
            "id": self.draft_id,
            "site_id": str(self.site.id),
            "form_id": self.spec.id,
            "form_version": self.spec.version,
            "values": values,
            "occurred_at": values.get("occurred_at"),
            "device_recorded_at": device_now(),
            "location": values.get("location"),
            "attachments": self.photos.manifest(),
        }

    async def submit(self, _e: ft.Event | None = None) -> bool:
        """Check every answer; file the report through the store; True when it was saved."""
        t = self.shell.t
        if self.saving or self.filed:
            return False
        if self.renderer.check():
            show_error(self.banner, t("report.fix_errors"))
            return False
        self.saving = True
        try:
            await self.shell.store.mutate(
                "report.create", self.report_args(), blobs=self.photos.upload_blobs()
            )
        except StoreError as exc:
            show_error(self.banner, save_error(t, exc.code))
            return False
        except Exception:  # the answers stay on screen and in the draft; the user can try again
            log.exception("report.create failed")
            show_error(self.banner, t("save.error.other"))
            return False
        finally:
            self.saving = False
        self.filed = True
        if self.pending is not None and not self.pending.done():
            self.pending.cancel()
        await self.shell.drafts.delete(self.draft_id)
        sync = self.shell.sync
        self.shell.toast(
            t("save.saved_phone") if sync is not None and sync.supported else t("save.saved_server")
        )
        if sync is not None:
            await sync.refresh_states()
            sync.request("saved")
        await self.shell.go(f"/reports/{self.draft_id}")
        return True

    # -- the site ----------------------------------------------------------------------------------

    def site_control(self) -> ft.Control | None:
        """A site menu when the account reports for more than one site."""
        if len(self.sites) < 2:
            return None
        return ft.Dropdown(
            label=self.shell.t("report.site"),
            tooltip=self.shell.t("report.site"),
            value=str(self.site.id),
            options=[ft.DropdownOption(key=str(s.id), text=s.name) for s in self.sites],
            on_select=self.site_changed,
            key="site",
            expand=True,
        )

    async def site_changed(self, e: ft.Event[ft.Dropdown]) -> None:
        """Another site: keep the answers, load that site's areas (the screen is built again)."""
        chosen = next((s for s in self.sites if str(s.id) == e.control.value), None)
        if chosen is None or chosen.id == self.site.id:
            return
        self.site = chosen
        self.dirty = True
        await self.save_draft()
        await self.shell.go(f"/draft/{self.draft_id}")


async def open_editor(shell: Shell, form_id: str, draft: Draft | None) -> ReportEditor | None:
    """Prepare an editor for a new report of a form, or for a stored draft (None without a site)."""
    spec = get(form_id)
    sites = await shell.store.query(reporting_sites)
    if not sites:
        return None
    extra = dict(draft.extra) if draft else {}
    wanted = extra.get("site_id") or (str(shell.site.id) if shell.site else None)
    site = next((s for s in sites if str(s.id) == wanted), sites[0])
    shell.site = site
    if draft is not None:
        values = dict(draft.values)
    else:
        values = defaults(spec)
        values["occurred_at"] = iso_local(now_in(zone_for(site.timezone)))
    editor = ReportEditor(shell, spec, draft.id if draft else str(uuid.uuid4()), values, extra, sites, site)
    blobs = await shell.drafts.blobs(list(draft.blobs)) if draft else {}
    await editor.load(blobs)
    return editor


def no_site_view(shell: Shell, route: str) -> ft.View:
    """What a user with no site to report for sees."""
    return screen(
        shell, route, shell.t("report.title"), [note(shell.t("report.no_site"), key="no_site")], back="/home"
    )


# -- the quick path --------------------------------------------------------------------------------


def quick_view(shell: Shell, editor: ReportEditor, route: str) -> ft.View:
    """The quick report: kind, one line, a photo, the place (found by itself), Save."""
    t = shell.t
    r = editor.renderer
    when = r.editors["occurred_at"]
    when.control.visible = False
    when_text = ft.Text(when_summary(editor), key="when_summary", expand=True)

    def toggle_when(_e: ft.Event | None = None) -> None:
        when.control.visible = not when.control.visible

    def refresh_when(name: str, value: Any) -> None:
        if name == "occurred_at":
            when_text.value = when_summary(editor)
        editor.changed(name, value)

    r.on_change = refresh_when

    async def more_details(_e: ft.Event | None = None) -> None:
        if not r.values.get("kind"):
            r.check({"kind"})
            return
        form_id, values = promote_quick(r.values)
        editor.filed = True
        await shell.drafts.save(
            draft_id=editor.draft_id,
            user_id=shell.user_id,
            form_id=form_id,
            form_version=get(form_id).version,
            values=values,
            extra=editor.draft_extra(),
            blobs=editor.photos.draft_blobs(),
        )
        await shell.go(f"/draft/{editor.draft_id}")

    site = editor.site_control()
    controls: list[ft.Control] = [
        *([ft.Row([site])] if site else []),
        r.boxes["kind"],
        r.boxes["title"],
        r.boxes["photos"],
        r.boxes["location"],
        ft.Container(
            ft.Row(
                [
                    ft.Icon(ft.Icons.SCHEDULE),
                    when_text,
                    text_button(t("quick.change_time"), toggle_when, key="change_time"),
                ]
            ),
        ),
        r.boxes["occurred_at"],
        editor.banner,
        ft.Row([main_button(t("report.save"), editor.submit, key="save_report", icon=ft.Icons.SEND)]),
        ft.Row(
            [
                plain_button(
                    t("quick.more_details"), more_details, key="more_details", icon=ft.Icons.EDIT_NOTE
                ),
                text_button(t("draft.discard"), editor.confirm_discard, key="discard"),
            ],
            wrap=True,
        ),
    ]
    return screen(shell, route, t("quick.title"), controls, back="/home")


def when_summary(editor: ReportEditor) -> str:
    """ "When: 2025-03-14 14:30" for the quick path's compact time line."""
    day, clock = split_local(editor.renderer.values.get("occurred_at"), editor.zone)
    t = editor.shell.t
    return t("quick.when", time=ltr(f"{day} {clock}".strip() or "—", t.rtl))


# -- the full forms --------------------------------------------------------------------------------


class FormSteps:
    """A full form as steps, one section at a time: heading, progress, the section's fields, Back/Next."""

    def __init__(self, shell: Shell, editor: ReportEditor) -> None:
        self.shell = shell
        self.editor = editor
        self.index = 0
        self.tablet = is_tablet(shell.page)
        self.title = heading("", key="step_title")
        self.counter = note("", key="step_counter")
        self.bar = ft.ProgressBar(value=0, bar_height=6, semantics_label=shell.t("steps.progress"))
        self.containers: dict[str, ft.ResponsiveRow] = {}
        for section, editors in editor.renderer.spec.sections():
            shown = [e for e in (editor.renderer.editors.get(f.name) for f in editors) if e is not None]
            for e in shown:
                editor.renderer.boxes[e.name].col = {"xs": 12, "md": 12 if e.wide else 6}
            self.containers[section] = ft.ResponsiveRow(
                [editor.renderer.boxes[e.name] for e in shown],
                spacing=12,
                run_spacing=16,
                key=f"section.{section}",
            )
        t = shell.t
        self.back_button = plain_button(
            t("steps.back"), self.back, key="step_back", icon=ft.Icons.CHEVRON_LEFT
        )
        self.next_button = main_button(
            t("steps.next"), self.next, key="step_next", icon=ft.Icons.CHEVRON_RIGHT
        )
        self.save_button = main_button(t("report.save"), self.save, key="save_report", icon=ft.Icons.SEND)
        editor.renderer.on_change = self.changed

    def changed(self, name: str, value: Any) -> None:
        """A value changed: the steps may change too (a section appears or goes)."""
        self.editor.changed(name, value)
        self.render()

    def sections(self) -> list[str]:
        """The sections with something to answer now."""
        return [name for name, _ in self.editor.renderer.sections()]

    def render(self) -> None:
        """Show the current step only."""
        sections = self.sections()
        self.index = max(0, min(self.index, len(sections) - 1))
        current = sections[self.index]
        t = self.shell.t
        self.title.value = t(f"section.{current}")
        self.counter.value = t("steps.count", n=self.index + 1, total=len(sections))
        self.bar.value = (self.index + 1) / len(sections)
        for name, container in self.containers.items():
            container.visible = name == current
        last = self.index == len(sections) - 1
        self.back_button.visible = self.index > 0
        self.next_button.visible = not last
        self.save_button.visible = last

    async def go_to(self, index: int) -> None:
        """Move to a step (writing the draft first)."""
        self.index = index
        self.render()
        await self.editor.save_draft()

    async def next(self, _e: ft.Event | None = None) -> None:
        """Check this step's answers; go on when they are fine."""
        sections = self.sections()
        names = {e.name for e in dict(self.editor.renderer.sections())[sections[self.index]]}
        if self.editor.renderer.check(names):
            show_error(self.editor.banner, self.shell.t("report.fix_errors"))
            return
        show_error(self.editor.banner, None)
        await self.go_to(self.index + 1)

    async def back(self, _e: ft.Event | None = None) -> None:
        """Go one step back (no checks)."""
        show_error(self.editor.banner, None)
        await self.go_to(self.index - 1)

    async def save(self, _e: ft.Event | None = None) -> None:
        """File the report; on problems, go to the first step that has one."""
        if await self.editor.submit():
            return
        errors = self.editor.renderer.errors
        for i, (_section, editors) in enumerate(self.editor.renderer.sections()):
            if any(e.name in errors for e in editors):
                self.index = i
                break
        self.render()

    def controls(self) -> list[ft.Control]:
        """Everything on the screen, in order."""
        site = self.editor.site_control()
        self.render()
        return [
            ft.Column([self.counter, self.title, self.bar], spacing=4),
            *([ft.Row([site])] if site else []),
            *self.containers.values(),
            self.editor.banner,
            ft.Row([self.back_button, self.next_button, self.save_button], spacing=12),
            ft.Row(
                [text_button(self.shell.t("draft.discard"), self.editor.confirm_discard, key="discard")],
                alignment=ft.MainAxisAlignment.END,
            ),
        ]


def form_view(shell: Shell, editor: ReportEditor, route: str) -> ft.View:
    """A full form, step by step."""
    steps = FormSteps(shell, editor)
    return screen(shell, route, shell.t(editor.spec.label), steps.controls(), back="/home")


# -- choosing a form -------------------------------------------------------------------------------


def choose_form_view(shell: Shell) -> ft.View:
    """Which full form to fill: one big button per form, with what it is for."""
    t = shell.t
    icons = {"injury": ft.Icons.PERSONAL_INJURY, "near_miss": ft.Icons.WARNING_AMBER}
    icons |= {"outage": ft.Icons.CLOUD_OFF, "occurrence": ft.Icons.REPORT}

    def chooser(form_id: str) -> ft.Control:
        async def go(_e: ft.Event | None = None) -> None:
            await shell.go(f"/report/form/{form_id}")

        return ft.Container(
            ft.Column(
                [
                    ft.FilledTonalButton(
                        content=ft.Text(t(f"form.{form_id}"), size=17, weight=ft.FontWeight.W_600),
                        icon=icons.get(form_id),
                        on_click=go,
                        height=64,
                        key=f"form.{form_id}",
                    ),
                    note(t(f"report.form_hint.{form_id}")),
                ],
                spacing=4,
                horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
            ),
            col={"xs": 12, "md": 6},
        )

    grid = ft.ResponsiveRow([chooser(spec.id) for spec in FULL_FORMS], spacing=12, run_spacing=16)
    return screen(shell, "/report/new", t("report.choose_title"), [grid], back="/home")


async def already_filed(shell: Shell, draft: Draft) -> bool:
    """Whether a draft's report was saved already (the app stopped before forgetting the draft)."""
    try:
        found = await shell.store.query(report_detail, incident_id=uuid.UUID(draft.id))
    except ValueError:
        return False
    return found is not None
