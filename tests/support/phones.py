"""Phones for sync tests: a PhoneStore on a data dir, saving reports with photos, and the invariants."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from app.phone_store import PhoneStore
from app.settings import PhoneSettings
from models import AuditEvent, Change, Incident
from support.syncing import Store, fake_jpeg, report_args
from sync import outbox
from sync.server import audit
from sync.server.blobs import BlobStore


@dataclass
class Phone:
    """A phone app's store plus what the test knows it saved."""

    store: PhoneStore
    username: str
    saved: dict[str, list[str]] = field(default_factory=dict)  # report id -> photo sha256s
    photos: dict[str, bytes] = field(default_factory=dict)


def open_phone(data_dir: Path, server_url: str, *, chunk: int = 64 * 1024) -> PhoneStore:
    """A phone store with small chunks and short timeouts (faults should cost little time)."""
    store = PhoneStore(PhoneSettings(data_dir=data_dir, server_url=server_url))
    store._client.chunk_size = chunk
    store._client.timeout = (3, 5)
    return store


def signed_in(data_dir: Path, server_url: str, username: str) -> Phone:
    """A phone signed in (device registered, reference data pulled)."""
    from conftest import PASSWORD

    store = open_phone(data_dir, server_url)
    asyncio.run(store.sign_in(username, PASSWORD))
    return Phone(store, username)


def save_report(phone: Phone, site_id: uuid.UUID, photo_sizes: list[int], seed: str) -> str:
    """Save a report with photos on the phone, as the reporting screen would; returns its id."""
    photos = [fake_jpeg(size, f"{seed}-{i}") for i, size in enumerate(photo_sizes)]
    args, blobs = report_args(site_id, title=f"Report {seed}", photos=photos)
    asyncio.run(phone.store.mutate("report.create", args, blobs=blobs))
    phone.saved[args["id"]] = list(blobs)
    phone.photos.update(blobs)
    return args["id"]


def sync_until_done(phone: Phone, rounds: int = 12) -> None:
    """Sync with no faults until nothing is left to send (then once more to pull the last flips)."""
    for _ in range(rounds):
        report = asyncio.run(phone.store.sync_once())
        if report.complete:
            asyncio.run(phone.store.sync_once())
            return
    raise AssertionError(f"{phone.username}'s phone did not finish syncing: {report}")


@dataclass
class Tally:
    """What the invariants found."""

    reports: int = 0
    photos: int = 0
    lost: int = 0
    duplicated: int = 0


def check_invariants(store: Store, phones: list[Phone]) -> Tally:
    """Every saved report on the server exactly once, photos byte-identical, pull complete, audit sound."""
    tally = Tally()
    blobs = BlobStore(store.server.data_dir / "blobs")
    with store.sessions() as session:
        for phone in phones:
            for report_id, shas in phone.saved.items():
                tally.reports += 1
                incident = session.get(Incident, uuid.UUID(report_id))
                creates = session.scalar(
                    select(func.count()).where(
                        AuditEvent.action == "report.create", AuditEvent.entity_id == report_id
                    )
                )
                tally.lost += incident is None
                tally.duplicated += max(0, (creates or 0) - 1)
                assert incident is not None, f"report {report_id} was saved but is not on the server"
                assert incident.media_complete, f"report {report_id} is not media complete"
                for sha in shas:
                    tally.photos += 1
                    data = blobs.read(sha)
                    assert hashlib.sha256(data).hexdigest() == sha and data == phone.photos[sha]
            _check_pulled(session, phone)
        verdict = audit.verify(session)
        assert verdict.ok, verdict.problem
    assert (tally.lost, tally.duplicated) == (0, 0)
    return tally


def _check_pulled(session, phone: Phone) -> None:  # type: ignore[no-untyped-def]
    """The phone holds the newest version of every change its user may see (none skipped)."""
    user_id = phone.store.account.user_id
    newest = session.execute(
        select(Change.entity, Change.entity_id, func.max(Change.version), func.max(Change.server_seq))
        .where(Change.owner_id == user_id, Change.entity == "incident")
        .group_by(Change.entity, Change.entity_id)
    ).all()
    last_seq = session.scalar(select(func.max(Change.server_seq)).where(Change.owner_id == user_id))
    with phone.store._sessions() as local:
        for _entity, entity_id, version, _seq in newest:
            row = local.get(Incident, uuid.UUID(entity_id))
            assert row is not None and row.version == version, f"pull skipped a change of {entity_id}"
            assert row.ref and row.media_complete
        cursor = outbox.get_state(local, "pull_cursor", 0)
    assert cursor >= (last_seq or 0)
    states = asyncio.run(phone.store.report_states())
    assert {str(k) for k, v in states.items() if v.state == outbox.ON_SERVER} >= set(phone.saved)
