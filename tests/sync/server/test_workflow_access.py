"""The access matrix on a real server: every workflow endpoint x role, and every workflow mutation x role.

One server per backend serves the whole module; the mutation probes are built to be refused after the
permission check (a missing reason, an illegal state…), so a permitted role gets that refusal, a
forbidden one gets 403 `role_required` (or 404 when the record is not theirs to see), and nothing changes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from conftest import PASSWORD
from sqlalchemy import select
from support.server import ServerProcess
from support.workflow import NEAR_MISS, USERS, Store, file_incident, ok, run, shared_store, site_id  # noqa: F401

import models
from models import EffectivenessCheck
from models.enums import Priority
from models.workflow import PERMISSIONS
from sync.server.access import matrix_markdown

EVERYONE = tuple(USERS)
STAFF = ("officer", "supervisor", "manager", "admin")


@dataclass
class World:
    """The module's server, its users' tokens and the ids of the seeded records."""

    server: ServerProcess
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    def get(self, user: str | None, path: str, **params) -> requests.Response:
        """GET an API path as a user (None: without a token)."""
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        return requests.get(f"{self.server.api}{path}", headers=headers, params=params, timeout=10)

    def mutate(self, user: str, name: str, args: dict) -> requests.Response:
        """POST /mutations as a user."""
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        return requests.post(
            f"{self.server.api}/mutations", json={"name": name, "args": args}, headers=headers, timeout=10
        )


def seed(store: Store) -> dict[str, str]:
    """The records the probes act on, in a store with the seeded people."""
    sessions = store.sessions
    uid = {name: str(user.id) for name, user in store.people.items()}
    now = models.utcnow()
    injury = {
        "case_type": "injury",
        "title": "Injury at the press",
        "occurred_at": (now - dt.timedelta(hours=2)).isoformat(),
        "employee_name": "Siti Aminah",
        "what_happened": "Cut",
        "injury_description": "Cut finger",
        "privacy_concern": "employee_request",
    }
    near = {**NEAR_MISS, "occurred_at": (now - dt.timedelta(hours=2)).isoformat()}
    ids = {
        "private": str(
            file_incident(
                sessions, "injury", injury, priority=Priority.P1, received_at=now - dt.timedelta(hours=1)
            )
        ),
        "s2": str(file_incident(sessions, "near_miss", near, site="S2", reporter="worker2", received_at=now)),
        "open": str(file_incident(sessions, "near_miss", near, received_at=now)),
    }
    c = ids["open"]
    due = (now + dt.timedelta(days=14)).date().isoformat()
    for step in ({"to": "acknowledged"}, {"to": "investigating"}):
        ok(run(sessions, "officer", "incident.transition", {"id": c, **step}, now=now))
    fields = {"findings": {"old": "", "new": "Racking overloaded"}}
    ok(
        run(
            sessions,
            "officer",
            "investigation.patch",
            {"incident_id": c, "base_version": 0, "fields": fields},
            now=now,
        )
    )
    clash = {"findings": {"old": "", "new": "Forklift hit the racking"}}
    conflict = run(
        sessions,
        "supervisor",
        "investigation.patch",
        {"incident_id": c, "base_version": 0, "fields": clash},
        now=now,
    )
    ids["conflict"] = conflict.details["conflicts"][0]["id"]

    def action(key: str, owner: str, *moves: tuple[str, str, str]) -> None:
        ids[key] = str(uuid.uuid4())
        args = {
            "id": ids[key],
            "incident_id": c,
            "control_level": "engineering",
            "title": key,
            "owner_id": uid[owner],
            "due_on": due,
        }
        ok(run(sessions, "officer", "ca.create", args, now=now))
        for who, frm, to in moves:
            evidence = [{"note": "done"}] if to == "done" else []
            ok(
                run(
                    sessions,
                    who,
                    "ca.transition",
                    {"id": ids[key], "from": frm, "to": to, "evidence": evidence},
                    now=now,
                )
            )

    action("ca_open", "worker")
    action("ca_doing", "worker", ("worker", "open", "in_progress"))
    action("ca_done", "officer", ("officer", "open", "in_progress"), ("officer", "in_progress", "done"))
    action(
        "ca_done_sup", "supervisor", ("officer", "open", "in_progress"), ("officer", "in_progress", "done")
    )
    action("ca_checked", "officer", ("officer", "open", "in_progress"), ("officer", "in_progress", "done"))
    sign = {"id": ids["ca_checked"], "signature_sha256": "7a" * 32, "signer_name": "Sam Supervisor"}
    ok(run(sessions, "supervisor", "ca.verify", sign, now=now))
    with sessions() as session:
        check = session.scalar(
            select(EffectivenessCheck.id).where(EffectivenessCheck.action_id == uuid.UUID(ids["ca_checked"]))
        )
    ids["check"] = str(check)
    ids["pir"] = str(uuid.uuid4())
    ok(run(sessions, "officer", "pir.create", {"id": ids["pir"], "incident_id": c}, now=now))
    ids["s1"] = str(site_id(sessions, "S1"))
    return ids


@pytest.fixture(scope="module")
def world(shared_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:  # noqa: F811
    """One seeded store and one real server per backend, shared by the read-only tests below."""
    ids = seed(shared_store)
    server = ServerProcess(shared_store.url, tmp_path_factory.mktemp("access-server")).start()
    try:
        found = World(server, ids=ids)
        for user in USERS:
            body = {"username": user, "password": PASSWORD}
            found.tokens[user] = requests.post(f"{server.api}/auth/login", json=body, timeout=10).json()[
                "token"
            ]
        yield found
    finally:
        server.stop()


def statuses(world: World, path: str, **params) -> dict[str, int]:
    """The HTTP status each user gets for a GET."""
    return {user: world.get(user, path, **params).status_code for user in EVERYONE}


def expect(default: int, **overrides: int) -> dict[str, int]:
    """Expected statuses: one value for everyone, with exceptions."""
    return {user: overrides.get(user, default) for user in EVERYONE}


def test_every_workflow_endpoint_needs_a_token(world: World) -> None:
    for path in (
        "/incidents",
        f"/incidents/{world.ids['open']}",
        f"/incidents/{world.ids['open']}/timeline",
        "/signoffs/inbox",
        "/conflicts",
    ):
        response = world.get(None, path)
        assert (response.status_code, response.json()["code"]) == (401, "not_authenticated"), path
    response = requests.post(f"{world.server.api}/mutations", json={"name": "x", "args": {}}, timeout=10)
    assert response.status_code == 401


def test_the_queue_shows_each_role_what_it_may_see(world: World) -> None:
    ids = world.ids
    s1 = {ids["private"], ids["open"]}
    expected = {
        "worker": s1,
        "worker2": {ids["s2"]},
        "officer": s1,
        "supervisor": s1,
        "manager": s1 | {ids["s2"]},
        "admin": s1 | {ids["s2"]},
    }
    for user, wanted in expected.items():
        response = world.get(user, "/incidents")
        assert response.status_code == 200
        assert {row["id"] for row in response.json()["incidents"]} == wanted, user


def test_incident_detail_per_role(world: World) -> None:
    private, s2 = world.ids["private"], world.ids["s2"]
    assert statuses(world, f"/incidents/{private}") == expect(200, worker2=404)
    assert statuses(world, f"/incidents/{s2}") == expect(404, worker2=200, manager=200, admin=200)
    assert world.get("officer", f"/incidents/{uuid.uuid4()}").json()["code"] == "not_found"


def test_privacy_case_names_are_for_hse_managers_only(world: World) -> None:
    private = world.ids["private"]
    names = {
        user: world.get(user, f"/incidents/{private}").json()["injured_person"]
        for user in ("worker", "officer", "supervisor", "manager", "admin")
    }
    assert names == {
        "worker": "Privacy case",
        "officer": "Privacy case",
        "supervisor": "Privacy case",
        "manager": "Siti Aminah",
        "admin": "Privacy case",
    }


def test_the_timeline_is_for_site_staff(world: World) -> None:
    assert statuses(world, f"/incidents/{world.ids['open']}/timeline") == expect(200, worker=403, worker2=404)
    assert statuses(world, f"/incidents/{world.ids['s2']}/timeline") == expect(
        404, worker2=403, manager=200, admin=200
    )
    assert world.get("worker", f"/incidents/{world.ids['open']}/timeline").json()["code"] == "role_required"


def test_the_signoff_inbox_is_for_signers_and_leaves_out_their_own_actions(world: World) -> None:
    assert statuses(world, "/signoffs/inbox") == expect(403, supervisor=200, manager=200)
    inbox = {
        user: [item["action_id"] for item in world.get(user, "/signoffs/inbox").json()["items"]]
        for user in ("supervisor", "manager")
    }
    assert inbox == {
        "supervisor": [world.ids["ca_done"]],
        "manager": [world.ids["ca_done"], world.ids["ca_done_sup"]],
    }


def test_conflicts_are_for_site_staff(world: World) -> None:
    assert statuses(world, "/conflicts") == expect(200, worker=403, worker2=403)
    for user in STAFF:
        [row] = world.get(user, "/conflicts").json()["conflicts"]
        assert (row["id"], row["field"], row["incoming_value"]) == (
            world.ids["conflict"],
            "findings",
            "Forklift hit the racking",
        )


SIGNERS3 = ("supervisor", "manager")
OFFICERS3 = ("officer", "supervisor", "manager")


def codes(default: str, allowed: tuple[str, ...], allowed_code: str, **others: str) -> dict[str, str]:
    """Expected refusal codes: `allowed_code` for permitted users, `default` for the rest, with exceptions."""
    return {user: others.get(user, allowed_code if user in allowed else default) for user in EVERYONE}


def probes(ids: dict[str, str]) -> list[tuple[str, dict, dict[str, str]]]:
    """(mutation, args, expected code per user); the args always fail after the permission check."""
    c, new = ids["open"], str(uuid.uuid4())
    hidden = {"worker2": "not_found"}
    return [
        (
            "incident.acknowledge",
            {"id": c},
            codes("role_required", OFFICERS3, "illegal_transition", **hidden),
        ),
        (
            "incident.set_priority",
            {"id": c, "priority": "P1"},
            codes("role_required", OFFICERS3, "reason_required", **hidden),
        ),
        (
            "incident.assign_role",
            {"id": c, "role": "resolver", "user_id": str(uuid.uuid4())},
            codes("role_required", OFFICERS3, "unknown_user", **hidden),
        ),
        (
            "incident.transition",
            {"id": c, "to": "closed"},
            codes("role_required", OFFICERS3, "illegal_transition", **hidden),
        ),
        ("incident.link_problem", {"id": c}, codes("role_required", OFFICERS3, "invalid_args", **hidden)),
        (
            "problem.create",
            {"id": new, "site_id": ids["s1"]},
            codes("role_required", OFFICERS3, "invalid_args"),
        ),
        (
            "change_request.create",
            {"id": new, "site_id": ids["s1"]},
            codes("role_required", OFFICERS3, "invalid_args"),
        ),
        (
            "status_update.create",
            {"id": new, "incident_id": c, "audience": "everyone"},
            codes("role_required", OFFICERS3, "invalid_args", **hidden),
        ),
        (
            "investigation.patch",
            {"incident_id": c, "base_version": 0, "fields": {}},
            codes("role_required", OFFICERS3, "invalid_args", **hidden),
        ),
        (
            "conflict.resolve",
            {"id": ids["conflict"], "resolution": "coin_toss"},
            codes("role_required", OFFICERS3, "invalid_args", **hidden),
        ),
        (
            "ca.create",
            {"id": new, "incident_id": c},
            codes("role_required", OFFICERS3, "invalid_args", **hidden),
        ),
        (
            "ca.patch",
            {"id": ids["ca_open"]},
            codes("role_required", (*OFFICERS3, "worker"), "invalid_args", **hidden),
        ),
        (
            "ca.transition",
            {"id": ids["ca_doing"], "from": "in_progress", "to": "done"},
            codes("role_required", (*OFFICERS3, "worker"), "evidence_required", **hidden),
        ),
        (
            "ca.transition",
            {"id": ids["ca_done"], "from": "done", "to": "in_progress"},
            codes("role_required", SIGNERS3, "reason_required", worker="not_found", worker2="not_found"),
        ),
        (
            "ca.transition",
            {"id": ids["ca_open"], "from": "open", "to": "cancelled"},
            codes("role_required", SIGNERS3, "reason_required", **hidden),
        ),
        (
            "ca.verify",
            {"id": ids["ca_done_sup"]},
            codes(
                "role_required",
                SIGNERS3,
                "signature_required",
                supervisor="owner_cannot_verify",
                worker="not_found",
                worker2="not_found",
            ),
        ),
        (
            "effectiveness.record",
            {"id": ids["check"], "effective": "maybe"},
            codes("role_required", OFFICERS3, "invalid_args", worker="not_found", worker2="not_found"),
        ),
        (
            "pir.create",
            {"id": new, "incident_id": c},
            codes("role_required", OFFICERS3, "already_exists", **hidden),
        ),
        ("pir.patch", {"id": ids["pir"]}, codes("role_required", OFFICERS3, "invalid_args", **hidden)),
        (
            "pir.complete",
            {"id": ids["pir"]},
            codes("role_required", OFFICERS3, "review_incomplete", **hidden),
        ),
    ]


HTTP = {"role_required": 403, "not_found": 404, "invalid_args": 400, "unknown_mutation": 400}


def test_every_workflow_mutation_by_every_role(world: World) -> None:
    before = world.get("manager", f"/incidents/{world.ids['open']}").json()
    seen = set()
    for name, args, expected in probes(world.ids):
        seen.add(name)
        got = {}
        for user in EVERYONE:
            response = world.mutate(user, name, args)
            body = response.json()
            got[user] = body.get("code", body.get("status"))
            assert response.status_code == HTTP.get(got[user], 409), (name, user, body)
        assert got == expected, name
    assert seen == {p.mutation_name for p in PERMISSIONS.values()}
    after = world.get("manager", f"/incidents/{world.ids['open']}").json()
    assert after == before, "no probe changed anything"


def test_an_unknown_mutation_is_a_400(world: World) -> None:
    response = world.mutate("officer", "incident.delete", {"id": world.ids["open"]})
    assert (response.status_code, response.json()["code"]) == (400, "unknown_mutation")


def test_the_readme_table_is_the_matrix_the_server_enforces() -> None:
    readme = (Path(__file__).parents[3] / "README.md").read_text()
    assert "## Who may do what" in readme
    assert matrix_markdown() in readme
