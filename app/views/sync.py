"""The sync screen: what is still on the phone, progress in reports and bytes, Sync now, the last error."""

from __future__ import annotations

import flet as ft

from app.controls.clock import ltr, short_time, zone_for
from app.controls.sync_status import ReportState, SyncBadge
from app.controls.widgets import main_button, note, safe_update
from app.queries_reporting import my_reports
from app.shell import Shell
from app.views.common import reason_text, screen


def size_text(count: int) -> str:
    """Bytes in the unit a person reads: "820 KB", "3.4 MB"."""
    if count < 1000:
        return f"{count} B"
    if count < 1_000_000:
        return f"{count / 1000:.0f} KB"
    return f"{count / 1_000_000:.1f} MB"


def fraction(done: int, total: int, running: bool) -> float | None:
    """A progress bar's value: the share done, or None (a moving bar) while a running sync has no total."""
    if total:
        return min(1.0, done / total)
    return None if running else 0.0


async def sync_view(shell: Shell) -> ft.View:
    """Where everything stands, and the button to send now."""
    t = shell.t
    sync = shell.sync
    assert sync is not None
    await sync.refresh_states()
    titles = {str(row.id): row.title for row in await shell.store.query(my_reports)}
    headline = ft.Text("", theme_style=ft.TextThemeStyle.TITLE_LARGE, key="sync_headline")
    reports_line = note("", key="sync_reports")
    reports_bar = ft.ProgressBar(value=0, bar_height=10, semantics_label=t("sync.progress_reports"))
    bytes_line = note("", key="sync_bytes")
    bytes_bar = ft.ProgressBar(value=0, bar_height=10, semantics_label=t("sync.progress_bytes"))
    progress = ft.Column(
        [reports_line, reports_bar, bytes_line, bytes_bar], spacing=6, visible=False, key="sync_progress"
    )
    last = note("", key="sync_last")
    error = ft.Container(
        ft.Row(
            [ft.Icon(ft.Icons.ERROR_OUTLINE, color=ft.Colors.ON_ERROR_CONTAINER), ft.Text("", expand=True)]
        ),
        bgcolor=ft.Colors.ERROR_CONTAINER,
        padding=12,
        border_radius=8,
        visible=False,
        key="sync_error",
    )
    attention = ft.Column(spacing=8, key="sync_attention")

    async def sync_now(_e: ft.Event | None = None) -> None:
        await sync.sync_now()

    button = main_button(t("sync.now"), sync_now, key="sync_now", icon=ft.Icons.SYNC)
    badge = SyncBadge(shell, key="sync_badge_screen")

    def show() -> None:
        """Fill every line from the monitor."""
        if not sync.supported:
            headline.value = t("sync.web")
            button.visible = False
            return
        p = sync.progress
        if sync.running:
            headline.value = t("sync.running")
        elif sync.waiting:
            headline.value = t("sync.waiting", n=sync.waiting)
        elif sync.attention:
            headline.value = t("sync.attention_headline", n=sync.attention)
        else:
            headline.value = t("sync.all_sent")
        progress.visible = sync.running or bool(p.reports_total or p.photos_total)
        reports_line.value = t("sync.reports_progress", done=p.reports_done, total=p.reports_total)
        reports_bar.value = fraction(p.reports_done, p.reports_total, sync.running)
        bytes_line.value = t(
            "sync.bytes_progress",
            photos=p.photos_done,
            photos_total=p.photos_total,
            done=size_text(p.bytes_done),
            total=size_text(p.bytes_total),
        )
        bytes_bar.value = fraction(p.bytes_done, p.bytes_total, sync.running)
        button.disabled = sync.running
        if sync.last_success is not None:
            last.value = t(
                "sync.last_success", time=ltr(short_time(sync.last_success, zone_for(None)), t.rtl)
            )
        else:
            last.value = t("sync.never")
        text = error.content.controls[1]  # type: ignore[union-attr]
        if sync.last_error:
            key = f"sync.error.{sync.last_error}"
            message = t(key)
            text.value = message if message != key else t("sync.error.other", detail=sync.last_error_detail)
            error.visible = True
        else:
            error.visible = False
        attention.controls = [
            ft.Container(
                ft.Column(
                    [
                        ft.Text(titles.get(key, key), weight=ft.FontWeight.W_600),
                        ft.Text(reason_text(shell, info)),
                    ],
                    spacing=2,
                ),
                bgcolor=ft.Colors.ERROR_CONTAINER,
                padding=12,
                border_radius=8,
                key=f"attention-{key}",
            )
            for key, info in sync.states.items()
            if info.state is ReportState.ATTENTION
        ]

    def changed() -> None:
        show()
        safe_update(column)

    column = ft.Column(
        [badge, headline, progress, ft.Row([button]), last, error, attention], spacing=16, key="sync_screen"
    )
    show()
    sync.listen("screen", changed)
    return screen(shell, "/sync", t("sync.title"), [column], nav=True)
