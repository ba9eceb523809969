"""Helpers for sync tests: a seeded store with a server, raw protocol devices, report payloads."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

import models
from models import Site
from support.databases import fresh_database
from support.server import ServerProcess
from sync.protocol import checksum_header, encode_metadata, payload_sha256
from sync.server import migrate
from sync.server.db import make_engine, session_factory

OCCURRED = "2026-01-05T10:00:00+00:00"


@dataclass
class Store:
    """A seeded central store and a real server process on it."""

    backend: str
    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    server: ServerProcess
    sites: dict[str, uuid.UUID] = field(default_factory=dict)

    @property
    def api(self) -> str:
        """The server's API base URL."""
        return self.server.api


@contextmanager
def running_store(backend: str, tmp: Path, env: dict[str, str] | None = None) -> Iterator[Store]:
    """A fresh database on a backend, seeded like conftest's `people`, served by `ims server`."""
    from conftest import people

    with fresh_database(backend, tmp) as url:
        engine = make_engine(url)
        models.Base.metadata.create_all(engine)
        migrate.stamp_head(engine)
        sessions = session_factory(engine)
        people.__wrapped__(sessions)
        with sessions() as session:
            sites = {s.code: s.id for s in session.scalars(select(Site))}
        server = ServerProcess(url, tmp / "server-data", env=env).start()
        try:
            yield Store(backend, url, engine, sessions, server, sites)
        finally:
            server.kill()  # the store is durable; a graceful stop would wait for idle keep-alives
            engine.dispose()


def login(api: str, username: str) -> str:
    """A user token."""
    from conftest import PASSWORD

    response = requests.post(
        f"{api}/auth/login", json={"username": username, "password": PASSWORD}, timeout=10
    )
    response.raise_for_status()
    return response.json()["token"]


def auth(token: str) -> dict[str, str]:
    """The Authorization header of a token."""
    return {"Authorization": f"Bearer {token}"}


def fake_jpeg(size: int, seed: int | str) -> bytes:
    """Deterministic bytes that start like a JPEG (the server never decodes them)."""
    rng = random.Random(str(seed))
    return b"\xff\xd8\xff\xe0" + rng.randbytes(max(size - 4, 0))


def report_args(
    site_id: uuid.UUID, *, title: str = "Oil on the floor", photos: list[bytes] = (), **values: Any
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """report.create args of a quick near-miss report with photos, and its blobs by sha256."""
    manifest = [
        {
            "slot": f"photo-{i + 1}",
            "sha256": hashlib.sha256(p).hexdigest(),
            "size": len(p),
            "mime": "image/jpeg",
        }
        for i, p in enumerate(photos)
    ]
    args = {
        "id": str(uuid.uuid4()),
        "site_id": str(site_id),
        "form_id": "quick",
        "form_version": 1,
        "values": {"kind": "near_miss", "title": title, "occurred_at": OCCURRED, **values},
        "device_recorded_at": dt.datetime.now(dt.UTC).isoformat(),
        "location": {"latitude": 3.139, "longitude": 101.6869, "accuracy_m": 8},
        "attachments": manifest,
    }
    return args, {m["sha256"]: p for m, p in zip(manifest, photos, strict=True)}


class Device:
    """A raw protocol client: one registered device with its own seq counter."""

    def __init__(self, api: str, username: str, token: str | None = None) -> None:
        self.api = api
        self.user_token = token or login(api, username)
        body = requests.post(f"{api}/devices", headers=auth(self.user_token), json={}, timeout=10).json()
        self.device_id = body["device_id"]
        self.token = body["token"]
        self.next_seq = 1

    def mutation(self, name: str, args: dict[str, Any], *, seq: int | None = None) -> dict[str, Any]:
        """A mutation with the next seq (or a given one) and a fresh mutation_id."""
        if seq is None:
            seq, self.next_seq = self.next_seq, self.next_seq + 1
        return {
            "seq": seq,
            "mutation_id": str(uuid.uuid4()),
            "name": name,
            "args": args,
            "payload_sha256": payload_sha256(args),
        }

    def push(self, *mutations: dict[str, Any], device_id: str | None = None) -> requests.Response:
        """POST /sync/push."""
        body = {"device_id": device_id or self.device_id, "mutations": list(mutations)}
        return requests.post(f"{self.api}/sync/push", headers=auth(self.token), json=body, timeout=30)

    def send(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        """Push one mutation and return its result (asserting a 200)."""
        response = self.push(self.mutation(name, args))
        assert response.status_code == 200, response.text
        return response.json()["results"][0]

    def upload(self, data: bytes, mime: str = "image/jpeg") -> requests.Response:
        """Upload bytes in one creation-with-upload request."""
        return requests.post(
            f"{self.api}/uploads",
            headers={
                **auth(self.token),
                "Tus-Resumable": "1.0.0",
                "Upload-Length": str(len(data)),
                "Upload-Metadata": encode_metadata(
                    {"sha256": hashlib.sha256(data).hexdigest(), "mime": mime}
                ),
                "Content-Type": "application/offset+octet-stream",
                "Upload-Checksum": checksum_header("sha256", data),
            },
            data=data,
            timeout=30,
        )

    def pull_all(self, cursor: int = 0, limit: int = 500) -> list[dict[str, Any]]:
        """Every change after a cursor, page by page."""
        changes: list[dict[str, Any]] = []
        while True:
            body = requests.get(
                f"{self.api}/sync/pull",
                headers=auth(self.token),
                params={"cursor": cursor, "limit": limit},
                timeout=30,
            ).json()
            changes += body["changes"]
            cursor = body["next_cursor"]
            if not body["has_more"]:
                return changes


def privacy_injury_values() -> dict[str, Any]:
    """Injury-form values of an OSHA privacy case (the employee asked for their name to be withheld)."""
    return {
        "case_type": "injury",
        "title": "Cut hand on press 4",
        "occurred_at": "2026-01-05T07:30:00+08:00",
        "description": "Guard left open after the die change.",
        "employee_name": "Siti Aminah",
        "employee_street": "12 Jalan Mawar",
        "employee_city": "Shah Alam",
        "date_of_birth": "1990-05-01",
        "date_hired": "2019-08-15",
        "sex": "female",
        "job_title": "Press operator",
        "what_happened": "The press cycled while her hand was in the die area.",
        "injury_description": "Deep cut, left index finger",
        "object_substance": "Press die",
        "body_parts": ["44"],
        "nature": ["13"],
        "treatments": ["wound_cleaning", "sutures"],
        "days_away": [{"start": "2026-01-06", "end": "2026-01-08"}],
        "privacy_concern": "employee_request",
    }
