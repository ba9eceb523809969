"""Settings an administrator changes: rule overrides, response targets and notification routes.

Every change names the admin or HSE manager making it, is checked before anything is written, is
audited in the caller's transaction (never committed here) and is returned. A rule change also moves
the notification clocks of the incidents it affects that are not met yet.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Incident, Membership, NotificationRoute, RuleOverride, Site, User
from models.enums import ChannelKind, IncidentStatus, Priority, Role
from models.rules import JURISDICTIONS, OVERRIDABLE_FIELDS, Rule, default_rules, merge_overrides
from models.workflow import response_targets
from sync.errors import Conflict, Forbidden, InvalidRequest, NotFound
from sync.server import audit, feed
from sync.server.obligations import refresh_clocks, site_rules

ADMIN_ROLES = (Role.ADMIN, Role.HSE_MANAGER)
"""Who may change settings: these roles at the site, or at every site (needed for every-site changes)."""
NOTIFY_EVENTS = (
    "incident.reported",
    "incident.escalated",
    "status_update.due",
    "pir.due_soon",
    "pir.overdue",
    "capa.overdue",
    "effectiveness.due",
)
"""The events sync.server.jobs sends to a site's role routes (a route with no events takes them all)."""
DEFAULT_TARGET = "default"
"""A response-target value that removes the site's own target, so the policy rule applies again."""

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_MINUTE = dt.timedelta(minutes=1)

Overrides = dict[uuid.UUID | None, dict[str, dict[str, Any]]]
"""Stored override values by site id (None: every site), then rule code."""

POLICY = "policy."
"""Rules under this prefix are read from the shipped table everywhere, so a site cannot override them."""


# --- who, and where --------------------------------------------------------------------------------------


def find_site(*, session: Session, code: str) -> Site:
    """Return the site with this code, or NotFound listing the codes there are."""
    site = session.scalar(select(Site).where(Site.code == code))
    if site is None:
        codes = session.scalars(select(Site.code).order_by(Site.code)).all()
        raise NotFound(
            f"no site with code {code!r}; sites: {', '.join(codes) or 'none yet (ims site add)'}",
            code="unknown_site",
        )
    return site


def acting_user(*, session: Session, username: str | None, site: Site | None) -> User:
    """Return the active user named to make a change, if they are an admin or HSE manager of the site or
    of every site (a change for every site needs the latter); else raise Forbidden."""
    if not username:
        raise InvalidRequest("say who makes the change: --by USERNAME (an admin or HSE manager)", field="by")
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise NotFound(f"no active user {username!r}", code="unknown_user")
    held = session.execute(select(Membership.site_id, Membership.role).where(Membership.user_id == user.id))
    if any(role in ADMIN_ROLES and (where is None or (site and where == site.id)) for where, role in held):
        return user
    scope = f"site {site.code}" if site else "every site"
    raise Forbidden(
        f"{username} may not change the settings of {scope}: only an admin or HSE manager of "
        f"{'that site or of ' if site else ''}every site may",
        code="not_an_admin",
    )


# --- the rules table -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Override:
    """One stored change to a rule: for every site (site None) or for one site."""

    site: str | None
    fields: dict[str, Any]
    note: str
    changed_by: str
    changed_at: dt.datetime | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "scope": f"site {self.site}" if self.site else "all sites",
            "site": self.site,
            "fields": self.fields,
            "note": self.note,
            "changed_by": self.changed_by,
            "changed_at": self.changed_at.isoformat() if self.changed_at else None,
        }


@dataclass(frozen=True)
class RuleInEffect:
    """A rule as it applies, with the overrides that made it so (every site's first, then the site's)."""

    rule: Rule
    overrides: tuple[Override, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (code lists as lists)."""
        rule = self.rule
        value = list(rule.value) if isinstance(rule.value, tuple) else rule.value
        return {
            "code": rule.code,
            "jurisdiction": rule.jurisdiction,
            "authority": rule.authority,
            "value": value,
            "unit": rule.unit,
            "trigger": rule.trigger,
            "citation": rule.citation,
            "confidence": rule.confidence,
            "note": rule.note,
            "overrides": [override.to_dict() for override in self.overrides],
        }


@dataclass(frozen=True)
class RuleChange:
    """What `set_rule` or `reset_rule` did: the rule as it now stands and the clocks it moved."""

    rule: RuleInEffect
    changed: bool
    clocks_moved: int
    incidents_checked: int


def rules_in_effect(
    *, session: Session, site_code: str | None = None, jurisdiction: str | None = None
) -> list[RuleInEffect]:
    """Return every rule as it applies at a site (no site: as every site has it), optionally only one
    jurisdiction's, in table order."""
    wanted = None
    if jurisdiction is not None:
        wanted = jurisdiction.strip().upper()
        if wanted not in JURISDICTIONS:
            raise InvalidRequest(
                f"unknown jurisdiction {jurisdiction!r}; use one of {', '.join(JURISDICTIONS)}",
                field="jurisdiction",
            )
    site = find_site(session=session, code=site_code) if site_code is not None else None
    rules = site_rules(session=session, site_id=site.id) if site else _table(_overrides(session), None)
    rows = session.scalars(select(RuleOverride)).all()
    names = _usernames(session, {row.changed_by_id for row in rows})
    found = []
    for rule in rules.values():
        if wanted is not None and rule.jurisdiction != wanted:
            continue
        scopes = (None, site.id) if site else (None,)
        applied = [
            row for scope in scopes for row in rows if row.site_id == scope and row.rule_code == rule.code
        ]
        found.append(
            RuleInEffect(
                rule,
                tuple(
                    Override(
                        site.code if row.site_id else None,
                        dict(row.values),
                        row.note,
                        names.get(row.changed_by_id, ""),
                        row.changed_at,
                    )
                    for row in applied
                ),
            )
        )
    return found


def set_rule(
    *,
    session: Session,
    code: str,
    changes: Mapping[str, Any],
    site_code: str | None,
    by: str | None,
    note: str | None,
    now: dt.datetime,
) -> RuleChange:
    """Override fields of a rule for a site (no site: for every site), merged into its stored override;
    checked against the whole table first, audited as `rule.override`, and the unmet clocks moved."""
    site = find_site(session=session, code=site_code) if site_code is not None else None
    user = acting_user(session=session, username=by, site=site)
    merge_overrides(default_rules(), {code: {}})  # names the closest code when there is no such rule
    if code.startswith(POLICY):
        raise InvalidRequest(
            f"{code} is organisation policy, read as shipped on phones and server alike; "
            "set response targets per site with `ims site targets`",
            code="not_adjustable",
        )
    if not changes:
        raise InvalidRequest(f"give FIELD=VALUE to change; fields: {', '.join(OVERRIDABLE_FIELDS)}")
    scope = site.id if site else None
    stored = _overrides(session)
    before = stored.get(scope, {}).get(code)
    after = {**(before or {}), **changes}
    return _apply(session, code, site, user, now, stored, before, after, note)


def reset_rule(
    *, session: Session, code: str, site_code: str | None, by: str | None, now: dt.datetime
) -> RuleChange:
    """Remove a site's (or every site's) override of a rule, audited as `rule.reset`; clocks follow."""
    site = find_site(session=session, code=site_code) if site_code is not None else None
    user = acting_user(session=session, username=by, site=site)
    merge_overrides(default_rules(), {code: {}})
    stored = _overrides(session)
    before = stored.get(site.id if site else None, {}).get(code)
    if before is None:
        scope = f"site {site.code}" if site else "all sites"
        raise NotFound(f"rule {code} has no override for {scope}", code="no_override")
    return _apply(session, code, site, user, now, stored, before, None, None)


def _apply(
    session: Session,
    code: str,
    site: Site | None,
    user: User,
    now: dt.datetime,
    stored: Overrides,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    note: str | None,
) -> RuleChange:
    """Check the table with the override changed, then write it, move the clocks and audit it."""
    scope = site.id if site else None
    proposed: Overrides = {key: dict(codes) for key, codes in stored.items()}
    if after is None:
        proposed.get(scope, {}).pop(code, None)
    else:
        proposed.setdefault(scope, {})[code] = after
    for checked in [scope] if site else [None, *(key for key in stored if key is not None)]:
        _table(proposed, checked)  # raises RuleError before anything is written
    row = session.scalar(select(RuleOverride).where(RuleOverride.rule_code == code, _same_site(scope)))
    if after is not None and before == after and (note is None or row.note == note):
        return RuleChange(_one(session, code, site), False, 0, 0)
    old_rule = _table(stored, scope)[code]
    if after is None:
        session.delete(row)
    elif row is None:
        row = RuleOverride(site_id=scope, rule_code=code, values=after, note=note or "")
        session.add(row)
    else:
        row.values = after
        row.note = row.note if note is None else note
    if after is not None:
        row.changed_by_id, row.changed_at = user.id, now
    session.flush()
    moved, checked = refresh_open_clocks(session=session, site=site, now=now)
    new_rule = _table(proposed, scope)[code]
    audit.append(
        session,
        action="rule.reset" if after is None else "rule.override",
        entity="rule",
        entity_id=code,
        at=now,
        actor_id=user.id,
        site_id=scope,
        data={
            "site": site.code if site else None,
            "before": _fields(old_rule),
            "after": _fields(new_rule),
            "override_before": before,
            "override_after": after,
            "note": row.note if after is not None else "",
            "clocks_moved": moved,
        },
    )
    return RuleChange(_one(session, code, site), True, moved, checked)


def refresh_open_clocks(*, session: Session, site: Site | None, now: dt.datetime) -> tuple[int, int]:
    """Bring the clocks of a site's (or every site's) incidents that are neither closed nor retracted in
    line with the rules, publishing each moved clock (met clocks stay as they are); return (clocks
    moved, incidents checked)."""
    query = select(Incident).where(Incident.retracted_at.is_(None), Incident.status != IncidentStatus.CLOSED)
    if site is not None:
        query = query.where(Incident.site_id == site.id)
    incidents = session.scalars(query.order_by(Incident.occurred_at)).all()
    rules: dict[uuid.UUID, dict[str, Rule]] = {}
    moved = 0
    for incident in incidents:
        if incident.site_id not in rules:
            rules[incident.site_id] = site_rules(session=session, site_id=incident.site_id)
        moved += len(
            refresh_clocks(
                session=session,
                incident=incident,
                now=now,
                touch=lambda row: feed.revise(session, row),
                rules=rules[incident.site_id],
            )
        )
    return moved, len(incidents)


def _overrides(session: Session) -> Overrides:
    """Every stored override's values, by site id then rule code."""
    stored: Overrides = {}
    for row in session.scalars(select(RuleOverride)):
        stored.setdefault(row.site_id, {})[row.rule_code] = dict(row.values)
    return stored


def _table(stored: Overrides, site_id: uuid.UUID | None) -> dict[str, Rule]:
    """The rules with every site's overrides, then the site's own, applied (as obligations.site_rules)."""
    rules = default_rules()
    for scope in (None, site_id) if site_id else (None,):
        if stored.get(scope):
            rules = merge_overrides(rules, stored[scope])
    return rules


def _same_site(site_id: uuid.UUID | None) -> Any:
    """The clause selecting overrides of this scope."""
    return RuleOverride.site_id.is_(None) if site_id is None else RuleOverride.site_id == site_id


def _one(session: Session, code: str, site: Site | None) -> RuleInEffect:
    """One rule as it now applies at the site (or at every site)."""
    found = rules_in_effect(session=session, site_code=site.code if site else None)
    return next(line for line in found if line.rule.code == code)


def _fields(rule: Rule) -> dict[str, Any]:
    """A rule's overridable fields, for the audit trail."""
    return {name: getattr(rule, name) for name in OVERRIDABLE_FIELDS}


def _usernames(session: Session, ids: set[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """Usernames by user id."""
    wanted = [user_id for user_id in ids if user_id is not None]
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(wanted))).all())


# --- response targets ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Minutes to acknowledge an incident of a priority at a site; `default` when the policy's apply."""

    priority: Priority
    minutes: float
    default: bool


def site_targets(*, session: Session, site_code: str) -> list[Target]:
    """Return a site's response targets (a malformed stored setting raises WorkflowError naming it)."""
    site = find_site(session=session, code=site_code)
    return _targets(site.settings)


def set_site_targets(
    *, session: Session, site_code: str, changes: Mapping[str, Any], by: str | None, now: dt.datetime
) -> list[Target]:
    """Set minutes per priority (DEFAULT_TARGET: back to the policy) in Site.settings["response_targets"],
    checked by models.workflow, published to phones and audited as `site.response_targets`."""
    site = find_site(session=session, code=site_code)
    user = acting_user(session=session, username=by, site=site)
    settings = dict(site.settings or {})
    before = dict(settings.get("response_targets") or {})
    after = dict(before)
    for key, minutes in changes.items():
        name = key.strip().upper()
        if minutes == DEFAULT_TARGET:
            after.pop(name, None)
        else:
            after[name] = minutes
    response_targets(site_settings={"response_targets": after})  # raises WorkflowError
    if after == before:
        return _targets(site.settings)
    if after:
        settings["response_targets"] = after
    else:
        settings.pop("response_targets", None)
    site.settings = settings  # a new dict: SQLAlchemy sees the change
    feed.revise(session, site)
    audit.append(
        session,
        action="site.response_targets",
        entity="site",
        entity_id=str(site.id),
        at=now,
        actor_id=user.id,
        site_id=site.id,
        data={"site": site.code, "before": before, "after": after},
    )
    return _targets(settings)


def _targets(settings: Mapping[str, Any] | None) -> list[Target]:
    """The targets a site's settings give, each marked when it is the policy's."""
    own = (settings or {}).get("response_targets") or {}
    return [
        Target(priority, target / _MINUTE, priority.value not in own)
        for priority, target in response_targets(site_settings=settings).items()
    ]


# --- notification routes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """A notification route with its site's code."""

    id: uuid.UUID
    site: str
    role: Role
    channel: ChannelKind
    target: str
    events: tuple[str, ...]
    active: bool


def routes(*, session: Session, site_code: str | None = None) -> list[Route]:
    """Return the notification routes of a site (or of every site), by site, role and target."""
    query = select(NotificationRoute, Site.code).join(Site, Site.id == NotificationRoute.site_id)
    if site_code is not None:
        query = query.where(Site.id == find_site(session=session, code=site_code).id)
    found = [_route(row, code) for row, code in session.execute(query)]
    return sorted(found, key=lambda r: (r.site, r.role.value, r.channel.value, r.target))


def add_route(
    *,
    session: Session,
    site_code: str,
    role: str,
    email: str | None,
    webhook: str | None,
    events: list[str],
    by: str | None,
    now: dt.datetime,
) -> Route:
    """Route a site's events for a role to an e-mail address or a webhook URL; audited as `route.add`."""
    site = find_site(session=session, code=site_code)
    user = acting_user(session=session, username=by, site=site)
    try:
        held = Role(role)
    except ValueError:
        raise InvalidRequest(
            f"unknown role {role!r}; use one of {', '.join(r.value for r in Role)}", field="role"
        ) from None
    if (email is None) == (webhook is None):
        raise InvalidRequest("give either an e-mail address or a webhook URL", field="target")
    channel, target = (
        (ChannelKind.EMAIL, email.strip()) if email is not None else (ChannelKind.WEBHOOK, webhook)
    )
    _check_target(channel, target)
    unknown = [event for event in events if event not in NOTIFY_EVENTS]
    if unknown:
        raise InvalidRequest(
            f"unknown event {unknown[0]!r}; events: {', '.join(NOTIFY_EVENTS)} (none: all of them)",
            field="events",
        )
    same = session.scalar(
        select(NotificationRoute.id).where(
            NotificationRoute.site_id == site.id,
            NotificationRoute.role == held,
            NotificationRoute.channel == channel,
            NotificationRoute.target == target,
        )
    )
    if same is not None:
        raise Conflict(
            f"{site.code} {held.value} already goes to {target} (route {same}); remove it first",
            code="route_exists",
        )
    row = NotificationRoute(
        id=uuid.uuid4(),
        site_id=site.id,
        role=held,
        channel=channel,
        target=target,
        events=list(dict.fromkeys(events)),
        active=True,
    )
    session.add(row)
    session.flush()
    route = _route(row, site.code)
    _audit_route(session, "route.add", route, row.site_id, user, now)
    return route


def remove_route(*, session: Session, route_id: str, by: str | None, now: dt.datetime) -> Route:
    """Delete a notification route (by id), audited as `route.remove`."""
    try:
        key = uuid.UUID(route_id)
    except ValueError:
        raise InvalidRequest(f"{route_id!r} is not a route id (see ims notify list)", field="id") from None
    row = session.get(NotificationRoute, key)
    if row is None:
        raise NotFound(f"no notification route {route_id} (see ims notify list)", code="unknown_route")
    site = session.get(Site, row.site_id)
    user = acting_user(session=session, username=by, site=site)
    route = _route(row, site.code)
    session.delete(row)
    session.flush()
    _audit_route(session, "route.remove", route, site.id, user, now)
    return route


def _check_target(channel: ChannelKind, target: str) -> None:
    """Raise InvalidRequest unless the target looks like an e-mail address or an http(s) URL."""
    if channel is ChannelKind.EMAIL:
        if not _EMAIL.fullmatch(target):
            raise InvalidRequest(f"{target!r} is not an e-mail address (name@example.com)", field="email")
        return
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(ch.isspace() for ch in target):
        raise InvalidRequest(
            f"{target!r} is not a webhook URL: it must start with http:// or https:// and name a host",
            field="webhook",
        )


def _route(row: NotificationRoute, site_code: str) -> Route:
    """The plain form of a route row."""
    return Route(
        row.id, site_code, Role(row.role), ChannelKind(row.channel), row.target, tuple(row.events), row.active
    )


def _audit_route(
    session: Session, action: str, route: Route, site_id: uuid.UUID, user: User, now: dt.datetime
) -> None:
    """Append a route change to the audit trail."""
    data = {
        "site": route.site,
        "role": route.role.value,
        "channel": route.channel.value,
        "target": route.target,
        "events": list(route.events),
    }
    audit.append(
        session,
        action=action,
        entity="notification_route",
        entity_id=str(route.id),
        at=now,
        actor_id=user.id,
        site_id=site_id,
        data={"before": None, "after": data} if action == "route.add" else {"before": data, "after": None},
    )
