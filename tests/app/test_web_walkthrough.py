"""Issue 5's walk-through with the staff part in a real browser: a worker reports a hospitalised injury
on a phone with no signal; it syncs once the server is reachable; then, in headless Chromium on the web
app a real `ims server` serves, the safety officer acknowledges it, assigns the roles, investigates,
posts a status update and finishes a corrective action with evidence; the supervisor (signed in on
the same browser after the officer signs out) verifies it with a drawn signature; the officer resolves
it, writes the post-incident review and closes it through the checklist. After each step the test
reads what the page says; at the end it reads the database and runs `ims audit verify`.

The worker's part runs on the phone's own store (`PhoneStore`: local SQLite, outbox, `sync_once`), as
in test_walkthrough.py. Screenshots land in tests/artifacts/.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSWORD
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from support.browser import TABLET, browser_page, screenshot
from support.server import ServerProcess
from support.walkthrough import TITLE, assert_audit_intact, report_offline_then_sync

from models import (
    CorrectiveAction,
    Incident,
    IncidentRole,
    Investigation,
    PostIncidentReview,
    SignOff,
    StatusUpdate,
    User,
)
from models.enums import CapaStatus, IncidentRoleKind, IncidentStatus, Priority, RootCauseCategory
from sync.server.blobs import BlobStore

pytestmark = pytest.mark.browser

WAIT = 30_000
ACTION = "Interlock the bypass key to the die-change procedure"
REVIEW = {
    "What exactly happened, and what was the impact?": "A hand was crushed in press 4; two days in hospital.",
    "What was the root cause: the system or process failure that allowed it, not the symptom?": (
        "The light curtain could stay bypassed after a die change."
    ),
    "How did we detect it, and could we have detected it faster?": (
        "The operator called out at once; the curtain log would have shown the bypass."
    ),
    "What did we do well during the response, and what slowed us down?": (
        "First aid and the ambulance were fast; finding the bypass key took long."
    ),
}
"""The review's four written answers, by the question the screen asks; its agreed action is the fifth."""


@pytest.fixture
def backend() -> str:
    """The browser walk-through does not depend on the database: its server runs on SQLite."""
    return "sqlite"


@pytest.fixture
def web_server(people: dict[str, User], db_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """A real server with the web app on, serving the seeded people."""
    proc = ServerProcess(db_url, tmp_path / "server-data", web=True).start()
    yield proc
    proc.stop()


class Browser:
    """The web app in one headless Chromium page, driven the way a person would: by what it says."""

    def __init__(self, page: Any) -> None:
        self.page = page

    def reveal(self, target: Any) -> Any:
        """Scroll the screen (with the mouse wheel, as a person would) until `target` is between the app
        bar and the navigation bar, or the screen scrolls no further."""
        size = self.page.viewport_size
        seen = None
        for _ in range(8):
            box = target.bounding_box(timeout=WAIT)
            inside = box is not None and 70 < box["y"] and box["y"] + box["height"] < size["height"] - 90
            if box is None or inside or box == seen:
                break
            seen = box
            self.page.mouse.move(size["width"] / 2, size["height"] / 2)
            self.page.mouse.wheel(0, box["y"] - size["height"] / 2)
            self.page.wait_for_timeout(250)
        return target

    def press(self, name: str) -> None:
        """Press a button by its accessible name."""
        button = self.page.get_by_role("button", name=name, exact=True)
        button.wait_for(timeout=WAIT)
        self.reveal(button).click()

    def type_in(self, label: str, text: str) -> None:
        """Click a text field by its label and type."""
        field = self.page.get_by_role("textbox", name=label, exact=True)
        field.wait_for(timeout=WAIT)
        self.reveal(field).click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)

    def tick(self, label: str, role: str = "checkbox") -> None:
        """Tick a box (or choose a radio button) by its label."""
        box = self.page.get_by_role(role, name=label, exact=True)
        box.wait_for(timeout=WAIT)
        self.reveal(box).click()

    def choose(self, menu: str, option: str) -> None:
        """Open a menu by its name and pick an option (clicked near its start: a fixed-width menu's
        accessible box spans the whole row, wider than the menu drawn in it)."""
        opener = self.page.get_by_role("button", name=menu, exact=True)
        opener.wait_for(timeout=WAIT)
        box = self.reveal(opener).bounding_box()
        opener.click(position={"x": 24, "y": box["height"] / 2})
        self.page.get_by_role("button", name=option, exact=True).click(timeout=WAIT)  # the open menu

    def tab(self, name: str, landmark: str) -> None:
        """Open a tab of the incident and wait for what it shows (tapping again, as a person would, when
        the tap landed on the screen a save was just redrawing)."""
        tab = self.page.get_by_role("tab", name=re.compile(f"^{re.escape(name)}")).first
        for _ in range(3):
            tab.click()
            try:
                self.page.get_by_text(landmark).first.wait_for(timeout=5_000)
                return
            except PlaywrightTimeout:
                continue
        self.sees(landmark)

    def sees(self, text: str) -> None:
        """Wait until the page shows `text` (as a whole text or within one)."""
        try:
            self.page.get_by_text(text).first.wait_for(timeout=WAIT)
        except PlaywrightTimeout as error:
            shown = self.page.locator("body").aria_snapshot()
            raise AssertionError(f"the page does not show {text!r}; it shows:\n{shown}") from error

    def open_route(self, route: str, landmark: str) -> None:
        """Follow an in-app link (the browser's history, as a link or Back would) and wait for the screen."""
        self.page.evaluate(
            "route => { history.pushState({}, '', route);"
            " window.dispatchEvent(new PopStateEvent('popstate', {state: history.state})); }",
            route,
        )
        self.sees(landmark)
        self.page.wait_for_timeout(500)

    def sign_in(self, username: str, name: str) -> None:
        """Sign in on the sign-in screen."""
        self.type_in("Username", username)
        self.type_in("Password", PASSWORD)
        self.press("Sign in")
        self.sees(f"Signed in as {name}")

    def sign_out(self) -> None:
        """Sign out from the home screen."""
        self.open_route("/home", "Signed in as")
        self.press("Sign out")
        self.page.get_by_role("textbox", name="Username").wait_for(timeout=WAIT)

    def shot(self, name: str) -> None:
        """Save a screenshot once the frame after the last change is painted."""
        self.page.wait_for_timeout(500)
        screenshot(self.page, name)


def test_an_injury_reported_offline_is_worked_to_closure_in_the_browser(
    web_server: ServerProcess, sessions: sessionmaker[Session], people: dict[str, User], tmp_path: Path
) -> None:
    incident_id, _photo = asyncio.run(report_offline_then_sync(web_server, sessions, tmp_path / "phone"))
    with sessions() as session:
        assert session.get(Incident, incident_id).priority is Priority.P1
    incident = f"/incidents/{incident_id}"

    with browser_page(web_server.url + "/", TABLET) as page:
        web = Browser(page)
        # -- the safety officer: the synced injury is in the queue; one tap acknowledges and takes command
        web.sign_in("officer", "Olga Officer")
        web.open_route("/queue", "incident(s),")
        card = page.get_by_role("group", name=re.compile(rf"^P1 · Critical {TITLE} .*No commander yet"))
        card.wait_for(timeout=WAIT)
        web.press("Acknowledge")
        page.get_by_role("group", name=re.compile(r"Commander: Olga Officer")).wait_for(timeout=WAIT)

        # -- roles: the commander is the acknowledger; the communication lead and resolver are assigned
        web.open_route(incident, TITLE)
        web.sees("Siti's left hand was caught in the die of press 4.")
        web.choose("Assign to (Communication lead)", "Sam Supervisor")
        web.sees("Communication lead filled in")
        assert page.get_by_text("Sam Supervisor", exact=True).count() == 1  # the lead's name, in the roles
        web.choose("Assign to (Resolver)", "Olga Officer")
        web.sees("Resolver filled in")
        assert page.get_by_text("Olga Officer", exact=True).count() == 2  # commander and resolver
        web.shot("walkthrough-roles-tablet")

        # -- the investigation: 5 Whys, contributing factor, root-cause category, root cause, findings
        web.press("Start investigation")
        web.sees("Investigation started.")
        page.get_by_role("button", name="Resolve…").wait_for(timeout=WAIT)  # the next step is offered
        web.tab("Investigation", "5 Whys")
        whys = (
            "Her hand was in the die area when the press cycled",
            "The light curtain had been bypassed for a die change",
            "Nothing forces the curtain back on after a die change",
        )
        for n, why in enumerate(whys, start=1):
            web.type_in(f"Why {n}?", why)
        web.tick("Equipment")
        web.type_in("Equipment: what contributed", "Bypass key left in the curtain controller")
        web.choose("Root-cause category", "Design")
        web.type_in("Root cause", "The light curtain can stay bypassed after a die change.")
        web.type_in("Findings", "The bypass key was in the controller; no interlock returns the curtain.")
        web.tick("Photo: Press 4 die area")
        web.press("Save investigation")
        web.sees("Saved.")
        web.shot("walkthrough-investigation-tablet")

        # -- a status update from the holding template
        web.tab("Status updates", "New status update")
        web.type_in("Impact", "Press 4 stopped; lines 1 to 3 running")
        web.sees("Status: Investigating · Impact: Press 4 stopped; lines 1 to 3 running")  # the preview
        web.press("Post update")
        web.sees("Status update posted.")
        web.sees("Internal · Olga Officer")
        web.sees("Impact: Press 4 stopped; lines 1 to 3 running")  # posted (the new form starts blank)

        # -- a corrective action: created, started, done with evidence
        web.tab("Actions", "New corrective or preventive action")
        web.type_in("Action", ACTION)
        web.tick("3. Engineering control", role="radio")
        web.choose("Owner", "Olga Officer")
        web.press("Create action")
        web.sees("Action created.")
        web.sees("Open (1)")
        web.press("Start")
        web.sees("In progress (1)")
        web.press("Mark done…")
        web.type_in("What was done (evidence)", "Key switch replaced by a timed interlock; tested.")
        web.press("Mark done")
        web.sees("Marked done. It waits for a supervisor's signature.")
        web.sees("Done, to verify (1)")
        web.shot("walkthrough-capa-done-tablet")
        web.sign_out()

        # -- the supervisor signs in and verifies it with a drawn signature
        web.sign_in("supervisor", "Sam Supervisor")
        web.open_route("/signoffs", "1 action(s) wait for your signature")
        web.sees(ACTION)
        web.press("Verify…")
        pad = web.reveal(page.get_by_text("Signature pad", exact=True))
        box = pad.bounding_box()
        page.mouse.move(box["x"] + 30, box["y"] + 100)
        page.mouse.down()
        for x, y in [(70, 40), (110, 130), (150, 40), (190, 130), (230, 70), (270, 100)]:
            page.mouse.move(box["x"] + x, box["y"] + y, steps=6)
        page.mouse.up()
        web.shot("walkthrough-signing-tablet")
        web.press("Sign and verify")
        web.sees("Verified and signed.")
        web.sees("Nothing waits for your signature.")
        web.sign_out()

        # -- the officer sees it verified, resolves, writes the review and closes through the checklist
        web.sign_in("officer", "Olga Officer")
        web.open_route(f"{incident}/actions", "Verified (1)")
        web.sees("Verified and signed by Sam Supervisor")
        web.open_route(incident, "Close checklist")
        web.press("Resolve…")
        web.tick("Permanent fix", role="radio")
        web.type_in("Resolution summary", "Press 4 back in service with the timed interlock.")
        web.press("Resolve now")
        web.sees("Resolved.")
        page.get_by_role("button", name="Close…").wait_for(timeout=WAIT)
        web.tab("Review", "Required for P1 and P2 within 72 hours of resolution.")
        web.press("Schedule review")
        web.sees("Review scheduled.")
        for question, answer in REVIEW.items():
            web.type_in(question, answer)
        web.type_in("Action", "Audit every press for bypass keys")
        web.choose("Owner", "Sam Supervisor")
        web.press("Add action")
        web.sees("Audit every press for bypass keys (Sam Supervisor, by")
        web.press("Complete review")
        web.sees("Review completed; its actions are on the board.")
        web.sees("Completed ")
        for answer in REVIEW.values():
            web.sees(answer)
        web.shot("walkthrough-review-tablet")

        web.tab("Summary", "Close checklist")
        web.press("Close…")
        web.sees("Post-incident review scheduled (P1/P2): done")
        web.tick("Service or area back to normal")
        web.tick("Affected people told")
        web.press("Close now")
        web.sees("Closed.")
        page.get_by_role("button", name="Reopen…").wait_for(timeout=WAIT)
        web.sees("Affected people told: done")
        web.shot("walkthrough-closed-tablet")

    with sessions() as session:
        row = session.get(Incident, incident_id)
        assert row.status is IncidentStatus.CLOSED and row.closed_at is not None
        assert row.service_restored and row.affected_informed and row.resolution_summary
        roles = {
            (r.role, r.user_id)
            for r in session.scalars(select(IncidentRole).where(IncidentRole.incident_id == row.id))
            if r.ended_at is None
        }
        assert roles == {
            (IncidentRoleKind.COMMANDER, people["officer"].id),
            (IncidentRoleKind.COMMUNICATION_LEAD, people["supervisor"].id),
            (IncidentRoleKind.RESOLVER, people["officer"].id),
        }
        investigation = session.scalar(select(Investigation).where(Investigation.incident_id == row.id))
        assert (
            len(investigation.five_whys) == 3
            and investigation.root_cause_category is RootCauseCategory.DESIGN
        )
        assert investigation.contributing_factors[0]["category"] == "equipment"
        assert session.scalar(select(StatusUpdate).where(StatusUpdate.incident_id == row.id)) is not None
        action = session.scalar(
            select(CorrectiveAction).where(
                CorrectiveAction.incident_id == row.id, CorrectiveAction.title == ACTION
            )
        )
        assert action.status is CapaStatus.VERIFIED and action.evidence
        sign = session.scalar(
            select(SignOff).where(SignOff.subject_id == action.id, SignOff.meaning == "verified")
        )
        assert sign.signer_name == "Sam Supervisor" and sign.signature_sha256
        blobs = BlobStore(web_server.data_dir / "blobs")
        assert blobs.read(sign.signature_sha256).startswith(b"\x89PNG")
        review = session.scalar(select(PostIncidentReview).where(PostIncidentReview.incident_id == row.id))
        assert review.completed_at is not None
        assert review.root_cause == REVIEW[next(q for q in REVIEW if q.startswith("What was the root"))]

    assert_audit_intact(web_server.db_url)
