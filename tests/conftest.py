"""Shared fixtures: a fresh central store on every backend, seeded users, a real server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from support.databases import backends, fresh_database
from support.server import ServerProcess

import models
from models import Site
from models.enums import Role
from sync.server import migrate
from sync.server.accounts import add_user
from sync.server.db import make_engine, session_factory

PASSWORD = "correct-horse-1"


@pytest.fixture(params=backends())
def backend(request: pytest.FixtureRequest) -> str:
    """Each database test runs once per backend (PostgreSQL when IMS_TEST_DATABASE_URL is set)."""
    return request.param


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty, private database."""
    with fresh_database(backend, tmp_path) as url:
        yield url


def fresh_engine(url: str) -> Engine:
    """An engine on an empty database, with every table created and the schema stamped current."""
    engine = make_engine(url)
    models.Base.metadata.create_all(engine)
    migrate.stamp_head(engine)
    return engine


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a fresh database with every table created."""
    engine = fresh_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    """A session maker on the fresh database."""
    return session_factory(engine)


@pytest.fixture
def people(sessions: sessionmaker[Session]) -> dict[str, models.User]:
    """Two sites and one user per role (password PASSWORD); keys are usernames."""
    return seed_people(sessions)


def seed_people(sessions: sessionmaker[Session]) -> dict[str, models.User]:
    """Create sites S1 (US) and S2 (MY) and one user per role."""
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
        users = {
            "worker": add_user(
                session=session,
                username="worker",
                password=PASSWORD,
                display_name="Wanda Worker",
                roles=[("S1", Role.REPORTER)],
            ),
            "worker2": add_user(
                session=session,
                username="worker2",
                password=PASSWORD,
                display_name="Wes Worker",
                roles=[("S2", Role.REPORTER)],
            ),
            "officer": add_user(
                session=session,
                username="officer",
                password=PASSWORD,
                display_name="Olga Officer",
                roles=[("S1", Role.SAFETY_OFFICER)],
            ),
            "supervisor": add_user(
                session=session,
                username="supervisor",
                password=PASSWORD,
                display_name="Sam Supervisor",
                roles=[("S1", Role.SUPERVISOR)],
            ),
            "manager": add_user(
                session=session,
                username="manager",
                password=PASSWORD,
                display_name="Hana Manager",
                roles=[(None, Role.HSE_MANAGER)],
            ),
            "admin": add_user(
                session=session,
                username="admin",
                password=PASSWORD,
                display_name="Ada Admin",
                roles=[(None, Role.ADMIN)],
            ),
        }
    return users


@pytest.fixture
def server(db_url: str, people: dict[str, models.User], tmp_path: Path) -> Iterator[ServerProcess]:
    """A real `ims server` process on loopback, serving the fresh database with the seeded people."""
    proc = ServerProcess(db_url, tmp_path / "server-data").start()
    yield proc
    proc.stop()
