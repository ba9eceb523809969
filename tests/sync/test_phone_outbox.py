"""The phone's side: saving is local and atomic, refusals say why, states move to on_server only when true."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from support.databases import backends
from support.phones import signed_in, sync_until_done
from support.syncing import Device, Store, fake_jpeg, report_args, running_store

from app.store import StoreError
from models import Incident
from sync import outbox
from sync.client import backoff_delays


@pytest.fixture(scope="module", params=backends())
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One server per backend for the module; every test has its own phone."""
    with running_store(request.param, tmp_path_factory.mktemp(f"phone-{request.param}")) as running:
        yield running


def states(phone) -> dict[str, outbox.ReportState]:  # type: ignore[no-untyped-def]
    """The phone's report states by id."""
    return {str(k): v for k, v in asyncio.run(phone.store.report_states()).items()}


def test_a_refused_save_keeps_nothing_and_says_why(store: Store, tmp_path: Path) -> None:
    phone = signed_in(tmp_path / "p", store.server.url, "worker")
    args, blobs = report_args(store.sites["S1"], title="")
    with pytest.raises(StoreError) as refused:
        asyncio.run(phone.store.mutate("report.create", args, blobs=blobs))
    assert refused.value.code == "validation_failed"
    with phone.store._sessions() as session:
        assert outbox.pending_count(session) == 0
        assert session.scalar(select(func.count()).select_from(Incident)) == 0


def test_states_move_from_saved_to_on_server_only_with_every_photo(store: Store, tmp_path: Path) -> None:
    phone = signed_in(tmp_path / "p", store.server.url, "worker")
    photo = fake_jpeg(70_000, uuid.uuid4())
    args, blobs = report_args(store.sites["S1"], photos=[photo])
    result = asyncio.run(phone.store.mutate("report.create", args, blobs=blobs))
    assert result.status == "saved_on_phone"
    assert states(phone)[args["id"]].state == "saved_on_phone"
    assert asyncio.run(phone.store.blob(next(iter(blobs)))) == photo
    phone.store._client.blobs.path(next(iter(blobs))).rename(tmp_path / "moved")
    report = asyncio.run(phone.store.sync_once())
    assert report.applied == 1 and not report.complete
    assert states(phone)[args["id"]].state == "sending"
    (tmp_path / "moved").rename(phone.store._client.blobs.path(next(iter(blobs))))
    sync_until_done(phone)
    assert states(phone)[args["id"]].state == "on_server"


def test_a_server_refusal_needs_attention_with_its_code(store: Store, tmp_path: Path) -> None:
    phone = signed_in(tmp_path / "p", store.server.url, "worker")
    args, _ = report_args(store.sites["S1"])
    asyncio.run(phone.store.mutate("report.create", args))
    elsewhere = Device(store.api, "worker")
    assert elsewhere.send("report.create", {**args, "values": {**args["values"], "title": "Other"}})["status"]
    report = asyncio.run(phone.store.sync_once())
    assert report.rejected == 1 and report.codes == ["id_conflict"]
    state = states(phone)[args["id"]]
    assert (state.state, state.code) == ("needs_attention", "id_conflict") and state.message
    follow_up, _ = report_args(store.sites["S1"])
    asyncio.run(phone.store.mutate("report.create", follow_up))
    assert asyncio.run(phone.store.sync_once()).applied == 1


def test_backoff_grows_with_full_jitter_up_to_its_cap() -> None:
    delays = backoff_delays(base=1.0, cap=30.0, rng=random.Random(7))
    first = [next(delays) for _ in range(12)]
    assert all(0 <= d <= min(30.0, 2**n) for n, d in enumerate(first))
    assert max(first[:3]) <= 4 < max(first[5:])
