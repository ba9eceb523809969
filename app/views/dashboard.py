"""The HSE manager's dashboard: open notification clocks across the sites with live countdowns, the
year's safety metrics as charts (each printing its rate bases), and the regulator's documents to
download. Charts and documents are made on the central store; on a phone they need the web app.

Site and year are in the route: `/dashboard?site=HOU&year=2025`.
"""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlencode

import flet as ft

from app.controls.widgets import Handler, note
from app.queries_regulatory import OpenClockRow, open_clocks
from app.queries_staff import StaffSite, staff_sites
from app.shell import Shell
from app.store import StoreError
from app.views.downloads import download_button, may_download, reports_of, yearly_kinds
from app.views.workflow_common import (
    Countdown,
    Problem,
    action_row,
    button,
    local_time,
    section,
    staff_screen,
    start_ticker,
)
from models import utcnow
from models.enums import Role

CHART_ORDER = ("rates", "response", "performance", "volume")
YEARS_BACK = 3


def report_sites(shell: Shell, sites: list[StaffSite]) -> list[StaffSite]:
    """The sites whose documents the viewer may have (HSE managers', and safety officers' own)."""
    return [s for s in sites if may_download(shell.store.account, s.id)]


def choice_of(route: str, sites: list[StaffSite]) -> tuple[StaffSite | None, int]:
    """The site and year the route names (else the first site and this year)."""
    query = parse_qs(route.partition("?")[2])
    code = (query.get("site") or [""])[0]
    site = next((s for s in sites if s.code == code), sites[0] if sites else None)
    this_year = utcnow().year
    try:
        year = int((query.get("year") or [""])[0])
    except ValueError:
        year = this_year
    return site, year if this_year - YEARS_BACK < year <= this_year else this_year


def dashboard_route(site: StaffSite | None, year: int) -> str:
    """The dashboard's route for a site and year."""
    return "/dashboard?" + urlencode({"site": site.code if site else "", "year": year})


def clock_rows(
    shell: Shell, rows: list[OpenClockRow], zones: dict[uuid.UUID, str], countdowns: list[Countdown]
) -> list[ft.Control]:
    """The open clocks, most urgent first: incident, site, duty, countdown."""
    t = shell.t
    found: list[ft.Control] = []
    for row in rows:
        clock = row.clock
        countdown = Countdown(
            t, clock.authority, due_at=clock.due_at, started_at=clock.started_at, key=f"dash-clock-{clock.id}"
        )
        countdowns.append(countdown)

        def opener(incident_id: object = clock.incident_id) -> Handler:
            async def go(_e: ft.Event | None = None) -> None:
                await shell.go(f"/incidents/{incident_id}/clocks")

            return go

        found.append(
            ft.Container(
                ft.Column(
                    [
                        ft.Text(clock.title, weight=ft.FontWeight.W_600),
                        note(
                            " · ".join(p for p in (row.incident_ref, row.incident_title, row.site_name) if p)
                        ),
                        countdown,
                        note(t("wf.clocks.due_at", time=local_time(clock.due_at, zones.get(row.site_id)))),
                        action_row(
                            [
                                button(
                                    t("wf.queue.open"),
                                    opener(),
                                    key=f"dash-open-{clock.id}",
                                    icon=ft.Icons.OPEN_IN_NEW,
                                )
                            ]
                        ),
                    ],
                    spacing=6,
                ),
                padding=12,
                border=ft.Border.all(
                    2 if countdown.state != "ok" else 1,
                    ft.Colors.RED_700 if countdown.state == "overdue" else ft.Colors.OUTLINE_VARIANT,
                ),
                border_radius=10,
                col={"xs": 12, "md": 6, "xl": 4},
                key=f"open-clock-{clock.id}",
            )
        )
    return found


async def charts_block(shell: Shell, site: StaffSite, year: int) -> list[ft.Control]:
    """The year's charts as pictures, with the rate bases under them."""
    t = shell.t
    source = reports_of(shell)
    if source is None:
        return [note(t("wf.dashboard.needs_web"), key="charts_need_web")]
    problem = Problem(key="charts_problem")
    try:
        drawings, bases = await source.metrics_charts(site_code=site.code, year=year)
    except StoreError as error:
        problem.show(t, error)
        return [problem]
    pictures = [
        ft.Container(
            ft.Image(
                src=drawings[name].encode("utf-8"),
                fit=ft.BoxFit.CONTAIN,
                semantics_label=t(f"wf.chart.{name}"),
            ),
            bgcolor=ft.Colors.WHITE,
            border_radius=8,
            padding=6,
            col={"xs": 12, "lg": 6},
            key=f"chart.{name}",
        )
        for name in CHART_ORDER
        if name in drawings
    ]
    return [
        ft.ResponsiveRow(pictures, spacing=12, run_spacing=12, key="charts"),
        note(bases, key="chart_bases"),
    ]


def downloads_block(shell: Shell, site: StaffSite, year: int) -> list[ft.Control]:
    """A button per document of the site's year."""
    t = shell.t
    if reports_of(shell) is None:
        return [note(t("wf.dashboard.needs_web"), key="downloads_need_web")]
    private = may_download(shell.store.account, site.id, Role.HSE_MANAGER)
    problem = Problem(key="download_problem")
    buttons = [
        download_button(shell, problem, kind, site_code=site.code, year=year)
        for kind in yearly_kinds(site.jurisdiction, private=private)
    ]
    return [action_row(buttons, key="downloads"), problem]


def pickers(shell: Shell, sites: list[StaffSite], site: StaffSite, year: int) -> ft.Control:
    """The site and year menus."""
    t = shell.t

    async def site_chosen(e: ft.Event[ft.Dropdown]) -> None:
        chosen = next((s for s in sites if s.code == e.control.value), site)
        await shell.go(dashboard_route(chosen, year))

    async def year_chosen(e: ft.Event[ft.Dropdown]) -> None:
        await shell.go(dashboard_route(site, int(e.control.value or year)))

    this_year = utcnow().year
    return ft.ResponsiveRow(
        [
            ft.Dropdown(
                label=t("wf.filter.site"),
                tooltip=t("wf.filter.site"),
                value=site.code,
                options=[ft.DropdownOption(key=s.code, text=s.name) for s in sites],
                on_select=site_chosen,
                key="dash.site",
                expand=True,
                col={"xs": 12, "md": 8},
            ),
            ft.Dropdown(
                label=t("wf.dashboard.year"),
                tooltip=t("wf.dashboard.year"),
                value=str(year),
                options=[
                    ft.DropdownOption(key=str(y), text=str(y))
                    for y in range(this_year, this_year - YEARS_BACK, -1)
                ],
                on_select=year_chosen,
                key="dash.year",
                expand=True,
                col={"xs": 12, "md": 4},
            ),
        ],
        spacing=12,
        run_spacing=12,
    )


async def dashboard_view(shell: Shell, route: str) -> ft.View:
    """The dashboard screen."""
    t = shell.t
    every = await shell.store.query(staff_sites)
    sites = report_sites(shell, every)
    if not sites:
        return staff_screen(
            shell,
            route,
            t("wf.dashboard.title"),
            [note(t("wf.dashboard.not_for_role"), key="dashboard_not_for_role")],
        )
    site, year = choice_of(route, sites)
    assert site is not None
    zones = {s.id: s.timezone for s in every}
    countdowns: list[Countdown] = []
    rows = await shell.store.query(open_clocks)
    clocks = clock_rows(shell, rows, zones, countdowns)
    controls: list[ft.Control] = [
        section(
            t("wf.dashboard.clocks", n=len(rows)),
            [ft.ResponsiveRow(clocks, spacing=12, run_spacing=12, key="open_clocks")]
            if clocks
            else [note(t("wf.dashboard.no_clocks"), key="no_clocks")],
            key="dash.clocks",
        ),
        pickers(shell, sites, site, year),
        section(
            t("wf.dashboard.metrics", site=site.name, year=year),
            await charts_block(shell, site, year),
            key="dash.metrics",
        ),
        section(
            t("wf.dashboard.downloads", site=site.name, year=year),
            downloads_block(shell, site, year),
            key="dash.downloads",
        ),
    ]
    view = staff_screen(shell, route, t("wf.dashboard.title"), controls)
    start_ticker(shell, view, countdowns)
    return view
