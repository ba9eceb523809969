"""The one string catalogue: every word the app shows comes from assets/i18n/<part>.<lang>.json."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "assets"
LANGUAGES = {
    "en": "English",
    "ms": "Bahasa Malaysia",
    "id": "Bahasa Indonesia",
    "hi": "हिन्दी",
    "ar": "العربية",
}
RTL = {"ar"}
DEFAULT = "en"


@cache
def catalogue(language: str) -> dict[str, str]:
    """Merge every catalogue part of a language over the English one."""
    merged: dict[str, str] = {}
    for lang in dict.fromkeys([DEFAULT, language]):
        for path in sorted((ASSETS / "i18n").glob(f"*.{lang}.json")):
            merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


class Translator:
    """Looks up and fills strings for one language, falling back to English, then to the key."""

    def __init__(self, language: str = DEFAULT) -> None:
        self.language = language if language in LANGUAGES else DEFAULT

    @property
    def rtl(self) -> bool:
        """Whether the language is written right to left."""
        return self.language in RTL

    def __call__(self, key: str, **params: object) -> str:
        """Return the string for a key with {placeholders} filled."""
        text = catalogue(self.language).get(key, key)
        return text.format(**params) if params else text
