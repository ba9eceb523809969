"""A real `ims server` process on a loopback port, with its log kept for failing tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests


def free_port() -> int:
    """Ask the kernel for a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """Starts, kills and restarts `python -m app.cli server` against one database and data dir."""

    def __init__(self, db_url: str, data_dir: Path, *, web: bool = False, env: dict[str, str] | None = None):
        self.db_url = db_url
        self.data_dir = data_dir
        self.web = web
        self.port = free_port()
        self.env = {**os.environ, **(env or {})}
        self.log_path = data_dir / f"server-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api(self) -> str:
        """Base URL of the API."""
        return f"{self.url}/api/v1"

    def start(self, timeout: float = 60) -> ServerProcess:
        """Start the process and wait until /health answers."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "app.cli",
            "server",
            "--db",
            self.db_url,
            "--data-dir",
            str(self.data_dir),
            "--port",
            str(self.port),
        ]
        if not self.web:
            cmd.append("--no-web")
        log = open(self.log_path, "ab")  # noqa: SIM115 - the process owns it until it exits
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if requests.get(f"{self.api}/health", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not answer within {timeout}s:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL the process, as a power cut would."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        """Stop the process gracefully (SIGTERM), then forcefully."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        """The server's output so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
