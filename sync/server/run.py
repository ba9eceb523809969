"""Start the server process: open the store, bring its schema up to date, serve on uvicorn."""

from __future__ import annotations

import errno
import socket

import uvicorn
from sqlalchemy import Engine

from sync.errors import Unavailable
from sync.server import migrate
from sync.server.app import create_app
from sync.server.db import check_reachable, make_engine
from sync.server.settings import ServerSettings


def open_store(settings: ServerSettings, *, upgrade: bool = True) -> Engine:
    """Connect to the central store, fail clearly if it is unreachable, and migrate it."""
    engine = make_engine(settings.database_url)
    check_reachable(engine)
    if upgrade:
        migrate.upgrade(engine)
    return engine


def check_port_free(host: str, port: int) -> None:
    """Fail with a clear message when another process already listens on the port."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise Unavailable(
                    f"port {port} on {host} is already in use: stop the other process or pass --port"
                ) from None
            raise Unavailable(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def serve(settings: ServerSettings, *, engine: Engine | None = None) -> None:
    """Run the API and web app until interrupted."""
    check_port_free(settings.host, settings.port)
    engine = engine or open_store(settings)
    app = create_app(settings, engine)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
