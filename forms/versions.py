"""Declared migrations between form versions, so a draft saved with an older form opens in the current one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class Step:
    """One declarative change to a values dict."""

    def apply(self, values: dict[str, Any]) -> None:
        """Change the values in place."""
        raise NotImplementedError


@dataclass(frozen=True)
class Rename(Step):
    """A field got a new name; its value moves unless the new name already holds one."""

    old: str
    new: str

    def apply(self, values: dict[str, Any]) -> None:
        """Move the value from the old name to the new one."""
        if self.old in values:
            value = values.pop(self.old)
            values.setdefault(self.new, value)


@dataclass(frozen=True)
class SetDefault(Step):
    """A new field appeared; drafts that lack it get this value."""

    field: str
    value: Any

    def apply(self, values: dict[str, Any]) -> None:
        """Fill the field when it is absent."""
        values.setdefault(self.field, self.value)


@dataclass(frozen=True)
class Upgrade:
    """The steps that turn values of `from_version` into values of `from_version + 1`."""

    from_version: int
    steps: tuple[Step, ...]
