"""Routes of the officer's, supervisor's and HSE manager's screens.

/queue[?site=&priority=&status=]   the incident queue
/incidents/<id>[/<tab>]            one incident (tabs: summary, timeline, evidence, investigation,
                                   actions, updates, review, clocks)
/signoffs                          corrective actions waiting for a supervisor's signature
/conflicts                         investigation fields changed on two devices
/dashboard[?site=&year=]           open notification clocks, metrics charts, downloads
"""

from __future__ import annotations

import flet as ft

from app.shell import Shell
from app.views.conflicts import conflicts_view
from app.views.dashboard import dashboard_view
from app.views.incident import incident_view
from app.views.incident_context import TABS
from app.views.queue import queue_view
from app.views.signoffs import signoffs_view
from app.views.workflow_common import is_staff, message_screen

ROOTS = ("queue", "incidents", "signoffs", "conflicts", "dashboard")
"""The first part of every route these screens answer."""


async def staff_view(shell: Shell, route: str) -> ft.View:
    """The staff screen for a route (a plain message for someone who only reports)."""
    t = shell.t
    if not is_staff(shell.store.account):
        return message_screen(shell, route, t("app.title"), t("wf.not_for_role"), back="/home")
    match route.partition("?")[0].strip("/").split("/"):
        case ["queue"]:
            return await queue_view(shell, route)
        case ["incidents", incident_id]:
            return await incident_view(shell, route, incident_id, TABS[0])
        case ["incidents", incident_id, tab] if tab in TABS:
            return await incident_view(shell, route, incident_id, tab)
        case ["signoffs"]:
            return await signoffs_view(shell, route)
        case ["conflicts"]:
            return await conflicts_view(shell, route)
        case ["dashboard"]:
            return await dashboard_view(shell, route)
    return message_screen(shell, route, t("app.title"), t("wf.not_found"), back="/queue")
