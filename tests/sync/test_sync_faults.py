"""The evidence: real phones and a real server through a fault-injecting proxy lose and duplicate nothing.

Faults: connections cut after N bytes (either way), resets, stalls, duplicated requests (a push or a
photo chunk sent twice), the server SIGKILLed right after it committed a push or a chunk (then
restarted), a client process killed mid-photo (then restarted), and a cloned install.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from support.faultproxy import FaultProxy, Link
from support.phones import Phone, check_invariants, open_phone, save_report, signed_in, sync_until_done
from support.syncing import Store, fake_jpeg, report_args, running_store

from models import Incident
from sync import outbox

pytestmark = pytest.mark.slow


@pytest.fixture
def store(backend: str, tmp_path: Path) -> Iterator[Store]:
    """A seeded store served by a real server process."""
    with running_store(backend, tmp_path) as running:
        yield running


@pytest.fixture
def proxy(store: Store) -> Iterator[FaultProxy]:
    """The fault proxy in front of the server."""
    proxy = FaultProxy(store.server.port)
    yield proxy
    proxy.close()


def restart(store: Store) -> None:
    """Bring a killed server back on the same port and database."""
    if store.server.proc is not None and store.server.proc.poll() is None:
        store.server.kill()
    store.server.start()


def test_reports_survive_cuts_resets_duplicates_and_server_kills(
    store: Store, proxy: FaultProxy, tmp_path: Path
) -> None:
    rng = random.Random(20260105)
    phones = [
        (signed_in(tmp_path / "phone-a", proxy.url, "worker"), store.sites["S1"]),
        (signed_in(tmp_path / "phone-b", proxy.url, "worker2"), store.sites["S2"]),
    ]
    cut_up = lambda: proxy.cut_after(rng.randint(200, 60_000), "up")  # noqa: E731
    cut_down = lambda: proxy.cut_after(rng.randint(50, 3_000), "down")  # noqa: E731
    faults = [
        cut_up,
        cut_down,
        proxy.reset_next,
        lambda: proxy.duplicate_next(b"POST /api/v1/sync/push"),
        lambda: proxy.duplicate_next(b"PATCH "),
        lambda: proxy.stall_next(0.3),
        lambda: proxy.on_response(b"POST /api/v1/sync/push", store.server.kill),
        cut_up,
        proxy.reset_next,
        lambda: proxy.duplicate_next(b"POST /api/v1/sync/push"),
        lambda: proxy.on_response(b"PATCH ", store.server.kill),
        cut_down,
    ]
    restarts = armed = 0
    for round_no in range(6):
        for phone, site in phones:
            for n in range(2):
                sizes = [rng.randint(20_000, 200_000) for _ in range(rng.randint(0, 2))]
                save_report(phone, site, sizes, f"{phone.username}-{round_no}-{n}")
        for phone, _site in phones:
            faults[armed % len(faults)]()
            armed += 1
            asyncio.run(phone.store.sync_once())
            if store.server.proc.poll() is not None:
                restart(store)
                restarts += 1
        proxy.clear()
    for phone, _site in phones:
        sync_until_done(phone)
    tally = check_invariants(store, [p for p, _ in phones])
    print(  # noqa: T201 - the figures are the evidence
        f"\nfault suite [{store.backend}]: faults injected {proxy.stats.faults_injected}"
        f" {dict(proxy.stats.kinds)}, server restarts {restarts}, reports {tally.reports},"
        f" photos {tally.photos}, lost {tally.lost}, duplicated {tally.duplicated}"
    )
    assert proxy.stats.kinds["kill"] >= 1 and proxy.stats.kinds["duplicate"] >= 1


CHILD = """
import sys, requests
from sqlalchemy import create_engine
from sync.client import SyncClient
engine = create_engine(sys.argv[1])
client = SyncClient(engine, sys.argv[2], sys.argv[3], requests.Session(), chunk_size=int(sys.argv[4]))
report = client.sync_once()
print("DONE", report.complete, report.error)
"""


def run_client(phone_dir: Path, url: str, chunk: int) -> subprocess.Popen[bytes]:
    """The phone's sync engine in its own process (the app, which the OS may kill)."""
    db = f"sqlite:///{phone_dir / 'field-ims.db'}"
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, db, url, str(phone_dir), str(chunk)],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def acknowledged(phone_dir: Path, sha: str) -> int:
    """The upload offset the phone has persisted for a blob."""
    engine = create_engine(f"sqlite:///{phone_dir / 'field-ims.db'}")
    try:
        with engine.connect() as conn:
            return (
                conn.scalar(select(outbox.outbox_blob.c.offset).where(outbox.outbox_blob.c.sha256 == sha))
                or 0
            )
    finally:
        engine.dispose()


def test_a_client_process_killed_mid_photo_resumes_where_the_server_left_off(
    store: Store, tmp_path: Path
) -> None:
    proxy = FaultProxy(store.server.port, link=Link(rate=600_000))
    try:
        phone_dir = tmp_path / "phone"
        phone = signed_in(phone_dir, proxy.url, "worker")
        size, chunk = 1_500_000, 100_000
        save_report(phone, store.sites["S1"], [size], "big")
        sha = next(iter(phone.photos))
        child = run_client(phone_dir, proxy.url, chunk)
        deadline = time.monotonic() + 30
        while acknowledged(phone_dir, sha) < 3 * chunk and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        kept = acknowledged(phone_dir, sha)
        assert chunk <= kept < size, f"killed at offset {kept}"
        sent_before = proxy.stats.bytes_up
        again = run_client(phone_dir, proxy.url, chunk)
        output = again.communicate(timeout=60)[0].decode()
        assert "DONE True None" in output, output
        resent = proxy.stats.bytes_up - sent_before
        assert resent < size - kept + chunk + 50_000, f"resent {resent} bytes after {kept} were kept"
        sync_until_done(phone)
        tally = check_invariants(store, [phone])
        print(f"\nclient kill [{store.backend}]: killed at byte {kept} of {size}, resent {resent} bytes")  # noqa: T201
        assert tally.photos == 1
    finally:
        proxy.close()


def test_a_cloned_install_re_registers_and_an_identical_photo_is_stored_once(
    store: Store, tmp_path: Path
) -> None:
    original = signed_in(tmp_path / "a", store.server.url, "worker")
    site = store.sites["S1"]
    photo = fake_jpeg(90_000, "same")
    for title in ("first", "second"):
        args, blobs = report_args(site, title=title, photos=[photo, photo])
        asyncio.run(original.store.mutate("report.create", args, blobs=blobs))
        original.saved[args["id"]] = list(blobs)
    original.photos[hashlib.sha256(photo).hexdigest()] = photo
    sync_until_done(original)
    save_report(original, site, [], "unsent")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    clone = Phone(
        open_phone(tmp_path / "b", store.server.url), "worker", dict(original.saved), dict(original.photos)
    )
    save_report(original, site, [20_000], "a-after")
    save_report(clone, site, [25_000], "b-after")
    sync_until_done(original)
    report = asyncio.run(clone.store.sync_once())
    assert report.reregistered == 1 and report.error is None
    sync_until_done(clone)
    sync_until_done(original)
    check_invariants(store, [original, clone])
    with store.sessions() as session:
        ids = set(original.saved) | set(clone.saved)
        assert len(session.scalars(select(Incident.id)).all()) == len(ids)
    stored = list((store.server.data_dir / "blobs").rglob(hashlib.sha256(photo).hexdigest()))
    assert len(stored) == 1
