"""The incident's record: its timeline, its evidence (photos and witness statements) and its
notification clocks, each counting down live, met with the authority's reference number."""

from __future__ import annotations

import datetime as dt

import flet as ft

from app.controls.widgets import note, readable
from app.queries_regulatory import ClockRow, incident_clocks
from app.queries_workflow import timeline
from app.views.incident_context import IncidentPage
from app.views.workflow_common import Countdown, Problem, action_row, button, perform, section
from models import utcnow
from sync.mutations.clocks import MEETERS

THUMB = 220


async def timeline_tab(page: IncidentPage) -> list[ft.Control]:
    """Every step of the incident, oldest first: when, who, what."""
    t = page.t
    entries = await page.shell.store.query(timeline, incident_id=page.detail.id) or []
    if not entries:
        return [note(t("wf.timeline.empty"), key="timeline_empty")]
    rows = [
        ft.Container(
            ft.Row(
                [
                    ft.Icon(ft.Icons.CAMPAIGN if e.source == "status_update" else ft.Icons.HISTORY, size=20),
                    ft.Column(
                        [
                            readable(e.words(t)),
                            note(" · ".join(p for p in (page.time(e.at), e.actor_name) if p)),
                        ],
                        spacing=2,
                        expand=True,
                    ),
                ],
                vertical_alignment=ft.CrossAxisAlignment.START,
            ),
            padding=ft.Padding.symmetric(vertical=6),
            key=f"event-{index}",
            data=e.action,
        )
        for index, e in enumerate(entries)
    ]
    return [section(t("wf.tab.timeline"), rows, key="timeline")]


async def evidence_tab(page: IncidentPage) -> list[ft.Control]:
    """The photos (from this device's or the server's store) and the witness statements."""
    t, d = page.t, page.detail
    tiles: list[ft.Control] = []
    for photo in d.attachments:
        data = await page.shell.store.blob(photo.sha256)
        caption = " · ".join(p for p in (photo.caption or photo.slot, page.time(photo.captured_at)) if p)
        picture: ft.Control = (
            ft.Image(
                src=data,
                width=THUMB,
                height=THUMB,
                fit=ft.BoxFit.COVER,
                border_radius=8,
                semantics_label=caption,
            )
            if data
            else ft.Container(
                note(t("report.photo_elsewhere")),
                width=THUMB,
                height=THUMB,
                alignment=ft.Alignment.CENTER,
                bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
                border_radius=8,
            )
        )
        tiles.append(ft.Column([picture, note(caption)], width=THUMB, spacing=4, key=f"photo-{photo.id}"))
    statements: list[ft.Control] = []
    for s in d.statements:
        signed = (
            t("wf.evidence.signed", time=page.time(s.signed_at)) if s.signed else t("wf.evidence.unsigned")
        )
        lines: list[ft.Control] = [
            ft.Text(
                f"{s.witness_name} — {t(f'statement.relation.{s.relation}')}", weight=ft.FontWeight.W_600
            ),
            readable(s.statement),
            note(" · ".join((page.time(s.taken_at), signed))),
        ]
        if s.amends_id is not None:
            lines.append(note(t("wf.evidence.corrects")))
        statements.append(ft.Container(ft.Column(lines, spacing=4), padding=8, key=f"statement-{s.id}"))
    return [
        section(
            t("wf.evidence.photos"),
            [ft.Row(tiles, wrap=True, spacing=12, run_spacing=12)]
            if tiles
            else [note(t("report.no_photos"))],
            key="photos",
        ),
        section(
            t("wf.evidence.statements"),
            statements or [note(t("wf.evidence.no_statements"))],
            key="statements",
        ),
    ]


def clock_card(page: IncidentPage, clock: ClockRow) -> ft.Control:
    """One duty to notify: its countdown, how to meet it, and recording that it was met."""
    t = page.t
    countdown = page.track(
        Countdown(
            t,
            clock.authority,
            due_at=clock.due_at,
            started_at=clock.started_at,
            met_at=clock.met_at,
            key=f"countdown-{clock.id}",
        )
    )
    lines: list[ft.Control] = [
        ft.Text(clock.title, weight=ft.FontWeight.W_600),
        countdown,
        note(t("wf.clocks.due", time=page.time(clock.due_at), started=page.time(clock.started_at))),
        note(clock.how),
    ]
    if clock.met_at is not None:
        lines.append(
            ft.Text(
                t(
                    "wf.clocks.met",
                    time=page.time(clock.met_at),
                    name=clock.met_by,
                    method=clock.method,
                    reference=clock.reference_number or "—",
                ),
                key=f"met-{clock.id}",
            )
        )
    elif any(role in MEETERS and site in (None, page.detail.site_id) for site, role in page.account.roles):
        lines += meet_form(page, clock)
    return ft.Container(
        ft.Column(lines, spacing=6),
        padding=12,
        border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
        border_radius=10,
        col={"xs": 12, "lg": 6},
        key=f"clock-{clock.id}",
    )


def meet_form(page: IncidentPage, clock: ClockRow) -> list[ft.Control]:
    """Record that the authority was told: how, their reference number, and when (now unless changed)."""
    t = page.t
    problem = Problem(key=f"meet-problem-{clock.id}")
    method = ft.TextField(
        col={"xs": 12, "md": 5},
        label=t("wf.clocks.method"),
        hint_text=t("wf.clocks.method_hint"),
        key=f"meet-method-{clock.id}",
    )
    reference = ft.TextField(
        label=t("wf.clocks.reference"), key=f"meet-reference-{clock.id}", col={"xs": 12, "md": 4}
    )
    when = ft.TextField(
        label=t("wf.clocks.when"),
        value=utcnow().astimezone(page.zone).strftime("%Y-%m-%d %H:%M"),
        hint_text="YYYY-MM-DD HH:MM",
        key=f"meet-when-{clock.id}",
        col={"xs": 12, "md": 3},
    )

    async def record(_e: ft.Event | None = None) -> None:
        if not (method.value or "").strip():
            problem.say(t("wf.clocks.method_missing"))
            return
        try:
            met_at = dt.datetime.strptime((when.value or "").strip(), "%Y-%m-%d %H:%M").replace(
                tzinfo=page.zone
            )
        except ValueError:
            problem.say(t("wf.clocks.when_unreadable"))
            return
        args = {
            "id": str(clock.id),
            "method": method.value.strip(),
            "reference_number": (reference.value or "").strip(),
            "met_at": met_at.isoformat(),
        }
        await perform(page.shell, "clock.meet", args, problem, done=t("wf.done.saved"))

    return [
        ft.ResponsiveRow([method, reference, when], run_spacing=8),
        problem,
        action_row(
            [
                button(
                    t("wf.clocks.record"), record, key=f"meet-{clock.id}", icon=ft.Icons.TASK_ALT, filled=True
                )
            ]
        ),
    ]


async def clocks_tab(page: IncidentPage) -> list[ft.Control]:
    """Every notification the incident owes, earliest due first."""
    t = page.t
    clocks = await page.shell.store.query(incident_clocks, incident_id=page.detail.id)
    if not clocks:
        return [note(t("wf.clocks.none"), key="clocks_none")]
    return [ft.ResponsiveRow([clock_card(page, c) for c in clocks], spacing=12, run_spacing=12, key="clocks")]
