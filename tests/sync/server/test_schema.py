"""The migrated schema is exactly the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

import models
from sync.server import migrate
from sync.server.db import make_engine, session_factory


def test_migrations_produce_the_models_schema(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, models.Base.metadata) == []
    assert migrate.current_revision(engine) == migrate.head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(models.Base.metadata.tables) <= tables


def test_upgrade_twice_is_harmless(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_a_rule_has_at_most_one_override_for_every_site(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        session.add(models.RuleOverride(site_id=None, rule_code="osha.fatality_8h", values={"value": 6}))
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.add(models.RuleOverride(site_id=None, rule_code="osha.fatality_8h", values={"value": 4}))
    with sessions.begin() as session:  # another rule, for every site, is fine
        session.add(models.RuleOverride(site_id=None, rule_code="osha.severe_injury_24h", values={}))
