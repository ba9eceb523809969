"""Pull: the change feed after a cursor, filtered to what the user may see, plus reference rows.

Visibility (contract note 6): everyone sees changes of their own reports (`owner_id`); safety
officers, supervisors and HSE managers also see every change at their sites; a role held at every
site (an admin, a group HSE manager) sees all. Restricted rows (OSHA privacy cases) are not dropped
for others but redacted: the injured person's name becomes "Privacy case" and their address, date
of birth and id number are blanked, in the injury case row and in the report's filed form values.
HSE managers, admins and the reporter who typed them get them in full.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from models import Asset, Change, Membership, Site, SiteArea, User
from models.enums import Role
from models.serialize import row_to_dict
from sync.mutations.base import Actor
from sync.server.access import SITE_ROLES

PRIVACY_NAME = "Privacy case"
PRIVATE_FIELDS = {
    "employee_name": PRIVACY_NAME,
    "employee_street": "",
    "employee_city": "",
    "employee_state": "",
    "employee_zip": "",
    "id_number": "",
    "date_of_birth": None,
}
FULL_VIEW = (Role.HSE_MANAGER, Role.ADMIN)
USER_PRIVATE = ("password_hash", "email", "phone")


def visible_changes(actor: Actor) -> ColumnElement[bool]:
    """A clause selecting the feed entries a user may pull."""
    sites = actor.site_ids(*SITE_ROLES)
    if None in sites:
        return true()
    at_sites = Change.site_id.in_(sites) if sites else false()
    return or_(Change.owner_id == actor.user_id, at_sites)


def pull(session: Session, actor: Actor, *, cursor: int, limit: int) -> dict[str, Any]:
    """The next `limit` visible changes after `cursor`, in server_seq order."""
    rows = session.scalars(
        select(Change)
        .where(Change.server_seq > cursor, visible_changes(actor))
        .order_by(Change.server_seq)
        .limit(limit + 1)
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    full = actor.has_role(*FULL_VIEW)
    changes = [
        {
            "server_seq": row.server_seq,
            "entity": row.entity,
            "id": row.entity_id,
            "op": row.op.value,
            "version": row.version,
            "data": row.data if full or row.owner_id == actor.user_id else redact(row.entity, row.data),
        }
        for row in rows
    ]
    return {"changes": changes, "next_cursor": rows[-1].server_seq if rows else cursor, "has_more": has_more}


def redact(entity: str, data: dict[str, Any]) -> dict[str, Any]:
    """Blank the personal details of a privacy case in a feed row (others are returned unchanged)."""
    if entity == "injury_case" and data.get("privacy_concern"):
        return {**data, **{k: v for k, v in PRIVATE_FIELDS.items() if k in data}}
    values = data.get("form_values")
    if entity == "incident" and isinstance(values, dict) and values.get("privacy_concern"):
        hidden = {k: v for k, v in PRIVATE_FIELDS.items() if k in values}
        return {**data, "form_values": {**values, **hidden}}
    return data


def reference(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Sites, areas, assets and people's names the phone needs to file reports offline."""
    sites = actor.site_ids()
    site_filter = true() if None in sites else Site.id.in_(sites)
    site_rows = session.scalars(select(Site).where(site_filter).order_by(Site.code)).all()
    site_ids = [s.id for s in site_rows]
    areas = session.scalars(select(SiteArea).where(SiteArea.site_id.in_(site_ids))).all()
    assets = session.scalars(select(Asset).where(Asset.site_id.in_(site_ids))).all()
    members = select(Membership.user_id).where(
        or_(Membership.site_id.in_(site_ids), Membership.site_id.is_(None))
    )
    people = session.scalars(
        select(User).where(or_(User.id.in_(members), User.id == actor.user_id)).order_by(User.username)
    ).all()
    rows = [{"entity": "site", "data": row_to_dict(s)} for s in site_rows]
    rows += [{"entity": "site_area", "data": row_to_dict(a)} for a in areas]
    rows += [{"entity": "asset", "data": row_to_dict(a)} for a in assets]
    for person in people:
        data = row_to_dict(person)
        data.update({key: None if key == "password_hash" else "" for key in USER_PRIVATE})
        rows.append({"entity": "user_account", "data": data})
    return rows
