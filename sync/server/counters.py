"""Gap-free numbers from locked counter rows: server_seq, the audit chain, human references."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from models import Counter


def next_value(session: Session, name: str) -> int:
    """Take the next number of a counter; the row stays locked until the transaction ends."""
    current = _locked(session, name)
    session.execute(update(Counter).where(Counter.name == name).values(value=current + 1))
    return current + 1


def peek(session: Session, name: str) -> int:
    """The last number handed out (0 when none)."""
    return session.scalar(select(Counter.value).where(Counter.name == name)) or 0


def _locked(session: Session, name: str) -> int:
    """Lock a counter row (creating it at 0 the first time) and return its value."""
    query = select(Counter.value).where(Counter.name == name).with_for_update()
    value = session.scalar(query)
    if value is not None:
        return value
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(Counter).values(name=name, value=0).on_conflict_do_nothing())
    else:
        session.execute(insert(Counter).prefix_with("OR IGNORE").values(name=name, value=0))
    return session.scalar(query) or 0
