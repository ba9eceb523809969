"""Rows to JSON-safe dicts and back, by the table's own column types: the pull feed's wire form."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import Enum
from typing import Any

from sqlalchemy import Date, DateTime, Time, Uuid, inspect
from sqlalchemy.orm import DeclarativeBase

from models.base import Base


def to_jsonable(value: Any) -> Any:
    """Convert one column value to JSON: UUIDs and times as strings, enums as values."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def row_to_dict(row: DeclarativeBase) -> dict[str, Any]:
    """Every column of a row, JSON-safe, keyed by attribute name."""
    mapper = inspect(row).mapper
    return {attr.key: to_jsonable(getattr(row, attr.key)) for attr in mapper.column_attrs}


def from_jsonable(model: type[Base], key: str, value: Any) -> Any:
    """Convert a JSON value back to the Python type of a model's column."""
    if value is None:
        return None
    column = inspect(model).mapper.column_attrs[key].columns[0]
    column_type = column.type
    impl = getattr(column_type, "impl", column_type)
    if isinstance(column_type, Uuid) or isinstance(impl, Uuid):
        return uuid.UUID(value)
    if isinstance(impl, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(impl, Date):
        return dt.date.fromisoformat(value)
    if isinstance(impl, Time):
        return dt.time.fromisoformat(value)
    enum_class = getattr(column_type, "enum_class", None)
    if enum_class is not None:
        return enum_class(value)
    return value


def dict_to_values(model: type[Base], data: dict[str, Any]) -> dict[str, Any]:
    """Turn a row dict from the feed into attribute values for `model` (unknown keys are dropped)."""
    keys = {attr.key for attr in inspect(model).mapper.column_attrs}
    return {key: from_jsonable(model, key, value) for key, value in data.items() if key in keys}


def model_for_table(table: str) -> type[Base]:
    """The mapped class of a table name."""
    for mapper in Base.registry.mappers:
        if mapper.local_table.name == table:
            return mapper.class_
    raise KeyError(f"no model for table {table!r}")
