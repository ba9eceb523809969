"""Who may see what: visibility of incidents per role and site, enforced on the server."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, true

from models import Incident
from models.enums import Role
from sync.mutations.base import Actor

SITE_ROLES = (Role.SAFETY_OFFICER, Role.SUPERVISOR, Role.HSE_MANAGER, Role.ADMIN)


def visible_incidents(actor: Actor) -> ColumnElement[bool]:
    """A clause selecting the incidents a actor may see: their own, and all at their sites."""
    sites = actor.site_ids(*SITE_ROLES)
    if None in sites:
        return true()
    own = Incident.reporter_id == actor.user_id
    at_sites = Incident.site_id.in_(sites) if sites else false()
    return or_(own, at_sites)
