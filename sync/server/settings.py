"""Server settings, built once by the entry point from the environment (nothing read at import)."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from sync.errors import InvalidRequest

# name, default, help: the README's configuration table is generated from this list.
ENVIRONMENT = [
    ("IMS_DATABASE_URL", "sqlite:///<data dir>/ims.db", "SQLAlchemy URL of the central store"),
    ("IMS_DATA_DIR", "./ims-data", "where the SQLite file, blobs and uploads live"),
    ("IMS_HOST", "127.0.0.1", "address `ims server` binds (API and web UI)"),
    ("IMS_PORT", "8550", "port `ims server` listens on"),
    ("IMS_TOKEN_TTL_HOURS", "168", "lifetime of a sign-in token (device tokens live until revoked)"),
    ("IMS_MAX_UPLOAD_MB", "50", "largest photo or file accepted by /uploads"),
    ("IMS_WEB_UI", "1", "serve the Flet web app at / (0 serves the API only)"),
    ("IMS_SMTP_HOST", "", "SMTP server for e-mail notifications (empty: no e-mail)"),
    ("IMS_SMTP_PORT", "25", "SMTP port"),
    ("IMS_SMTP_FROM", "field-ims@localhost", "sender address of notification e-mails"),
    ("IMS_JOBS_INTERVAL", "60", "seconds between runs of the background jobs (escalation, reminders)"),
    ("IMS_TEST_DATABASE_URL", "", "tests: also run database tests on this URL (PostgreSQL)"),
]


@dataclass(frozen=True)
class ServerSettings:
    """Everything the central server needs to start."""

    data_dir: Path = Path("ims-data")
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8550
    token_ttl_hours: int = 168
    max_upload_bytes: int = 50 * 1024 * 1024
    web_ui: bool = True
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_from: str = "field-ims@localhost"
    jobs_interval: int = 60

    def __post_init__(self) -> None:
        if not self.database_url:
            url = f"sqlite:///{(self.data_dir / 'ims.db').resolve()}"
            object.__setattr__(self, "database_url", url)

    @property
    def blob_dir(self) -> Path:
        """Directory of content-addressed blobs."""
        return self.data_dir / "blobs"

    @property
    def upload_dir(self) -> Path:
        """Directory of partial tus uploads."""
        return self.data_dir / "uploads"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> ServerSettings:
        """Build settings from IMS_* variables, then apply explicit overrides (CLI flags)."""
        env = dict(os.environ if env is None else env)
        values: dict[str, object] = {"data_dir": Path(env.get("IMS_DATA_DIR", "ims-data"))}
        values["database_url"] = env.get("IMS_DATABASE_URL", "")
        values["host"] = env.get("IMS_HOST", "127.0.0.1")
        values["port"] = _int(env, "IMS_PORT", 8550)
        values["token_ttl_hours"] = _int(env, "IMS_TOKEN_TTL_HOURS", 168)
        values["max_upload_bytes"] = _int(env, "IMS_MAX_UPLOAD_MB", 50) * 1024 * 1024
        values["web_ui"] = env.get("IMS_WEB_UI", "1") not in ("0", "false", "no", "off")
        values["smtp_host"] = env.get("IMS_SMTP_HOST", "")
        values["smtp_port"] = _int(env, "IMS_SMTP_PORT", 25)
        values["smtp_from"] = env.get("IMS_SMTP_FROM", "field-ims@localhost")
        values["jobs_interval"] = _int(env, "IMS_JOBS_INTERVAL", 60)
        known = {f.name for f in fields(cls)}
        values.update({k: v for k, v in overrides.items() if k in known and v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def with_(self, **changes: object) -> ServerSettings:
        """Return a copy with some settings changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


def _int(env: dict[str, str], name: str, default: int) -> int:
    """Read a positive integer variable or explain what is wrong with it."""
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidRequest(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise InvalidRequest(f"{name} must be positive, not {value}")
    return value
