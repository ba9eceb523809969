"""Corrective and preventive actions: create, edit, move through their states, verify with a signature,
and record effectiveness checks.

`ca.transition` applies only if the action is still in the state it names in `from` (else
`stale_state` with the current state), so two devices cannot silently undo each other. Verifying is
its own mutation, `ca.verify`: a supervisor's drawn signature, printed name and time, never by the
action's owner, with a SignOff holding the sha256 of what was signed; it schedules the 30/60/90-day
effectiveness checks of the rules table.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from sqlalchemy import func, select

from models import (
    ChangeRequest,
    CorrectiveAction,
    EffectivenessCheck,
    PostIncidentReview,
    Problem,
    SignOff,
    Site,
)
from models.clocks import capa_checks
from models.enums import CapaStatus, CapaType, ControlLevel, MutationStatus, Role
from models.workflow import (
    CAPA_FINAL,
    WorkflowError,
    capa_content,
    capa_step,
    content_digest,
    derived_id,
    may,
)
from sync.mutations import guards
from sync.mutations.args import date_arg, datetime_arg, enum_arg, str_arg, uuid_arg
from sync.mutations.base import Context, Outcome, Rejected, mutation

SHA256 = re.compile(r"[0-9a-f]{64}")
CLOCK_SKEW = dt.timedelta(minutes=10)
MAX_EVIDENCE = 50
OWNER_FIELDS = {"id", "description", "add_evidence"}
EDITABLE = ("title", "description", "due_on", "owner_id", "control_level", "type", "change_request_id")


def _outcome(action: CorrectiveAction, **details: Any) -> Outcome:
    """An applied outcome about one action."""
    return Outcome(MutationStatus.APPLIED, "corrective_action", str(action.id), action.site_id, details)


def visible_action(ctx: Context, action_id: uuid.UUID | None) -> CorrectiveAction:
    """The action, if the actor may see it (its owner, or staff of its site); else `not_found`."""
    action = ctx.session.get(CorrectiveAction, action_id) if action_id is not None else None
    staff = action is not None and ctx.actor.has_role(*guards.SITE_STAFF, site_id=action.site_id)
    if action is None or not (staff or action.owner_id == ctx.actor.user_id):
        raise Rejected(
            "not_found", f"there is no corrective action {action_id} you may see", id=str(action_id)
        )
    return action


def _evidence(value: Any) -> list[dict[str, str]]:
    """Evidence items: {note} or {sha256, caption?} of an uploaded photo or document."""
    if not isinstance(value, list) or len(value) > MAX_EVIDENCE:
        raise Rejected(
            "invalid_args", f"evidence must be a list of at most {MAX_EVIDENCE} items", field="evidence"
        )
    items = []
    for item in value:
        if isinstance(item, dict) and isinstance(item.get("note"), str) and item["note"].strip():
            items.append({"note": item["note"].strip()})
        elif (
            isinstance(item, dict)
            and isinstance(item.get("sha256"), str)
            and SHA256.fullmatch(item["sha256"])
        ):
            caption = item.get("caption", "")
            items.append({"sha256": item["sha256"], "caption": caption if isinstance(caption, str) else ""})
        else:
            raise Rejected(
                "invalid_args", "each evidence item is {note} or {sha256, caption}", field="evidence"
            )
    return items


def _signer_role(ctx: Context, site_id: uuid.UUID) -> Role:
    """The most senior signing role the actor holds at the site."""
    return Role.HSE_MANAGER if ctx.actor.has_role(Role.HSE_MANAGER, site_id=site_id) else Role.SUPERVISOR


def _sign(
    ctx: Context,
    action: CorrectiveAction,
    meaning: str,
    *,
    reason: str = "",
    signature: str | None = None,
    name: str = "",
    at: dt.datetime | None = None,
    sign_id: uuid.UUID | None = None,
) -> SignOff:
    """Record a sign-off on the action (verified, sent_back or cancelled) with the hash of its content."""
    earlier = ctx.session.scalar(
        select(func.count(SignOff.id)).where(SignOff.subject_id == action.id, SignOff.meaning == meaning)
    )
    row = SignOff(
        id=sign_id or derived_id(action.id, f"signoff:{meaning}:{earlier}"),
        subject="corrective_action",
        subject_id=action.id,
        meaning=meaning,
        signer_id=ctx.actor.user_id,
        signer_name=name or ctx.actor.display_name,
        signer_role=_signer_role(ctx, action.site_id),
        signature_sha256=signature,
        content_sha256=content_digest(capa_content(action)),
        reason=reason,
        signed_at=at or ctx.now,
    )
    ctx.session.add(row)
    ctx.touch(row)
    return row


@mutation("ca.create")
def create_action(ctx: Context, args: dict[str, Any]) -> Outcome:
    """Create a corrective or preventive action for an incident, a problem, a review or a site."""
    action_id = uuid_arg(args, "id")
    incident_id = uuid_arg(args, "incident_id", required=False)
    problem_id = uuid_arg(args, "problem_id", required=False)
    review_id = uuid_arg(args, "review_id", required=False)
    incident = guards.incident(ctx, incident_id) if incident_id is not None else None
    if incident is not None:
        site_id = incident.site_id
    elif problem_id is not None:
        site_id = guards.get(ctx, Problem, problem_id, "problem").site_id
    else:
        site = guards.get(ctx, Site, uuid_arg(args, "site_id"), "site")
        site_id = site.id
    guards.require(ctx, "ca.create", site_id)
    if ctx.session.get(CorrectiveAction, action_id) is not None:
        raise Rejected(
            "already_exists", f"a corrective action with id {action_id} already exists", id=str(action_id)
        )
    if review_id is not None:
        review = guards.get(ctx, PostIncidentReview, review_id, "review")
        if incident is None or review.incident_id != incident.id:
            raise Rejected("invalid_args", "review_id must be the review of incident_id", field="review_id")
    change_id = uuid_arg(args, "change_request_id", required=False)
    if (
        change_id is not None
        and guards.get(ctx, ChangeRequest, change_id, "change request").site_id != site_id
    ):
        raise Rejected(
            "site_mismatch", "change_request_id belongs to another site", field="change_request_id"
        )
    owner = guards.member(ctx, uuid_arg(args, "owner_id"), site_id, "owner_id")
    due_on = date_arg(args, "due_on")
    if due_on < ctx.now.date():
        raise Rejected("invalid_args", "due_on is in the past", field="due_on")
    action = CorrectiveAction(
        id=action_id,
        site_id=site_id,
        incident_id=incident_id,
        problem_id=problem_id,
        review_id=review_id,
        change_request_id=change_id,
        type=enum_arg(args, "type", CapaType, required=False) or CapaType.CORRECTIVE,
        control_level=enum_arg(args, "control_level", ControlLevel),
        title=str_arg(args, "title", max_length=300),
        description=str_arg(args, "description", required=False) or "",
        owner_id=owner.id,
        due_on=due_on,
        status=CapaStatus.OPEN,
        evidence=[],
        created_by_id=ctx.actor.user_id,
    )
    ctx.session.add(action)
    ctx.touch(action)
    return _outcome(action)


@mutation("ca.transition")
def transition_action(ctx: Context, args: dict[str, Any]) -> Outcome:
    """Start, finish (with evidence), send back or cancel an action still in the state named by `from`."""
    action = visible_action(ctx, uuid_arg(args, "id"))
    expected = enum_arg(args, "from", CapaStatus)
    to = enum_arg(args, "to", CapaStatus)
    if action.status is not expected:
        raise Rejected(
            "stale_state",
            f"the action is {action.status.value} now, not {expected.value}: reload it and try again",
            current=action.status.value,
        )
    try:
        step = capa_step(action.status, to)
    except WorkflowError as error:
        raise guards.refusal(error) from None
    if step == "ca.verify":
        raise Rejected("signature_required", "verifying needs a supervisor's signature: use ca.verify")
    guards.require(ctx, step, action.site_id, also=step in ("ca.start", "ca.done") and _owns(ctx, action))
    reason = str_arg(args, "reason", required=False, max_length=2000) or ""
    if step == "ca.done":
        added = _evidence(args.get("evidence", []))
        if not action.evidence and not added:
            raise Rejected("evidence_required", "marking an action done needs evidence: a note or a photo")
        action.evidence = [*action.evidence, *added]
        action.done_at = ctx.now
    elif step in ("ca.send_back", "ca.cancel"):
        if not reason:
            raise Rejected("reason_required", "say why", field="reason")
        _sign(ctx, action, "sent_back" if step == "ca.send_back" else "cancelled", reason=reason)
        if step == "ca.send_back":
            action.sent_back_reason = reason
            action.done_at = None
        else:
            action.cancelled_reason = reason
    action.status = to
    ctx.touch(action)
    return _outcome(action, **{"from": expected.value, "to": to.value})


def _owns(ctx: Context, action: CorrectiveAction) -> bool:
    """Whether the actor owns the action."""
    return action.owner_id == ctx.actor.user_id


@mutation("ca.patch")
def patch_action(ctx: Context, args: dict[str, Any]) -> Outcome:
    """Edit an open action; its owner may change only the description and add evidence."""
    action = visible_action(ctx, uuid_arg(args, "id"))
    officer = may("ca.patch", ctx.actor.roles, action.site_id)
    guards.require(ctx, "ca.patch", action.site_id, also=_owns(ctx, action))
    if not officer and set(args) - OWNER_FIELDS:
        fields = ", ".join(sorted(set(args) - OWNER_FIELDS))
        raise Rejected(
            "role_required",
            f"as the owner you may change the description and add evidence, not: {fields}",
            action="ca.patch",
        )
    if action.status in CAPA_FINAL:
        raise Rejected("action_closed", f"the action is {action.status.value}: it cannot change any more")
    changed = [name for name in (*EDITABLE, "add_evidence") if name in args]
    if not changed:
        raise Rejected("invalid_args", f"nothing to change; give any of: {', '.join(EDITABLE)}, add_evidence")
    if "title" in args:
        action.title = str_arg(args, "title", max_length=300)
    if "description" in args:
        action.description = str_arg(args, "description", required=False) or ""
    if "due_on" in args:
        action.due_on = date_arg(args, "due_on")
    if "owner_id" in args:
        action.owner_id = guards.member(ctx, uuid_arg(args, "owner_id"), action.site_id, "owner_id").id
    if "control_level" in args:
        action.control_level = enum_arg(args, "control_level", ControlLevel)
    if "type" in args:
        action.type = enum_arg(args, "type", CapaType)
    if "change_request_id" in args:
        change_id = uuid_arg(args, "change_request_id", required=False)
        if (
            change_id is not None
            and guards.get(ctx, ChangeRequest, change_id, "change request").site_id != action.site_id
        ):
            raise Rejected(
                "site_mismatch", "change_request_id belongs to another site", field="change_request_id"
            )
        action.change_request_id = change_id
    if "add_evidence" in args:
        action.evidence = [*action.evidence, *_evidence(args["add_evidence"])]
    ctx.touch(action)
    return _outcome(action, changed=changed)


@mutation("ca.verify")
def verify_action(ctx: Context, args: dict[str, Any]) -> Outcome:
    """A supervisor's signed verification of a done action; schedules its effectiveness checks."""
    action = visible_action(ctx, uuid_arg(args, "id"))
    try:
        capa_step(action.status, CapaStatus.VERIFIED)
    except WorkflowError as error:
        raise guards.refusal(error) from None
    guards.require(ctx, "ca.verify", action.site_id)
    if _owns(ctx, action):
        raise Rejected(
            "owner_cannot_verify", "the owner of an action cannot verify it: ask another supervisor"
        )
    signature = args.get("signature_sha256")
    if not signature:
        raise Rejected("signature_required", "draw your signature to verify", field="signature_sha256")
    if not isinstance(signature, str) or not SHA256.fullmatch(signature):
        raise Rejected(
            "invalid_args", "signature_sha256 must be a sha256 hex digest", field="signature_sha256"
        )
    name = str_arg(args, "signer_name", required=False, max_length=200)
    if not name:
        raise Rejected("signature_required", "print your name under the signature", field="signer_name")
    signed_at = datetime_arg(args, "signed_at", required=False) or ctx.now
    if signed_at > ctx.now + CLOCK_SKEW:
        raise Rejected("invalid_args", "signed_at is in the future", field="signed_at")
    if action.done_at is not None and signed_at < action.done_at:
        raise Rejected("invalid_args", "signed_at is before the action was done", field="signed_at")
    sign = _sign(
        ctx,
        action,
        "verified",
        signature=signature,
        name=name,
        at=signed_at,
        sign_id=uuid_arg(args, "signoff_id", required=False),
    )
    action.status = CapaStatus.VERIFIED
    action.verified_at = signed_at
    ctx.touch(action)
    checks = []
    for due in capa_checks(signed_at):
        days = round((due - signed_at) / dt.timedelta(days=1))
        check = EffectivenessCheck(
            id=derived_id(action.id, f"check:{days}"), action_id=action.id, days_after=days, due_on=due.date()
        )
        ctx.session.add(check)
        ctx.touch(check)
        checks.append(check.due_on.isoformat())
    return _outcome(action, signoff_id=str(sign.id), content_sha256=sign.content_sha256, checks=checks)


@mutation("effectiveness.record")
def record_effectiveness(ctx: Context, args: dict[str, Any]) -> Outcome:
    """Record whether a verified action worked, at one of its scheduled checks."""
    check = guards.get(ctx, EffectivenessCheck, uuid_arg(args, "id"), "effectiveness check")
    action = visible_action(ctx, check.action_id)
    guards.require(ctx, "effectiveness.record", action.site_id)
    effective = args.get("effective")
    if not isinstance(effective, bool):
        raise Rejected("invalid_args", "effective must be true or false", field="effective")
    notes = str_arg(args, "notes", required=False, max_length=5000) or ""
    if check.done_at is not None:
        raise Rejected("already_recorded", "this check was already recorded")
    if not effective and not notes:
        raise Rejected("reason_required", "say what did not work", field="notes")
    check.done_at = ctx.now
    check.effective = effective
    check.notes = notes
    check.checked_by_id = ctx.actor.user_id
    ctx.touch(check)
    return Outcome(
        MutationStatus.APPLIED,
        "effectiveness_check",
        str(check.id),
        action.site_id,
        {"action_id": str(action.id), "effective": effective},
    )
