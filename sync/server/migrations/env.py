"""Alembic environment: runs against the engine handed over by sync.server.migrate."""

from alembic import context
from sqlalchemy import text

import models

config = context.config
target_metadata = models.Base.metadata


def run_migrations() -> None:
    """Run migrations on the configured engine, one migrator at a time on PostgreSQL."""
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(4711)"))
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=True,
                compare_type=True,
                user_module_prefix="models.base.",
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(4711)"))
                connection.commit()


run_migrations()
