"""The worker's reporting flow in the in-process Flet client, on a phone store against a real server.

The fake device answers for the file picker, the permission handler, the GPS and connectivity; the
phone keeps its data in a real SQLite file and syncs with a real `ims server` on loopback.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import flet as ft
import pytest
from conftest import PASSWORD
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from support.flet_harness import FletHarness
from support.reporting import HALL_A, FakeDevice, add_areas, camera_jpeg
from support.server import ServerProcess

from app.drafts import Drafts
from app.i18n import Translator
from app.main import make_main
from app.phone_store import PhoneStore
from app.settings import PhoneSettings
from models import Amendment, Attachment, Blob, Incident, WitnessStatement
from models.enums import IncidentKind, WitnessRelation


@pytest.fixture
def backend() -> str:
    """The flow is about the phone: its server runs on SQLite (the sync suites cover both databases)."""
    return "sqlite"


async def start_phone(data_dir: Path, server_url: str, device: FakeDevice) -> FletHarness:
    """Launch the app as a phone would: phone store and drafts in the app's data dir."""
    settings = PhoneSettings(data_dir=data_dir, server_url=server_url)
    main = make_main(lambda: PhoneStore(settings), drafts_factory=lambda: Drafts.open(settings.database_url))
    phone = await FletHarness(method_handler=device).start(main)
    phone.page.data.autosave_delay = 0  # write drafts at once, so that waiting for the app is quick
    await settle(phone)
    return phone


async def settle(phone: FletHarness) -> None:
    """Wait for navigation and for the app's background work (GPS, photo, sync) to finish."""
    await phone.settle()
    await phone.page.data.idle()
    await phone.settle()


async def tap(phone: FletHarness, key: str) -> None:
    """Press a button (or anything clickable) by key."""
    await phone.click(phone.find(key))
    await settle(phone)


async def type_into(phone: FletHarness, key: str, text: Any) -> None:
    """Type into an input (or set a radio group / check box) by key."""
    await phone.set_value(phone.find(key), text)
    await settle(phone)


async def sign_in(phone: FletHarness, username: str) -> None:
    """Sign in on the sign-in screen."""
    await type_into(phone, "username", username)
    await type_into(phone, "password", PASSWORD)
    await tap(phone, "sign_in")


async def event(phone: FletHarness, control: ft.BaseControl, name: str, data: Any) -> None:
    """Send an event the Flutter client would send (lifecycle, connectivity, gestures)."""
    await phone.session.dispatch_event(control._i, name, data)
    await settle(phone)


def text_of(control: ft.Control) -> str:
    """The words of a chip or message box (a container around an icon and a text)."""
    row = control.content
    return row.controls[-1].value  # type: ignore[union-attr]


def service(phone: FletHarness, kind: type) -> ft.Service:
    """The app's running instance of a device service."""
    return next(s for s in phone.page.data.services if isinstance(s, kind))


async def sign(phone: FletHarness, strokes: list[list[tuple[float, float]]]) -> None:
    """Draw on the signature pad with a finger."""
    pad = phone.find("signature.pad")
    for stroke in strokes:
        (x, y), *rest = stroke
        await phone.session.dispatch_event(
            pad._i, "pan_start", {"k": "touch", "l": {"x": x, "y": y}, "g": {"x": x, "y": y}}
        )
        for x, y in rest:
            await phone.session.dispatch_event(
                pad._i, "pan_update", {"l": {"x": x, "y": y}, "g": {"x": x, "y": y}}
            )
        await phone.session.dispatch_event(
            pad._i, "pan_end", {"l": {"x": x, "y": y}, "g": {"x": x, "y": y}, "v": {"x": 0, "y": 0}}
        )
    await settle(phone)


def report_id(phone: FletHarness) -> uuid.UUID:
    """The report the app shows now."""
    assert phone.page.route.startswith("/reports/")
    return uuid.UUID(phone.page.route.split("/")[2])


@pytest.mark.parametrize("trigger", ["connectivity", "resume"])
async def test_quick_near_miss_is_saved_offline_and_sent_when_the_network_returns(
    server: ServerProcess, sessions: sessionmaker[Session], tmp_path: Path, trigger: str
) -> None:
    areas = add_areas(sessions)
    device = FakeDevice()
    device.pick(("forklift.jpg", camera_jpeg()))
    phone = await start_phone(tmp_path / "phone", server.url, device)
    await sign_in(phone, "worker")
    server.stop()  # the hall has no signal

    await tap(phone, "quick_report")
    assert phone.find("location.status").value == "GPS: 3.07389, 101.51823 (±8 m)"
    assert phone.find("location.detail").value == "In Hall A"
    await tap(phone, "kind.near_miss")
    await type_into(phone, "field.title", "Forklift reversed without looking")
    await tap(phone, "photo.add")
    assert phone.find("photo.count").value == "1 of at most 10 photos"
    await tap(phone, "save_report")
    saved = report_id(phone)
    assert phone.find("report_title").value == "Forklift reversed without looking"
    assert text_of(phone.find("report_state")) == "Saved on phone"

    await phone.go("/sync")
    await settle(phone)
    assert phone.find("sync_headline").value == "1 report(s) waiting to be sent"
    assert text_of(phone.find("sync_error")).startswith("No connection to the server.")

    server.start()  # back in range: the phone sends by itself when it notices
    if trigger == "connectivity":
        connectivity = service(phone, ft.Connectivity)
        await event(phone, connectivity, "change", {"connectivity": ["none"]})
        await event(phone, connectivity, "change", {"connectivity": ["wifi"]})
    else:  # the worker comes back to the app
        await event(phone, phone.page, "app_lifecycle_state_change", {"state": "resume"})
    assert phone.find("sync_headline").value == "Everything is on the server."
    assert not phone.find("sync_error").visible
    assert phone.find("sync_reports").value == "Reports and statements: 1 of 1"
    assert phone.find("sync_bytes").value.startswith("Photos: 1 of 1 · ")
    await phone.go("/reports")
    await settle(phone)
    assert text_of(phone.find(f"state-{saved}")) == "On the server"

    with sessions() as session:
        incident = session.get(Incident, saved)
        assert incident is not None and incident.kind is IncidentKind.NEAR_MISS
        assert incident.latitude == pytest.approx(HALL_A[0] + 0.00005) and incident.location_accuracy_m == 8.0
        assert str(incident.area_id) == areas["Hall A"]  # the nearest area, found offline
        [photo] = session.scalars(select(Attachment).where(Attachment.incident_id == saved)).all()
        assert session.get(Blob, photo.sha256) is not None and incident.media_complete


async def test_full_injury_report_with_two_photos_and_a_signed_witness_statement(
    server: ServerProcess, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    add_areas(sessions)
    device = FakeDevice()
    device.pick(
        ("hand-1.jpg", camera_jpeg((200, 60, 60), gps=True)), ("hand-2.jpg", camera_jpeg((60, 60, 200)))
    )
    phone = await start_phone(tmp_path / "phone", server.url, device)
    await sign_in(phone, "worker")
    await tap(phone, "full_report")
    await tap(phone, "form.injury")
    assert phone.find("step_counter").value == "Step 1 of 9"
    await type_into(phone, "field.title", "Cut hand on press 4")
    await tap(phone, "step_next")
    assert phone.find("step_title").value == "Where"
    assert phone.find("location.detail").value == "In Hall A"
    await tap(phone, "step_next")
    await tap(phone, "step_next")  # the injured person's name is missing
    assert phone.find("step_counter").value == "Step 3 of 9"
    assert phone.find("field.employee_name").error == "Please fill this in."
    await type_into(phone, "field.employee_name", "Wanda Worker")
    await tap(phone, "step_next")
    await type_into(phone, "field.what_happened", "The guard was open and the press came down.")
    await tap(phone, "step_next")
    await type_into(phone, "field.injury_description", "Deep cut across the left palm")
    await type_into(phone, "field.body_parts.44", True)
    await tap(phone, "step_next")
    assert phone.find("step_title").value == "Treatment"
    assert phone.find("box.inpatient_date").visible is False
    await type_into(phone, "field.inpatient", "treatment")
    await type_into(phone, "field.treatments.sutures", True)
    await tap(phone, "step_next")
    assert phone.find("field.inpatient_date").error == "Please fill this in."
    await type_into(phone, "field.inpatient_date", "2020-01-01")
    await tap(phone, "step_next")
    assert phone.find("field.inpatient_date").error.startswith("Cannot be earlier than")
    await type_into(phone, "field.inpatient_date", phone.find("field.occurred_at.date").value)
    for _ in range(3):
        await tap(phone, "step_next")
    assert phone.find("step_title").value == "Photos"
    await tap(phone, "photo.add")
    assert len(phone.find("photo.thumbs").controls) == 2
    await tap(phone, "save_report")
    filed = report_id(phone)

    await tap(phone, "add_statement")
    await tap(phone, "sign_statement")  # nothing filled in: every problem is named
    assert phone.find("witness_name").error == "Please fill this in."
    assert phone.find("signature.error").value == "Ask the witness to sign in the box."
    await type_into(phone, "witness_name", "Siti Aminah")
    await type_into(phone, "witness_contact", "+60 12 345 6789")
    await type_into(phone, "witness_relation", "contractor")
    await type_into(phone, "witness_statement", "I saw the guard lifted before the press came down.")
    await sign(phone, [[(30, 120), (80, 60), (130, 140), (180, 60), (230, 120)], [(40, 160), (220, 160)]])
    await tap(phone, "sign_statement")
    assert report_id(phone) == filed
    [card] = phone.find("statements").controls
    statement_id = card.key.removeprefix("statement-")
    assert phone.find(f"signed-{statement_id}").value.startswith("Signed ")

    await tap(phone, f"correct-{statement_id}")  # signed statements never change: a correction is a new one
    assert phone.find("witness_name").value == "Siti Aminah"
    assert phone.find("statement_correcting").value.startswith("This corrects the statement of Siti Aminah")
    await type_into(
        phone, "witness_statement", "I saw the guard lifted, then the press came down on her hand."
    )
    await sign(phone, [[(30, 100), (60, 40), (90, 150), (150, 150), (190, 60), (220, 60)]])
    await tap(phone, "sign_statement")
    assert len(phone.find("statements").controls) == 2

    await phone.go("/sync")
    await settle(phone)
    await tap(phone, "sync_now")
    assert phone.find("sync_headline").value == "Everything is on the server."

    with sessions() as session:
        incident = session.get(Incident, filed)
        assert incident is not None and incident.injury is not None
        assert incident.injury.employee_name == "Wanda Worker" and "sutures" in incident.injury.treatments
        assert incident.injury.inpatient_date is not None and incident.media_complete
        photos = session.scalars(select(Attachment).where(Attachment.incident_id == filed)).all()
        assert sorted(p.slot for p in photos) == ["photo-1", "photo-2"]
        assert photos[0].exif_latitude is not None
        original, correction = session.scalars(
            select(WitnessStatement)
            .where(WitnessStatement.incident_id == filed)
            .order_by(WitnessStatement.taken_at)
        ).all()
        assert original.relation is WitnessRelation.CONTRACTOR and correction.amends_id == original.id
        assert "on her hand" in correction.statement and "on her hand" not in original.statement
        for statement in (original, correction):
            assert (
                statement.signed_at is not None and session.get(Blob, statement.signature_sha256) is not None
            )


async def test_a_draft_survives_a_restart_and_a_form_upgrade(
    server: ServerProcess, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    device = FakeDevice()
    device.pick(("spill.jpg", camera_jpeg((40, 160, 40))))
    phone = await start_phone(tmp_path / "phone", server.url, device)
    await sign_in(phone, "worker")
    await tap(phone, "quick_report")
    await tap(phone, "kind.injury")
    await type_into(phone, "field.title", "Slipped on oil near press 2")
    await tap(phone, "photo.add")
    await event(phone, phone.page, "app_lifecycle_state_change", {"state": "pause"})  # the phone locks

    user_id = str(phone.page.data.store.account.user_id)
    settings = PhoneSettings(data_dir=tmp_path / "phone", server_url=server.url)
    await Drafts.open(settings.database_url).save(  # a draft written by the previous app version
        draft_id=str(uuid.uuid4()),
        user_id=user_id,
        form_id="injury",
        form_version=1,
        values={"title": "Burnt arm on the oven", "treatment": "Cold water for ten minutes"},
    )
    server.stop()
    again = await start_phone(tmp_path / "phone", "http://127.0.0.1:9", FakeDevice())  # killed; offline
    drafts = [c for c in again.find("drafts").controls if str(c.content.key).startswith("draft-")]
    assert len(drafts) == 2

    quick = next(d for d in drafts if d.content.content.controls[1].controls[0].value.startswith("Slipped"))
    await again.click(quick.content)
    await settle(again)
    assert again.find("field.title").value == "Slipped on oil near press 2"
    assert again.page.data.flush is not None
    assert again.find("photo.count").value == "1 of at most 10 photos"
    assert again.find("kind.injury").__class__ is ft.FilledButton  # the chosen kind is filled

    await tap(again, "more_details")  # the quick report becomes the full injury form, answers kept
    assert again.find("screen_title").value == "Injury or illness"
    assert again.find("field.title").value == "Slipped on oil near press 2"
    assert again.find("field.case_type").value == "injury"

    await again.go("/home")
    await settle(again)
    old = next(
        d
        for d in again.find("drafts").controls
        if d.content.content.controls[1].controls[0].value.startswith("Burnt")
    )
    await again.click(old.content)
    await settle(again)
    assert again.find("field.treatment_notes").value == "Cold water for ten minutes"  # v1 → v2


async def test_switching_to_arabic_turns_the_app_right_to_left(
    server: ServerProcess, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    device = FakeDevice()
    phone = await start_phone(tmp_path / "phone", server.url, device)
    await sign_in(phone, "worker")
    assert phone.page.rtl is False
    await phone.select(phone.find("language"), "ar")
    await settle(phone)
    assert phone.page.rtl is True
    assert phone.find("quick_report").content.value == "بلاغ سريع"
    await tap(phone, "quick_report")
    arabic = Translator("ar")
    assert phone.find("field.title").label == arabic("form.common.title") + " *"
    assert arabic("form.common.title") != Translator("en")("form.common.title")
    await tap(phone, "save_report")  # nothing chosen yet: the problems are named in Arabic, at the fields
    assert phone.find("field.kind.error").value == arabic("error.required")
    assert phone.find("field.title").error == arabic("error.required")
    assert phone.find("form_error").value == "بعض الإجابات تحتاج إلى تصحيح (مُعلَّمة باللون الأحمر)."

    again = await start_phone(tmp_path / "phone", server.url, device)  # the choice is remembered
    assert again.page.rtl is True and again.find("screen_title").value == "Field IMS"
    assert again.find("quick_report").content.value == "بلاغ سريع"


async def test_details_are_added_to_a_quick_report_as_an_amendment(
    server: ServerProcess, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    add_areas(sessions)
    phone = await start_phone(tmp_path / "phone", server.url, FakeDevice())
    await sign_in(phone, "worker")
    await tap(phone, "quick_report")
    await tap(phone, "kind.near_miss")
    await type_into(phone, "field.title", "Pallet stacked too high")
    await tap(phone, "save_report")
    filed = report_id(phone)

    await tap(phone, "add_details")  # later, at the canteen: the near-miss form over what was filed
    assert phone.find("screen_title").value == "Add details"
    assert phone.find("field.title").value == "Pallet stacked too high"
    with pytest.raises(LookupError):
        phone.find("box.photos")  # photos and the place stay as filed
    for _ in range(2):
        await tap(phone, "step_next")
    assert phone.find("step_title").value == Translator()("section.hazard")
    await tap(phone, "save_report")
    assert phone.find("field.potential_severity.error").value == "Please fill this in."
    await phone.select(phone.find("field.hazard_type"), "falling_object")
    await type_into(
        phone, "field.what_could_have_happened", "The top pallet could have fallen on the picker."
    )
    await type_into(phone, "field.potential_severity", "high")
    await tap(phone, "save_report")
    assert report_id(phone) == filed

    await phone.go("/sync")
    await settle(phone)
    await tap(phone, "sync_now")
    with sessions() as session:
        incident = session.get(Incident, filed)
        assert incident is not None and incident.near_miss is not None
        assert incident.near_miss.potential_severity.value == "high"
        [amendment] = session.scalars(select(Amendment).where(Amendment.incident_id == filed)).all()
        assert set(amendment.changes) == {"hazard_type", "what_could_have_happened", "potential_severity"}
