"""Real receivers on loopback for notification tests: an SMTP server (aiosmtpd) and an HTTP webhook sink."""

from __future__ import annotations

import email
import email.policy
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from support.server import free_port


@dataclass
class Inbox:
    """Mail an SMTP server on loopback received."""

    port: int
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd hook)
        """Keep each message as it arrives."""
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    """Run an SMTP server on a loopback port for the duration of the block."""
    inbox = Inbox(free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@dataclass
class Hooks:
    """JSON bodies posted to a webhook sink on loopback, by path."""

    url: str
    status: int = 200
    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def texts(self, path: str) -> list[str]:
        """The `text` of each message posted to a path."""
        return [body["text"] for where, body in self.received if where == path]


@contextmanager
def webhook_receiver() -> Iterator[Hooks]:
    """Run an HTTP server that records every POSTed JSON body; `hooks.status` sets its answer."""
    hooks = Hooks("")

    class Handler(BaseHTTPRequestHandler):
        """Record the body, answer with the chosen status."""

        def do_POST(self) -> None:  # noqa: N802 (http.server hook)
            length = int(self.headers.get("Content-Length", 0))
            hooks.received.append((self.path, json.loads(self.rfile.read(length))))
            self.send_response(hooks.status)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hooks.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hooks
    finally:
        server.shutdown()
        server.server_close()


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> bool:
    """Poll until the condition holds or the deadline passes; return whether it held."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()
