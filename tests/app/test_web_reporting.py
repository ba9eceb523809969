"""The reporting flow in headless Chromium against the web app a real server serves (phone and tablet sizes).

The photo goes through the browser's own file chooser (Playwright answers it with a real JPEG file),
the position through the browser's geolocation (granted and set by Playwright), the signature is
drawn with the mouse. Screenshots of the main screens land in tests/artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PASSWORD
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from support.browser import PHONE, TABLET, browser_page, screenshot
from support.reporting import HALL_A, add_areas, camera_jpeg
from support.server import ServerProcess

from models import Attachment, Incident, WitnessStatement
from models.enums import IncidentKind

pytestmark = pytest.mark.browser

WAIT = 20_000


@pytest.fixture
def backend() -> str:
    """The browser flow does not depend on the database: its server runs on SQLite."""
    return "sqlite"


@pytest.fixture
def web_server(
    people: object, sessions: sessionmaker[Session], db_url: str, tmp_path: Path
) -> Iterator[ServerProcess]:
    """A real server with the web app on, and a site with two areas."""
    add_areas(sessions)
    proc = ServerProcess(db_url, tmp_path / "web", web=True).start()
    yield proc
    proc.stop()


def type_in(page: object, label: str, text: str) -> None:
    """Click an input by its label and type."""
    page.get_by_role("textbox", name=label).click()  # type: ignore[attr-defined]
    page.keyboard.press("Control+A")  # type: ignore[attr-defined]
    page.keyboard.type(text)  # type: ignore[attr-defined]


def press(page: object, name: str) -> None:
    """Press a button by its visible text, once it is there."""
    button = page.get_by_role("button", name=name, exact=True)  # type: ignore[attr-defined]
    button.wait_for(timeout=WAIT)
    button.click()


def shoot(page: object, name: str) -> None:
    """Save a screenshot once the frame that follows the last semantics update is painted."""
    page.wait_for_timeout(600)  # type: ignore[attr-defined]
    screenshot(page, name)


def sign_in(
    page: object, username: str, *, labels: tuple[str, str, str] = ("Username", "Password", "Sign in")
) -> None:
    """Sign in on the sign-in screen."""
    type_in(page, labels[0], username)
    type_in(page, labels[1], PASSWORD)
    press(page, labels[2])


def test_worker_files_a_near_miss_with_a_photo_and_a_signed_statement_at_phone_size(
    web_server: ServerProcess, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    photo = tmp_path / "forklift.jpg"
    photo.write_bytes(camera_jpeg((180, 90, 30), gps=True))
    with browser_page(web_server.url + "/", PHONE) as page:
        page.context.grant_permissions(["geolocation"])
        page.context.set_geolocation({"latitude": HALL_A[0] + 0.0001, "longitude": HALL_A[1], "accuracy": 12})
        sign_in(page, "worker")
        page.get_by_text("Signed in as Wanda Worker").wait_for(timeout=WAIT)
        shoot(page, "report-home-phone")
        press(page, "Quick report")
        press(page, "Near miss")
        type_in(page, "What happened, in a few words *", "Forklift reversed without looking")
        with page.expect_file_chooser(timeout=WAIT) as chooser:
            press(page, "Take or choose a photo")
        chooser.value.set_files(str(photo))
        page.get_by_text("1 of at most 10 photos").wait_for(timeout=WAIT)
        press(page, "Use my location")
        page.get_by_text("In Hall A").wait_for(timeout=WAIT)
        shoot(page, "report-quick-phone")
        press(page, "Save report")

        press(page, "Take a witness statement")
        type_in(page, "Witness name *", "Siti Aminah")
        page.get_by_role("radio", name="A contractor").click()
        type_in(
            page, "What the witness saw, in their words *", "The forklift reversed without its beeper on."
        )
        pad = page.get_by_text("Signature pad: the witness signs here")
        pad.scroll_into_view_if_needed()
        box = pad.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + 30, box["y"] + 120)
        page.mouse.down()
        for x, y in [(70, 50), (110, 150), (150, 50), (190, 150), (230, 80), (270, 120)]:
            page.mouse.move(box["x"] + x, box["y"] + y, steps=6)
        page.mouse.up()
        shoot(page, "report-statement-phone")
        press(page, "Sign and save")
        page.get_by_role("button", name="Add a correction").wait_for(timeout=WAIT)  # signed: read-only now
        shoot(page, "report-detail-phone")

        page.get_by_text("Siti Aminah").first.wait_for(timeout=WAIT)
        press(page, "Back")
        page.get_by_text("1 witness statement(s)").wait_for(timeout=WAIT)  # My reports
        page.get_by_text("Forklift reversed without looking").first.wait_for(timeout=WAIT)
        shoot(page, "report-my-reports-phone")

    with sessions() as session:
        incident = session.scalars(select(Incident)).one()
        assert (
            incident.kind is IncidentKind.NEAR_MISS and incident.title == "Forklift reversed without looking"
        )
        assert incident.latitude == pytest.approx(HALL_A[0] + 0.0001) and incident.location_accuracy_m == 12
        [attachment] = session.scalars(select(Attachment)).all()
        assert attachment.exif_latitude is not None and incident.media_complete
        statement = session.scalars(select(WitnessStatement)).one()
        assert statement.signature_sha256 and statement.signed_at is not None


def test_officer_fills_the_full_injury_form_at_tablet_size(web_server: ServerProcess) -> None:
    with browser_page(web_server.url + "/", TABLET) as page:
        sign_in(page, "officer")
        page.get_by_role("button", name="Open the incident queue").wait_for(timeout=WAIT)
        shoot(page, "report-home-tablet")
        press(page, "Full report")
        shoot(page, "report-choose-tablet")
        press(page, "Injury or illness")
        page.get_by_text("Step 1 of 9").wait_for(timeout=WAIT)
        press(page, "Next")
        page.get_by_text("Please fill this in.").first.wait_for(timeout=WAIT)  # the title is missing
        type_in(page, "What happened, in a few words *", "Cut hand on press 4")
        press(page, "Next")
        page.get_by_text("Step 2 of 9").wait_for(timeout=WAIT)
        press(page, "Next")
        page.get_by_text("Step 3 of 9").wait_for(timeout=WAIT)
        shoot(page, "report-injury-tablet")


def test_arabic_worker_sees_a_right_to_left_app(web_server: ServerProcess) -> None:
    with browser_page(web_server.url + "/", PHONE) as page:
        page.get_by_role("button", name="Language").click()
        page.get_by_role("button", name="العربية", exact=True).click()
        page.get_by_role("button", name="تسجيل الدخول").wait_for(timeout=WAIT)
        sign_in(page, "worker", labels=("اسم المستخدم", "كلمة المرور", "تسجيل الدخول"))
        press(page, "بلاغ سريع")
        page.get_by_role("button", name="حادث وشيك").wait_for(timeout=WAIT)
        press(page, "حفظ البلاغ")
        page.get_by_text("بعض الإجابات تحتاج إلى تصحيح (مُعلَّمة باللون الأحمر).").wait_for(timeout=WAIT)
        shoot(page, "report-quick-phone-ar")
        page.mouse.move(200, 600)
        page.mouse.wheel(0, 800)
        shoot(page, "report-quick-phone-ar-bottom")


def test_a_draft_typed_in_the_browser_is_there_after_a_reload_and_a_server_restart(
    web_server: ServerProcess, sessions: sessionmaker[Session]
) -> None:
    title = "Oil leak under press 4"
    with browser_page(web_server.url + "/", PHONE) as page:
        sign_in(page, "worker")
        press(page, "Quick report")
        press(page, "Near miss")
        type_in(page, "What happened, in a few words *", title)
        page.wait_for_timeout(2500)  # autosave writes after a second of quiet
    web_server.stop()
    web_server.start()
    with browser_page(web_server.url + "/", PHONE) as page:
        sign_in(page, "worker")
        page.get_by_text(title).first.wait_for(timeout=WAIT)
        page.get_by_text(title).first.click()
        press(page, "Save report")  # the restored draft files as it was typed
        page.get_by_text("Report saved.").first.wait_for(timeout=WAIT)
    with sessions() as session:
        assert session.scalars(select(Incident.kind).where(Incident.title == title)).all() == [
            IncidentKind.NEAR_MISS
        ]
