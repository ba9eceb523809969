"""Reading typed values out of a mutation's JSON args, refusing bad ones with `invalid_args`."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any, TypeVar

from sync.mutations.base import Rejected

E = TypeVar("E", bound=StrEnum)
_MISSING = object()


def _get(args: dict[str, Any], key: str, required: bool) -> Any:
    """The raw value, or a refusal when a required key is missing."""
    value = args.get(key, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise Rejected("invalid_args", f"{key} is required", field=key)
        return None
    return value


def uuid_arg(args: dict[str, Any], key: str, *, required: bool = True) -> uuid.UUID | None:
    """A UUID given as a string."""
    value = _get(args, key, required)
    if value is None:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Rejected("invalid_args", f"{key} is not a UUID: {value!r}", field=key) from None


def str_arg(args: dict[str, Any], key: str, *, required: bool = True, max_length: int = 10_000) -> str | None:
    """A string, stripped, at most max_length characters."""
    value = _get(args, key, required)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Rejected("invalid_args", f"{key} must be text", field=key)
    value = value.strip()
    if required and not value:
        raise Rejected("invalid_args", f"{key} must not be empty", field=key)
    if len(value) > max_length:
        raise Rejected("invalid_args", f"{key} is longer than {max_length} characters", field=key)
    return value


def int_arg(
    args: dict[str, Any], key: str, *, required: bool = True, minimum: int | None = None
) -> int | None:
    """A whole number, optionally at least `minimum`."""
    value = _get(args, key, required)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Rejected("invalid_args", f"{key} must be a whole number", field=key)
    if minimum is not None and value < minimum:
        raise Rejected("invalid_args", f"{key} must be at least {minimum}", field=key)
    return value


def bool_arg(args: dict[str, Any], key: str, *, default: bool = False) -> bool:
    """A true/false value."""
    value = args.get(key, default)
    if not isinstance(value, bool):
        raise Rejected("invalid_args", f"{key} must be true or false", field=key)
    return value


def datetime_arg(args: dict[str, Any], key: str, *, required: bool = True) -> dt.datetime | None:
    """An ISO 8601 date-time that carries its UTC offset."""
    value = _get(args, key, required)
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise Rejected("invalid_args", f"{key} is not an ISO date-time: {value!r}", field=key) from None
    if parsed.tzinfo is None:
        raise Rejected("invalid_args", f"{key} must include a UTC offset", field=key)
    return parsed


def date_arg(args: dict[str, Any], key: str, *, required: bool = True) -> dt.date | None:
    """An ISO 8601 date."""
    value = _get(args, key, required)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise Rejected("invalid_args", f"{key} is not an ISO date: {value!r}", field=key) from None


def enum_arg(args: dict[str, Any], key: str, enum: type[E], *, required: bool = True) -> E | None:
    """One of an enum's values."""
    value = _get(args, key, required)
    if value is None:
        return None
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise Rejected("invalid_args", f"{key} must be one of: {allowed}", field=key) from None
