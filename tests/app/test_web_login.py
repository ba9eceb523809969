"""The web app the server serves, in headless Chromium at phone size: sign in, see the role's home."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PASSWORD, fresh_engine, seed_people
from support.browser import PHONE, TABLET, browser_page, screenshot
from support.server import ServerProcess

from sync.server.db import session_factory

pytestmark = pytest.mark.browser


@pytest.fixture
def web_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A real server with the web app on, over SQLite (the browser flow does not depend on the database)."""
    url = f"sqlite:///{tmp_path / 'web.db'}"
    seed_people(session_factory(fresh_engine(url)))
    proc = ServerProcess(url, tmp_path / "web", web=True).start()
    yield proc
    proc.stop()


def sign_in(page: object, username: str) -> None:
    """Type the credentials and press Sign in."""
    for label, text in (("Username", username), ("Password", PASSWORD)):
        page.get_by_role("textbox", name=label).click()  # type: ignore[attr-defined]
        page.keyboard.press("Control+A")  # type: ignore[attr-defined]
        page.keyboard.type(text)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]


def test_officer_and_worker_sign_in_and_out(web_server: ServerProcess) -> None:
    with browser_page(web_server.url + "/", PHONE) as page:
        screenshot(page, "login-phone")
        sign_in(page, "nobody")
        page.get_by_text("Wrong username or password.").wait_for(timeout=15_000)
        sign_in(page, "officer")
        page.get_by_text("Signed in as Olga Officer").wait_for(timeout=15_000)
        assert page.get_by_role("button", name="Open the incident queue").count() == 1
        screenshot(page, "home-officer-phone")
        page.get_by_role("button", name="Sign out").click()
        sign_in(page, "worker")
        page.get_by_text("Signed in as Wanda Worker").wait_for(timeout=15_000)
        assert page.get_by_role("button", name="Quick report").count() == 1
        assert page.get_by_text("Incident queue").count() == 0  # a worker's home is reporting


def test_tablet_layout_signs_in(web_server: ServerProcess) -> None:
    with browser_page(web_server.url + "/", TABLET) as page:
        sign_in(page, "manager")
        page.get_by_text("Signed in as Hana Manager").wait_for(timeout=15_000)
        screenshot(page, "home-manager-tablet")
