"""The phone must never pull in server or report code: flet build would bundle it, or fail."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("fastapi", "uvicorn", "reportlab", "sync.server", "reports", "alembic", "psycopg", "starlette")

PROBE = f"""
import importlib.abc, sys
FORBIDDEN = {FORBIDDEN!r}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN):
            raise ImportError(f"phone code imported {{name}}")
        return None
sys.meta_path.insert(0, Block())
import app.main, app.phone_store, app.store, app.queries, app.i18n, app.settings, app.photos, app.location
import models, forms
app.main.make_main(lambda: None)
loaded = sorted(m for m in sys.modules if any(m == f or m.startswith(f + ".") for f in FORBIDDEN))
print("LOADED", loaded)
"""


def test_phone_modules_import_without_server_or_report_code() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stdout


def test_the_probe_really_blocks_forbidden_modules() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE + "\nimport sync.server.app\n"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "phone code imported sync.server" in result.stderr
