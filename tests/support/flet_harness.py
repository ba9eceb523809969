"""Minimal in-process Flet 'client' for tests: no Flutter, no sockets.

Builds a real flet Session/Page on top of a fake Connection that records
outgoing protocol messages, so `main(page)` runs unmodified and events can be
dispatched by control id exactly like the Flutter client would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import flet as ft
import msgpack
from flet.controls.base_control import BaseControl
from flet.controls.context import _context_page
from flet.messaging.connection import Connection
from flet.messaging.protocol import (
    Message,
    MessageAction,
    RegisterClientResponseBody,
    configure_encode_object_for_msgpack,
    decode_ext_from_msgpack,
)
from flet.messaging.session import Session
from flet.pubsub.pubsub_hub import PubSubHub


class FakeConnection(Connection):
    def __init__(self, loop, method_handler: Callable[[str, Any], Any] | None = None):
        super().__init__()
        self.loop = loop
        self.executor = ThreadPoolExecutor(max_workers=2)
        self.pubsubhub = PubSubHub(loop=loop, executor=self.executor)
        self.page_url = "http://test"
        self.messages: list = []
        self.wire: list = []  # decoded msgpack frames as the Flutter client would see them
        self.method_handler = method_handler
        self.session: Session | None = None
        self.pending: list[asyncio.Task] = []

    def send_message(self, message):
        # Encode exactly like the real socket/web transports: the encoder also
        # snapshots list/dict state used for the *next* diff, so skipping it breaks
        # incremental patches.
        packed = msgpack.packb(
            [message.action, message.body], default=configure_encode_object_for_msgpack(BaseControl)
        )
        self.messages.append(message)
        self.wire.append(msgpack.unpackb(packed, ext_hook=decode_ext_from_msgpack, strict_map_key=False))
        # Answer service/control method calls (e.g. SharedPreferences.get,
        # Geolocator.get_current_position) like the Dart side would: an exception the
        # handler raises becomes the call's error. A push_route is followed, as on a
        # real client, by a route_change event.
        if message.action == MessageAction.INVOKE_METHOD:
            body = message.body
            result, error = None, None
            try:
                result = self.method_handler(body.name, body.args) if self.method_handler else None
            except Exception as exc:
                error = str(exc) or type(exc).__name__
            self.loop.call_soon(
                self.session.handle_invoke_method_results,
                body.control_id,
                body.call_id,
                result,
                error,
            )
            if body.name == "push_route":
                self.pending.append(self.loop.create_task(self.client_route(body.args["route"])))

    async def client_route(self, route):
        """Do what the Flutter client does after push_route: update page.route, fire route_change."""
        page = self.session.page
        self.session.apply_patch(page._i, {"route": route})
        await self.session.dispatch_event(page._i, "route_change", {"route": route})


class FletHarness:
    def __init__(self, method_handler=None, platform: str = "android", web: bool = False):
        loop = asyncio.get_running_loop()
        self.conn = FakeConnection(loop, method_handler)
        self.session = Session(self.conn)
        self.conn.session = self.session
        # what the Flutter client sends in REGISTER_CLIENT
        self.session.apply_page_patch(
            {"platform": platform, "web": web, "route": "/", "width": 400, "height": 800}
        )
        self.page = self.session.page

    async def start(self, main):
        _context_page.set(self.page)
        # REGISTER_CLIENT response: initial page tree (indexes + mounts controls)
        self.conn.send_message(
            Message(
                MessageAction.REGISTER_CLIENT,
                RegisterClientResponseBody(
                    session_id=self.session.id, page_patch=self.session.get_page_patch(), error=""
                ),
            )
        )
        r = main(self.page)
        if asyncio.iscoroutine(r):
            await r
        await self.session.after_event(self.page)
        await asyncio.sleep(0)
        return self

    def find(self, key: str, root=None):
        """Depth-first search of the *Python* control tree by `key`."""
        root = root or self.page
        stack = [root]
        seen = set()
        while stack:
            c = stack.pop()
            if id(c) in seen:
                continue
            seen.add(id(c))
            if getattr(c, "key", None) == key:
                return c
            for name in (
                "views",
                "controls",
                "content",
                "actions",
                "options",
                "destinations",
                "appbar",
                "navigation_bar",
                "leading",
                "title",
                "subtitle",
                "trailing",
            ):
                v = getattr(c, name, None)
                if isinstance(v, list):
                    stack.extend(x for x in v if isinstance(x, ft.BaseControl))
                elif isinstance(v, ft.BaseControl):
                    stack.append(v)
        raise LookupError(key)

    async def set_value(self, control, value):
        # what the client does when the user types: UPDATE_CONTROL_PROPS + change event
        self.session.apply_patch(control._i, {"value": value})
        await self.session.dispatch_event(control._i, "change", value)
        await self.settle()

    async def click(self, control):
        await self.session.dispatch_event(control._i, "click", None)
        await self.settle()

    async def settle(self, timeout: float = 30.0):
        """Wait until the client-side work the last event started (navigation) has finished."""
        await asyncio.sleep(0)
        while self.conn.pending:
            task = self.conn.pending.pop(0)
            await asyncio.wait_for(task, timeout)
        await asyncio.sleep(0)

    async def go(self, route: str):
        """Navigate as if the user followed a link."""
        await self.conn.client_route(route)
        await self.settle()

    async def select(self, dropdown, key):
        self.session.apply_patch(dropdown._i, {"value": key})
        await self.session.dispatch_event(dropdown._i, "select", key)
        await self.settle()

    def patches(self):
        return [m for m in self.conn.messages if m.action == MessageAction.PATCH_CONTROL]
