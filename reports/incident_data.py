"""Everything the incident report PDF shows about one incident, as plain data (times already local)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    """One line of the timeline."""

    at: dt.datetime
    what: str
    who: str


@dataclass(frozen=True)
class Area:
    """A named place of the site plan, a circle around its position."""

    name: str
    latitude: float
    longitude: float
    radius_m: float


@dataclass(frozen=True)
class SitePlan:
    """The site's areas and where the incident was (None when no position was recorded)."""

    site_name: str
    areas: tuple[Area, ...]
    point: tuple[float, float] | None
    accuracy_m: float | None
    area_name: str


@dataclass(frozen=True)
class Photo:
    """A photo as a small JPEG thumbnail (None when its bytes are not on this store)."""

    slot: str
    caption: str
    captured_at: dt.datetime | None
    sha256: str
    thumbnail: bytes | None


@dataclass(frozen=True)
class Statement:
    """A witness statement, with the drawn signature when it is on this store."""

    witness_name: str
    relation: str
    language: str
    statement: str
    taken_at: dt.datetime
    taken_by: str
    signed_at: dt.datetime | None
    signature: bytes | None
    amends_earlier: bool


@dataclass(frozen=True)
class Findings:
    """The investigation: five whys, contributing factors, root cause."""

    lead: str
    five_whys: tuple[str, ...]
    contributing_factors: tuple[tuple[str, str], ...]
    root_cause_category: str
    root_cause: str
    findings: str


@dataclass(frozen=True)
class Signature:
    """A sign-off on a corrective action."""

    meaning: str
    signer: str
    role: str
    signed_at: dt.datetime
    content_sha256: str
    reason: str


@dataclass(frozen=True)
class Action:
    """A corrective or preventive action with its sign-offs and effectiveness checks."""

    title: str
    kind: str
    control_level: str
    owner: str
    due_on: dt.date
    status: str
    done_at: dt.datetime | None
    verified_at: dt.datetime | None
    signatures: tuple[Signature, ...]
    checks: tuple[str, ...]


@dataclass(frozen=True)
class Review:
    """The post-incident review's answers."""

    what_happened: str
    root_cause: str
    detection: str
    went_well: str
    completed_at: dt.datetime | None


@dataclass(frozen=True)
class Clock:
    """A notification duty and how it stands when the report is made."""

    title: str
    authority: str
    started_at: dt.datetime
    due_at: dt.datetime
    state: str
    met_at: dt.datetime | None
    met_by: str
    method: str
    reference_number: str
    how: str


@dataclass(frozen=True)
class IncidentRecord:
    """One incident, complete: the summary, details, timeline, plan, evidence, follow-up and audit head."""

    ref: str
    title: str
    kind: str
    status: str
    priority: str
    priority_reason: str
    site: str
    place: str
    occurred_at: dt.datetime
    reported_by: str
    description: str
    details: tuple[tuple[str, str], ...]
    timeline: tuple[Event, ...]
    plan: SitePlan
    photos: tuple[Photo, ...]
    statements: tuple[Statement, ...]
    investigation: Findings | None
    actions: tuple[Action, ...]
    review: Review | None
    clocks: tuple[Clock, ...]
    audit_head: str
    audit_events: int
    generated_at: dt.datetime
