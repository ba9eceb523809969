"""Reports, amendments, retractions, witness statements and late photos: append-only evidence.

Creating what exists answers `duplicate` for the same payload and `id_conflict` for another one
(both payloads stay in the mutation log). Corrections are amendments, deletion is a tombstone,
a signed statement is never edited (a correction is a new statement that `amends_id` it), and a
photo slot, once bound, never changes. Row ids that both ends create are derived from the report
id (uuid5), so the phone's optimistic rows and the server's pulled rows are the same rows.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from forms.convert import build_incident, promote_quick
from forms.errors import InvalidForm, UnknownForm, UnknownFormVersion
from forms.quick import QUICK_FORM
from forms.registry import get as get_form
from models import Amendment, Attachment, AuditEvent, Blob, Incident, Site, WitnessStatement
from models.details import CaseDayRange
from models.enums import AttachmentKind, ChangeOp, MutationStatus, Role, WitnessRelation
from sync.mutations.args import datetime_arg, enum_arg, int_arg, str_arg, uuid_arg
from sync.mutations.base import Context, Outcome, Rejected, mutation
from sync.protocol import payload_sha256

SLOT = re.compile(r"[A-Za-z0-9_-]{1,40}")
SHA256 = re.compile(r"[0-9a-f]{64}")
MAX_ATTACHMENTS = 20
DETAILS = ("injury", "near_miss", "outage", "occurrence")
STAFF = (Role.SAFETY_OFFICER, Role.SUPERVISOR, Role.HSE_MANAGER, Role.ADMIN)
SERVER_KEPT = {"incident_id", "case_number"}
ENTITY = "incident"
LOOKAHEAD = "reports.lookahead"
"""`session.info` key of a Lookahead, set by a caller that applies a batch of reports."""


@dataclass
class Lookahead:
    """What a caller looked up once for a whole batch of reports, so each report need not ask again.

    `absent`: report ids that did not exist (an id leaves the set when its report is created);
    `stored`: blob hashes looked up, and whether each blob exists; `held`: rows loaded for the batch
    (sites, existing reports), kept here so the session's identity map keeps answering for them.
    """

    absent: set[uuid.UUID] = field(default_factory=set)
    stored: dict[str, bool] = field(default_factory=dict)
    held: list[Any] = field(default_factory=list)


def _stored_incident(session: Session, incident_id: uuid.UUID) -> Incident | None:
    """The stored (or earlier created) report with this id, or None."""
    ahead = session.info.get(LOOKAHEAD)
    if ahead is not None and incident_id in ahead.absent:
        return None
    return session.get(Incident, incident_id)


def attachment_id(incident_id: uuid.UUID, slot: str) -> uuid.UUID:
    """The id of a report's attachment in a slot, the same on phone and server."""
    return uuid.uuid5(incident_id, f"attachment:{slot}")


def missing_blobs(session: Session, sha256s: list[str]) -> list[str]:
    """The hashes among these that have no stored blob yet, in order."""
    wanted = sorted(set(sha256s))
    ahead = session.info.get(LOOKAHEAD)
    known = ahead.stored if ahead is not None else {}
    unknown = [sha for sha in wanted if sha not in known]
    present = {sha for sha in wanted if known.get(sha)}
    if unknown:
        present.update(session.scalars(select(Blob.sha256).where(Blob.sha256.in_(unknown))))
    return [sha for sha in wanted if sha not in present]


def refresh_media(session: Session, incident: Incident) -> list[str]:
    """Recompute an incident's media_complete from its manifest; return the missing hashes."""
    shas = list(session.scalars(select(Attachment.sha256).where(Attachment.incident_id == incident.id)))
    missing = missing_blobs(session, shas)
    incident.media_complete = not missing
    return missing


@mutation("report.create")
def create_report(ctx: Context, args: dict[str, Any]) -> Outcome:
    """File a report with its attachment manifest, re-validated by the form it was filled in."""
    incident_id = uuid_arg(args, "id")
    site_id = uuid_arg(args, "site_id")
    form_id = str_arg(args, "form_id", max_length=100)
    form_version = int_arg(args, "form_version", minimum=1)
    values = args.get("values")
    if not isinstance(values, dict):
        raise Rejected("invalid_args", "values must be a JSON object", field="values")
    recorded_at = datetime_arg(args, "device_recorded_at")
    datetime_arg(args, "occurred_at", required=False)
    location = _location(args.get("location"))
    manifest = _manifest(args.get("attachments", []))
    if not ctx.actor.has_role(*Role, site_id=site_id):
        raise Rejected("forbidden", "you hold no role at this site", site_id=str(site_id))
    existing = _stored_incident(ctx.session, incident_id)
    if existing is not None:
        return _repeat(ctx, "report.create", existing, existing.site_id, args)
    if ctx.session.get(Site, site_id) is None:
        raise Rejected("unknown_site", f"there is no site {site_id}", site_id=str(site_id))
    values = dict(values)
    if args.get("occurred_at") and not values.get("occurred_at"):
        values["occurred_at"] = args["occurred_at"]
    if location and not values.get("location"):
        values["location"] = location
    incident = _build(form_id, values, incident_id, site_id, ctx.actor.user_id, form_version, ctx)
    for name in DETAILS:  # a new report has only the detail row its form built: never look up the others
        if getattr(incident, name) is None:
            setattr(incident, name, None)
    incident.device_recorded_at = recorded_at
    captions = {p["slot"]: p.get("caption", "") for p in incident.form_values.get("photos", [])}
    for entry in manifest:
        incident.attachments.append(_attachment(incident_id, entry, captions, ctx.actor.user_id))
    if ctx.on_server:
        incident.server_received_at = ctx.now
    missing = missing_blobs(ctx.session, [e["sha256"] for e in manifest]) if ctx.on_server else []
    incident.media_complete = ctx.on_server and not missing
    _set_day_range_ids(incident)
    ctx.session.add(incident)
    ahead = ctx.session.info.get(LOOKAHEAD)
    if ahead is not None:
        ahead.absent.discard(incident_id)
    for row in _rows_of(incident):
        ctx.touch(row)
    details: dict[str, Any] = {"media_complete": incident.media_complete}
    if ctx.on_server:
        details["missing_blobs"] = missing
    return Outcome(MutationStatus.APPLIED, ENTITY, str(incident_id), site_id, details)


@mutation("report.amend")
def amend_report(ctx: Context, args: dict[str, Any]) -> Outcome:
    """Correct fields of a filed report: re-validated, applied, and recorded as an Amendment (old and new)."""
    amendment_id = uuid_arg(args, "id")
    incident = _incident(ctx, uuid_arg(args, "incident_id"))
    changes = args.get("changes")
    if not isinstance(changes, dict) or not changes:
        raise Rejected(
            "invalid_args", "changes must be a non-empty object of field: new value", field="changes"
        )
    reason = str_arg(args, "reason", required=False, max_length=2000) or ""
    existing = ctx.session.get(Amendment, amendment_id)
    if existing is not None:
        return _repeat(ctx, "report.amend", incident, incident.site_id, args, entity_id=str(amendment_id))
    if not _may_edit(ctx, incident):
        raise Rejected("forbidden", "only the reporter or the site's safety staff may amend this report")
    if incident.retracted_at is not None:
        raise Rejected("deleted", "this report was retracted", incident_id=str(incident.id))
    form_id, base = incident.form_id, dict(incident.form_values)
    if form_id == QUICK_FORM.id and not set(changes) <= set(QUICK_FORM.names):
        form_id, base = promote_quick(base)  # details follow a quick report: it becomes a full one
    names = set(get_form(form_id).names)
    unknown = sorted(set(changes) - names)
    if unknown:
        raise Rejected("invalid_args", f"no such field: {', '.join(unknown)}", fields=unknown)
    merged = {**base, **changes}
    built = _build(form_id, merged, incident.id, incident.site_id, incident.reporter_id, None, ctx)
    if built.kind != incident.kind:
        raise Rejected("kind_change", "an amendment cannot change the kind of report: retract and refile")
    recorded = {
        name: {"old": base.get(name), "new": built.form_values.get(name)}
        for name in sorted(changes)
        if base.get(name) != built.form_values.get(name)
    }
    _copy_columns(built, incident, skip={"id", "site_id", "reporter_id"})
    _set_day_range_ids(built)
    for name in DETAILS:
        _replace_detail(ctx, incident, built, name)
    amendment = Amendment(
        id=amendment_id, incident_id=incident.id, author_id=ctx.actor.user_id, changes=recorded, reason=reason
    )
    amendment.created_at = ctx.now
    ctx.session.add(amendment)
    ctx.touch(amendment)
    ctx.touch(incident)
    ctx.session.flush()
    return Outcome(
        MutationStatus.APPLIED,
        "amendment",
        str(amendment_id),
        incident.site_id,
        {"incident_id": str(incident.id), "fields": sorted(recorded)},
    )


@mutation("report.retract")
def retract_report(ctx: Context, args: dict[str, Any]) -> Outcome:
    """Withdraw a report: a tombstone with a reason; the row and its history stay."""
    incident = _incident(ctx, uuid_arg(args, "id"))
    reason = str_arg(args, "reason", max_length=2000)
    if not (
        incident.reporter_id == ctx.actor.user_id
        or ctx.actor.has_role(Role.SUPERVISOR, Role.HSE_MANAGER, Role.ADMIN, site_id=incident.site_id)
    ):
        raise Rejected("forbidden", "only the reporter or a supervisor may retract this report")
    if incident.retracted_at is not None:
        return Outcome(MutationStatus.DUPLICATE, ENTITY, str(incident.id), incident.site_id)
    incident.retracted_at = ctx.now
    incident.retraction_reason = reason or ""
    ctx.touch(incident)
    ctx.session.flush()
    return Outcome(MutationStatus.APPLIED, ENTITY, str(incident.id), incident.site_id)


@mutation("statement.create")
def create_statement(ctx: Context, args: dict[str, Any]) -> Outcome:
    """Record a witness statement; append-only, and a signed one is never changed."""
    statement_id = uuid_arg(args, "id")
    incident = _incident(ctx, uuid_arg(args, "incident_id"))
    existing = ctx.session.get(WitnessStatement, statement_id)
    if existing is not None:
        return _repeat(ctx, "statement.create", incident, incident.site_id, args, entity_id=str(statement_id))
    if not _may_see(ctx, incident):
        raise Rejected("forbidden", "you may not add statements to this report")
    if incident.retracted_at is not None:
        raise Rejected("deleted", "this report was retracted", incident_id=str(incident.id))
    amends_id = uuid_arg(args, "amends_id", required=False)
    if amends_id is not None:
        amended = ctx.session.get(WitnessStatement, amends_id)
        if amended is None or amended.incident_id != incident.id:
            raise Rejected("invalid_args", "amends_id names no statement of this report", field="amends_id")
    signature = str_arg(args, "signature_sha256", required=False, max_length=64)
    if signature is not None and not SHA256.fullmatch(signature):
        raise Rejected(
            "invalid_args", "signature_sha256 must be a sha256 hex digest", field="signature_sha256"
        )
    signed_at = datetime_arg(args, "signed_at", required=False)
    if signed_at is not None and signature is None:
        raise Rejected("invalid_args", "a signed statement needs its signature", field="signature_sha256")
    statement = WitnessStatement(
        id=statement_id,
        incident_id=incident.id,
        amends_id=amends_id,
        witness_name=str_arg(args, "witness_name", max_length=200),
        contact=str_arg(args, "contact", required=False, max_length=200) or "",
        relation=enum_arg(args, "relation", WitnessRelation),
        statement=str_arg(args, "statement", max_length=20_000),
        language=str_arg(args, "language", required=False, max_length=20) or "",
        signature_sha256=signature,
        signed_at=signed_at,
        taken_by_id=ctx.actor.user_id,
        taken_at=datetime_arg(args, "taken_at"),
    )
    ctx.session.add(statement)
    ctx.touch(statement)
    ctx.session.flush()
    details = {"incident_id": str(incident.id)}
    return Outcome(MutationStatus.APPLIED, "witness_statement", str(statement_id), incident.site_id, details)


@mutation("attachment.add")
def add_attachment(ctx: Context, args: dict[str, Any]) -> Outcome:
    """Add a late photo to a report by (report, slot); a bound slot never changes."""
    incident = _incident(ctx, uuid_arg(args, "incident_id"))
    entry = _manifest([{k: v for k, v in args.items() if k != "incident_id"}])[0]
    if not _may_see(ctx, incident):
        raise Rejected("forbidden", "you may not add photos to this report")
    if incident.retracted_at is not None:
        raise Rejected("deleted", "this report was retracted", incident_id=str(incident.id))
    existing = ctx.session.scalar(
        select(Attachment).where(Attachment.incident_id == incident.id, Attachment.slot == entry["slot"])
    )
    if existing is not None:
        if existing.sha256 == entry["sha256"]:
            return Outcome(MutationStatus.DUPLICATE, "attachment", str(existing.id), incident.site_id)
        raise Rejected("slot_taken", f"slot {entry['slot']} already holds another file", slot=entry["slot"])
    row = _attachment(incident.id, entry, {}, ctx.actor.user_id)
    row.caption = str_arg(args, "caption", required=False, max_length=200) or ""
    ctx.session.add(row)
    ctx.touch(row)
    ctx.session.flush()
    details: dict[str, Any] = {"incident_id": str(incident.id)}
    if ctx.on_server:
        was = incident.media_complete
        details["missing_blobs"] = refresh_media(ctx.session, incident)
        if incident.media_complete != was:
            ctx.touch(incident)
        details["media_complete"] = incident.media_complete
    return Outcome(MutationStatus.APPLIED, "attachment", str(row.id), incident.site_id, details)


def _build(
    form_id: str,
    values: dict[str, Any],
    incident_id: uuid.UUID,
    site_id: uuid.UUID,
    reporter_id: uuid.UUID,
    version: int | None,
    ctx: Context,
) -> Incident:
    """Validate with the forms package and build the incident rows, refusing with stable codes."""
    try:
        return build_incident(
            form_id,
            values,
            incident_id=incident_id,
            site_id=site_id,
            reporter_id=reporter_id,
            version=version,
            now=ctx.now,
        )
    except InvalidForm as exc:
        raise Rejected(
            "validation_failed",
            f"the form has {len(exc.errors)} problem(s)",
            errors=[e.to_dict() for e in exc.errors],
        ) from None
    except (UnknownForm, UnknownFormVersion) as exc:
        raise Rejected(exc.code, str(exc)) from None


def _repeat(
    ctx: Context,
    action: str,
    incident: Incident,
    site_id: uuid.UUID,
    args: dict[str, Any],
    *,
    entity_id: str | None = None,
) -> Outcome:
    """Creating what exists: duplicate when the payload is the first one's, else id_conflict."""
    entity_id = entity_id or str(incident.id)
    first = ctx.session.scalar(
        select(AuditEvent.data)
        .where(AuditEvent.action == action, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.seq)
        .limit(1)
    )
    first_hash = payload_sha256(first.get("args")) if isinstance(first, dict) else None
    if first_hash != payload_sha256(args):
        raise Rejected(
            "id_conflict",
            "a different record with this id exists; both versions are kept for review",
            id=entity_id,
            existing_payload_sha256=first_hash,
        )
    if action == "report.create" and incident.retracted_at is not None:
        raise Rejected("deleted", "this report was retracted", incident_id=str(incident.id))
    entity = {"report.create": ENTITY, "report.amend": "amendment"}.get(action, "witness_statement")
    return Outcome(MutationStatus.DUPLICATE, entity, entity_id, site_id)


def _incident(ctx: Context, incident_id: uuid.UUID | None) -> Incident:
    """The incident a mutation names, or a refusal."""
    incident = ctx.session.get(Incident, incident_id)
    if incident is None:
        raise Rejected("not_found", f"there is no report {incident_id}", incident_id=str(incident_id))
    return incident


def _may_see(ctx: Context, incident: Incident) -> bool:
    """The reporter, and the staff of the report's site."""
    return incident.reporter_id == ctx.actor.user_id or ctx.actor.has_role(*STAFF, site_id=incident.site_id)


def _may_edit(ctx: Context, incident: Incident) -> bool:
    """Who may amend: the reporter, and the site's safety staff."""
    return _may_see(ctx, incident)


def _location(value: Any) -> dict[str, Any] | None:
    """The optional GPS fix {latitude, longitude, accuracy_m} (checked by the form's location field)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Rejected("invalid_args", "location must be an object", field="location")
    return {k: value.get(k) for k in ("latitude", "longitude", "accuracy_m") if value.get(k) is not None}


def _manifest(value: Any) -> list[dict[str, Any]]:
    """Check an attachment manifest: unique slots, sha256 hex, size, mime, optional facts."""
    if not isinstance(value, list) or len(value) > MAX_ATTACHMENTS:
        raise Rejected("invalid_args", f"attachments must be a list of at most {MAX_ATTACHMENTS}")
    seen: set[str] = set()
    entries = []
    for index, item in enumerate(value):
        where = f"attachments.{index}"
        if not isinstance(item, dict):
            raise Rejected("invalid_args", f"{where} must be an object", field=where)
        slot, sha, size, mime = item.get("slot"), item.get("sha256"), item.get("size"), item.get("mime")
        if not isinstance(slot, str) or not SLOT.fullmatch(slot) or slot in seen:
            raise Rejected("invalid_args", f"{where}.slot is missing, malformed or repeated", field=where)
        if not isinstance(sha, str) or not SHA256.fullmatch(sha):
            raise Rejected("invalid_args", f"{where}.sha256 must be lower-case sha256 hex", field=where)
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise Rejected("invalid_args", f"{where}.size must be a byte count", field=where)
        if not isinstance(mime, str) or "/" not in mime or len(mime) > 100:
            raise Rejected("invalid_args", f"{where}.mime must be a media type", field=where)
        entry = dict(item)
        entry["captured_at"] = datetime_arg(item, "captured_at", required=False)
        entry["kind"] = enum_arg(item, "kind", AttachmentKind, required=False) or AttachmentKind.PHOTO
        for key in ("width", "height", "original_size"):
            int_arg(item, key, required=False, minimum=0)
        for key in ("exif_latitude", "exif_longitude"):
            if item.get(key) is not None and not isinstance(item[key], int | float):
                raise Rejected("invalid_args", f"{where}.{key} must be a number", field=where)
        seen.add(slot)
        entries.append(entry)
    return entries


def _attachment(
    incident_id: uuid.UUID, entry: dict[str, Any], captions: dict[str, str], user_id: uuid.UUID
) -> Attachment:
    """An attachment row of a manifest entry."""
    return Attachment(
        id=attachment_id(incident_id, entry["slot"]),
        incident_id=incident_id,
        slot=entry["slot"],
        kind=entry["kind"],
        sha256=entry["sha256"],
        size=entry["size"],
        mime=entry["mime"],
        width=entry.get("width"),
        height=entry.get("height"),
        captured_at=entry.get("captured_at"),
        exif_latitude=entry.get("exif_latitude"),
        exif_longitude=entry.get("exif_longitude"),
        original_sha256=entry.get("original_sha256") or "",
        original_size=entry.get("original_size"),
        caption=captions.get(entry["slot"], ""),
        added_by_id=user_id,
    )


def _set_day_range_ids(incident: Incident) -> None:
    """Give an injury's day ranges ids derived from their content (the same on phone and server)."""
    if incident.injury is None:
        return
    for day_range in incident.injury.day_ranges:
        key = f"day_range:{day_range.kind.value}:{day_range.start}:{day_range.end}"
        day_range.id = uuid.uuid5(incident.id, key)


def _rows_of(incident: Incident) -> list[Any]:
    """The incident and every row created with it, parents first."""
    rows: list[Any] = [incident]
    for name in DETAILS:
        detail = getattr(incident, name)
        if detail is not None:
            rows.append(detail)
            rows.extend(getattr(detail, "day_ranges", []))
    rows.extend(incident.attachments)
    return rows


def _copy_columns(source: Any, target: Any, *, skip: set[str]) -> None:
    """Copy the column values the forms code set on a new (unsaved) row onto a stored row."""
    for attr in inspect(type(source)).column_attrs:
        if attr.key not in skip and attr.key in vars(source):
            setattr(target, attr.key, getattr(source, attr.key))


def _replace_detail(ctx: Context, incident: Incident, built: Incident, name: str) -> None:
    """Bring one detail row (and an injury's day ranges) in line with the amended form."""
    new = getattr(built, name)
    if new is None:
        return
    old = getattr(incident, name)
    if old is None:
        old = type(new)(incident_id=incident.id)
        ctx.session.add(old)
    _copy_columns(new, old, skip=SERVER_KEPT)
    ctx.touch(old)
    if name != "injury":
        return
    wanted = {r.id: r for r in new.day_ranges}
    current = {
        r.id: r for r in ctx.session.scalars(select(CaseDayRange).where(CaseDayRange.case_id == incident.id))
    }
    for range_id, row in current.items():
        if range_id not in wanted:
            ctx.session.delete(row)
            ctx.touch(row, ChangeOp.DELETE)
    for range_id, row in wanted.items():
        if range_id not in current:
            fresh = CaseDayRange(
                id=range_id, case_id=incident.id, kind=row.kind, start=row.start, end=row.end
            )
            ctx.session.add(fresh)
            ctx.touch(fresh)
