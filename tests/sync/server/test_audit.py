"""The audit chain: appends from concurrent writers stay contiguous; any tampering is named."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from models import AuditEvent, utcnow
from sync.server import audit


def write_events(sessions: sessionmaker[Session], count: int, label: str) -> None:
    """Append events one transaction each."""
    for n in range(count):
        with sessions.begin() as session:
            audit.append(
                session,
                action="test.event",
                entity="thing",
                entity_id=f"{label}-{n}",
                at=utcnow(),
                data={"n": n, "label": label, "text": "é ü 安全"},
            )


def test_concurrent_appends_make_one_unbroken_chain(sessions: sessionmaker[Session]) -> None:
    threads = [threading.Thread(target=write_events, args=(sessions, 15, f"w{i}")) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with sessions() as session:
        verdict = audit.verify(session)
        assert verdict.ok, verdict.problem
        assert verdict.events == 45
        assert verdict.head == audit.head(session)


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (
            lambda s: s.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(entity_id="forged")),
            "event 3 was altered",
        ),
        (
            lambda s: s.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(data={"n": 99})),
            "event 2 was altered",
        ),
        (lambda s: s.execute(delete(AuditEvent).where(AuditEvent.seq == 4)), "event 4 is missing"),
        (
            lambda s: s.execute(delete(AuditEvent).where(AuditEvent.seq == 6)),
            "events 6..6 were removed from the end",
        ),
    ],
)
def test_tampering_is_found_and_named(sessions: sessionmaker[Session], tamper, problem: str) -> None:
    write_events(sessions, 6, "x")
    with sessions.begin() as session:
        tamper(session)
    with sessions() as session:
        verdict = audit.verify(session)
    assert not verdict.ok
    assert problem in verdict.problem


def test_a_rewritten_event_with_a_fresh_hash_breaks_the_next_link(sessions: sessionmaker[Session]) -> None:
    write_events(sessions, 5, "y")
    with sessions.begin() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.seq == 2))
        event.entity_id = "forged"
        event.hash = audit.digest(event.prev_hash, event)
    with sessions() as session:
        verdict = audit.verify(session)
    assert not verdict.ok and verdict.bad_seq == 3
    assert "does not follow event 2" in verdict.problem
