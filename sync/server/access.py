"""Who may see and do what, per role and site: the one matrix the API, the web store and the README use.

* Seeing: a worker (reporter) sees their own reports; safety officers, supervisors, HSE managers and
  admins see every report of the sites they hold a role at (a role without a site means every site).
  The injured person's name on a privacy case is shown to HSE managers only (app.queries_workflow).
* Doing: workflow mutations follow `models.workflow.PERMISSIONS` (checked inside each handler, so
  the phone's optimistic apply refuses the same things); the read endpoints follow ENDPOINTS below.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, true

from models import Incident
from models.enums import Role
from models.workflow import PERMISSIONS, SIGNERS
from sync.mutations.base import Actor

SITE_ROLES = (Role.SAFETY_OFFICER, Role.SUPERVISOR, Role.HSE_MANAGER, Role.ADMIN)
INBOX_ROLES = tuple(sorted(SIGNERS))
CONFLICT_ROLES = SITE_ROLES
TIMELINE_ROLES = SITE_ROLES
ROLE_COLUMNS = (Role.REPORTER, Role.SAFETY_OFFICER, Role.SUPERVISOR, Role.HSE_MANAGER, Role.ADMIN)


def visible_incidents(actor: Actor) -> ColumnElement[bool]:
    """A clause selecting the incidents an actor may see: their own, and all at their sites."""
    sites = actor.site_ids(*SITE_ROLES)
    if None in sites:
        return true()
    own = Incident.reporter_id == actor.user_id
    at_sites = Incident.site_id.in_(sites) if sites else false()
    return or_(own, at_sites)


def may_read_timeline(actor: Actor, incident: Incident) -> bool:
    """The audit-built timeline (with refusals and every actor) is for the site's staff, not reporters."""
    return actor.has_role(*TIMELINE_ROLES, site_id=incident.site_id)


@dataclass(frozen=True)
class Endpoint:
    """One HTTP endpoint and what each role gets from it."""

    method: str
    path: str
    what: str
    cells: dict[Role, str]


_SITES = "their sites"
_NO = "—"
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "GET",
        "/incidents",
        "Incident queue (filters: site, priority, status, overdue)",
        {Role.REPORTER: "own reports", **dict.fromkeys(SITE_ROLES, _SITES)},
    ),
    Endpoint(
        "GET",
        "/incidents/{id}",
        "Incident detail: roles, investigation, CAPAs, review, statements, attachments",
        {Role.REPORTER: "own reports", **dict.fromkeys(SITE_ROLES, _SITES)},
    ),
    Endpoint(
        "GET",
        "/incidents/{id}/timeline",
        "Timeline from the audit trail and status updates",
        {Role.REPORTER: _NO, **dict.fromkeys(TIMELINE_ROLES, _SITES)},
    ),
    Endpoint(
        "GET",
        "/signoffs/inbox",
        "Done actions waiting for my signature",
        {role: (_SITES if role in INBOX_ROLES else _NO) for role in ROLE_COLUMNS},
    ),
    Endpoint(
        "GET",
        "/conflicts",
        "Investigation fields changed on two devices",
        {Role.REPORTER: _NO, **dict.fromkeys(CONFLICT_ROLES, _SITES)},
    ),
    Endpoint(
        "POST",
        "/mutations",
        "Run one mutation as the signed-in user (the rules below apply)",
        dict.fromkeys(ROLE_COLUMNS, "yes"),
    ),
)


def _label(role: Role) -> str:
    """A role's column heading."""
    return {Role.REPORTER: "worker (reporter)", Role.HSE_MANAGER: "HSE manager"}.get(
        role, role.value.replace("_", " ")
    )


def matrix_markdown() -> str:
    """The README's role x action tables, rendered from ENDPOINTS and models.workflow.PERMISSIONS."""
    head = "| | " + " | ".join(_label(r) for r in ROLE_COLUMNS) + " |"
    rule = "|---|" + "---|" * len(ROLE_COLUMNS)
    lines = ["Reading (API at `/api/v1`):", "", head, rule]
    for e in ENDPOINTS:
        lines.append(
            f"| `{e.method} {e.path}` {e.what} | " + " | ".join(e.cells[r] for r in ROLE_COLUMNS) + " |"
        )
    lines += ["", "Workflow mutations (phone push, web app, or `POST /mutations`), at the record's site:", ""]
    lines += [head + " also allowed |", rule + "---|"]
    for p in PERMISSIONS.values():
        cells = ["yes" if r in p.roles else _NO for r in ROLE_COLUMNS]
        lines.append(f"| `{p.mutation_name}` {p.label} | " + " | ".join(cells) + f" | {p.also or _NO} |")
    return "\n".join(lines) + "\n"
