"""Form specs and the three things done with one: find the visible fields, validate, clean."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from forms.errors import FieldError, UnknownFormVersion
from forms.fields import Choice, Context, Field, Invalid, is_blank
from forms.versions import Upgrade
from models.enums import IncidentKind


@dataclass(frozen=True)
class FormSpec:
    """A versioned form for one or more incident kinds.

    `kind` is the default kind; when `kind_field` names a choice field whose codes are incident
    kinds (the injury form's `case_type`, the outage form's `kind`), its value picks the kind.
    """

    id: str
    version: int
    kind: IncidentKind
    fields: tuple[Field, ...]
    upgrades: tuple[Upgrade, ...] = ()
    kind_field: str | None = None

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for f in self.fields:
            if f.name in seen:
                raise ValueError(f"form {self.id}: field {f.name!r} declared twice")
            unknown = f.reads() - seen
            if unknown:
                raise ValueError(
                    f"form {self.id}: {f.name!r} depends on {sorted(unknown)}, not declared before it"
                )
            seen.add(f.name)
        if self.kind_field is not None:
            selector = self.field(self.kind_field)
            if not isinstance(selector, Choice) or not set(selector.options.codes) <= set(IncidentKind):
                raise ValueError(f"form {self.id}: kind field must be a choice of incident kinds")
        if [u.from_version for u in self.upgrades] != list(range(1, self.version)):
            raise ValueError(f"form {self.id}: upgrades must lead from version 1 to {self.version}")

    def field(self, name: str) -> Field:
        """Return the field with this name (KeyError when there is none)."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        """Return the field names in screen order."""
        return tuple(f.name for f in self.fields)

    @property
    def kinds(self) -> tuple[IncidentKind, ...]:
        """Return every incident kind this form files."""
        if self.kind_field is None:
            return (self.kind,)
        selector = self.field(self.kind_field)
        assert isinstance(selector, Choice)
        return tuple(IncidentKind(code) for code in selector.options.codes)

    def kind_of(self, values: Mapping[str, Any]) -> IncidentKind:
        """Return the incident kind the values describe."""
        if self.kind_field is not None:
            chosen = values.get(self.kind_field, self.field(self.kind_field).default)
            if chosen in self.kinds:
                return IncidentKind(chosen)
        return self.kind

    @property
    def quick_fields(self) -> tuple[Field, ...]:
        """Return the fields shown on the quick path."""
        return tuple(f for f in self.fields if f.quick)

    def sections(self) -> list[tuple[str, tuple[Field, ...]]]:
        """Return (section, fields) pairs in the order sections first appear."""
        order: dict[str, list[Field]] = {}
        for f in self.fields:
            order.setdefault(f.section, []).append(f)
        return [(name, tuple(fields)) for name, fields in order.items()]

    @property
    def label(self) -> str:
        """Return the catalogue key of the form's own name."""
        return f"form.{self.id}"

    def keys(self) -> set[str]:
        """Return every catalogue key the form refers to: its name, sections, fields and options."""
        keys = {self.label} | {f"section.{name}" for name, _ in self.sections()}
        for f in self.fields:
            keys |= f.keys()
        return keys


def answers(spec: FormSpec, values: Mapping[str, Any]) -> dict[str, Any]:
    """Return the raw values of the visible fields, defaults filled in, in field order."""
    return _walk(spec, values)[0]


def _walk(spec: FormSpec, values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Visit the fields in order; return the visible fields' raw values and their readable normal forms.

    Conditions test the normal forms of earlier visible fields only: a stale answer under a hidden
    field, or an answer that cannot be read ("yes" for a box, "0" typed as text), shows nothing.
    """
    raw: dict[str, Any] = {}
    normal: dict[str, Any] = {}
    for f in spec.fields:
        if f.visible_if is not None and not f.visible_if.test(normal):
            continue
        value = values.get(f.name)
        raw[f.name] = f.default if is_blank(value) else value
        if not is_blank(raw[f.name]):
            try:
                normal[f.name] = f.parse(raw[f.name])
            except Invalid:
                pass
    return raw, normal


def visible_fields(spec: FormSpec, values: Mapping[str, Any]) -> list[Field]:
    """Return the fields to show for these values."""
    shown = answers(spec, values)
    return [f for f in spec.fields if f.name in shown]


def validate(spec: FormSpec, values: Any, *, now: dt.datetime | None = None) -> list[FieldError]:
    """Return every problem with the values (empty when they may be filed).

    Hidden fields are neither required nor checked; unknown names are ignored (`clean` drops them).
    `now` (aware) is the clock that future dates are judged against; it defaults to the system's.
    """
    if not isinstance(values, Mapping):
        return [FieldError("", "not_an_object")]
    now = now or dt.datetime.now(dt.UTC)
    if now.tzinfo is None:
        raise ValueError("validate() needs an aware `now`")
    shown, readable = _walk(spec, values)
    good: dict[str, Any] = {}
    ctx = Context(now=now, values=good, labels={f.name: f.label for f in spec.fields})
    errors: list[FieldError] = []
    for f in spec.fields:
        if f.name not in shown:
            continue
        value = shown[f.name]
        if is_blank(value):
            if f.is_required(readable):
                errors.append(FieldError(f.name, "required"))
            continue
        try:
            normal = f.parse(value)
            problems = f.check(normal, ctx)
        except Invalid as bad:
            problems = bad.problems
        else:
            if not problems:
                good[f.name] = normal
        errors += [FieldError(_join(f.name, path), code, params) for path, code, params in problems]
    return errors


def clean(spec: FormSpec, values: Mapping[str, Any]) -> dict[str, Any]:
    """Return the values in normal form: visible fields only, defaults filled, unknown names dropped.

    Meant for values that passed `validate`; a value that cannot be read is left out.
    """
    return _walk(spec, values)[1]


def defaults(spec: FormSpec) -> dict[str, Any]:
    """Return the values a new, empty form starts with."""
    return {name: value for name, value in answers(spec, {}).items() if value is not None}


def migrate(spec: FormSpec, from_version: int, values: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
    """Apply the declared upgrades from `from_version` to the current version; return (version, values)."""
    if (
        not isinstance(from_version, int)
        or isinstance(from_version, bool)
        or not 1 <= from_version <= spec.version
    ):
        raise UnknownFormVersion(spec.id, from_version)
    upgraded = dict(values)
    for upgrade in spec.upgrades[from_version - 1 :]:
        for step in upgrade.steps:
            step.apply(upgraded)
    return spec.version, upgraded


def _join(name: str, path: str) -> str:
    """Join a field name and a path inside it into a dotted path."""
    return f"{name}.{path}" if path else name
