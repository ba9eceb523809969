"""Taking a report photo with the phone's camera, in the in-process Flet client.

The fake device plays the Dart side of flet-camera and flet-permission-handler: the camera
permission, the list of cameras, starting and switching a camera, and the shutter's JPEG bytes.
The full flow runs on a phone store against a real server; the refusals run on the central store
in process (the photo field does not depend on the store).
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
from pathlib import Path

import flet as ft
import pytest
from conftest import PASSWORD
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from support.flet_harness import FletHarness
from support.reporting import BACK_CAMERA, FakeDevice, camera_jpeg
from support.server import ServerProcess
from support.staff_screens import settle, tap, type_into

from app.drafts import Drafts
from app.main import make_main
from app.phone_store import PhoneStore
from app.settings import PhoneSettings
from models import Attachment, Blob, Incident
from sync.server.blobs import BlobStore
from sync.server.webstore import ServerStore

NOT_ALLOWED = "The camera was not allowed. Choose a photo instead."


@pytest.fixture
def backend() -> str:
    """The photo field does not depend on the database: run on SQLite."""
    return "sqlite"


async def open_quick_report(app: FletHarness, main, language: str = "en") -> FletHarness:  # type: ignore[no-untyped-def]
    """Start the app, sign the worker in, choose the language and open the quick report."""
    await app.start(main)
    app.page.data.autosave_delay = 0
    await settle(app)
    await type_into(app, "username", "worker")
    await type_into(app, "password", PASSWORD)
    await tap(app, "sign_in")
    if language != "en":
        await app.select(app.find("language"), language)
        await settle(app)
    await tap(app, "quick_report")
    return app


async def on_central_store(
    sessions: sessionmaker[Session],
    tmp_path: Path,
    device: FakeDevice,
    *,
    platform: str,
    web: bool,
    language: str = "en",
) -> FletHarness:
    """The quick report on the central store in process, on a page of the given platform."""
    store = ServerStore(sessions, BlobStore(tmp_path / "blobs"))
    app = FletHarness(method_handler=device, platform=platform, web=web)
    return await open_quick_report(app, make_main(lambda: store), language)


def sheet(app: FletHarness) -> ft.AlertDialog:
    """The camera view opened last."""
    views = [d for d in app.page._dialogs.controls if d.key == "camera.sheet"]
    if not views:
        raise LookupError("camera.sheet")
    return views[-1]


def in_sheet(app: FletHarness, key: str) -> ft.Control:
    """A control of the camera view by key."""
    return app.find(key, root=sheet(app))


def decoded(data: bytes) -> Image.Image:
    """Bytes as an RGB picture."""
    return Image.open(io.BytesIO(data)).convert("RGB")


def marker_top_right(picture: Image.Image) -> bool:
    """Whether the white marker (top left of the sensor image) shows top right, as when held upright."""
    w, h = picture.size
    white = all(c > 230 for c in picture.getpixel((w - 5, 5)))
    return white and not all(c > 230 for c in picture.getpixel((5, 5)))


async def test_photo_taken_upright_with_the_back_camera_is_saved_with_the_report(
    server: ServerProcess, tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    shot = camera_jpeg((40, 90, 200), orientation=6)  # a 1600×1200 sensor image of an upright phone
    device = FakeDevice(picture=shot)
    settings = PhoneSettings(data_dir=tmp_path / "phone", server_url=server.url)
    main = make_main(lambda: PhoneStore(settings), drafts_factory=lambda: Drafts.open(settings.database_url))
    phone = await open_quick_report(FletHarness(method_handler=device), main)

    take, choose = phone.find("photo.take"), phone.find("photo.add")
    assert (take.visible, take.content.value, choose.content.value) == (True, "Take photo", "Choose photo")
    assert take.height >= 48 and choose.height >= 48
    await tap(phone, "kind.near_miss")
    await type_into(phone, "field.title", "Cable across the walkway")
    await tap(phone, "photo.take")
    assert sheet(phone).open
    assert device.lenses == [BACK_CAMERA["name"]]  # the back camera, though listed second
    shutter = in_sheet(phone, "camera.shutter")
    assert not shutter.disabled and shutter.width >= 64 and shutter.height >= 64
    assert shutter.icon.semantics_label == "Take the picture"
    assert in_sheet(phone, "camera.switch").visible
    await phone.click(shutter)
    await settle(phone)

    assert not sheet(phone).open
    assert phone.find("photo.count").value == "1 of at most 10 photos"
    assert not phone.find("photo.error").visible and not phone.find("photo.camera_error").visible
    thumb = decoded(phone.find("photo.thumb.photo-1").src)
    assert thumb.size == (240, 320) and marker_top_right(thumb)  # upright, not as the sensor saw it
    await tap(phone, "save_report")
    saved = phone.page.route.split("/")[2]
    await phone.go("/sync")
    await settle(phone)
    await tap(phone, "sync_now")
    assert phone.find("sync_headline").value == "Everything is on the server."

    with sessions() as session:
        incident = session.get(Incident, uuid.UUID(saved))
        assert incident is not None and incident.media_complete
        [photo] = session.scalars(select(Attachment).where(Attachment.incident_id == incident.id)).all()
        assert (photo.width, photo.height, photo.mime) == (1200, 1600, "image/jpeg")
        assert photo.original_sha256 == hashlib.sha256(shot).hexdigest()
        assert session.get(Blob, photo.sha256) is not None
    [stored] = list(server.data_dir.rglob(photo.sha256))
    upload = decoded(stored.read_bytes())
    assert upload.size == (1200, 1600) and marker_top_right(upload)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"camera_permission": "denied", "camera_requested": "denied"}, NOT_ALLOWED),
        (
            {"camera_permission": "permanentlyDenied"},
            "The camera is blocked for this app. Allow it in settings, or choose a photo instead.",
        ),
        ({"cameras": []}, "This device has no camera the app can use. Choose a photo instead."),
        (
            {"camera_failure": "CameraException(CameraAccessDenied)"},
            "The camera did not work. Try again, or choose a photo instead.",
        ),
    ],
    ids=["denied", "denied_forever", "no_camera", "camera_error"],
)
async def test_a_camera_that_cannot_be_used_is_explained_and_choosing_still_works(
    people: object, sessions: sessionmaker[Session], tmp_path: Path, setup: dict, message: str
) -> None:
    device = FakeDevice(**setup)
    app = await on_central_store(sessions, tmp_path, device, platform="android", web=False)
    await tap(app, "photo.take")

    assert app.find("photo.camera_error").value == message
    assert app.find("photo.camera_error").visible
    assert not any(d.open for d in app.page._dialogs.controls if d.key == "camera.sheet")
    assert ("request" in device.calls) == (
        setup.get("camera_permission") == "denied"
    )  # unless refused for good
    forever = setup.get("camera_permission") == "permanentlyDenied"
    assert app.find("photo.camera.open_settings").visible == forever  # the way back, when refused for good
    if forever:
        await tap(app, "photo.camera.open_settings")
        assert "open_app_settings" in device.calls
    device.pick(("gallery.jpg", camera_jpeg()))
    await tap(app, "photo.add")
    assert app.find("photo.count").value == "1 of at most 10 photos"
    assert not app.find("photo.camera_error").visible


async def test_the_refusal_is_said_in_the_workers_language(
    people: object, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    device = FakeDevice(camera_permission="denied", camera_requested="denied")
    app = await on_central_store(sessions, tmp_path, device, platform="android", web=False, language="ms")
    assert app.find("photo.take").content.value == "Ambil foto"
    assert app.find("photo.add").content.value == "Pilih foto"
    await tap(app, "photo.take")

    assert (
        app.find("photo.camera_error").value
        == "Kebenaran kamera tidak diberikan. Pilih foto sebagai gantinya."
    )


async def test_a_picture_that_is_not_an_image_is_refused_and_nothing_is_kept(
    people: object, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    device = FakeDevice(picture=b"\x00\x01 not a picture \xff" * 40)
    app = await on_central_store(sessions, tmp_path, device, platform="ios", web=False)
    await tap(app, "kind.near_miss")
    await type_into(app, "field.title", "Ladder with a broken rung")
    await tap(app, "photo.take")
    await tap(app, "photo.take")  # pressed twice: still one camera view
    assert len([d for d in app.page._dialogs.controls if d.key == "camera.sheet"]) == 1
    await app.click(in_sheet(app, "camera.shutter"))
    await settle(app)

    error = app.find("photo.error")
    assert error.visible
    assert re.fullmatch(
        r"“camera-\d{8}-\d{6}\.jpg” is not a picture\. Choose a JPEG, PNG or WebP photo\.", error.value
    )
    assert app.find("photo.thumbs").controls == []
    assert app.find("photo.count").value == "No photo yet."
    await tap(app, "save_report")
    with sessions() as session:
        [incident] = session.scalars(select(Incident)).all()
        assert incident.title == "Ladder with a broken rung"
        assert session.scalars(select(Attachment)).all() == []


async def test_switching_and_cancelling_keep_no_photo(
    people: object, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    device = FakeDevice(picture=camera_jpeg())
    app = await on_central_store(sessions, tmp_path, device, platform="android", web=False)
    await tap(app, "photo.take")
    await app.click(in_sheet(app, "camera.switch"))
    await settle(app)
    assert device.lenses == ["0", "1"]  # back, then front
    assert not in_sheet(app, "camera.shutter").disabled
    await app.click(in_sheet(app, "camera.cancel"))
    await settle(app)

    assert not sheet(app).open
    assert app.find("photo.count").value == "No photo yet."
    assert not app.find("photo.camera_error").visible and not app.find("photo.error").visible
    assert "take_picture" not in device.calls


@pytest.mark.parametrize(
    ("platform", "web"), [("android", True), ("linux", False)], ids=["phone-browser", "desktop"]
)
async def test_without_a_native_camera_there_is_one_button_for_the_picker(
    people: object, sessions: sessionmaker[Session], tmp_path: Path, platform: str, web: bool
) -> None:
    device = FakeDevice()
    app = await on_central_store(sessions, tmp_path, device, platform=platform, web=web)

    assert not app.find("photo.take").visible
    assert app.find("photo.add").content.value == "Take or choose a photo"
    device.pick(("site.jpg", camera_jpeg()))
    await tap(app, "photo.add")
    assert app.find("photo.count").value == "1 of at most 10 photos"
    assert "get_available_cameras" not in device.calls
