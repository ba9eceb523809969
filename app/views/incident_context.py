"""What every part of the incident screen reads: the incident, the site's people, the viewer's rights,
the site's clock, and the countdowns the screen keeps moving."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import flet as ft

from app.controls.clock import zone_for
from app.i18n import Translator
from app.queries_staff import Person, StaffSite
from app.queries_workflow import IncidentDetail
from app.shell import Shell
from app.store import Account
from app.views.workflow_common import Countdown, can, local_time
from models.enums import IncidentRoleKind, IncidentStatus

TABS = ("summary", "timeline", "evidence", "investigation", "actions", "updates", "review", "clocks")
"""The parts of the incident screen, each at /incidents/<id>/<tab>."""


@dataclass
class IncidentPage:
    """One incident as the screen shows it, with the helpers its tabs share."""

    shell: Shell
    detail: IncidentDetail
    people: list[Person]
    site: StaffSite | None = None
    countdowns: list[Countdown] = field(default_factory=list)

    @property
    def t(self) -> Translator:
        """The user's language."""
        return self.shell.t

    @property
    def account(self) -> Account:
        """The signed-in person."""
        account = self.shell.store.account
        assert account is not None
        return account

    @property
    def zone(self) -> dt.tzinfo:
        """The site's time zone."""
        return zone_for(self.detail.site_timezone or None)

    @property
    def closed(self) -> bool:
        """Whether the incident is closed (roles, investigation and updates no longer change)."""
        return self.detail.status is IncidentStatus.CLOSED

    def can(self, action: str) -> bool:
        """Whether the viewer's site roles allow a workflow action on this incident."""
        return can(self.account, action, self.detail.site_id)

    def holds(self, *kinds: IncidentRoleKind) -> bool:
        """Whether the viewer currently holds one of these roles on the incident."""
        me = self.account.user_id
        return any(r.user_id == me and r.role in kinds and r.ended_at is None for r in self.detail.roles)

    def time(self, moment: dt.datetime | None) -> str:
        """A time on the site's wall clock."""
        return local_time(moment, self.detail.site_timezone)

    def route(self, tab: str) -> str:
        """The route of one tab of this incident."""
        return f"/incidents/{self.detail.id}/{tab}"

    def name_of(self, user_id: uuid.UUID | None) -> str:
        """A person's name from the site's people."""
        return next((p.name for p in self.people if p.id == user_id), "")

    def people_options(
        self, *, exclude: set[uuid.UUID] | frozenset[uuid.UUID] = frozenset()
    ) -> list[ft.DropdownOption]:
        """The site's people as menu options."""
        return [ft.DropdownOption(key=str(p.id), text=p.name) for p in self.people if p.id not in exclude]

    def track(self, countdown: Countdown) -> Countdown:
        """Keep a countdown moving while the screen is shown."""
        self.countdowns.append(countdown)
        return countdown
