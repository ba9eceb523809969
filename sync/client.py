"""The phone's sync engine: push the outbox, upload photos by tus, pull the change feed.

One sender per install (a lock per data dir). A round (`sync_once`) pushes every pending mutation
oldest first in batches of at most 100 (text and GPS first), then uploads photo bytes in chunks
with the acknowledged offset saved after every chunk (a killed app resumes mid-photo), then pulls
changes, applying each page in one local transaction together with the new cursor. Transport
failures end the round with a plain-words code (`offline`, `server_error`…) and change nothing
that was not confirmed; call again later, spaced by `backoff_delays`.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import requests
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from models.serialize import dict_to_values, model_for_table
from sync import outbox as ob
from sync import protocol as P
from sync.protocol import (
    MAX_BATCH,
    PULL_DEFAULT_LIMIT,
    TUS_CONTENT_TYPE,
    TUS_VERSION,
    checksum_header,
    encode_metadata,
    payload_sha256,
)

T = TypeVar("T")
CHUNK_SIZE = 256 * 1024
STREAMS = 2
"""Parallel photo uploads: one stream's bytes fill the link while the other waits for its ack."""
TIMEOUT = (10, 30)
# Server bookkeeping the phone never keeps (the feed does not carry most of them anyway).
SKIPPED_TABLES = {
    "api_token",
    "audit_event",
    "blob",
    "change",
    "counter",
    "device",
    "membership",
    "mutation_record",
    "notification_log",
    "upload",
}
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


class SyncError(Exception):
    """A round that could not finish; `code` is plain words the app translates."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Progress:
    """How far a round has come, for a progress bar; last_error is a plain-words code or None."""

    phase: str
    mutations_done: int = 0
    mutations_total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0
    reports_done: int = 0
    reports_total: int = 0
    last_error: str | None = None


@dataclass
class SyncReport:
    """What one round did; `complete` means nothing is left to send."""

    pushed: int = 0
    applied: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejected: int = 0
    blobs_uploaded: int = 0
    bytes_uploaded: int = 0
    pulled: int = 0
    reregistered: int = 0
    error: str | None = None
    message: str = ""
    complete: bool = False
    codes: list[str] = field(default_factory=list)


class _Meter:
    """Upload progress and counts shared by parallel streams."""

    def __init__(self, notify: Callable[[Progress], None], start: Progress, report: SyncReport) -> None:
        self._notify = notify
        self._progress = start
        self._report = report
        self._lock = threading.Lock()

    def advance(self, nbytes: int, *, sent: bool = False) -> None:
        """Count acknowledged bytes (`sent`: sent in this round, not found already on the server)."""
        with self._lock:
            self._progress = replace(self._progress, bytes_done=self._progress.bytes_done + nbytes)
            if sent:
                self._report.bytes_uploaded += nbytes
            current = self._progress
        self._notify(current)

    def blob_done(self, *, uploaded: bool = False) -> None:
        """Count a photo finished (or set aside)."""
        with self._lock:
            self._progress = replace(self._progress, reports_done=self._progress.reports_done + 1)
            self._report.blobs_uploaded += uploaded
            current = self._progress
        self._notify(current)


def backoff_delays(
    base: float = 1.0, cap: float = 300.0, rng: random.Random | None = None
) -> Iterator[float]:
    """Seconds to wait before each retry: exponential growth with full jitter, capped."""
    rng = rng or random.Random()
    attempt = 0
    while True:
        yield rng.uniform(0, min(cap, base * 2**attempt))
        attempt += 1


class SyncClient:
    """Sync for one install: its local database, its blob directory and one HTTP session."""

    def __init__(
        self,
        engine: Engine,
        server_url: str,
        data_dir: Path,
        http: requests.Session,
        *,
        chunk_size: int = CHUNK_SIZE,
        timeout: tuple[float, float] = TIMEOUT,
        streams: int = STREAMS,
    ) -> None:
        ob.create_tables(engine)
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self.api = f"{server_url.rstrip('/')}/api/v1"
        self.blobs = ob.LocalBlobs(Path(data_dir) / "blobs")
        self.http = http
        self.chunk_size = chunk_size
        self.timeout = timeout
        self.streams = streams
        with _LOCKS_GUARD:
            self._lock = _LOCKS.setdefault(str(Path(data_dir).resolve()), threading.Lock())

    # -- registration ---------------------------------------------------------------------------

    def register_device(self, user_token: str, *, name: str = "", platform: str = "") -> str:
        """Register this install (POST /devices) and keep its token; pending mutations get new seqs.

        Their mutation_ids stay, so the server answers those it already applied as duplicates.
        """
        response = self._send("POST", "/devices", token=user_token, json={"name": name, "platform": platform})
        if response.status_code != 201:
            raise self._failure(response)
        body = _json(response)
        with self.sessions.begin() as session:
            ob.set_state(session, "device_id", body["device_id"])
            ob.set_state(session, "device_token", body["token"])
            ob.set_state(session, "next_seq", 1)
            session.execute(update(ob.outbox).values(seq=None))  # seqs belong to the old device
        return body["device_id"]

    @property
    def device_id(self) -> str | None:
        """The registered device id, if any."""
        with self.sessions() as session:
            return ob.get_state(session, "device_id")

    # -- one round --------------------------------------------------------------------------------

    def sync_once(self, progress: Callable[[Progress], None] | None = None) -> SyncReport:
        """Push, upload, pull; never raises for transport problems (see `SyncReport.error`)."""
        report = SyncReport()
        notify = progress or (lambda _p: None)
        with self._lock:
            try:
                self._push_all(report, notify)
                self._upload_all(report, notify)
                self._pull_all(report, notify)
            except SyncError as exc:
                report.error, report.message = exc.code, exc.message
                notify(Progress("stopped", last_error=exc.code))
        with self.sessions() as session:
            report.complete = (
                report.error is None and ob.pending_count(session) == 0 and ob.blobs_outstanding(session) == 0
            )
        if report.error is None:
            notify(Progress("done"))
        return report

    # -- push -------------------------------------------------------------------------------------

    def _push_all(self, report: SyncReport, notify: Callable[[Progress], None]) -> None:
        """Send every pending mutation, oldest first, in batches; follow gap and fork answers."""
        with self.sessions() as session:
            total = ob.pending_count(session)
        done = 0
        resend_from: int | None = None
        forks = 0
        while True:
            self._assign_seqs()
            batch = self._next_batch(resend_from)
            if not batch:
                return
            notify(Progress("push", done, total))
            state = self._device()
            body = {"device_id": state["device_id"], "mutations": batch}
            response = self._send("POST", "/sync/push", token=state["device_token"], json=body)
            code = _code(response)
            if response.status_code == 200:
                resend_from = None
                results = _json(response)["results"]
                self._record_results(results, report)
                done += sum(1 for m in batch if m["seq"] in {r["seq"] for r in results})
                continue
            if code == P.SEQ_GAP:
                resend_from = int(_json(response)["expected"])
                if not self._has_seq(resend_from):
                    code = P.DEVICE_FORK
                else:
                    continue
            if code in (P.DEVICE_FORK, P.DEVICE_MISMATCH, P.UNKNOWN_DEVICE):
                forks += 1
                if forks > 3:
                    raise SyncError(P.DEVICE_FORK, "the server keeps refusing this install")
                self.register_device(state["device_token"])
                report.reregistered += 1
                resend_from = None
                continue
            if code == P.PAYLOAD_HASH_MISMATCH:
                self._rehash(int(_json(response)["seq"]))
                continue
            raise self._failure(response)

    def _assign_seqs(self) -> None:
        """Give pending mutations without a seq the next seqs, in local order (one transaction)."""
        with self.sessions.begin() as session:
            next_seq = ob.get_state(session, "next_seq", 1)
            rows = session.execute(
                select(ob.outbox.c.local_order)
                .where(ob.outbox.c.state == ob.PENDING, ob.outbox.c.seq.is_(None))
                .order_by(ob.outbox.c.local_order)
            ).all()
            for (order,) in rows:
                session.execute(
                    update(ob.outbox).where(ob.outbox.c.local_order == order).values(seq=next_seq)
                )
                next_seq += 1
            ob.set_state(session, "next_seq", next_seq)

    def _next_batch(self, resend_from: int | None) -> list[dict[str, Any]]:
        """The next ≤100 mutations to send: pending ones, or everything from a seq the server asked for."""
        box = ob.outbox.c
        query = select(ob.outbox).where(box.seq.is_not(None)).order_by(box.seq).limit(MAX_BATCH)
        if resend_from is None:
            query = query.where(ob.outbox.c.state == ob.PENDING)
        else:
            query = query.where(ob.outbox.c.seq >= resend_from)
        with self.sessions.begin() as session:
            rows = session.execute(query).all()
            if rows:
                session.execute(
                    update(ob.outbox)
                    .where(ob.outbox.c.local_order.in_([r.local_order for r in rows]))
                    .values(attempts=ob.outbox.c.attempts + 1)
                )
        return [
            {
                "seq": r.seq,
                "mutation_id": r.mutation_id,
                "name": r.name,
                "args": r.args,
                "payload_sha256": r.payload_sha256,
            }
            for r in rows
        ]

    def _has_seq(self, seq: int) -> bool:
        """Whether a mutation with this seq is still on the phone."""
        with self.sessions() as session:
            return session.scalar(select(ob.outbox.c.seq).where(ob.outbox.c.seq == seq)) is not None

    def _record_results(self, results: list[dict[str, Any]], report: SyncReport) -> None:
        """Store the server's final answers (one transaction)."""
        with self.sessions.begin() as session:
            for result in results:
                status = result["status"]
                final = result.get("original_status", status) if status == "duplicate" else status
                if final not in ob.FINAL:
                    final = "applied"
                session.execute(
                    update(ob.outbox)
                    .where(ob.outbox.c.seq == result["seq"])
                    .values(
                        state=final,
                        result=result,
                        code=result.get("code"),
                        message=result.get("message"),
                        server_seq=result.get("server_seq"),
                    )
                )
                report.pushed += 1
                counter = {"applied": "applied", "conflict": "conflicts", "rejected": "rejected"}.get(status)
                if counter:
                    setattr(report, counter, getattr(report, counter) + 1)
                else:
                    report.duplicates += 1
                if result.get("code"):
                    report.codes.append(result["code"])

    def _rehash(self, seq: int) -> None:
        """Recompute a queued mutation's payload hash from its args (after the server disagreed)."""
        with self.sessions.begin() as session:
            row = session.execute(select(ob.outbox).where(ob.outbox.c.seq == seq)).first()
            if row is None or row.payload_sha256 == payload_sha256(row.args):
                raise SyncError(P.PAYLOAD_HASH_MISMATCH, f"the server cannot verify mutation {seq}")
            session.execute(
                update(ob.outbox)
                .where(ob.outbox.c.seq == seq)
                .values(payload_sha256=payload_sha256(row.args))
            )

    # -- uploads ----------------------------------------------------------------------------------

    def _upload_all(self, report: SyncReport, notify: Callable[[Progress], None]) -> None:
        """Upload every outstanding blob, oldest first, on `streams` parallel connections."""
        with self.sessions() as session:
            rows = session.execute(
                select(ob.outbox_blob)
                .where(ob.outbox_blob.c.state == ob.BLOB_LOCAL)
                .order_by(ob.outbox_blob.c.local_order)
            ).all()
        if not rows:
            return
        start = Progress("upload", bytes_total=sum(r.size for r in rows), reports_total=len(rows))
        meter = _Meter(notify, start, report)
        queue = list(reversed(rows))
        guard = threading.Lock()
        failures: list[Exception] = []

        def worker() -> None:
            while True:
                with guard:
                    if failures or not queue:
                        return
                    row = queue.pop()
                try:
                    self._upload(row, meter)
                except Exception as exc:  # re-raised in the calling thread below
                    with guard:
                        failures.append(exc)
                    return

        threads = [threading.Thread(target=worker) for _ in range(min(self.streams, len(rows)))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]

    def _upload(self, row: Any, meter: _Meter) -> None:
        """Upload one blob by tus (creation-with-upload, then PATCH chunks); mark it done when confirmed."""
        sha, size = row.sha256, row.size
        token = self._device()["device_token"]
        url, offset = row.upload_url, row.offset
        if url is not None:
            offset = self._server_offset(url, token)
            if offset is None:
                self._save_upload(sha, None, 0)
                url = None
        if url is None:
            head = self._send("HEAD", f"/blobs/{sha}", token=token)
            if head.status_code == 200:
                self._blob_done(sha)
                meter.advance(size)
                meter.blob_done()
                return
            created = self._create_upload(row, token)
            if created is None:
                meter.blob_done()
                return
            url, offset = created
            meter.advance(offset, sent=True)
        else:
            meter.advance(offset)
        retries = 0
        while offset < size:
            chunk = self._chunk(sha, offset)
            headers = {
                "Tus-Resumable": TUS_VERSION,
                "Upload-Offset": str(offset),
                "Content-Type": TUS_CONTENT_TYPE,
                "Upload-Checksum": checksum_header("sha256", chunk),
            }
            response = self._send("PATCH", url, token=token, data=chunk, headers=headers, absolute=True)
            if response.status_code == 204:
                acknowledged = _header(response, "Upload-Offset", int)
                self._save_upload(sha, url, acknowledged)
                meter.advance(acknowledged - offset, sent=True)
                offset, retries = acknowledged, 0
                continue
            retries += 1
            if retries > 5:
                raise self._failure(response)
            if response.status_code == 409:
                offset = self._server_offset(url, token) or 0
            elif response.status_code == 460:
                continue
            elif response.status_code == 404:
                self._save_upload(sha, None, 0)
                created = self._create_upload(row, token)
                if created is None:
                    meter.blob_done()
                    return
                url, offset = created
                meter.advance(offset, sent=True)
            elif _code(response) == P.DIGEST_MISMATCH:
                self._digest_failed(row)
                meter.blob_done()
                return
            else:
                raise self._failure(response)
        self._blob_done(sha)
        meter.blob_done(uploaded=True)

    def _create_upload(self, row: Any, token: str) -> tuple[str, int] | None:
        """tus creation with the first chunk: (upload URL, acknowledged offset), or None when refused."""
        chunk = self._chunk(row.sha256, 0)
        headers = {
            "Tus-Resumable": TUS_VERSION,
            "Upload-Length": str(row.size),
            "Upload-Metadata": encode_metadata({"sha256": row.sha256, "mime": row.mime}),
            "Content-Type": TUS_CONTENT_TYPE,
            "Upload-Checksum": checksum_header("sha256", chunk),
        }
        response = self._send("POST", "/uploads", token=token, data=chunk, headers=headers)
        if response.status_code == 413 or _code(response) == P.UPLOAD_TOO_LARGE:
            self._blob_refused(row.sha256, P.UPLOAD_TOO_LARGE, _message(response))
            return None
        if response.status_code != 201:
            raise self._failure(response)
        url = _header(response, "Location", str)
        offset = _header(response, "Upload-Offset", int)
        self._save_upload(row.sha256, url, offset)
        return url, offset

    def _chunk(self, sha256: str, offset: int) -> bytes:
        """The next chunk of a photo from the phone's storage."""
        try:
            return self.blobs.read_range(sha256, offset, self.chunk_size)
        except OSError as exc:
            raise SyncError(
                "photo_unreadable", f"a photo on this phone cannot be read ({exc.strerror})"
            ) from None

    def _server_offset(self, url: str, token: str) -> int | None:
        """The offset the server stored for an upload, or None when it no longer knows it."""
        response = self._send("HEAD", url, token=token, headers={"Tus-Resumable": TUS_VERSION}, absolute=True)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._failure(response)
        return _header(response, "Upload-Offset", int)

    def _save_upload(self, sha256: str, url: str | None, offset: int) -> None:
        """Persist the upload URL and acknowledged offset (after every chunk)."""
        with self.sessions.begin() as session:
            session.execute(
                update(ob.outbox_blob)
                .where(ob.outbox_blob.c.sha256 == sha256)
                .values(upload_url=url, offset=offset)
            )

    def _blob_done(self, sha256: str) -> None:
        """The server has the blob."""
        with self.sessions.begin() as session:
            session.execute(
                update(ob.outbox_blob).where(ob.outbox_blob.c.sha256 == sha256).values(state=ob.BLOB_DONE)
            )

    def _blob_refused(self, sha256: str, code: str, message: str) -> None:
        """The server will never take this blob: its reports need attention."""
        with self.sessions.begin() as session:
            session.execute(
                update(ob.outbox_blob)
                .where(ob.outbox_blob.c.sha256 == sha256)
                .values(state=ob.BLOB_REFUSED, code=code, message=message)
            )

    def _digest_failed(self, row: Any) -> None:
        """The server's whole-file hash disagreed: retry from zero, unless the phone's copy is damaged."""
        if self.blobs.verify(row.sha256):
            self._save_upload(row.sha256, None, 0)
            raise SyncError(P.DIGEST_MISMATCH, "a photo arrived damaged; it will be sent again")
        self._blob_refused(row.sha256, "local_corruption", "the photo stored on this phone is damaged")

    # -- pull -------------------------------------------------------------------------------------

    def pull_reference(self) -> int:
        """Fetch the sites, areas, assets and names this user's reports need; returns rows applied."""
        token = self._device()["device_token"]
        reference = self._send("GET", "/sync/reference", token=token)
        if reference.status_code != 200:
            raise self._failure(reference)
        return apply_rows(self.engine, [(r["entity"], "upsert", r["data"]) for r in _json(reference)["rows"]])

    def _pull_all(self, report: SyncReport, notify: Callable[[Progress], None]) -> None:
        """Fetch reference rows, then every page of changes after the saved cursor."""
        self.pull_reference()
        token = self._device()["device_token"]
        while True:
            with self.sessions() as session:
                cursor = ob.get_state(session, "pull_cursor", 0)
            notify(Progress("pull"))
            response = self._send(
                "GET", "/sync/pull", token=token, params={"cursor": cursor, "limit": PULL_DEFAULT_LIMIT}
            )
            if response.status_code != 200:
                raise self._failure(response)
            body = _json(response)
            changes = body["changes"]
            apply_rows(
                self.engine, [(c["entity"], c["op"], c["data"]) for c in changes], cursor=body["next_cursor"]
            )
            report.pulled += len(changes)
            if not body["has_more"]:
                return

    # -- plumbing ---------------------------------------------------------------------------------

    def _device(self) -> dict[str, Any]:
        """The stored device id and token, or SyncError('not_registered')."""
        with self.sessions() as session:
            device_id = ob.get_state(session, "device_id")
            token = ob.get_state(session, "device_token")
        if not device_id or not token:
            raise SyncError("not_registered", "sign in once while online to register this phone")
        return {"device_id": device_id, "device_token": token}

    def _send(
        self,
        method: str,
        path: str,
        *,
        token: str,
        absolute: bool = False,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """One HTTP request; connection problems become SyncError('offline')."""
        url = path if absolute else f"{self.api}{path}"
        all_headers = {"Authorization": f"Bearer {token}", **(headers or {})}
        try:
            return self.http.request(method, url, headers=all_headers, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise SyncError("offline", f"cannot reach the server ({type(exc).__name__})") from None

    def _failure(self, response: requests.Response) -> SyncError:
        """A plain-words error for an unexpected answer."""
        if response.status_code == 401:
            return SyncError(P.NOT_AUTHENTICATED, "sign in again")
        if response.status_code >= 500 or response.status_code == 429:
            return SyncError("server_error", f"the server answered {response.status_code}")
        return SyncError(_code(response) or f"http_{response.status_code}", _message(response))


def apply_rows(
    engine: Engine, rows: list[tuple[str, str, dict[str, Any]]], *, cursor: int | None = None
) -> int:
    """Upsert or delete pulled rows (and save the cursor) in ONE local transaction; returns rows applied.

    The phone holds a partial replica whose parents may lie outside the user's view, so foreign keys
    are not checked for rows the server sent (the server enforced them).
    """
    applied = 0
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.commit()
        try:
            with Session(bind=conn) as session, session.begin():
                for entity, op, data in rows:
                    if entity in SKIPPED_TABLES:
                        continue
                    try:
                        model = model_for_table(entity)
                    except KeyError:
                        continue
                    values = dict_to_values(model, data)
                    keys = [c.key for c in model.__mapper__.primary_key]
                    if op == "delete":
                        condition = [getattr(model, k) == values[k] for k in keys]
                        session.execute(delete(model).where(*condition))
                    else:
                        statement = sqlite_insert(model).values(**values)
                        changes = {k: v for k, v in values.items() if k not in keys}
                        statement = (
                            statement.on_conflict_do_update(index_elements=keys, set_=changes)
                            if changes
                            else statement.on_conflict_do_nothing()
                        )
                        session.execute(statement)
                    applied += 1
                if cursor is not None:
                    ob.set_state(session, "pull_cursor", cursor)
        finally:
            conn.rollback()
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()
    return applied


def _json(response: requests.Response) -> dict[str, Any]:
    """The JSON body of an answer; a garbled one (a dropped connection) is SyncError('offline')."""
    try:
        body = response.json()
    except ValueError:
        raise SyncError("offline", "the answer was cut off") from None
    if not isinstance(body, dict):
        raise SyncError("offline", "the answer was not understood")
    return body


def _header(response: requests.Response, name: str, kind: Callable[[str], T]) -> T:
    """A header the protocol requires; a missing or garbled one (a cut answer) is SyncError('offline')."""
    try:
        return kind(response.headers[name])
    except (KeyError, ValueError):
        raise SyncError("offline", f"the answer lacked {name}") from None


def _code(response: requests.Response) -> str | None:
    """The stable code of a JSON error answer."""
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


def _message(response: requests.Response) -> str:
    """The message of a JSON error answer."""
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("message", "")) if isinstance(body, dict) else ""
