"""Investigation edits merged field by field (three-way, per-field old/new), and conflict resolution.

`investigation.patch` sends, per field, the value the editor started from (`old`) and their value
(`new`). A field nobody else touched takes `new`; a field already equal to `new` is left alone; a
field changed on both sides keeps the current value, and the server stores an InvestigationConflict
for a person to settle with `conflict.resolve`.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from models import Attachment, Investigation, InvestigationConflict, WitnessStatement
from models.enums import (
    ContributingFactor,
    IncidentRoleKind,
    IncidentStatus,
    MutationStatus,
    RootCauseCategory,
)
from models.investigation import INVESTIGATION_FIELDS
from models.workflow import Merge, derived_id, merge_fields
from sync.mutations import guards
from sync.mutations.args import int_arg, str_arg, uuid_arg
from sync.mutations.base import Context, Outcome, Rejected, mutation

MAX_WHYS = 5
MAX_FACTORS = 30
MAX_EVIDENCE = 100
RESOLUTIONS = ("kept_current", "took_incoming", "edited")
EDITORS = (IncidentRoleKind.COMMANDER, IncidentRoleKind.RESOLVER, IncidentRoleKind.INVESTIGATOR)


def current_values(investigation: Investigation) -> dict[str, Any]:
    """The investigation's editable fields in their JSON form."""
    values = {name: getattr(investigation, name) for name in INVESTIGATION_FIELDS}
    values["root_cause_category"] = guards.enum_value(values["root_cause_category"])
    values["lead_id"] = str(values["lead_id"]) if values["lead_id"] else None
    return values


def _set(investigation: Investigation, name: str, value: Any) -> None:
    """Store one field from its JSON form."""
    if name == "root_cause_category":
        value = RootCauseCategory(value) if value is not None else None
    elif name == "lead_id":
        value = uuid.UUID(value) if value is not None else None
    setattr(investigation, name, value)


def _bad(name: str, message: str) -> Rejected:
    """A refusal of one field's value."""
    return Rejected("invalid_args", f"{name}: {message}", field=name)


def clean_value(ctx: Context, incident: Any, name: str, value: Any) -> Any:
    """Check a new value of one investigation field and return its JSON form."""
    if name in ("root_cause", "findings"):
        if not isinstance(value, str) or len(value) > 20_000:
            raise _bad(name, "expected text of at most 20000 characters")
        return value.strip()
    if name == "five_whys":
        if not isinstance(value, list) or len(value) > MAX_WHYS or not all(isinstance(v, str) for v in value):
            raise _bad(name, f"expected a list of at most {MAX_WHYS} answers")
        return [v.strip() for v in value]
    if name == "contributing_factors":
        return _factors(value)
    if name == "root_cause_category":
        if value is None:
            return None
        if value not in {c.value for c in RootCauseCategory}:
            raise _bad(name, f"must be one of: {', '.join(c.value for c in RootCauseCategory)}")
        return value
    if name == "evidence":
        return _evidence(ctx, incident, value)
    if value is None:
        return None
    return str(guards.member(ctx, uuid_arg({name: value}, name), incident.site_id, name).id)


def _factors(value: Any) -> list[dict[str, str]]:
    """Contributing factors: [{category (people, equipment, ..., management), description}]."""
    name = "contributing_factors"
    if not isinstance(value, list) or len(value) > MAX_FACTORS:
        raise _bad(name, f"expected a list of at most {MAX_FACTORS} factors")
    allowed = {c.value for c in ContributingFactor}
    factors = []
    for item in value:
        if not isinstance(item, dict) or item.get("category") not in allowed:
            raise _bad(name, f"each factor needs a category, one of: {', '.join(sorted(allowed))}")
        description = item.get("description", "")
        if not isinstance(description, str):
            raise _bad(name, "a factor's description must be text")
        factors.append({"category": item["category"], "description": description.strip()})
    return factors


def _evidence(ctx: Context, incident: Any, value: Any) -> list[dict[str, str]]:
    """Evidence references: [{type: attachment|statement, id}] of this incident's photos and statements."""
    name = "evidence"
    if not isinstance(value, list) or len(value) > MAX_EVIDENCE:
        raise _bad(name, f"expected a list of at most {MAX_EVIDENCE} references")
    models = {"attachment": Attachment, "statement": WitnessStatement}
    refs = []
    for item in value:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in models:
            raise _bad(name, "each reference needs type 'attachment' or 'statement' and an id")
        ref_id = uuid_arg(item, "id")
        row = ctx.session.get(models[kind], ref_id)
        if row is None or row.incident_id != incident.id:
            raise _bad(name, f"{kind} {ref_id} is not evidence of this incident")
        refs.append({"type": kind, "id": str(ref_id)})
    return refs


def _changes(ctx: Context, incident: Any, raw: Any) -> dict[str, tuple[Any, Any]]:
    """The per-field (old, new) pairs of a patch, new values checked."""
    if not isinstance(raw, dict) or not raw:
        raise Rejected("invalid_args", "fields must be an object of field: {old, new}", field="fields")
    unknown = sorted(set(raw) - set(INVESTIGATION_FIELDS))
    if unknown:
        raise Rejected(
            "invalid_args",
            f"unknown investigation fields: {', '.join(unknown)}; known: {', '.join(INVESTIGATION_FIELDS)}",
            field="fields",
        )
    changes = {}
    for name, pair in raw.items():
        if not isinstance(pair, dict) or "new" not in pair:
            raise Rejected("invalid_args", f"fields.{name} must be {{old, new}}", field=name)
        changes[name] = (pair.get("old"), clean_value(ctx, incident, name, pair["new"]))
    return changes


@mutation("investigation.patch")
def patch_investigation(ctx: Context, args: dict[str, Any]) -> Outcome:
    """Merge field edits into the incident's investigation (creating it on the first edit)."""
    incident = guards.incident(ctx, uuid_arg(args, "incident_id"))
    assigned = guards.holds(ctx, incident.id, *EDITORS)
    guards.require(ctx, "investigation.patch", incident.site_id, also=assigned)
    base_version = int_arg(args, "base_version", minimum=0)
    if incident.status is IncidentStatus.CLOSED:
        raise Rejected("incident_closed", "the incident is closed: reopen it to change the investigation")
    changes = _changes(ctx, incident, args.get("fields"))
    investigation = ctx.session.scalar(select(Investigation).where(Investigation.incident_id == incident.id))
    created = investigation is None
    if investigation is None:
        investigation = Investigation(
            id=derived_id(incident.id, "investigation"),
            incident_id=incident.id,
            five_whys=[],
            contributing_factors=[],
            evidence=[],
            root_cause="",
            findings="",
        )
        ctx.session.add(investigation)
        merge = Merge(apply={name: new for name, (_old, new) in changes.items()})
    elif base_version > investigation.version:
        raise Rejected(
            "invalid_args",
            f"base_version {base_version} is newer than the investigation (version {investigation.version})",
            field="base_version",
        )
    else:
        merge = merge_fields(current_values(investigation), changes)
    for name, value in merge.apply.items():
        _set(investigation, name, value)
    if merge.apply or created:
        ctx.touch(investigation)
    conflicts = []
    for item in merge.conflicts:
        row = InvestigationConflict(
            id=uuid.uuid4(),
            investigation_id=investigation.id,
            field=item.field,
            base_value=item.base,
            current_value=item.current,
            incoming_value=item.incoming,
            user_id=ctx.actor.user_id,
            device_id=ctx.actor.device_id,
            created_at=ctx.now,
        )
        if ctx.on_server:
            ctx.session.add(row)
            ctx.touch(row)
        conflicts.append(
            {"id": str(row.id), "field": item.field, "base": item.base, "current": item.current}
            | {"incoming": item.incoming}
        )
    details = {
        "incident_id": str(incident.id),
        "base_version": base_version,
        "applied": sorted(merge.apply),
        "unchanged": sorted(merge.same),
        "conflicts": conflicts,
    }
    status = MutationStatus.CONFLICT if conflicts else MutationStatus.APPLIED
    return Outcome(status, "investigation", str(investigation.id), incident.site_id, details)


@mutation("conflict.resolve")
def resolve_conflict(ctx: Context, args: dict[str, Any]) -> Outcome:
    """Settle a conflict: keep the current value, take the incoming one, or store an edited value."""
    conflict = guards.get(ctx, InvestigationConflict, uuid_arg(args, "id"), "conflict")
    investigation = guards.get(ctx, Investigation, conflict.investigation_id, "investigation")
    incident = guards.incident(ctx, investigation.incident_id)
    guards.require(ctx, "conflict.resolve", incident.site_id)
    resolution = str_arg(args, "resolution", max_length=20)
    if resolution not in RESOLUTIONS:
        raise Rejected(
            "invalid_args", f"resolution must be one of: {', '.join(RESOLUTIONS)}", field="resolution"
        )
    if conflict.resolved_at is not None:
        raise Rejected(
            "conflict_resolved", "this conflict was already resolved", resolution=conflict.resolution
        )
    if resolution == "edited" and "value" not in args:
        raise Rejected("invalid_args", "an edited resolution needs its value", field="value")
    value = None
    if resolution != "kept_current":
        incoming = conflict.incoming_value if resolution == "took_incoming" else args["value"]
        value = clean_value(ctx, incident, conflict.field, incoming)
        if current_values(investigation)[conflict.field] != value:
            _set(investigation, conflict.field, value)
            ctx.touch(investigation)
    conflict.resolved_at = ctx.now
    conflict.resolved_by_id = ctx.actor.user_id
    conflict.resolution = resolution
    ctx.touch(conflict)
    details = {"field": conflict.field, "resolution": resolution, "incident_id": str(incident.id)}
    return Outcome(
        MutationStatus.APPLIED, "investigation_conflict", str(conflict.id), incident.site_id, details
    )
