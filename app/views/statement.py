"""Taking a witness statement: who, how to reach them, their relation, their words, a drawn signature.

Once signed and saved a statement never changes; a correction is a new statement that points to the
one it corrects (`amends_id`), signed again. The typed part is kept as a draft until it is signed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from typing import Any

import flet as ft

from app.controls.clock import device_now, ltr, short_time, zone_for
from app.controls.signature_pad import SignaturePad
from app.controls.widgets import error_line, heading, main_button, note, show_error
from app.i18n import LANGUAGES
from app.queries_reporting import ReportDetail, StatementRow, report_detail
from app.shell import Shell
from app.store import StoreError
from app.views.common import screen
from app.views.report_form import save_error
from models.enums import WitnessRelation

log = logging.getLogger(__name__)

FORM_ID = "statement"


class StatementEditor:
    """One statement being taken: the inputs, its draft, the signature and the filing."""

    def __init__(
        self,
        shell: Shell,
        detail: ReportDetail,
        statement_id: str,
        values: dict[str, Any],
        amends: StatementRow | None,
    ) -> None:
        t = shell.t
        self.shell = shell
        self.detail = detail
        self.statement_id = statement_id
        self.amends = amends
        self.zone = zone_for(detail.site_timezone or None)
        self.values = values
        self.values.setdefault("taken_at", device_now())
        self.dirty = False
        self.signed = False
        self.pending: asyncio.Task[Any] | None = None
        self.name = ft.TextField(
            label=f"{t('statement.name')} *",
            value=values.get("witness_name", ""),
            key="witness_name",
            capitalization=ft.TextCapitalization.WORDS,
            on_change=lambda e: self.changed("witness_name", e.control.value),
        )
        self.contact = ft.TextField(
            label=t("statement.contact"),
            value=values.get("contact", ""),
            key="witness_contact",
            keyboard_type=ft.KeyboardType.PHONE,
            on_change=lambda e: self.changed("contact", e.control.value),
        )
        self.relation_error = error_line(key="witness_relation.error")
        self.relation = ft.RadioGroup(
            content=ft.Column(
                [
                    ft.Radio(
                        visual_density=ft.VisualDensity.STANDARD,
                        value=r.value,
                        label=t(f"statement.relation.{r.value}"),
                        key=f"witness_relation.{r.value}",
                    )
                    for r in WitnessRelation
                ],
                spacing=0,
            ),
            value=values.get("relation"),
            key="witness_relation",
            on_change=lambda e: self.changed("relation", e.control.value),
        )
        self.text = ft.TextField(
            label=f"{t('statement.text')} *",
            helper=t("statement.text_help"),
            helper_max_lines=3,
            value=values.get("statement", ""),
            key="witness_statement",
            multiline=True,
            min_lines=5,
            max_lines=14,
            keyboard_type=ft.KeyboardType.MULTILINE,
            capitalization=ft.TextCapitalization.SENTENCES,
            on_change=lambda e: self.changed("statement", e.control.value),
        )
        self.language = ft.Dropdown(
            label=t("statement.language"),
            tooltip=t("statement.language"),
            value=values.get("language") or shell.t.language,
            options=[ft.DropdownOption(key=code, text=name) for code, name in LANGUAGES.items()],
            key="witness_language",
            on_select=lambda e: self.changed("language", e.control.value),
            expand=True,
        )
        self.pad = SignaturePad(
            label=t("statement.sign_here"),
            pad_label=t("statement.signature_pad"),
            clear_label=t("statement.clear_signature"),
        )
        self.pad.on_change_strokes = lambda: show_error(self.signature_error, None)
        self.signature_error = error_line(key="signature.error")
        self.banner = error_line(key="statement_error")
        self.done = note("", key="statement_done", visible=False)
        self.button = main_button(
            t("statement.sign_and_save"), self.sign, key="sign_statement", icon=ft.Icons.DRAW
        )

    def changed(self, name: str, value: Any) -> None:
        """Keep a typed value; write the draft after a moment of quiet."""
        if self.signed:
            return
        self.values[name] = value or ""
        self.dirty = True
        if name == "relation":
            show_error(self.relation_error, None)
        if self.pending is None or self.pending.done():
            self.pending = self.shell.spawn(self._save_later())

    async def _save_later(self) -> None:
        """Write the draft once typing pauses."""
        await asyncio.sleep(self.shell.autosave_delay)
        await self.save_draft()

    async def save_draft(self) -> None:
        """Write the draft now if anything changed."""
        if not self.dirty or self.signed:
            return
        self.dirty = False
        await self.shell.drafts.save(
            draft_id=self.statement_id,
            user_id=self.shell.user_id,
            form_id=FORM_ID,
            form_version=1,
            values=dict(self.values),
            extra={
                "incident_id": str(self.detail.row.id),
                "amends_id": str(self.amends.id) if self.amends else None,
            },
        )

    def problems(self) -> bool:
        """Show what is missing at each input; True when something is."""
        t = self.shell.t
        required = t("statement.required")
        self.name.error = None if (self.name.value or "").strip() else required
        self.text.error = None if (self.text.value or "").strip() else required
        show_error(self.relation_error, None if self.relation.value else t("statement.choose_relation"))
        show_error(self.signature_error, t("statement.signature_missing") if self.pad.empty else None)
        return bool(self.name.error or self.text.error or not self.relation.value or self.pad.empty)

    async def sign(self, _e: ft.Event | None = None) -> None:
        """Sign and save: the statement goes to the store with its signature and can no longer change."""
        t = self.shell.t
        if self.signed or self.problems():
            if not self.signed:
                show_error(self.banner, t("report.fix_errors"))
            return
        png, sha256 = self.pad.png_with_sha256()
        now = device_now()
        args = {
            "id": self.statement_id,
            "incident_id": str(self.detail.row.id),
            "witness_name": (self.name.value or "").strip(),
            "contact": (self.contact.value or "").strip(),
            "relation": self.relation.value,
            "statement": (self.text.value or "").strip(),
            "language": self.language.value or self.shell.t.language,
            "signature_sha256": sha256,
            "signed_at": now,
            "taken_at": self.values.get("taken_at") or now,
        }
        if self.amends is not None:
            args["amends_id"] = str(self.amends.id)
        try:
            await self.shell.store.mutate("statement.create", args, blobs={sha256: png})
        except StoreError as exc:
            show_error(self.banner, save_error(t, exc.code))
            return
        except Exception:  # what was typed stays on screen; the user can try again
            log.exception("statement.create failed")
            show_error(self.banner, t("save.error.other"))
            return
        self.lock()
        if self.pending is not None and not self.pending.done():
            self.pending.cancel()
        await self.shell.drafts.delete(self.statement_id)
        self.shell.toast(t("statement.saved"))
        if self.shell.sync is not None:
            await self.shell.sync.refresh_states()
            self.shell.sync.request("statement")
        await self.shell.go(f"/reports/{self.detail.row.id}")

    def lock(self) -> None:
        """Make the signed statement read-only on screen."""
        self.signed = True
        for field in (self.name, self.contact, self.text):
            field.read_only = True
        self.relation.disabled = True
        self.language.disabled = True
        self.pad.lock()
        self.button.visible = False
        show_error(self.banner, None)
        self.done.value = self.shell.t("statement.locked")
        self.done.visible = True

    def controls(self) -> list[ft.Control]:
        """The screen's content."""
        t = self.shell.t
        account = self.shell.store.account
        taker = account.display_name if account else ""
        head: list[ft.Control] = [
            note(t("statement.for_report", title=self.detail.row.title), key="statement_for")
        ]
        if self.amends is not None:
            head.append(
                note(
                    t(
                        "statement.correcting",
                        name=self.amends.witness_name,
                        time=ltr(short_time(self.amends.taken_at, self.zone), t.rtl),
                    ),
                    key="statement_correcting",
                )
            )
        return [
            *head,
            self.name,
            self.contact,
            heading(f"{t('statement.relation')} *"),
            self.relation,
            self.relation_error,
            self.text,
            ft.Row([self.language]),
            note(
                t(
                    "statement.taken_by",
                    name=taker,
                    time=ltr(short_time(dt.datetime.now(dt.UTC), self.zone), t.rtl),
                )
            ),
            self.pad,
            self.signature_error,
            self.banner,
            self.done,
            ft.Row([self.button]),
        ]


async def statement_view(
    shell: Shell, report_id: str, amends_id: str | None = None, draft_id: str | None = None
) -> ft.View:
    """The statement screen of a report (a correction with `amends_id`, a draft's with `draft_id`)."""
    t = shell.t
    route = f"/reports/{report_id}/statement" + (f"/{amends_id}" if amends_id else "")
    try:
        detail = await shell.store.query(report_detail, incident_id=uuid.UUID(report_id))
    except ValueError:
        detail = None
    if detail is None:
        return screen(
            shell,
            route,
            t("statement.title"),
            [note(t("report.not_found"), key="not_found")],
            back="/reports",
        )
    amends = next((s for s in detail.statements if str(s.id) == amends_id), None)
    values: dict[str, Any] = {}
    if draft_id is not None:
        draft = await shell.drafts.load(draft_id, shell.user_id)
        values = dict(draft.values) if draft else {}
    elif amends is not None:
        values = {
            "witness_name": amends.witness_name,
            "contact": amends.contact,
            "relation": amends.relation.value,
            "statement": amends.statement,
            "language": amends.language,
        }
    editor = StatementEditor(shell, detail, draft_id or str(uuid.uuid4()), values, amends)
    shell.flush = editor.save_draft
    return screen(shell, route, t("statement.title"), editor.controls(), back=f"/reports/{report_id}")
