"""Notification clocks: record that a duty to notify an authority was met (when, how, by whom, reference)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from models import Incident, RegulatoryClock
from models.clocks import Obligation, clock_state
from models.enums import MutationStatus, Role
from sync.mutations.args import datetime_arg, str_arg, uuid_arg
from sync.mutations.base import Context, Outcome, Rejected, mutation

MEETERS = (Role.HSE_MANAGER, Role.SAFETY_OFFICER)
CLOCK_SKEW = dt.timedelta(minutes=5)


def state_of(clock: RegulatoryClock, now: dt.datetime) -> str:
    """Return a stored clock's state: met, ok, warning (under a quarter left) or overdue."""
    duty = Obligation(clock.rule_code, clock.authority, clock.due_at, clock.started_at, clock.title, "")
    return clock_state(duty, now, clock.met_at)


@mutation("clock.meet")
def meet_clock(ctx: Context, args: dict[str, Any]) -> Outcome:
    """Record that a notification was made: met_at (default now), method, the authority's reference number.

    Only an HSE manager or a safety officer of the incident's site may record it. Recording the same
    facts again is a harmless duplicate; different facts for a met clock are refused (`already_met`).
    """
    clock = ctx.session.get(RegulatoryClock, uuid_arg(args, "id"))
    if clock is None:
        raise Rejected("not_found", "there is no such notification clock", id=str(args.get("id")))
    incident = ctx.session.get(Incident, clock.incident_id)
    if not ctx.actor.has_role(*MEETERS, site_id=incident.site_id):
        raise Rejected("forbidden", "only an HSE manager or a safety officer of the site may record this")
    met_at = datetime_arg(args, "met_at", required=False) or ctx.now
    method = str_arg(args, "method", max_length=100)
    reference = str_arg(args, "reference_number", required=False, max_length=200) or ""
    if met_at > ctx.now + CLOCK_SKEW:
        raise Rejected("invalid_args", "met_at is in the future", field="met_at")
    if met_at < incident.occurred_at:
        raise Rejected("invalid_args", "met_at is before the incident occurred", field="met_at")
    if clock.met_at is not None:
        same = (clock.met_at, clock.method, clock.reference_number, clock.met_by_id) == (
            met_at,
            method,
            reference,
            ctx.actor.user_id,
        )
        if same:
            return Outcome(MutationStatus.DUPLICATE, "regulatory_clock", str(clock.id), incident.site_id)
        raise Rejected(
            "already_met",
            f"this notification was already recorded as made at {clock.met_at.isoformat()}",
            met_at=clock.met_at.isoformat(),
        )
    if clock.cancelled_at is not None:
        raise Rejected("clock_cancelled", "this notification is no longer owed: the facts changed")
    clock.met_at = met_at
    clock.met_by_id = ctx.actor.user_id
    clock.method = method
    clock.reference_number = reference
    ctx.touch(clock)
    ctx.session.flush()
    return Outcome(
        MutationStatus.APPLIED,
        "regulatory_clock",
        str(clock.id),
        incident.site_id,
        {"incident_id": str(incident.id), "state": state_of(clock, ctx.now)},
    )
