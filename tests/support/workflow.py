"""Helpers for workflow tests: file incidents from real forms, act as a seeded user, run mutations."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import PASSWORD
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import models
from forms.convert import build_incident
from models import Incident, Site, User
from models.enums import Priority, Role
from support.databases import backends, fresh_database
from sync.mutations.base import Actor
from sync.server import migrate
from sync.server.accounts import actor_for_user, add_user
from sync.server.db import make_engine, session_factory
from sync.server.execute import Result, execute

USERS: dict[str, tuple[str, list[tuple[str | None, Role]]]] = {
    "worker": ("Wanda Worker", [("S1", Role.REPORTER)]),
    "worker2": ("Wes Worker", [("S2", Role.REPORTER)]),
    "officer": ("Olga Officer", [("S1", Role.SAFETY_OFFICER)]),
    "supervisor": ("Sam Supervisor", [("S1", Role.SUPERVISOR)]),
    "manager": ("Hana Manager", [(None, Role.HSE_MANAGER)]),
    "admin": ("Ada Admin", [(None, Role.ADMIN)]),
}
"""The same people as conftest's `people` fixture: one per role, sites S1 (US) and S2 (MY)."""


def seed_people(sessions: sessionmaker[Session]) -> dict[str, User]:
    """Create sites S1 and S2 and one user per role (password PASSWORD)."""
    with sessions.begin() as session:
        session.add_all(
            [
                Site(code="S1", name="Plant One", jurisdiction="US", country="US"),
                Site(
                    code="S2", name="Plant Two", jurisdiction="MY", country="MY", timezone="Asia/Kuala_Lumpur"
                ),
            ]
        )
        session.flush()
        return {
            name: add_user(
                session=session, username=name, password=PASSWORD, display_name=display, roles=roles
            )
            for name, (display, roles) in USERS.items()
        }


@dataclass(frozen=True)
class Store:
    """A seeded central store: its URL, sessions and people."""

    url: str
    sessions: sessionmaker[Session]
    people: dict[str, User]


@pytest.fixture(scope="module", params=backends())
def shared_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One seeded store per backend for a whole module whose tests each work on their own records."""
    with fresh_database(request.param, tmp_path_factory.mktemp(f"store-{request.param}")) as url:
        engine = make_engine(url)
        models.Base.metadata.create_all(engine)
        migrate.stamp_head(engine)
        sessions = session_factory(engine)
        try:
            yield Store(url, sessions, seed_people(sessions))
        finally:
            engine.dispose()


@pytest.fixture(name="sessions")
def shared_sessions(shared_store: Store) -> sessionmaker[Session]:
    """`sessions` on the module's shared store (import shared_store, shared_sessions, shared_people)."""
    return shared_store.sessions


@pytest.fixture(name="people")
def shared_people(shared_store: Store) -> dict[str, User]:
    """`people` of the module's shared store."""
    return shared_store.people


T0 = dt.datetime(2025, 3, 20, 8, 0, tzinfo=dt.UTC)

NEAR_MISS = {
    "title": "Pallet nearly fell from racking",
    "occurred_at": "2025-03-20T07:30:00+00:00",
    "hazard_type": "falling_object",
    "what_could_have_happened": "It could have hit the picker below.",
    "potential_severity": "low",
}
INJURY = {
    "case_type": "injury",
    "title": "Cut hand on press 4",
    "occurred_at": "2025-03-20T07:30:00+00:00",
    "employee_name": "Siti Aminah",
    "what_happened": "The press cycled while her hand was in the die area.",
    "injury_description": "Cut, left index finger",
    "treatments": ["wound_cleaning"],
}
OUTAGE = {
    "kind": "it_outage",
    "title": "Mail down for everyone",
    "occurred_at": "2025-03-20T07:30:00+00:00",
    "all_users_affected": True,
    "affected_services": ["Mail"],
    "impact_description": "Nobody can send or receive mail",
}


def site_id(sessions: sessionmaker[Session], code: str = "S1") -> uuid.UUID:
    """The id of a seeded site."""
    with sessions() as session:
        return session.scalar(select(Site.id).where(Site.code == code))


def actor(sessions: sessionmaker[Session], username: str) -> Actor:
    """The actor of a seeded user."""
    with sessions() as session:
        user = session.scalar(select(User).where(User.username == username))
        return actor_for_user(session=session, user=user)


def file_incident(
    sessions: sessionmaker[Session],
    form_id: str = "near_miss",
    values: dict[str, Any] | None = None,
    *,
    site: str = "S1",
    reporter: str = "worker",
    received_at: dt.datetime = T0,
    priority: Priority | None = Priority.P3,
    **columns: Any,
) -> uuid.UUID:
    """Store an incident built from a real form (as report.create would) and return its id."""
    values = dict(values or (NEAR_MISS if form_id == "near_miss" else INJURY))
    with sessions.begin() as session:
        reporter_id = session.scalar(select(User.id).where(User.username == reporter))
        site_row = session.scalar(select(Site).where(Site.code == site))
        incident = build_incident(
            form_id,
            values,
            incident_id=uuid.uuid4(),
            site_id=site_row.id,
            reporter_id=reporter_id,
            now=received_at,
        )
        incident.server_received_at = received_at
        incident.priority = priority
        for name, value in columns.items():
            setattr(incident, name, value)
        session.add(incident)
        return incident.id


def run(
    sessions: sessionmaker[Session],
    username: str,
    name: str,
    args: dict[str, Any],
    *,
    now: dt.datetime = T0,
) -> Result:
    """Execute one mutation as a seeded user, in its own transaction."""
    who = actor(sessions, username)
    with sessions.begin() as session:
        return execute(session, who, name, args, now=now)


def incident(sessions: sessionmaker[Session], incident_id: uuid.UUID) -> Incident:
    """The stored incident, freshly read."""
    with sessions() as session:
        return session.get(Incident, incident_id)


def ok(result: Result) -> Result:
    """Assert a mutation applied, showing the refusal otherwise."""
    assert result.status.value == "applied", (result.code, result.message, result.details)
    return result


def refused(result: Result, code: str) -> Result:
    """Assert a mutation was refused with this code."""
    assert result.status.value == "rejected", result
    assert result.code == code, (result.code, result.message)
    return result
