"""Closed option lists for choice fields, with the catalogue keys of their labels."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class OptionGroup:
    """A heading over some options of a long list (an OIICS division, say); not itself choosable."""

    code: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class OptionSet:
    """A named list of option codes; labels live in the catalogue under "option.<name>.<code>"."""

    name: str
    codes: tuple[str, ...]
    groups: tuple[OptionGroup, ...] = ()

    def __post_init__(self) -> None:
        if len(set(self.codes)) != len(self.codes):
            raise ValueError(f"option set {self.name!r} repeats a code")
        grouped = [c for g in self.groups for c in g.codes]
        if self.groups and sorted(grouped) != sorted(self.codes):
            raise ValueError(f"option set {self.name!r}: groups must cover every code exactly once")

    @classmethod
    def from_enum(cls, name: str, enum: type[StrEnum], *, first: tuple[str, ...] = ()) -> OptionSet:
        """Build a set from a StrEnum's values, with `first` (codes not in the enum) put in front."""
        return cls(name, first + tuple(m.value for m in enum))

    def label(self, code: str) -> str:
        """Return the catalogue key of one option's label."""
        return f"option.{self.name}.{code}"

    def group_label(self, code: str) -> str:
        """Return the catalogue key of one group heading."""
        return f"option.{self.name}.group.{code}"

    def keys(self) -> set[str]:
        """Return every catalogue key the set refers to."""
        return {self.label(c) for c in self.codes} | {self.group_label(g.code) for g in self.groups}
