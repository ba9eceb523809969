"""The worker's part of the walk-through, shared by its in-process and browser versions: an injury
saved on a phone with no signal, then synced once back in range."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from conftest import PASSWORD
from sqlalchemy.orm import Session, sessionmaker

from app.controls.clock import device_now
from app.controls.photo_picker import manifest_entry
from app.phone_store import PhoneStore
from app.photos import ProcessedPhoto, process_photo
from app.settings import PhoneSettings
from forms.registry import get as get_form
from models import Incident, utcnow
from support.reporting import camera_jpeg
from support.server import ServerProcess, free_port
from support.workflow import site_id

TITLE = "Hand crushed in press 4"


def injury_report(site: uuid.UUID, photo: ProcessedPhoto) -> dict[str, Any]:
    """The `report.create` a worker's phone files for a hand crushed in a press: admitted to hospital
    for treatment, which the triage rules make a P1 (and a P1 needs a post-incident review)."""
    now = utcnow()
    occurred = (now - dt.timedelta(minutes=40)).isoformat(timespec="seconds")
    values = {
        "case_type": "injury",
        "title": TITLE,
        "occurred_at": occurred,
        "description": "Siti's left hand was caught in the die of press 4.",
        "employee_name": "Siti Aminah",
        "what_happened": "The press cycled while her hand was in the die area.",
        "injury_description": "Crushed fingers, left hand",
        "treatments": ["sutures"],
        "inpatient": "treatment",
        "inpatient_date": now.date().isoformat(),
        "photos": [{"slot": "photo-1", "sha256": photo.upload_sha256, "caption": "Press 4 die area"}],
    }
    return {
        "id": str(uuid.uuid4()),
        "site_id": str(site),
        "form_id": "injury",
        "form_version": get_form("injury").version,
        "values": values,
        "occurred_at": occurred,
        "device_recorded_at": device_now(),
        "attachments": [manifest_entry("photo-1", photo, dt.UTC)],
    }


async def report_offline_then_sync(
    server: ServerProcess, sessions: sessionmaker[Session], phone: Path
) -> tuple[uuid.UUID, ProcessedPhoto]:
    """The worker signs in once online, saves the report with no signal (nothing reaches the server),
    and syncs back in range: the report and its photo arrive. Returns the incident id and the photo."""
    await PhoneStore(PhoneSettings(data_dir=phone, server_url=server.url)).sign_in("worker", PASSWORD)
    no_signal = PhoneStore(PhoneSettings(data_dir=phone, server_url=f"http://127.0.0.1:{free_port()}"))
    photo = process_photo(camera_jpeg(gps=True), filename="press4.jpg")
    args = injury_report(site_id(sessions, "S1"), photo)
    saved = await no_signal.mutate("report.create", args, blobs={photo.upload_sha256: photo.upload_bytes})
    assert saved.status == "saved_on_phone"
    offline = await no_signal.sync_once()
    assert offline.error == "offline" and not offline.complete
    incident_id = uuid.UUID(args["id"])
    with sessions() as session:
        assert session.get(Incident, incident_id) is None  # nothing reached the server yet
    synced = await PhoneStore(PhoneSettings(data_dir=phone, server_url=server.url)).sync_once()
    assert synced.complete and synced.applied == 1 and synced.blobs_uploaded == 1
    return incident_id, photo


def assert_audit_intact(db_url: str) -> None:
    """`ims audit verify` on the store, as an auditor would run it: the hash chain is intact."""
    verify = subprocess.run(
        [sys.executable, "-m", "app.cli", "audit", "verify", "--db", db_url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0, verify.stderr
    assert verify.stdout.startswith("audit chain intact: ")
