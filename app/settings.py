"""Phone/desktop settings, built once at start from the environment Flet provides."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PhoneSettings:
    """Where the phone keeps its data and which central server it syncs with."""

    data_dir: Path
    server_url: str

    @property
    def database_url(self) -> str:
        """The phone's local SQLite file."""
        return f"sqlite:///{(self.data_dir / 'field-ims.db').resolve()}"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> PhoneSettings:
        """Read FLET_APP_STORAGE_DATA (set by Flet on devices) with a development fallback."""
        env = dict(os.environ if env is None else env)
        data = env.get("FLET_APP_STORAGE_DATA") or str(Path.home() / ".field-ims")
        server = env.get("IMS_SERVER_URL", "http://127.0.0.1:8550").rstrip("/")
        return cls(data_dir=Path(data), server_url=server)
