"""Hypothesis drives a phone and the server through random saves, syncs, drops and restarts.

After every run the phone syncs with the network healed, and the invariants of the fault suite hold:
every saved report on the server exactly once, every photo byte-identical, nothing skipped by pull,
the audit chain intact.
"""

from __future__ import annotations

import asyncio
import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test
from support.databases import backends
from support.faultproxy import FaultProxy
from support.phones import check_invariants, open_phone, save_report, signed_in, sync_until_done
from support.syncing import Store, running_store

pytestmark = pytest.mark.slow

MAX_RESTARTS = 3
"""Server crashes per run: each restart costs seconds, and three already cover the interleavings."""
FAULTS = ("none", "cut_up", "cut_down", "reset", "duplicate_push", "duplicate_patch")


@pytest.fixture(scope="module", params=backends())
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One server per backend; every example uses a new phone (a new device)."""
    with running_store(request.param, tmp_path_factory.mktemp(f"stateful-{request.param}")) as running:
        yield running


def test_random_interleavings_lose_and_duplicate_nothing(store: Store, tmp_path: Path) -> None:
    proxy = FaultProxy(store.server.port)
    serial = itertools.count()
    figures = {"examples": 0, "restarts": 0}

    class PhoneAndServer(RuleBasedStateMachine):
        """A worker's phone, the proxy and the server; the model is what the phone said it saved."""

        def __init__(self) -> None:
            super().__init__()
            self.dir = Path(tempfile.mkdtemp(dir=tmp_path))
            self.phone = signed_in(self.dir, proxy.url, "worker")
            figures["examples"] += 1

        @rule(photos=st.lists(st.integers(500, 150_000), max_size=2))
        def save(self, photos: list[int]) -> None:
            save_report(self.phone, store.sites["S1"], photos, f"s{next(serial)}")

        @rule(fault=st.sampled_from(FAULTS), at=st.integers(30, 50_000))
        def sync(self, fault: str, at: int) -> None:
            arm(proxy, store, fault, at)
            asyncio.run(self.phone.store.sync_once())
            proxy.clear()
            if store.server.proc.poll() is not None:
                store.server.start()
                figures["restarts"] += 1

        @precondition(lambda _self: figures["restarts"] < MAX_RESTARTS)
        @rule(photos=st.lists(st.integers(500, 50_000), max_size=1))
        def server_crashes_after_commit(self, photos: list[int]) -> None:
            save_report(self.phone, store.sites["S1"], photos, f"k{next(serial)}")
            proxy.on_response(b"POST /api/v1/sync/push", store.server.kill)
            self.sync("none", 0)

        @rule()
        def restart_app(self) -> None:
            self.phone.store = open_phone(self.dir, proxy.url)

        def teardown(self) -> None:
            proxy.clear()
            sync_until_done(self.phone)
            check_invariants(store, [self.phone])

    try:
        run_state_machine_as_test(
            PhoneAndServer,
            settings=settings(
                max_examples=6,
                stateful_step_count=8,
                deadline=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            ),
        )
    finally:
        proxy.close()
    print(  # noqa: T201 - the figures are the evidence
        f"\nstateful [{store.backend}]: examples {figures['examples']}, faults injected"
        f" {proxy.stats.faults_injected} {dict(proxy.stats.kinds)}, server restarts {figures['restarts']}"
    )


def arm(proxy: FaultProxy, store: Store, fault: str, at: int) -> None:
    """Arm one fault for the coming sync round."""
    if fault == "cut_up":
        proxy.cut_after(at, "up")
    elif fault == "cut_down":
        proxy.cut_after(at % 4000, "down")
    elif fault == "reset":
        proxy.reset_next()
    elif fault == "duplicate_push":
        proxy.duplicate_next(b"POST /api/v1/sync/push")
    elif fault == "duplicate_patch":
        proxy.duplicate_next(b"PATCH ")
