"""Driving the staff screens in the in-process Flet client: open the web app on the central store (in
process), sign in, tap, type, pick, draw a signature, and read what the screen says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import flet as ft
from conftest import PASSWORD
from sqlalchemy.orm import Session, sessionmaker

from app.main import make_main
from support.flet_harness import FletHarness
from sync.server.blobs import BlobStore
from sync.server.webstore import ServerStore

TABLET = (1024, 1366)
PHONE = (412, 915)
SIGNATURE = [[(30, 120), (80, 60), (130, 140), (180, 60), (230, 120)], [(40, 160), (220, 160)]]


class Device:
    """What the browser answers to service calls: preferences, the save dialog, the file picker."""

    def __init__(self) -> None:
        self.saved: list[dict[str, Any]] = []
        self.files: list[dict[str, Any]] = []

    def __call__(self, name: str, args: Any) -> Any:
        """Answer one method call."""
        if name == "save_file":
            self.saved.append(args)
            return None
        if name == "pick_files":
            return self.files
        return None


async def open_app(
    sessions: sessionmaker[Session],
    blobs: Path,
    username: str,
    *,
    size: tuple[int, int] = TABLET,
    device: Device | None = None,
) -> FletHarness:
    """Open the web app in the in-process client at a screen size and sign in."""
    store = ServerStore(sessions, BlobStore(blobs))
    app = FletHarness(method_handler=device or Device(), platform="linux", web=True)
    app.session.apply_page_patch({"width": size[0], "height": size[1]})
    await app.start(make_main(lambda: store))
    await type_into(app, "username", username)
    await type_into(app, "password", PASSWORD)
    await tap(app, "sign_in")
    return app


async def settle(app: FletHarness) -> None:
    """Wait for navigation and background work."""
    await app.settle()
    await app.page.data.idle()
    await app.settle()


async def tap(app: FletHarness, key: str) -> None:
    """Press a button (or anything clickable) by key."""
    await app.click(app.find(key))
    await settle(app)


async def type_into(app: FletHarness, key: str, value: Any) -> None:
    """Type into an input, tick a box or pick a radio by key."""
    await app.set_value(app.find(key), value)
    await settle(app)


async def choose(app: FletHarness, key: str, value: str) -> None:
    """Pick an option of a menu by key."""
    await app.select(app.find(key), value)
    await settle(app)


async def go(app: FletHarness, route: str) -> None:
    """Follow a link (the same route again shows the screen anew, as Shell.go does)."""
    if route == app.page.route:
        await app.page.data.refresh()
    else:
        await app.go(route)
    await settle(app)


async def draw(app: FletHarness, key: str) -> None:
    """Sign on a signature pad with a finger."""
    pad = app.find(key)
    for stroke in SIGNATURE:
        (x, y), *rest = stroke
        await app.session.dispatch_event(
            pad._i, "pan_start", {"k": "touch", "l": {"x": x, "y": y}, "g": {"x": x, "y": y}}
        )
        for x, y in rest:
            await app.session.dispatch_event(
                pad._i, "pan_update", {"l": {"x": x, "y": y}, "g": {"x": x, "y": y}}
            )
        await app.session.dispatch_event(
            pad._i, "pan_end", {"l": {"x": x, "y": y}, "g": {"x": x, "y": y}, "v": {"x": 0, "y": 0}}
        )
    await settle(app)


def words(control: ft.Control) -> str:
    """Every text under a control, joined (what a person reads there)."""
    found: list[str] = []
    stack: list[Any] = [control]
    while stack:
        c = stack.pop(0)
        if isinstance(c, ft.Text) and c.value:
            found.append(str(c.value))
        for name in ("controls", "content", "title", "subtitle", "leading", "trailing"):
            v = getattr(c, name, None)
            if isinstance(v, list):
                stack.extend(x for x in v if isinstance(x, ft.BaseControl))
            elif isinstance(v, ft.BaseControl):
                stack.append(v)
            elif isinstance(v, str) and name == "content":
                found.append(v)
    return " | ".join(found)


def toast(app: FletHarness) -> str:
    """The last short message shown at the bottom."""
    bars = [d for d in app.page._dialogs.controls if isinstance(d, ft.SnackBar)]
    return words(bars[-1].content) if bars else ""


def keys(control: ft.Control) -> list[str]:
    """The keys of a row's or column's children, in order."""
    return [str(c.key) for c in control.controls if c.key is not None]


def has(app: FletHarness, key: str) -> bool:
    """Whether the screen shows a control with this key."""
    try:
        found = app.find(key)
    except LookupError:
        return False
    return bool(found.visible)
