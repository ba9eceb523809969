"""Headless Chromium (Debian's) driven by Playwright against the Flet web app, with semantics on."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--enable-unsafe-swiftshader",
]
PHONE = {"width": 412, "height": 915}
TABLET = {"width": 1024, "height": 1366}
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def require_chromium() -> None:
    """Skip (loudly) without Chromium, except in CI where IMS_REQUIRE_BROWSER makes it a failure."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("IMS_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; CI must install Debian's chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium); browser tests skipped")


@contextmanager
def browser_page(url: str, viewport: dict[str, int] = PHONE) -> Iterator[object]:
    """Open the Flet app at `url` in a fresh headless Chromium, wait for it, and turn semantics on."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            tempfile.mkdtemp(prefix="ims-chromium-"),
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport=viewport,
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.goto(url)
            page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=90_000)
            page.wait_for_timeout(1500)
            page.evaluate("document.querySelector('flt-semantics-placeholder').click()")
            page.wait_for_timeout(1000)
            yield page
        finally:
            context.close()


def screenshot(page: object, name: str) -> Path:
    """Save a screenshot under tests/artifacts/ for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))  # type: ignore[attr-defined]
    return path
