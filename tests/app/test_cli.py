"""The `ims` command: help, and a one-line error with a non-zero exit for every kind of bad input."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest


def ims(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m app.cli` the way a user runs `ims`."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *phrases: str) -> None:
    """A non-zero exit, one line on stderr, no traceback, and the phrases that tell what to do."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for phrase in phrases:
        assert phrase in lines[0], lines[0]


def test_help_lists_every_command() -> None:
    result = ims("--help")
    assert result.returncode == 0
    for command in ("server", "db", "user", "site", "app", "demo"):
        assert command in result.stdout


def test_unknown_command_is_a_usage_error() -> None:
    result = ims("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr and "Traceback" not in result.stderr


def test_unreachable_database_says_so(tmp_path: Path) -> None:
    result = ims("db", "upgrade", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert_one_line_error(result, "cannot reach the database", "127.0.0.1:1")


def test_not_a_database_url(tmp_path: Path) -> None:
    assert_one_line_error(ims("db", "upgrade", "--db", "bogus"), "not a database URL")


def test_port_in_use_says_which_and_what_to_do(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = ims("server", "--data-dir", str(tmp_path), "--port", str(port), "--no-web")
    assert_one_line_error(result, f"port {port}", "already in use", "--port")


def test_bad_environment_value(tmp_path: Path) -> None:
    result = ims("db", "upgrade", "--data-dir", str(tmp_path), env={"IMS_PORT": "eighty"})
    assert_one_line_error(result, "IMS_PORT must be a whole number")


def test_db_upgrade_then_site_and_user_add(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path)]
    upgraded = ims("db", "upgrade", *data)
    assert upgraded.returncode == 0 and "revision" in upgraded.stdout
    assert ims("site", "add", "P1", "--name", "Plant", *data).returncode == 0
    added = ims(
        "user", "add", "olga", "--role", "safety_officer@P1", *data, env={"IMS_PASSWORD": "long-enough"}
    )
    assert added.returncode == 0, added.stderr
    assert_one_line_error(
        ims("user", "add", "olga", "--role", "reporter", *data, env={"IMS_PASSWORD": "long-enough"}),
        "already exists",
    )


@pytest.mark.parametrize(
    ("args", "password", "phrase"),
    [
        (["--role", "reporter"], "short", "at least 8 characters"),
        (["--role", "wizard"], "long-enough", "unknown role 'wizard'"),
        (["--role", "reporter@NOPE"], "long-enough", "no site with code 'NOPE'"),
    ],
)
def test_user_add_refuses_bad_input(tmp_path: Path, args: list[str], password: str, phrase: str) -> None:
    result = ims("user", "add", "someone", *args, "--data-dir", str(tmp_path), env={"IMS_PASSWORD": password})
    assert_one_line_error(result, phrase)


def test_user_add_without_a_terminal_or_password_explains() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "user", "add", "x", "--role", "reporter"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "IMS_PASSWORD"},
    )
    assert_one_line_error(result, "set IMS_PASSWORD")
