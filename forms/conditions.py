"""A tiny declarative language for conditional visibility, evaluated against a form's values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


class Condition:
    """Base of every condition: `test(values)` answers, `fields()` names what it reads."""

    def test(self, values: Mapping[str, object]) -> bool:
        """Return whether the condition holds for these values."""
        raise NotImplementedError

    def fields(self) -> frozenset[str]:
        """Return the names of the fields the condition reads."""
        raise NotImplementedError


@dataclass(frozen=True)
class Eq(Condition):
    """The field's value equals `value`."""

    field: str
    value: object

    def test(self, values: Mapping[str, object]) -> bool:
        """Return whether the field equals the value."""
        return values.get(self.field) == self.value

    def fields(self) -> frozenset[str]:
        """Return the one field read."""
        return frozenset({self.field})


@dataclass(frozen=True)
class In(Condition):
    """The field's value is one of `options`."""

    field: str
    options: tuple[object, ...]

    def test(self, values: Mapping[str, object]) -> bool:
        """Return whether the field's value is among the options."""
        value = values.get(self.field)
        return isinstance(value, str | int | float | bool) and value in self.options

    def fields(self) -> frozenset[str]:
        """Return the one field read."""
        return frozenset({self.field})


@dataclass(frozen=True)
class Truthy(Condition):
    """The field is answered with something other than false, zero, blank or an empty list."""

    field: str

    def test(self, values: Mapping[str, object]) -> bool:
        """Return whether the field holds a truthy value (blank text counts as false)."""
        value = values.get(self.field)
        if isinstance(value, str):
            return bool(value.strip())
        return bool(value)

    def fields(self) -> frozenset[str]:
        """Return the one field read."""
        return frozenset({self.field})


@dataclass(frozen=True)
class Not(Condition):
    """The inner condition does not hold."""

    inner: Condition

    def test(self, values: Mapping[str, object]) -> bool:
        """Return the negation of the inner condition."""
        return not self.inner.test(values)

    def fields(self) -> frozenset[str]:
        """Return the fields the inner condition reads."""
        return self.inner.fields()


@dataclass(frozen=True, init=False)
class All(Condition):
    """Every inner condition holds (true when there are none)."""

    conditions: tuple[Condition, ...]

    def __init__(self, *conditions: Condition) -> None:
        object.__setattr__(self, "conditions", conditions)

    def test(self, values: Mapping[str, object]) -> bool:
        """Return whether all inner conditions hold."""
        return all(c.test(values) for c in self.conditions)

    def fields(self) -> frozenset[str]:
        """Return the union of the fields the inner conditions read."""
        return frozenset().union(*(c.fields() for c in self.conditions))


@dataclass(frozen=True, init=False)
class Any(Condition):
    """At least one inner condition holds (false when there are none)."""

    conditions: tuple[Condition, ...]

    def __init__(self, *conditions: Condition) -> None:
        object.__setattr__(self, "conditions", conditions)

    def test(self, values: Mapping[str, object]) -> bool:
        """Return whether any inner condition holds."""
        return any(c.test(values) for c in self.conditions)

    def fields(self) -> frozenset[str]:
        """Return the union of the fields the inner conditions read."""
        return frozenset().union(*(c.fields() for c in self.conditions))
