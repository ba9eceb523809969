"""The sync contract against a real `ims server`: every status and code of issue 4 and its contract notes."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import func, select
from support.databases import backends
from support.syncing import (
    Device,
    Store,
    auth,
    fake_jpeg,
    login,
    privacy_injury_values,
    report_args,
    running_store,
)

from models import Amendment, AuditEvent, Blob, Incident, MutationRecord, Upload, WitnessStatement
from sync.protocol import checksum_header, encode_metadata, payload_sha256
from sync.server.blobs import BlobStore

TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = {"Content-Type": "application/offset+octet-stream"}


@pytest.fixture(scope="module", params=backends())
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One server per backend for the module (tests use their own devices and ids); uploads ≤ 1 MB."""
    tmp = tmp_path_factory.mktemp(f"contract-{request.param}")
    with running_store(request.param, tmp, env={"IMS_MAX_UPLOAD_MB": "1"}) as running:
        yield running


@pytest.fixture
def worker(store: Store) -> Device:
    """A fresh device of the worker at S1."""
    return Device(store.api, "worker")


def count(store: Store, query) -> int:  # type: ignore[no-untyped-def]
    """Run a count query on the central store."""
    with store.sessions() as session:
        return session.scalar(query) or 0


# -- devices and tokens ------------------------------------------------------------------------------


def test_a_device_is_registered_and_its_token_acts_as_its_user(store: Store) -> None:
    token = login(store.api, "worker")
    response = requests.post(
        f"{store.api}/devices", headers=auth(token), json={"name": "Pixel", "platform": "android"}, timeout=10
    )
    assert response.status_code == 201
    body = response.json()
    uuid.UUID(body["device_id"])
    me = requests.get(f"{store.api}/auth/me", headers=auth(body["token"]), timeout=10).json()
    assert me["username"] == "worker"
    device = requests.get(f"{store.api}/devices/me", headers=auth(body["token"]), timeout=10).json()
    assert device == {**device, "device_id": body["device_id"], "last_seq": 0}
    assert requests.post(f"{store.api}/devices", timeout=10).status_code == 401


# -- push --------------------------------------------------------------------------------------------


def test_push_applies_and_a_replay_answers_the_stored_result(store: Store, worker: Device) -> None:
    args, _ = report_args(store.sites["S1"])
    mutation = worker.mutation("report.create", args)
    first = worker.push(mutation)
    assert first.status_code == 200
    body = first.json()
    assert body["last_seq"] == 1
    result = body["results"][0]
    assert result["status"] == "applied" and result["seq"] == 1 and result["server_seq"] > 0
    assert result["ref"].startswith("S1-")

    again = worker.push(mutation).json()
    replay = again["results"][0]
    assert replay["status"] == "duplicate" and replay["original_status"] == "applied"
    assert replay["server_seq"] == result["server_seq"] and replay["ref"] == result["ref"]
    assert again["last_seq"] == 1
    assert count(store, select(func.count()).where(Incident.id == uuid.UUID(args["id"]))) == 1
    events = select(func.count()).where(
        AuditEvent.action == "report.create", AuditEvent.entity_id == args["id"]
    )
    assert count(store, events) == 1


def test_a_seq_gap_rolls_back_the_whole_batch_and_names_the_expected_seq(
    store: Store, worker: Device
) -> None:
    worker.send("report.create", report_args(store.sites["S1"])[0])
    args, _ = report_args(store.sites["S1"])
    ok = worker.mutation("report.create", args)
    ahead = worker.mutation("report.create", report_args(store.sites["S1"])[0], seq=4)
    response = worker.push(ok, ahead)
    assert response.status_code == 409
    assert response.json()["code"] == "seq_gap" and response.json()["expected"] == 2
    assert count(store, select(func.count()).where(Incident.id == uuid.UUID(args["id"]))) == 0
    assert worker.push(ok).json()["results"][0]["status"] == "applied"


def test_a_seen_seq_with_another_payload_is_a_device_fork(store: Store, worker: Device) -> None:
    worker.send("report.create", report_args(store.sites["S1"])[0])
    fresh, _ = report_args(store.sites["S1"])
    clone = worker.mutation("report.create", report_args(store.sites["S1"])[0], seq=1)
    response = worker.push(clone, worker.mutation("report.create", fresh, seq=2))
    assert response.status_code == 409 and response.json()["code"] == "device_fork"
    assert count(store, select(func.count()).where(Incident.id == uuid.UUID(fresh["id"]))) == 0


def test_a_wrong_payload_hash_refuses_the_whole_request(store: Store, worker: Device) -> None:
    good = worker.mutation("report.create", report_args(store.sites["S1"])[0])
    bad_args, _ = report_args(store.sites["S1"])
    bad = {**worker.mutation("report.create", bad_args), "payload_sha256": "0" * 64}
    response = worker.push(good, bad)
    assert response.status_code == 400
    assert response.json()["code"] == "payload_hash_mismatch" and response.json()["seq"] == 2
    assert count(store, select(func.count()).where(Incident.id == uuid.UUID(good["args"]["id"]))) == 0


def test_non_ascii_args_hash_canonically(store: Store, worker: Device) -> None:
    args, _ = report_args(store.sites["S1"], title="Tumpahan minyak — 油 ü")
    mutation = worker.mutation("report.create", args)
    canonical = json.dumps(args, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert mutation["payload_sha256"] == hashlib.sha256(canonical).hexdigest()
    assert worker.push(mutation).json()["results"][0]["status"] == "applied"


def test_a_device_token_pushes_only_for_its_own_device(store: Store, worker: Device) -> None:
    other = Device(store.api, "worker")
    mutation = worker.mutation("report.create", report_args(store.sites["S1"])[0])
    response = worker.push(mutation, device_id=other.device_id)
    assert response.status_code == 403 and response.json()["code"] == "device_mismatch"
    stranger = Device(store.api, "worker2")
    body = {"device_id": worker.device_id, "mutations": [mutation]}
    foreign = requests.post(
        f"{store.api}/sync/push", headers=auth(stranger.user_token), json=body, timeout=10
    )
    assert foreign.status_code == 403 and foreign.json()["code"] == "device_mismatch"
    unknown = worker.push(mutation, device_id=str(uuid.uuid4()))
    assert unknown.status_code == 403
    user_token = requests.post(
        f"{store.api}/sync/push",
        headers=auth(worker.user_token),
        json={"device_id": str(uuid.uuid4()), "mutations": [mutation]},
        timeout=10,
    )
    assert user_token.status_code == 404 and user_token.json()["code"] == "unknown_device"


def test_malformed_json_and_missing_token_are_refused(store: Store, worker: Device) -> None:
    response = requests.post(
        f"{store.api}/sync/push",
        data=b'{"device_id": ',
        headers={**auth(worker.token), "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400 and response.json()["code"] == "malformed_json"
    assert requests.post(f"{store.api}/sync/push", json={}, timeout=10).json()["code"] == "not_authenticated"
    shapeless = requests.post(
        f"{store.api}/sync/push", headers=auth(worker.token), json={"device_id": worker.device_id}, timeout=10
    )
    assert shapeless.status_code == 422 and shapeless.json()["code"] == "invalid_request"


def test_refusals_consume_their_seq_are_audited_and_write_nothing(store: Store, worker: Device) -> None:
    unknown = worker.mutation("report.teleport", {"id": str(uuid.uuid4())})
    invalid_args, _ = report_args(store.sites["S1"], title="")
    invalid = worker.mutation("report.create", invalid_args)
    foreign_site, _ = report_args(store.sites["S2"])
    forbidden = worker.mutation("report.create", foreign_site)
    fine_args, _ = report_args(store.sites["S1"])
    fine = worker.mutation("report.create", fine_args)
    body = worker.push(unknown, invalid, forbidden, fine).json()
    assert body["last_seq"] == 4
    codes = [(r["status"], r.get("code")) for r in body["results"]]
    assert codes == [
        ("rejected", "unknown_mutation"),
        ("rejected", "validation_failed"),
        ("rejected", "forbidden"),
        ("applied", None),
    ]
    assert body["results"][1]["errors"][0]["field"] == "title"
    for args in (invalid_args, foreign_site):
        assert count(store, select(func.count()).where(Incident.id == uuid.UUID(args["id"]))) == 0
    rejected = select(func.count()).where(
        AuditEvent.action == "report.create.rejected", AuditEvent.entity_id == invalid_args["id"]
    )
    assert count(store, rejected) == 1
    stored = select(MutationRecord.status).where(MutationRecord.mutation_id == invalid["mutation_id"])
    with store.sessions() as session:
        assert session.scalar(stored).value == "rejected"


def test_creating_what_exists_is_duplicate_or_id_conflict_with_both_payloads_kept(
    store: Store, worker: Device
) -> None:
    args, _ = report_args(store.sites["S1"])
    assert worker.send("report.create", args)["status"] == "applied"
    assert worker.send("report.create", args)["status"] == "duplicate"
    changed = {**args, "values": {**args["values"], "title": "Something else"}}
    conflict = worker.send("report.create", changed)
    assert conflict["status"] == "rejected" and conflict["code"] == "id_conflict"
    with store.sessions() as session:
        kept = session.scalars(
            select(MutationRecord.payload_sha256).where(
                MutationRecord.device_id == uuid.UUID(worker.device_id)
            )
        ).all()
        assert {payload_sha256(args), payload_sha256(changed)} <= set(kept)
        assert session.get(Incident, uuid.UUID(args["id"])).title == "Oil on the floor"


def test_a_re_registered_phone_re_pushes_without_duplicating(store: Store, worker: Device) -> None:
    args, _ = report_args(store.sites["S1"])
    mutation = worker.mutation("report.create", args)
    worker.push(mutation)
    again = Device(store.api, "worker", token=worker.user_token)
    response = again.push({**mutation, "seq": 1}).json()
    result = response["results"][0]
    assert result["status"] == "duplicate" and result["original_status"] == "applied"
    assert count(store, select(func.count()).where(Incident.id == uuid.UUID(args["id"]))) == 1
    assert again.push({**mutation, "seq": 1}).json()["results"][0]["original_status"] == "applied"


def test_amend_retract_statement_and_late_photo(store: Store, worker: Device) -> None:
    args, _ = report_args(store.sites["S1"])
    worker.send("report.create", args)
    amendment = {
        "id": str(uuid.uuid4()),
        "incident_id": args["id"],
        "changes": {"title": "Oil on the floor by press 4"},
        "reason": "more precise",
    }
    assert worker.send("report.amend", amendment)["status"] == "applied"
    bad = {**amendment, "id": str(uuid.uuid4()), "changes": {"title": ""}}
    assert worker.send("report.amend", bad)["code"] == "validation_failed"
    statement = {
        "id": str(uuid.uuid4()),
        "incident_id": args["id"],
        "witness_name": "Ali",
        "relation": "employee",
        "statement": "I saw the leak.",
        "taken_at": "2026-01-05T10:30:00+00:00",
        "signature_sha256": "ab" * 32,
        "signed_at": "2026-01-05T10:31:00+00:00",
    }
    assert worker.send("statement.create", statement)["status"] == "applied"
    assert worker.send("statement.create", statement)["status"] == "duplicate"
    edited = {**statement, "statement": "I saw nothing."}
    assert worker.send("statement.create", edited)["code"] == "id_conflict"
    photo = fake_jpeg(2000, "late")
    late = {"incident_id": args["id"], "slot": "photo-9", "sha256": hashlib.sha256(photo).hexdigest()}
    late |= {"size": len(photo), "mime": "image/jpeg"}
    assert worker.send("attachment.add", late)["missing_blobs"] == [late["sha256"]]
    other = {**late, "sha256": "cd" * 32}
    assert worker.send("attachment.add", other)["code"] == "slot_taken"
    assert worker.send("report.retract", {"id": args["id"], "reason": "filed twice"})["status"] == "applied"
    assert worker.send("report.create", args)["code"] == "deleted"
    with store.sessions() as session:
        incident = session.get(Incident, uuid.UUID(args["id"]))
        assert incident.title == "Oil on the floor by press 4" and incident.retracted_at is not None
        row = session.scalar(select(Amendment).where(Amendment.incident_id == incident.id))
        assert row.changes == {"title": {"old": "Oil on the floor", "new": "Oil on the floor by press 4"}}
        assert session.get(WitnessStatement, uuid.UUID(statement["id"])).statement == "I saw the leak."
    retracted = [c for c in worker.pull_all() if c["id"] == args["id"] and c["entity"] == "incident"]
    assert retracted[-1]["data"]["retracted_at"] is not None


# -- uploads (tus) -----------------------------------------------------------------------------------


def create_upload(device: Device, data: bytes, **headers: str) -> requests.Response:
    """tus creation without a body."""
    meta = encode_metadata({"sha256": hashlib.sha256(data).hexdigest(), "mime": "image/jpeg"})
    all_headers = {**auth(device.token), **TUS, "Upload-Length": str(len(data)), "Upload-Metadata": meta}
    return requests.post(f"{device.api}/uploads", headers={**all_headers, **headers}, timeout=10)


def patch(
    device: Device, url: str, chunk: bytes, offset: int, algorithm: str = "sha256"
) -> requests.Response:
    """One tus PATCH with a checksum."""
    headers = {**auth(device.token), **TUS, **OCTETS, "Upload-Offset": str(offset)}
    headers["Upload-Checksum"] = checksum_header(algorithm, chunk)  # type: ignore[arg-type]
    return requests.patch(url, headers=headers, data=chunk, timeout=10)


def offset_of(device: Device, url: str) -> requests.Response:
    """tus HEAD."""
    return requests.head(url, headers={**auth(device.token), **TUS}, timeout=10)


def test_tus_options_advertise_the_server(store: Store) -> None:
    response = requests.options(f"{store.api}/uploads", timeout=10)
    assert response.status_code == 204
    assert response.headers["Tus-Version"] == "1.0.0"
    assert set(response.headers["Tus-Extension"].split(",")) == {
        "creation",
        "creation-with-upload",
        "checksum",
        "termination",
    }
    assert response.headers["Tus-Max-Size"] == str(1024 * 1024)
    assert response.headers["Tus-Checksum-Algorithm"] == "sha1,sha256"


def test_a_resumed_upload_with_checksums_publishes_the_blob_once(store: Store, worker: Device) -> None:
    data = fake_jpeg(300_000, "resume")
    sha = hashlib.sha256(data).hexdigest()
    created = create_upload(worker, data)
    assert created.status_code == 201 and created.headers["Upload-Offset"] == "0"
    url = created.headers["Location"]
    assert patch(worker, url, data[:100_000], 0, "sha1").status_code == 204
    head = offset_of(worker, url)
    assert head.headers["Upload-Offset"] == "100000" and head.headers["Cache-Control"] == "no-store"

    wrong_offset = patch(worker, url, data[50_000:150_000], 50_000)
    assert wrong_offset.status_code == 409 and wrong_offset.json()["code"] == "offset_mismatch"
    corrupt = {**auth(worker.token), **TUS, **OCTETS, "Upload-Offset": "100000"}
    corrupt["Upload-Checksum"] = checksum_header("sha256", data[100_000:200_000])
    bad = requests.patch(url, headers=corrupt, data=b"x" + data[100_001:200_000], timeout=10)
    assert bad.status_code == 460 and bad.json()["code"] == "checksum_mismatch"
    assert offset_of(worker, url).headers["Upload-Offset"] == "100000"
    assert (
        requests.head(f"{store.api}/blobs/{sha}", headers=auth(worker.token), timeout=10).status_code == 404
    )

    assert patch(worker, url, data[100_000:], 100_000).headers["Upload-Offset"] == str(len(data))
    assert (
        requests.head(f"{store.api}/blobs/{sha}", headers=auth(worker.token), timeout=10).status_code == 200
    )
    assert BlobStore(store.server.data_dir / "blobs").read(sha) == data

    again = Device(store.api, "worker2").upload(data)
    assert again.status_code == 201 and again.headers["Upload-Offset"] == again.headers["Upload-Length"]
    assert count(store, select(func.count()).where(Blob.sha256 == sha)) == 1
    stored = list((store.server.data_dir / "blobs").rglob(sha))
    assert len(stored) == 1


def test_bytes_that_do_not_match_their_hash_never_become_a_blob(store: Store, worker: Device) -> None:
    data = fake_jpeg(5000, "liar")
    meta = encode_metadata({"sha256": hashlib.sha256(b"something else").hexdigest(), "mime": "image/jpeg"})
    headers = {
        **auth(worker.token),
        **TUS,
        **OCTETS,
        "Upload-Length": str(len(data)),
        "Upload-Metadata": meta,
    }
    response = requests.post(f"{store.api}/uploads", headers=headers, data=data, timeout=10)
    assert response.status_code == 422 and response.json()["code"] == "digest_mismatch"
    assert (
        count(store, select(func.count()).where(Blob.sha256 == hashlib.sha256(b"something else").hexdigest()))
        == 0
    )
    assert count(store, select(func.count()).where(Upload.id == uuid.UUID(response.json()["upload_id"]))) == 0


def test_upload_limits_and_malformed_requests(store: Store, worker: Device) -> None:
    big = create_upload(worker, b"", **{"Upload-Length": str(2 * 1024 * 1024)})
    assert big.status_code == 413 and big.json()["code"] == "upload_too_large"
    assert "1 MB" in big.json()["message"]
    data = fake_jpeg(1000, "meta")
    no_meta = requests.post(
        f"{store.api}/uploads", headers={**auth(worker.token), **TUS, "Upload-Length": "1000"}, timeout=10
    )
    assert no_meta.status_code == 400
    bad_sha = create_upload(
        worker, data, **{"Upload-Metadata": encode_metadata({"sha256": "xyz", "mime": "a/b"})}
    )
    assert bad_sha.status_code == 400
    no_tus = requests.post(
        f"{store.api}/uploads", headers={**auth(worker.token), "Upload-Length": "10"}, timeout=10
    )
    assert no_tus.status_code == 412
    url = create_upload(worker, data).headers["Location"]
    plain = requests.patch(
        url, headers={**auth(worker.token), **TUS, "Upload-Offset": "0"}, data=data, timeout=10
    )
    assert plain.status_code == 415
    stranger = Device(store.api, "worker2")
    assert offset_of(stranger, url).status_code == 404
    ended = requests.delete(url, headers={**auth(worker.token), **TUS}, timeout=10)
    assert ended.status_code == 204
    assert offset_of(worker, url).status_code == 404


# -- blobs, media completeness and pull --------------------------------------------------------------


def test_media_complete_only_after_every_manifest_blob(store: Store, worker: Device) -> None:
    photos = [fake_jpeg(3000, "m1"), fake_jpeg(4000, "m2")]
    args, blobs = report_args(store.sites["S1"], photos=photos)
    result = worker.send("report.create", args)
    assert result["media_complete"] is False and sorted(result["missing_blobs"]) == sorted(blobs)
    before = worker.pull_all()
    cursor = max(c["server_seq"] for c in before)
    assert worker.upload(photos[0]).status_code == 201
    with store.sessions() as session:
        assert session.get(Incident, uuid.UUID(args["id"])).media_complete is False
    assert worker.upload(photos[1]).status_code == 201
    with store.sessions() as session:
        assert session.get(Incident, uuid.UUID(args["id"])).media_complete is True
        flips = select(func.count()).where(
            AuditEvent.action == "incident.media_complete", AuditEvent.entity_id == args["id"]
        )
        assert session.scalar(flips) == 1
    published = [c for c in worker.pull_all(cursor) if c["id"] == args["id"] and c["entity"] == "incident"]
    assert [c["data"]["media_complete"] for c in published] == [True]

    also, _ = report_args(store.sites["S1"], photos=[photos[0]])
    assert worker.send("report.create", also)["media_complete"] is True


def test_blob_bytes_only_for_those_who_may_see_a_report_using_them(store: Store, worker: Device) -> None:
    photo = fake_jpeg(2500, "private")
    args, _ = report_args(store.sites["S1"], photos=[photo])
    worker.send("report.create", args)
    worker.upload(photo)
    sha = hashlib.sha256(photo).hexdigest()
    url = f"{store.api}/blobs/{sha}"
    got = requests.get(url, headers=auth(worker.token), timeout=10)
    assert got.status_code == 200 and got.content == photo
    assert requests.get(url, headers=auth(login(store.api, "officer")), timeout=10).content == photo
    outsider = requests.get(url, headers=auth(login(store.api, "worker2")), timeout=10)
    assert outsider.status_code == 403
    assert requests.head(url, headers=auth(login(store.api, "worker2")), timeout=10).status_code == 200
    assert requests.head(url, timeout=10).status_code == 401
    assert (
        requests.get(f"{store.api}/blobs/{'0' * 64}", headers=auth(worker.token), timeout=10).status_code
        == 404
    )


def test_pull_pages_in_order_and_shows_each_role_what_it_may_see(store: Store, worker: Device) -> None:
    own, _ = report_args(store.sites["S1"])
    worker.send("report.create", own)
    other = Device(store.api, "worker2")
    theirs, _ = report_args(store.sites["S2"])
    other.send("report.create", theirs)

    def ids(username: str) -> set[str]:
        device = Device(store.api, username)
        return {c["id"] for c in device.pull_all() if c["entity"] == "incident"}

    assert own["id"] in ids("worker") and theirs["id"] not in ids("worker")
    assert theirs["id"] in ids("worker2") and own["id"] not in ids("worker2")
    assert own["id"] in ids("officer") and theirs["id"] not in ids("officer")
    assert {own["id"], theirs["id"]} <= ids("manager")
    assert {own["id"], theirs["id"]} <= ids("admin")

    manager = Device(store.api, "manager")
    whole = manager.pull_all()
    paged = manager.pull_all(limit=3)
    assert [c["server_seq"] for c in paged] == [c["server_seq"] for c in whole]
    seqs = [c["server_seq"] for c in whole]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    last = seqs[-1]
    tail = requests.get(
        f"{store.api}/sync/pull", headers=auth(manager.token), params={"cursor": last}, timeout=10
    ).json()
    assert tail == {"changes": [], "next_cursor": last, "has_more": False}
    page = requests.get(
        f"{store.api}/sync/pull", headers=auth(manager.token), params={"cursor": 0, "limit": 2}, timeout=10
    ).json()
    assert page["has_more"] is True and page["next_cursor"] == page["changes"][-1]["server_seq"]
    too_many = requests.get(
        f"{store.api}/sync/pull", headers=auth(manager.token), params={"limit": 1001}, timeout=10
    )
    assert too_many.status_code == 422


def test_privacy_cases_reach_others_redacted(store: Store) -> None:
    officer = Device(store.api, "officer")
    values = privacy_injury_values()
    args, _ = report_args(store.sites["S1"])
    args |= {"form_id": "injury", "values": values}
    result = officer.send("report.create", args)
    assert result["status"] == "applied", result
    seen = {c["entity"]: c["data"] for c in officer.pull_all() if c["id"] == args["id"]}
    assert seen["injury_case"]["employee_name"] == "Siti Aminah"  # the reporter typed it
    other_officer = Device(store.api, "supervisor")
    redacted = {c["entity"]: c["data"] for c in other_officer.pull_all() if c["id"] == args["id"]}
    assert redacted["injury_case"]["employee_name"] == "Privacy case"
    assert redacted["injury_case"]["employee_street"] == ""
    assert redacted["incident"]["form_values"]["employee_name"] == "Privacy case"
    manager = Device(store.api, "manager")
    full = {c["entity"]: c["data"] for c in manager.pull_all() if c["id"] == args["id"]}
    assert full["injury_case"]["employee_name"] == "Siti Aminah"
