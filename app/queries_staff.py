"""Read queries for the staff screens (`fn(session, view, **kw)`): the sites a person works at, and
the people of a site who can hold an incident role or own an action."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.store import View
from models import Membership, Site, User
from models.enums import Role

STAFF = (Role.SAFETY_OFFICER, Role.SUPERVISOR, Role.HSE_MANAGER, Role.ADMIN)


@dataclass(frozen=True)
class StaffSite:
    """A site the signed-in person works at as staff, with what the exports and clocks need."""

    id: uuid.UUID
    code: str
    name: str
    timezone: str
    jurisdiction: str


@dataclass(frozen=True)
class Person:
    """Someone who holds a role at a site: a candidate commander, resolver, owner or facilitator."""

    id: uuid.UUID
    name: str
    roles: tuple[Role, ...]


def staff_sites(session: Session, view: View) -> list[StaffSite]:
    """The sites where the viewer is a safety officer, supervisor, HSE manager or admin, by name."""
    if view.actor is None:
        return []
    held = view.actor.site_ids(*STAFF)
    if not held:
        return []
    query = select(Site).order_by(Site.name)
    if None not in held:
        query = query.where(Site.id.in_(held))
    return [
        StaffSite(site.id, site.code, site.name, site.timezone or "UTC", site.jurisdiction)
        for site in session.scalars(query)
    ]


def site_people(session: Session, view: View, *, site_id: uuid.UUID) -> list[Person]:
    """Active people holding any role at the site (or at every site), by name, with their roles there."""
    query = (
        select(User.id, User.display_name, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(User.active.is_(True), or_(Membership.site_id == site_id, Membership.site_id.is_(None)))
        .order_by(User.display_name)
    )
    found: dict[uuid.UUID, tuple[str, list[Role]]] = {}
    for user_id, name, role in session.execute(query):
        found.setdefault(user_id, (name, []))[1].append(role)
    return [Person(user_id, name, tuple(sorted(set(roles)))) for user_id, (name, roles) in found.items()]


def user_names(session: Session, view: View, *, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Display names of people by id (for values that name a person, like an investigation's lead)."""
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).tuples().all())
