"""Benchmark sync: a slow link's efficiency, and push ingest against a bare insert of the same rows.

1. Slow link: a phone syncs 30 reports with 3 camera photos each (through `app.photos.process_photo`)
   to a real `ims server` behind the test proxy throttled to 8 Mbit/s with a 100 ms round trip.
   Prints sync time against the raw bound (bytes on the wire ÷ bandwidth), target ≥ 0.90, and whether
   every report's text was on the server before the first photo finished.
2. Ingest: reports per second through POST /sync/push (batches of 100) on SQLite (synchronous=FULL)
   and on PostgreSQL (when IMS_TEST_DATABASE_URL is set), against a bare SQLAlchemy insert of the
   same rows measured in the same run. Targets: ≥ 500/s SQLite, ≥ 1,000/s PostgreSQL, ≥ 0.5 of bare.
   The bare insert is a plain session insert: every row the pushes stored (checked row for row), as
   objects added to a session and flushed once per table, one transaction per 100 reports, on an
   engine made like the server's. For reference (no target) it also prints an ORM bulk insert of the
   same rows (`session.execute(insert(Model), rows)`), which skips the unit of work.

Prints PASS/FAIL per target and exits 1 on any FAIL. Run: `python bench/bench_sync.py [link|ingest]`.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import requests  # noqa: E402
from PIL import Image, ImageChops  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402
from support.databases import fresh_database  # noqa: E402
from support.faultproxy import FaultProxy, Link  # noqa: E402
from support.server import ServerProcess  # noqa: E402

import models  # noqa: E402
from app.phone_store import PhoneStore  # noqa: E402
from app.photos import process_photo  # noqa: E402
from app.settings import PhoneSettings  # noqa: E402
from models import AuditEvent, Blob, Change, Device, Incident, MutationRecord, Site, User  # noqa: E402
from models.details import NearMissDetails  # noqa: E402
from models.enums import Role  # noqa: E402
from models.evidence import Attachment  # noqa: E402
from models.serialize import dict_to_values, row_to_dict  # noqa: E402
from sync.protocol import payload_sha256  # noqa: E402
from sync.server import migrate  # noqa: E402
from sync.server.accounts import add_user  # noqa: E402
from sync.server.db import make_engine, session_factory  # noqa: E402

PASSWORD = "bench-password-1"
RATE = 8_000_000 / 8  # 8 Mbit/s in bytes per second
RTT = 0.100
REPORTS, PHOTOS = 30, 3
INGEST_REPORTS, BATCH = 2000, 100
TARGETS = {"link": 0.90, "sqlite": 500.0, "postgresql": 1000.0, "bare": 0.5}


def seeded(url: str) -> tuple[uuid.UUID, object]:
    """Create the schema, one site and a worker; return the site id and the engine."""
    engine = make_engine(url)
    models.Base.metadata.create_all(engine)
    migrate.stamp_head(engine)
    with session_factory(engine).begin() as session:
        site = Site(code="S1", name="Plant One")
        session.add(site)
        session.flush()
        add_user(
            session=session,
            username="worker",
            password=PASSWORD,
            display_name="W",
            roles=[("S1", Role.REPORTER)],
        )
        site_id = site.id
    return site_id, engine


def camera_photo(seed: int) -> bytes:
    """A phone-like 8-megapixel JPEG (gradients and sensor noise), different for every seed."""
    width, height = 3264, 2448
    noise = Image.effect_noise((width, height), 10 + seed % 5)
    ramp = Image.linear_gradient("L").resize((width, height))
    across = Image.linear_gradient("L").rotate(90 + seed).resize((width, height))
    scene = Image.merge("RGB", [ImageChops.add(c, noise, offset=-128) for c in (ramp, across, noise)])
    out = io.BytesIO()
    scene.save(out, "JPEG", quality=90)
    return out.getvalue()


def report(site_id: uuid.UUID, photos: list[tuple[str, int]], n: int) -> dict:
    """report.create args with an attachment manifest."""
    return {
        "id": str(uuid.uuid4()),
        "site_id": str(site_id),
        "form_id": "quick",
        "form_version": 1,
        "values": {"kind": "near_miss", "title": f"Report {n}", "occurred_at": "2026-01-05T10:00:00+00:00"},
        "device_recorded_at": "2026-01-05T10:01:00+00:00",
        "location": {"latitude": 3.139, "longitude": 101.6869, "accuracy_m": 8},
        "attachments": [
            {"slot": f"photo-{i + 1}", "sha256": sha, "size": size, "mime": "image/jpeg"}
            for i, (sha, size) in enumerate(photos)
        ],
    }


def slow_link(tmp: Path) -> bool:
    """Benchmark 1: sync efficiency on a slow link, and text before photos."""
    print(f"preparing {REPORTS * PHOTOS} camera photos through process_photo …", flush=True)
    processed = [process_photo(camera_photo(i)) for i in range(REPORTS * PHOTOS)]
    url = f"sqlite:///{tmp / 'link.db'}"
    site_id, engine = seeded(url)
    server = ServerProcess(url, tmp / "link-server").start()
    proxy = FaultProxy(server.port, link=Link(rate=RATE, delay=RTT / 2))
    try:
        phone = PhoneStore(PhoneSettings(data_dir=tmp / "phone", server_url=proxy.url))
        asyncio.run(phone.sign_in("worker", PASSWORD))
        for n in range(REPORTS):
            photos = processed[n * PHOTOS : (n + 1) * PHOTOS]
            args = report(site_id, [(p.upload_sha256, p.upload_size) for p in photos], n)
            asyncio.run(
                phone.mutate("report.create", args, blobs={p.upload_sha256: p.upload_bytes for p in photos})
            )
        up_before = proxy.stats.bytes_up
        started = time.monotonic()
        result = asyncio.run(phone.sync_once())
        elapsed = time.monotonic() - started
        wire = proxy.stats.bytes_up - up_before
        with session_factory(engine)() as session:
            last_text = session.scalar(select(func.max(Incident.server_received_at)))
            first_photo = session.scalar(select(func.min(Blob.created_at)))
    finally:
        proxy.close()
        server.kill()
    payload = sum(p.upload_size for p in processed)
    bound = wire / RATE
    ratio = bound / elapsed
    text_first = last_text is not None and first_photo is not None and last_text < first_photo
    print(f"slow link (8 Mbit/s, RTT {RTT * 1000:.0f} ms): {REPORTS} reports × {PHOTOS} photos")
    print(f"  photo payload {payload / 1e6:.1f} MB, bytes on the wire {wire / 1e6:.1f} MB")
    print(f"  sync time {elapsed:.1f} s, raw bound {bound:.1f} s → {ratio:.3f} of the bound")
    print(f"  {'PASS' if ratio >= TARGETS['link'] else 'FAIL'}: ≥ {TARGETS['link']:.2f} of the bound")
    verdict = "PASS" if text_first else "FAIL"
    print(f"  {verdict}: every report's text on the server before the first photo finished")
    return ratio >= TARGETS["link"] and text_first and result.complete


def ingest(backend: str, tmp: Path) -> bool:
    """Benchmark 2: push ingest rate against a bare insert of the same rows, one backend."""
    with fresh_database(backend, tmp / "push") as url:
        site_id, engine = seeded(url)
        server = ServerProcess(url, tmp / f"ingest-{backend}").start()
        try:
            token = requests.post(
                f"{server.api}/auth/login", json={"username": "worker", "password": PASSWORD}, timeout=10
            ).json()["token"]
            device = requests.post(
                f"{server.api}/devices", headers={"Authorization": f"Bearer {token}"}, json={}, timeout=10
            ).json()
            headers = {"Authorization": f"Bearer {device['token']}"}
            batches = []
            for start in range(0, INGEST_REPORTS, BATCH):
                mutations = []
                for n in range(start, start + BATCH):
                    photos = [
                        (hashlib.sha256(f"{n}-{i}".encode()).hexdigest(), 400_000) for i in range(PHOTOS)
                    ]
                    args = report(site_id, photos, n)
                    mutations.append(
                        {
                            "seq": n + 1,
                            "mutation_id": str(uuid.uuid4()),
                            "name": "report.create",
                            "args": args,
                            "payload_sha256": payload_sha256(args),
                        }
                    )
                batches.append({"device_id": device["device_id"], "mutations": mutations})
            session = requests.Session()
            started = time.monotonic()
            for body in batches:
                response = session.post(f"{server.api}/sync/push", headers=headers, json=body, timeout=120)
                assert (
                    response.status_code == 200 and response.json()["results"][-1]["status"] == "applied"
                ), response.text
            push_rate = INGEST_REPORTS / (time.monotonic() - started)
        finally:
            server.kill()
        rows = stored_rows(engine)
        engine.dispose()
    rates = {}
    for insert_rows in (bare_insert, bulk_insert):
        with fresh_database(backend, tmp / insert_rows.__name__) as url:
            bare_engine = make_engine(url)
            models.Base.metadata.create_all(bare_engine)
            rates[insert_rows] = insert_rows(bare_engine, rows)
            bare_engine.dispose()
    bare_rate = rates[bare_insert]
    ratio = push_rate / bare_rate
    target = TARGETS[backend]
    print(f"ingest on {backend}: {INGEST_REPORTS} reports (3 attachments each) in pushes of {BATCH}")
    print(f"  /sync/push {push_rate:,.0f} reports/s; bare insert of the same rows {bare_rate:,.0f}/s")
    print(f"  ratio to the bare insert {ratio:.2f}")
    bulk_rate = rates[bulk_insert]
    print(f"  (reference: ORM bulk insert {bulk_rate:,.0f}/s, ratio {push_rate / bulk_rate:.2f})")
    print(f"  {'PASS' if push_rate >= target else 'FAIL'}: ≥ {target:,.0f} reports/s")
    print(f"  {'PASS' if ratio >= TARGETS['bare'] else 'FAIL'}: ≥ {TARGETS['bare']} of the bare insert")
    return push_rate >= target and ratio >= TARGETS["bare"]


STORED = (Site, User, Device, Incident, NearMissDetails, Attachment, Change, AuditEvent, MutationRecord)
PER_REPORT = STORED[3:]


def stored_rows(engine) -> tuple[dict[type, list[dict]], list[dict[type, list[dict]]]]:  # type: ignore[no-untyped-def]
    """Every row the pushes wrote: the site, user and device, then each report's rows grouped by report."""
    with session_factory(engine)() as session:
        rows = {
            model: [dict_to_values(model, row_to_dict(r)) for r in session.scalars(select(model))]
            for model in STORED
        }
    owner: dict[str, str] = {}
    for values in rows[Incident]:
        owner[str(values["id"])] = str(values["id"])
    for values in rows[Attachment]:
        owner[str(values["id"])] = str(values["incident_id"])
    groups: dict[str, dict[type, list[dict]]] = {key: {m: [] for m in PER_REPORT} for key in owner.values()}
    keys = {
        Incident: lambda v: str(v["id"]),
        NearMissDetails: lambda v: str(v["incident_id"]),
        Attachment: lambda v: str(v["incident_id"]),
        Change: lambda v: owner.get(v["entity_id"]),
        AuditEvent: lambda v: owner.get(v["entity_id"]),
        MutationRecord: lambda v: str(v["args"].get("id")),
    }
    for model in PER_REPORT:
        for values in rows[model]:
            key = keys[model](values)
            if key not in groups:
                raise RuntimeError(
                    f"a stored {model.__name__} row belongs to no report: the baseline lacks it"
                )
            groups[key][model].append(values)
    return {m: rows[m] for m in STORED[:3]}, list(groups.values())


def bare_insert(engine, rows: tuple[dict[type, list[dict]], list[dict[type, list[dict]]]]) -> float:  # type: ignore[no-untyped-def]
    """Insert the same rows with a plain session (objects added, one flush per table); return reports/s."""

    def write(session, batch: list[dict[type, list[dict]]]) -> None:  # type: ignore[no-untyped-def]
        for model in PER_REPORT:
            session.add_all(model(**values) for group in batch for values in group[model])
            session.flush()

    return timed_batches(engine, rows, write)


def bulk_insert(engine, rows: tuple[dict[type, list[dict]], list[dict[type, list[dict]]]]) -> float:  # type: ignore[no-untyped-def]
    """Insert the same rows with the ORM's bulk insert (no objects); return reports/s."""

    def write(session, batch: list[dict[type, list[dict]]]) -> None:  # type: ignore[no-untyped-def]
        for model in PER_REPORT:
            session.execute(insert(model), [values for group in batch for values in group[model]])

    return timed_batches(engine, rows, write)


def timed_batches(engine, rows, write) -> float:  # type: ignore[no-untyped-def]
    """Write the shared rows, then time `write` over the reports, one transaction per 100; reports/s."""
    shared, reports = rows
    sessions = insert_shared(engine, shared)
    started = time.monotonic()
    for start in range(0, len(reports), BATCH):
        with sessions.begin() as session:
            write(session, reports[start : start + BATCH])
    return len(reports) / (time.monotonic() - started)


def insert_shared(engine, shared: dict[type, list[dict]]):  # type: ignore[no-untyped-def]
    """Insert the site, user and device the reports refer to; return the engine's session maker."""
    sessions = session_factory(engine)
    with sessions.begin() as session:
        for model in (Site, User, Device):
            session.add_all(model(**values) for values in shared[model])
            session.flush()
    return sessions


def main() -> int:
    """Run both benchmarks (or the one named: link, ingest); exit 1 when a target is missed."""
    parts = sys.argv[1:] or ["link", "ingest"]
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        if "link" in parts:
            ok &= slow_link(Path(tmp))
        if "ingest" in parts:
            ok &= ingest("sqlite", Path(tmp))
            if os.environ.get("IMS_TEST_DATABASE_URL"):
                ok &= ingest("postgresql", Path(tmp))
            else:
                print("ingest on postgresql: skipped (set IMS_TEST_DATABASE_URL)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
