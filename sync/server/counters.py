"""Gap-free numbers from locked counter rows (server_seq, the audit chain, human references), and the rows
queued with them, written once per transaction instead of once per number.

The first number a transaction takes from a counter locks its row (SELECT … FOR UPDATE on PostgreSQL;
SQLite already holds the write lock from BEGIN IMMEDIATE) until the transaction ends; later numbers come
from memory. Rows queued with `queue` (feed changes, audit events, mutation records) and the counters'
final values are written together, in one statement per table: when anything in the session commits
(a savepoint or the transaction), and before an ORM statement of the session reads a table with rows
still queued (as autoflush does for the session's objects). A rolled back savepoint takes back the
numbers and rows handed out inside it, so numbers stay gap-free and are committed in order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, event, insert, select, update
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql.util import find_tables

from models import Counter

COUNTERS: Table = Counter.__table__  # type: ignore[assignment]
FIRST = "server_seq"  # the pull feed's counter (sync.server.feed.COUNTER): always locked first
KEY = "ims.pending"
LISTENING = "ims.pending.listening"

Row = dict[str, Any] | Callable[[], dict[str, Any]]
"""A queued row: its values, or a function giving them once the session has been flushed."""


@dataclass
class Count:
    """A counter this transaction holds: the value in its row, the last number handed out, and what
    the counter's owner keeps with that number (the audit chain keeps the last event's hash)."""

    stored: int
    value: int
    tail: Any = None


@dataclass
class Pending:
    """What one transaction has handed out and queued but not yet written."""

    counts: dict[str, Count] = field(default_factory=dict)
    rows: dict[Table, list[Row]] = field(default_factory=dict)
    written: dict[Table, int] = field(default_factory=dict)
    savepoints: dict[SessionTransaction, tuple[Any, ...]] = field(default_factory=dict)
    writing: bool = False

    def snapshot(self) -> tuple[Any, ...]:
        """The state to go back to when a savepoint opened now is rolled back."""
        counts = {name: dataclasses.replace(count) for name, count in self.counts.items()}
        return counts, {table: len(rows) for table, rows in self.rows.items()}, dict(self.written)

    def restore(self, snapshot: tuple[Any, ...] | None) -> None:
        """Take back what was handed out, queued or written since the snapshot (None: since the start)."""
        counts, lengths, written = snapshot or ({}, {}, {})
        self.counts = counts
        for table, rows in self.rows.items():
            del rows[lengths.get(table, 0) :]
        self.written = {table: written.get(table, 0) for table in self.rows}

    def unwritten(self) -> set[Table]:
        """The tables with something still to write (the counter table when a value moved)."""
        tables = {table for table, rows in self.rows.items() if self.written.get(table, 0) < len(rows)}
        if any(count.value != count.stored for count in self.counts.values()):
            tables.add(COUNTERS)
        return tables


def next_value(session: Session, name: str) -> int:
    """Take the next number of a counter; its row stays locked until the transaction ends."""
    count = claim(session, name)
    count.value += 1
    return count.value


def claim(session: Session, name: str) -> Count:
    """The transaction's hold on a counter: its row is locked on first use and read once.

    The feed's counter is always locked first, so every writer takes the counter rows in the same
    order (server_seq, then references and the audit chain) and two pushes can never deadlock.
    """
    pending = _pending(session)
    if name != FIRST and FIRST not in pending.counts:
        claim(session, FIRST)
    count = pending.counts.get(name)
    if count is None:
        value = _locked(session, name)
        count = pending.counts[name] = Count(value, value)
    return count


def peek(session: Session, name: str) -> int:
    """The last number handed out (0 when none), including this transaction's."""
    pending = session.info.get(KEY)
    if pending is not None and name in pending.counts:
        return pending.counts[name].value
    return session.connection().scalar(select(COUNTERS.c.value).where(COUNTERS.c.name == name)) or 0


def queue(session: Session, table: Table, row: Row) -> None:
    """Queue a row for `table`, written with the others of its table before the transaction commits."""
    _pending(session).rows.setdefault(table, []).append(row)


def write(session: Session) -> None:
    """Write the queued rows and the counters' values now (after flushing the session's objects)."""
    pending = session.info.get(KEY)
    if pending is None or pending.writing or not pending.unwritten():
        return
    pending.writing = True
    try:
        session.flush()
        conn = session.connection()
        for table, rows in pending.rows.items():
            start = pending.written.get(table, 0)
            if start < len(rows):
                conn.execute(insert(table), [row() if callable(row) else row for row in rows[start:]])
                pending.written[table] = len(rows)
        moved = [
            {"counter": name, "new_value": count.value}
            for name, count in pending.counts.items()
            if count.value != count.stored
        ]
        if moved:
            conn.execute(
                update(COUNTERS)
                .where(COUNTERS.c.name == bindparam("counter"))
                .values(value=bindparam("new_value")),
                moved,
            )
            for count in pending.counts.values():
                count.stored = count.value
    finally:
        pending.writing = False


def _locked(session: Session, name: str) -> int:
    """Lock a counter row (creating it at 0 the first time) and return its value."""
    conn = session.connection()
    query = select(COUNTERS.c.value).where(COUNTERS.c.name == name).with_for_update()
    value = conn.scalar(query)
    if value is not None:
        return value
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        conn.execute(pg_insert(COUNTERS).values(name=name, value=0).on_conflict_do_nothing())
    else:
        conn.execute(insert(COUNTERS).prefix_with("OR IGNORE").values(name=name, value=0))
    return conn.scalar(query) or 0


def _pending(session: Session) -> Pending:
    """The transaction's pending state, created (and the session's hooks set) on first use."""
    pending = session.info.get(KEY)
    if pending is not None:
        return pending
    pending = session.info[KEY] = Pending()
    savepoint = session.get_nested_transaction()
    while savepoint is not None and savepoint.nested:  # opened before anything was pending here
        pending.savepoints[savepoint] = pending.snapshot()
        savepoint = savepoint.parent
    if not session.info.get(LISTENING):
        session.info[LISTENING] = True
        event.listen(session, "after_transaction_create", _opened)
        event.listen(session, "after_soft_rollback", _rolled_back)
        event.listen(session, "after_transaction_end", _ended)
        event.listen(session, "before_commit", write)
        event.listen(session, "do_orm_execute", _before_read)
    return pending


def _opened(session: Session, transaction: SessionTransaction) -> None:
    """Remember what a new savepoint may have to give back."""
    pending = session.info.get(KEY)
    if pending is not None and transaction.nested:
        pending.savepoints[transaction] = pending.snapshot()


def _rolled_back(session: Session, transaction: SessionTransaction) -> None:
    """A savepoint rolled back: take back what it handed out, queued or wrote."""
    pending = session.info.get(KEY)
    if pending is not None and transaction.nested:
        pending.restore(pending.savepoints.pop(transaction, None))


def _ended(session: Session, transaction: SessionTransaction) -> None:
    """At the end of the transaction, forget everything: its locks are gone, its rows written or not.

    Savepoints' snapshots are kept until then: a savepoint is closed before its rollback is announced.
    """
    if transaction.parent is None:
        session.info.pop(KEY, None)


def _before_read(state: ORMExecuteState) -> None:
    """Write what is queued before a statement of this session reads a table it is queued for."""
    pending = state.session.info.get(KEY)
    if pending is None or pending.writing:
        return
    tables = pending.unwritten()
    if tables and tables.intersection(find_tables(state.statement, include_crud=True, check_columns=True)):
        write(state.session)
