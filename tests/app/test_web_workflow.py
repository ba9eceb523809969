"""The staff screens in headless Chromium against the demo (`ims demo --seed-only`) served by a real
server: the officer's queue and incident at tablet and phone width, the supervisor's signed verification,
the HSE manager's dashboard with its charts and a download. Screenshots land in tests/artifacts/.

The demo is seeded once for the module; a few workflow steps (roles, an investigation, status update,
corrective actions done with evidence, notification clocks) are added through the executor, as the
officer's own screens would add them.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from support.browser import PHONE, TABLET, browser_page, screenshot
from support.server import ServerProcess

from models import CorrectiveAction, Incident, SignOff, User, utcnow
from models.enums import CapaStatus, IncidentStatus, MutationStatus
from sync.server.accounts import actor_for_user
from sync.server.blobs import BlobStore
from sync.server.db import make_engine, session_factory
from sync.server.execute import execute

pytestmark = pytest.mark.browser

WAIT = 30_000
PASSWORD = "demo1234"
PHISHING = "Phishing e-mail led to password reset"
SHELVING = "Rak tersusun melebihi had beban"
INTERLOCK = "Guard interlock found taped over"
DRILL = "Require phishing-resistant sign-in for mail"


class Demo:
    """The seeded demo: its server, database and the ids the tests use."""

    def __init__(self, server: ServerProcess, url: str) -> None:
        self.server = server
        self.url = url
        self.engine = make_engine(url)
        self.sessions = session_factory(self.engine)

    def incident(self, title: str) -> uuid.UUID:
        """The id of a demo incident by its title."""
        with self.sessions() as session:
            return session.scalar(select(Incident.id).where(Incident.title == title))

    def act(self, username: str, name: str, args: dict[str, Any]) -> dict[str, Any]:
        """Run one mutation as a demo user (what their screen would send)."""
        with self.sessions.begin() as session:
            user = session.scalar(select(User).where(User.username == username))
            result = execute(session, actor_for_user(session=session, user=user), name, args)
        assert result.status is MutationStatus.APPLIED, (name, result.code, result.message)
        return result.details

    def user(self, username: str) -> str:
        """A demo user's id."""
        with self.sessions() as session:
            return str(session.scalar(select(User.id).where(User.username == username)))


def work_the_demo(demo: Demo) -> None:
    """The officer finishes the corrective actions of two open incidents (evidence attached) and raises
    one more: the supervisor's inbox then has work, and the CAPA board shows three states."""
    for title in (PHISHING, SHELVING):
        with demo.sessions() as session:
            action = session.scalar(
                select(CorrectiveAction.id).where(
                    CorrectiveAction.incident_id == demo.incident(title),
                    CorrectiveAction.status == CapaStatus.IN_PROGRESS,
                )
            )
        evidence = [{"note": "Done and checked on the floor; photos in the work order."}]
        demo.act(
            "officer",
            "ca.transition",
            {"id": str(action), "from": "in_progress", "to": "done", "evidence": evidence},
        )
    drill = {
        "id": str(uuid.uuid4()),
        "incident_id": str(demo.incident(PHISHING)),
        "title": DRILL,
        "control_level": "engineering",
        "owner_id": demo.user("officer"),
        "due_on": (utcnow() + dt.timedelta(days=21)).date().isoformat(),
    }
    demo.act("officer", "ca.create", drill)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """`ims demo --seed-only`, a little work on it, then a real server with the web app."""
    data = tmp_path_factory.mktemp("demo")
    subprocess.run(
        [sys.executable, "-m", "app.cli", "demo", "--seed-only", "--data-dir", str(data)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    url = f"sqlite:///{data / 'ims.db'}"
    proc = ServerProcess(url, data, web=True)
    seeded = Demo(proc, url)
    work_the_demo(seeded)
    proc.start()
    yield seeded
    proc.stop()
    seeded.engine.dispose()


def sign_in(page: Any, username: str) -> None:
    """Sign in with a demo login."""
    for label, text in (("Username", username), ("Password", PASSWORD)):
        page.get_by_role("textbox", name=label).click()
        page.keyboard.press("Control+A")
        page.keyboard.type(text)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for(timeout=WAIT)


def open_route(page: Any, route: str, landmark: str) -> None:
    """Follow an in-app link (the browser's history, as a link or Back would) and wait for the screen."""
    page.evaluate(
        "route => { history.pushState({}, '', route);"
        " window.dispatchEvent(new PopStateEvent('popstate', {state: history.state})); }",
        route,
    )
    page.get_by_text(landmark).first.wait_for(timeout=WAIT)
    page.wait_for_timeout(800)


def test_officer_works_the_queue_and_an_incident_at_tablet_and_phone_width(demo: Demo) -> None:
    interlock, phishing = demo.incident(INTERLOCK), demo.incident(PHISHING)
    with browser_page(demo.server.url + "/", TABLET) as page:
        sign_in(page, "officer")
        open_route(page, "/queue", "incident(s),")
        overdue = page.get_by_role("group", name=re.compile(r"^P1 · Critical .* Overdue "))
        assert overdue.count() >= 1  # in words, beside the red stripe
        screenshot(page, "workflow-queue-tablet")
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(1500)
        screenshot(page, "workflow-queue-phone")
        page.set_viewport_size(TABLET)
        open_route(page, "/queue?status=reported", "incident(s),")
        assert page.get_by_role("group", name=re.compile(INTERLOCK)).count() == 1

        open_route(page, f"/incidents/{phishing}", PHISHING)
        page.get_by_text("Maria Gonzalez").wait_for(timeout=WAIT)
        screenshot(page, "workflow-incident-tablet")
        page.get_by_role("tab", name="Actions (2)").click()
        page.get_by_text("Done, to verify (1)").wait_for(timeout=WAIT)
        page.wait_for_timeout(1000)
        assert page.get_by_text("3. Engineering control").count() == 1  # the new action's level
        assert page.get_by_text("4. Administrative control").count() == 1  # the demo's training
        screenshot(page, "workflow-capa-tablet")
        open_route(page, f"/incidents/{interlock}", INTERLOCK)
        page.get_by_role("button", name="Acknowledge", exact=True).click()
        page.get_by_role("button", name="Start investigation").wait_for(timeout=WAIT)
        assert page.get_by_text("Lim Wei Ming").count() >= 1  # the acknowledger took command

    with demo.sessions() as session:
        incident = session.get(Incident, interlock)
        assert incident.status is IncidentStatus.ACKNOWLEDGED and incident.acknowledged_at is not None


def test_supervisor_verifies_a_done_action_with_a_drawn_signature(demo: Demo) -> None:
    with demo.sessions() as session:
        first = session.scalars(
            select(CorrectiveAction)
            .where(CorrectiveAction.status == CapaStatus.DONE)
            .order_by(CorrectiveAction.done_at)
        ).first()
    with browser_page(demo.server.url + "/", TABLET) as page:
        sign_in(page, "supervisor")
        open_route(page, "/signoffs", "action(s) wait for your signature")
        page.get_by_text(first.title).wait_for(timeout=WAIT)
        screenshot(page, "workflow-signoffs-tablet")
        page.get_by_role("button", name="Verify…").first.click()
        pad = page.get_by_text("Signature pad", exact=True)
        pad.wait_for(timeout=WAIT)
        box = pad.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + 30, box["y"] + 100)
        page.mouse.down()
        for x, y in [(70, 40), (110, 130), (150, 40), (190, 130), (230, 70), (270, 100)]:
            page.mouse.move(box["x"] + x, box["y"] + y, steps=6)
        page.mouse.up()
        screenshot(page, "workflow-signing-tablet")
        page.get_by_role("button", name="Sign and verify").click()
        page.get_by_text("Verified and signed.", exact=True).first.wait_for(timeout=WAIT)
    with demo.sessions() as session:
        action = session.get(CorrectiveAction, first.id)
        assert action.status is CapaStatus.VERIFIED
        sign = session.scalar(
            select(SignOff).where(SignOff.subject_id == action.id, SignOff.meaning == "verified")
        )
        assert sign.signer_name == "Maria Gonzalez" and sign.signature_sha256
        assert BlobStore(demo.server.data_dir / "blobs").read(sign.signature_sha256).startswith(b"\x89PNG")


def test_hse_manager_sees_clocks_and_charts_and_downloads_a_form(demo: Demo) -> None:
    year = utcnow().year
    with browser_page(demo.server.url + "/", TABLET) as page:
        sign_in(page, "hse")
        open_route(page, "/dashboard", "Open notification clocks")
        assert page.get_by_text(re.compile(r": \d+ (d|h|min) .*left$|: overdue by \d")).count() >= 1
        page.get_by_text("Bases: TRIR and DART per 200,000 hours", exact=False).first.wait_for(timeout=WAIT)
        page.wait_for_timeout(1500)  # the chart pictures
        screenshot(page, "workflow-dashboard-tablet")
        with page.expect_download(timeout=WAIT) as download:
            page.get_by_role("button", name="OSHA 300 log").click()
        saved = download.value
        assert saved.suggested_filename == f"osha-300-HOU-{year}.pdf"
        assert Path(saved.path()).read_bytes().startswith(b"%PDF")
