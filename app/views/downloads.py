"""Documents the central store makes (forms, CSV files, incident reports, charts) and saving them.

Only a store that runs next to the central database makes documents (the web app's); on a phone the
screens say that this needs the web app. The bytes reach the user through the file picker's save
dialog, which in a browser is a download.
"""

from __future__ import annotations

import logging
import uuid
from typing import Protocol, runtime_checkable

import flet as ft

from app.shell import Shell
from app.store import Account, StoreError
from app.views.workflow_common import Problem, button
from models.enums import Role

log = logging.getLogger(__name__)

SITE_YEAR_KINDS: dict[str, tuple[str, ...]] = {
    "US": ("osha-300", "osha-300a", "osha-301", "ita-summary-csv", "ita-cases-csv", "osha-300-privacy"),
    "MY": ("jkkp8",),
}
"""The yearly documents of a site by its jurisdiction; every site also has the metrics report."""
PRIVATE_KINDS = {"osha-300-privacy"}
"""Documents that name privacy cases: for HSE managers only."""
REPORTERS = (Role.HSE_MANAGER, Role.SAFETY_OFFICER)
"""Who may have a site's documents: its HSE managers and its safety officers (as the API allows)."""


@runtime_checkable
class ReportSource(Protocol):
    """A store that can make the exports and the dashboard's charts."""

    async def document(
        self,
        kind: str,
        *,
        site_code: str | None = None,
        year: int | None = None,
        incident_ref: str | None = None,
    ) -> tuple[str, str, bytes]:
        """Return (file name, media type, bytes) of one document, or raise StoreError."""
        ...

    async def metrics_charts(self, *, site_code: str, year: int) -> tuple[dict[str, str], str]:
        """Return the dashboard's charts as SVG by name, and the rate bases printed on them."""
        ...


def reports_of(shell: Shell) -> ReportSource | None:
    """The store as a maker of documents, when it is one."""
    store = shell.store
    return store if isinstance(store, ReportSource) else None


def may_download(account: Account | None, site_id: uuid.UUID, *roles: Role) -> bool:
    """Whether the account holds one of the roles (by default HSE manager or safety officer) at the site."""
    wanted = roles or REPORTERS
    return account is not None and any(
        role in wanted and held in (None, site_id) for held, role in account.roles
    )


def yearly_kinds(jurisdiction: str, *, private: bool) -> list[str]:
    """The documents of a site's year for its jurisdiction (the privacy list only when allowed)."""
    kinds = [k for k in SITE_YEAR_KINDS.get(jurisdiction, ()) if private or k not in PRIVATE_KINDS]
    return [*kinds, "metrics"]


async def save_document(
    shell: Shell,
    problem: Problem,
    kind: str,
    *,
    site_code: str | None = None,
    year: int | None = None,
    incident_ref: str | None = None,
) -> str | None:
    """Make a document and hand it to the user (a download in a browser); return its file name."""
    source = reports_of(shell)
    problem.clear()
    if source is None:
        problem.say(shell.t("wf.download.needs_web"))
        return None
    try:
        name, _media, content = await source.document(
            kind, site_code=site_code, year=year, incident_ref=incident_ref
        )
    except StoreError as error:
        problem.show(shell.t, error)
        return None
    picker = shell.file_picker
    if picker is None:
        problem.say(shell.t("wf.refusal.other"))
        return None
    try:
        await picker.save_file(file_name=name, src_bytes=content)
    except Exception:  # a save dialog the device cannot show must not take the screen down
        log.exception("saving %s failed", name)
        problem.say(shell.t("wf.download.failed"))
        return None
    shell.toast(shell.t("wf.download.saved", name=name))
    return name


def download_button(
    shell: Shell,
    problem: Problem,
    kind: str,
    *,
    site_code: str | None = None,
    year: int | None = None,
    incident_ref: str | None = None,
) -> ft.Control:
    """A button that downloads one document."""

    async def fetch(_e: ft.Event | None = None) -> None:
        await save_document(shell, problem, kind, site_code=site_code, year=year, incident_ref=incident_ref)

    return button(shell.t(f"wf.doc.{kind}"), fetch, key=f"download.{kind}", icon=ft.Icons.DOWNLOAD)
