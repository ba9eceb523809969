"""`ims audit verify` on a real database: passes on an intact chain, fails naming a tampered event."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import delete, select, update
from support.workflow import file_incident, ok, run, site_id

from models import AuditEvent


def verify(db_url: str) -> subprocess.CompletedProcess[str]:
    """Run `ims audit verify --db URL`."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", "audit", "verify", "--db", db_url],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ,
    )


@pytest.fixture
def audited(db_url, sessions, people) -> str:
    """A store whose chain holds five events from real mutations (one of them a refusal)."""
    iid = str(file_incident(sessions))
    ok(run(sessions, "officer", "incident.acknowledge", {"id": iid}))
    ok(
        run(
            sessions,
            "officer",
            "incident.set_priority",
            {"id": iid, "priority": "P2", "reason": "Racking bent"},
        )
    )
    run(sessions, "worker", "incident.transition", {"id": iid, "to": "investigating"})
    ok(run(sessions, "officer", "incident.transition", {"id": iid, "to": "investigating"}))
    ok(
        run(
            sessions,
            "officer",
            "problem.create",
            {"id": str(uuid.uuid4()), "site_id": str(site_id(sessions)), "title": "x"},
        )
    )
    return db_url


def test_an_intact_chain_passes_and_an_altered_event_fails_naming_it(audited, sessions) -> None:
    intact = verify(audited)
    assert intact.returncode == 0, intact.stderr
    assert intact.stdout.startswith("audit chain intact: 5 events, head ")
    with sessions.begin() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.seq == 2))
        forged = {**event.data, "args": {**event.data["args"], "priority": "P4"}}
        session.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(data=forged))
    result = verify(audited)
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == "ims: error: audit chain broken at event 2: event 2 was altered after it was written"
    )


def test_a_removed_event_fails_naming_it(audited, sessions) -> None:
    with sessions.begin() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.seq == 3))
    result = verify(audited)
    assert result.returncode == 1
    assert "audit chain broken at event 3: event 3 is missing (removed)" in result.stderr


def test_the_store_can_be_named_by_its_data_dir(tmp_path) -> None:
    def ims(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "app.cli", *args, "--data-dir", str(tmp_path)]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, env=os.environ)

    empty = ims("audit", "verify")
    assert empty.returncode == 1 and "Traceback" not in empty.stderr
    assert empty.stderr.startswith("ims: error: no Field IMS store at sqlite:///")
    assert ims("db", "upgrade").returncode == 0
    fresh = ims("audit", "verify")
    assert fresh.returncode == 0, fresh.stderr
    assert fresh.stdout.startswith("audit chain intact: 0 events")
