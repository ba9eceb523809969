"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from sync.server import migrate
from sync.server.deps import SessionsDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(sessions: SessionsDep) -> dict[str, object]:
    """Report that the server runs, which database it uses and whether its schema is current."""
    with sessions() as session:
        session.execute(text("SELECT 1"))
        engine = session.get_bind()
    revision = migrate.current_revision(engine)  # type: ignore[arg-type]
    return {
        "status": "ok",
        "database": engine.dialect.name,
        "schema": revision,
        "schema_current": revision == migrate.head_revision(),
    }
