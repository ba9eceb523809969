"""My reports (with each one's journey to the server and the drafts not saved yet) and one report's page."""

from __future__ import annotations

import uuid

import flet as ft

from app.controls.clock import ltr, short_time, zone_for
from app.controls.widgets import heading, main_button, note, plain_button, readable, safe_update
from app.drafts import Draft
from app.queries_reporting import ReportDetail, ReportRow, StatementRow, my_reports, report_detail
from app.shell import Shell
from app.views.common import KIND_ICONS, kind_label, screen, state_chip
from forms.registry import FORMS

THUMB = 96


def report_card(shell: Shell, row: ReportRow) -> ft.Control:
    """One report in a list: what, when, where, its state; tap to open."""
    t = shell.t
    info = shell.sync.state_of(row.id) if shell.sync else None
    zone = zone_for(shell.site.timezone if shell.site else None)
    facts = [kind_label(shell, row.kind), ltr(short_time(row.occurred_at, zone), t.rtl)]
    if row.site_name:
        facts.append(row.site_name)
    counts = []
    if row.photos:
        counts.append(t("reports.photos", n=row.photos))
    if row.statements:
        counts.append(t("reports.statements", n=row.statements))

    async def open_report(_e: ft.Event | None = None) -> None:
        await shell.go(f"/reports/{row.id}")

    return ft.Card(
        ft.Container(
            ft.Column(
                [
                    ft.Row(
                        [
                            ft.Icon(KIND_ICONS.get(row.kind, ft.Icons.REPORT)),
                            ft.Text(row.title, weight=ft.FontWeight.W_600, size=16, expand=True),
                        ]
                    ),
                    note(" · ".join(facts)),
                    *([note(" · ".join(counts))] if counts else []),
                    *([state_chip(shell, info, key=f"state-{row.id}")] if info else []),
                ],
                spacing=6,
            ),
            padding=12,
            on_click=open_report,
            key=f"report-{row.id}",
        ),
        col={"xs": 12, "md": 6},
        semantic_container=False,
    )


def draft_card(shell: Shell, draft: Draft) -> ft.Control:
    """A draft not saved yet: its form, its first line, when it was last changed; tap to continue."""
    t = shell.t
    name = t(FORMS[draft.form_id].label) if draft.form_id in FORMS else t("statement.title")
    title = str(draft.values.get("title") or draft.values.get("witness_name") or t("drafts.untitled"))
    changed = ltr(short_time(draft.updated_at, zone_for(None)), t.rtl) if draft.updated_at else ""

    async def resume(_e: ft.Event | None = None) -> None:
        await shell.go(f"/draft/{draft.id}")

    return ft.Card(
        ft.Container(
            ft.Row(
                [
                    ft.Icon(ft.Icons.EDIT_NOTE),
                    ft.Column(
                        [
                            ft.Text(title, weight=ft.FontWeight.W_600),
                            note(t("drafts.line", form=name, time=changed)),
                        ],
                        spacing=2,
                        expand=True,
                    ),
                ]
            ),
            padding=12,
            on_click=resume,
            key=f"draft-{draft.id}",
        ),
        col={"xs": 12, "md": 6},
        semantic_container=False,
    )


async def my_reports_view(shell: Shell) -> ft.View:
    """Every report of mine with its state, and my drafts on top."""
    t = shell.t
    if shell.sync is not None:
        await shell.sync.refresh_states()
    rows = await shell.store.query(my_reports)
    drafts = await shell.drafts.for_user(shell.user_id)
    controls: list[ft.Control] = []
    if drafts:
        controls += [
            heading(t("drafts.title")),
            ft.ResponsiveRow([draft_card(shell, d) for d in drafts], spacing=8, run_spacing=8),
        ]
    controls.append(heading(t("reports.title")))
    if rows:
        controls.append(
            ft.ResponsiveRow([report_card(shell, r) for r in rows], spacing=8, run_spacing=8, key="reports")
        )
    else:
        controls.append(note(t("reports.empty"), key="reports_empty"))
    view = screen(shell, "/reports", t("reports.title"), controls, nav=True)
    if shell.sync is not None:

        def changed() -> None:
            for row in rows:
                card = _find(view, f"state-{row.id}")
                if card is not None:
                    fresh = state_chip(shell, shell.sync.state_of(row.id), key=f"state-{row.id}")  # type: ignore[union-attr]
                    card.content, card.bgcolor = fresh.content, fresh.bgcolor
                    safe_update(card)

        shell.sync.listen("reports", changed)
    return view


def _find(root: ft.Control, key: str) -> ft.Container | None:
    """A control by key under a root (for redrawing one state chip)."""
    stack: list[object] = [root]
    while stack:
        node = stack.pop()
        if getattr(node, "key", None) == key and isinstance(node, ft.Container):
            return node
        for name in ("controls", "content"):
            child = getattr(node, name, None)
            if isinstance(child, list):
                stack.extend(child)
            elif child is not None:
                stack.append(child)
    return None


def statement_card(shell: Shell, detail: ReportDetail, s: StatementRow, zone: object) -> ft.Control:
    """A witness statement, read-only; the one action is to correct it with an amendment."""
    t = shell.t
    lines: list[ft.Control] = [
        ft.Text(s.witness_name, weight=ft.FontWeight.W_600, size=16),
        note(t(f"statement.relation.{s.relation.value}") + (f" · {s.contact}" if s.contact else "")),
        readable(s.statement),
        note(t("statement.taken_line", name=s.taken_by, time=ltr(short_time(s.taken_at, zone), t.rtl))),  # type: ignore[arg-type]
    ]
    if s.amends_id:
        lines.insert(1, note(t("statement.is_correction")))
    if s.signed_at:
        lines.append(
            note(
                t("statement.signed_line", time=ltr(short_time(s.signed_at, zone), t.rtl)),
                key=f"signed-{s.id}",
            )
        )  # type: ignore[arg-type]
    signature = ft.Container(height=0, key=f"signature-{s.id}")
    lines.append(signature)

    async def correct(_e: ft.Event | None = None) -> None:
        await shell.go(f"/reports/{detail.row.id}/statement/{s.id}")

    lines.append(plain_button(t("statement.correct"), correct, key=f"correct-{s.id}", icon=ft.Icons.EDIT))
    return ft.Card(
        ft.Container(ft.Column(lines, spacing=6), padding=12),
        key=f"statement-{s.id}",
        semantic_container=False,
    )


async def report_view(shell: Shell, report_id: str) -> ft.View:
    """One report: what was filed, its state, photos and witness statements; add a statement."""
    t = shell.t
    route = f"/reports/{report_id}"
    try:
        detail = await shell.store.query(report_detail, incident_id=uuid.UUID(report_id))
    except ValueError:
        detail = None
    if detail is None:
        return screen(
            shell, route, t("reports.title"), [note(t("report.not_found"), key="not_found")], back="/reports"
        )
    zone = zone_for(detail.site_timezone or None)
    row = detail.row
    info = shell.sync.state_of(row.id) if shell.sync else None
    facts = [kind_label(shell, row.kind), ltr(short_time(row.occurred_at, zone), t.rtl)]
    if row.ref:
        facts.insert(0, row.ref)
    place = [p for p in (detail.area_name, detail.location_text, row.site_name) if p]
    if detail.latitude is not None and detail.longitude is not None:
        place.append(ltr(f"{detail.latitude:.5f}, {detail.longitude:.5f}", t.rtl))
    photos = ft.Row(wrap=True, spacing=8, run_spacing=8, key="report_photos")

    async def add_statement(_e: ft.Event | None = None) -> None:
        await shell.go(f"/reports/{row.id}/statement")

    async def add_details(_e: ft.Event | None = None) -> None:
        await shell.go(f"/reports/{row.id}/details")

    controls: list[ft.Control] = [
        ft.Text(row.title, theme_style=ft.TextThemeStyle.HEADLINE_SMALL, key="report_title"),
        note(" · ".join(facts)),
        *([state_chip(shell, info, key="report_state")] if info else []),
        *([ft.Row([ft.Icon(ft.Icons.PLACE), note(" · ".join(place))])] if place else []),
        *([ft.Text(detail.description)] if detail.description else []),
        heading(t("report.photos")),
        photos if detail.attachments else note(t("report.no_photos")),
        heading(t("statement.list_title")),
        ft.Column(
            [statement_card(shell, detail, s, zone) for s in detail.statements],
            spacing=8,
            key="statements",
            horizontal_alignment=ft.CrossAxisAlignment.STRETCH,
        ),
        *([] if detail.statements else [note(t("statement.none"), key="no_statements")]),
        ft.Row(
            [
                main_button(
                    t("statement.add"), add_statement, key="add_statement", icon=ft.Icons.RECORD_VOICE_OVER
                )
            ]
        ),
        ft.Row(
            [
                plain_button(
                    t("details.add"), add_details, key="add_details", icon=ft.Icons.EDIT_NOTE, expand=True
                )
            ]
        ),
    ]
    view = screen(shell, route, kind_label(shell, row.kind), controls, back="/reports")
    if detail.attachments or detail.statements:
        shell.spawn(_load_images(shell, detail, photos, view))
    return view


async def _load_images(shell: Shell, detail: ReportDetail, photos: ft.Row, view: ft.View) -> None:
    """Show the report's photos and signatures from the store (the phone has them; the web reads storage)."""
    t = shell.t
    for i, a in enumerate(a for a in detail.attachments if a.kind.value == "photo"):
        data = await shell.store.blob(a.sha256)
        if data is None:
            photos.controls.append(
                ft.Container(
                    note(t("report.photo_elsewhere")),
                    width=THUMB,
                    height=THUMB,
                    alignment=ft.Alignment.CENTER,
                )
            )
        else:
            photos.controls.append(
                ft.Image(
                    src=data,
                    width=THUMB,
                    height=THUMB,
                    fit=ft.BoxFit.COVER,
                    border_radius=8,
                    semantics_label=t("photo.thumb", n=i + 1),
                    cache_width=THUMB * 2,
                    key=f"report_photo.{a.slot}",
                )
            )
    for s in detail.statements:
        if not s.signature_sha256:
            continue
        data = await shell.store.blob(s.signature_sha256)
        holder = _find(view, f"signature-{s.id}")
        if holder is not None and data is not None:
            holder.height = 80
            holder.content = ft.Image(
                src=data,
                height=80,
                fit=ft.BoxFit.CONTAIN,
                semantics_label=t("statement.signature_of", name=s.witness_name),
            )
    safe_update(view)
