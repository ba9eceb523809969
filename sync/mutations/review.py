"""Blameless post-incident reviews: schedule, write the five answers and actions, complete.

Completing a review needs every question answered and at least one action with an owner and a date;
each action then becomes a corrective action (preventive, administrative control unless the
completion says otherwise per action), with an id derived from the action's, so phone and server
make the same rows.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from models import CorrectiveAction, PostIncidentReview, ReviewAction
from models.clocks import pir_due
from models.enums import CapaStatus, CapaType, ChangeOp, ControlLevel, IncidentRoleKind, MutationStatus
from models.workflow import derived_id, needs_review, review_missing
from sync.mutations import guards
from sync.mutations.args import date_arg, datetime_arg, enum_arg, str_arg, uuid_arg
from sync.mutations.base import Context, Outcome, Rejected, mutation

ANSWERS = ("what_happened", "root_cause", "detection", "went_well")
MAX_ACTIONS = 50


def _outcome(review: PostIncidentReview, site_id: uuid.UUID, **details: Any) -> Outcome:
    """An applied outcome about one review."""
    return Outcome(
        MutationStatus.APPLIED,
        "post_incident_review",
        str(review.id),
        site_id,
        {"incident_id": str(review.incident_id), **details},
    )


def _review(ctx: Context, args: dict[str, Any], action: str) -> tuple[PostIncidentReview, Any]:
    """The review named by `id` and its incident, after the visibility and role checks."""
    review = guards.get(ctx, PostIncidentReview, uuid_arg(args, "id"), "post-incident review")
    incident = guards.incident(ctx, review.incident_id)
    commander = guards.holds(ctx, incident.id, IncidentRoleKind.COMMANDER)
    guards.require(ctx, action, incident.site_id, also=commander)
    if review.completed_at is not None:
        raise Rejected("review_completed", "the review is complete: its record no longer changes")
    return review, incident


@mutation("pir.create")
def create_review(ctx: Context, args: dict[str, Any]) -> Outcome:
    """Schedule the review of an incident (due 72 h after resolution for P1 and P2)."""
    review_id = uuid_arg(args, "id")
    incident = guards.incident(ctx, uuid_arg(args, "incident_id"))
    commander = guards.holds(ctx, incident.id, IncidentRoleKind.COMMANDER)
    guards.require(ctx, "pir.create", incident.site_id, also=commander)
    existing = ctx.session.scalar(
        select(PostIncidentReview).where(PostIncidentReview.incident_id == incident.id)
    )
    if existing is not None or ctx.session.get(PostIncidentReview, review_id) is not None:
        raise Rejected(
            "already_exists",
            "this incident already has a review",
            id=str(existing.id if existing else review_id),
        )
    facilitator = uuid_arg(args, "facilitator_id", required=False)
    if facilitator is not None:
        guards.member(ctx, facilitator, incident.site_id, "facilitator_id")
    due = None
    if incident.resolved_at is not None and needs_review(incident.priority):
        due = pir_due(incident.priority.value, incident.resolved_at)
    review = PostIncidentReview(
        id=review_id,
        incident_id=incident.id,
        due_at=due,
        scheduled_for=datetime_arg(args, "scheduled_for", required=False),
        facilitator_id=facilitator,
    )
    ctx.session.add(review)
    ctx.touch(review)
    return _outcome(review, incident.site_id, due_at=due.isoformat() if due else None)


@mutation("pir.patch")
def patch_review(ctx: Context, args: dict[str, Any]) -> Outcome:
    """Write answers, (re)schedule, and add, change or remove action items of a review."""
    review, incident = _review(ctx, args, "pir.patch")
    changed = []
    for name in ANSWERS:
        if name in args:
            setattr(review, name, str_arg(args, name, required=False, max_length=20_000) or "")
            changed.append(name)
    if "scheduled_for" in args:
        review.scheduled_for = datetime_arg(args, "scheduled_for", required=False)
        changed.append("scheduled_for")
    if "facilitator_id" in args:
        facilitator = uuid_arg(args, "facilitator_id", required=False)
        if facilitator is not None:
            guards.member(ctx, facilitator, incident.site_id, "facilitator_id")
        review.facilitator_id = facilitator
        changed.append("facilitator_id")
    for item in _list(args, "actions"):
        _upsert_action(ctx, review, incident, item)
        changed.append("actions")
    for raw in _list(args, "remove_actions"):
        row = ctx.session.get(ReviewAction, uuid_arg({"remove_actions": raw}, "remove_actions"))
        if row is None or row.review_id != review.id:
            raise Rejected("invalid_args", f"remove_actions: {raw} is not an action of this review")
        ctx.session.delete(row)
        ctx.touch(row, ChangeOp.DELETE)
        changed.append("actions")
    if not changed:
        raise Rejected("invalid_args", "nothing to change")
    ctx.touch(review)
    return _outcome(review, incident.site_id, changed=sorted(set(changed)))


def _list(args: dict[str, Any], key: str) -> list[Any]:
    """An optional list argument."""
    value = args.get(key, [])
    if not isinstance(value, list) or len(value) > MAX_ACTIONS:
        raise Rejected("invalid_args", f"{key} must be a list of at most {MAX_ACTIONS} items", field=key)
    return value


def _upsert_action(ctx: Context, review: PostIncidentReview, incident: Any, item: Any) -> None:
    """Add an action item, or change one with the same id."""
    if not isinstance(item, dict):
        raise Rejected("invalid_args", "each action is {id, description, owner_id, due_on}", field="actions")
    action_id = uuid_arg(item, "id")
    owner = guards.member(ctx, uuid_arg(item, "owner_id"), incident.site_id, "owner_id")
    row = ctx.session.get(ReviewAction, action_id)
    if row is not None and row.review_id != review.id:
        raise Rejected("already_exists", f"action {action_id} belongs to another review", field="actions")
    if row is None:
        row = ReviewAction(id=action_id, review_id=review.id)
        ctx.session.add(row)
    row.description = str_arg(item, "description", max_length=5000)
    row.owner_id = owner.id
    row.due_on = date_arg(item, "due_on")
    ctx.touch(row)


@mutation("pir.complete")
def complete_review(ctx: Context, args: dict[str, Any]) -> Outcome:
    """Complete a review whose five questions are answered; each action item becomes a CAPA."""
    review, incident = _review(ctx, args, "pir.complete")
    actions = list(ctx.session.scalars(select(ReviewAction).where(ReviewAction.review_id == review.id)))
    answers = {name: getattr(review, name) for name in ANSWERS}
    missing = review_missing(answers, len(actions))
    if missing:
        raise Rejected(
            "review_incomplete", f"answer before completing: {', '.join(missing)}", missing=missing
        )
    controls = args.get("controls", {})
    if not isinstance(controls, dict):
        raise Rejected("invalid_args", "controls must be an object of action id: {control_level, type}")
    created = []
    for item in actions:
        choice = controls.get(str(item.id), {})
        if not isinstance(choice, dict):
            raise Rejected("invalid_args", f"controls.{item.id} must be an object", field="controls")
        capa = CorrectiveAction(
            id=derived_id(item.id, "capa"),
            site_id=incident.site_id,
            incident_id=incident.id,
            problem_id=incident.problem_id,
            review_id=review.id,
            type=enum_arg(choice, "type", CapaType, required=False) or CapaType.PREVENTIVE,
            control_level=enum_arg(choice, "control_level", ControlLevel, required=False)
            or ControlLevel.ADMINISTRATIVE,
            title=item.description.strip().splitlines()[0][:200],
            description=item.description,
            owner_id=item.owner_id,
            due_on=item.due_on,
            status=CapaStatus.OPEN,
            evidence=[],
            created_by_id=ctx.actor.user_id,
        )
        ctx.session.add(capa)
        ctx.touch(capa)
        item.action_id = capa.id
        ctx.touch(item)
        created.append(str(capa.id))
    review.completed_at = ctx.now
    ctx.touch(review)
    return _outcome(review, incident.site_id, actions=created)
