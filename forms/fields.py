"""Field specs: frozen dataclasses that parse, check and normalise one JSON value each.

Every field turns a wire value (JSON: str, number, bool, list, dict) into its normal form with
`parse` (raising `Invalid` when it cannot understand it) and then judges the normal form with
`check` (ranges, dates in the future, order against an earlier field). Problems are
`(path, code, params)` triples where `path` is relative to the field ("" for the field itself).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass
from typing import Any

from forms.conditions import Condition
from forms.options import OptionSet

Problem = tuple[str, str, dict[str, Any]]

FUTURE_TOLERANCE = dt.timedelta(minutes=5)
"""How far past `now` a date-time may lie: phone clocks drift."""

LATEST_ZONE_OFFSET = dt.timedelta(hours=14)
"""UTC+14 is the earliest zone on Earth: a date later than `now` there is in the future everywhere."""

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)")
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_SLOT = re.compile(r"[A-Za-z0-9_-]{1,40}")


class Invalid(Exception):
    """A value the field cannot understand; carries one or more problems."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


def _bad(code: str, path: str = "", **params: Any) -> Invalid:
    """Return an `Invalid` with a single problem."""
    return Invalid([(path, code, params)])


@dataclass(frozen=True)
class Context:
    """What `check` may look at besides the value: the clock and the earlier fields' normal values."""

    now: dt.datetime
    values: Mapping[str, Any]
    labels: Mapping[str, str]


def is_blank(value: object) -> bool:
    """Return whether a wire value counts as not answered: None, blank text, an empty list or dict."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | dict):
        return not value
    return False


def parse_number(value: object) -> float:
    """Read a JSON number or numeric text (any script's digits, '.' or '٫' as decimal point)."""
    if isinstance(value, bool):
        raise _bad("not_a_number")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u066b", ".")
        if not _NUMBER.fullmatch(text):
            raise _bad("not_a_number")
        number = float(text)
    else:
        raise _bad("not_a_number")
    if not math.isfinite(number):
        raise _bad("not_a_number")
    return number


def parse_date(value: object, path: str = "") -> dt.date:
    """Read an ISO 8601 calendar date ("2025-03-14")."""
    if not isinstance(value, str):
        raise _bad("bad_date", path)
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise _bad("bad_date", path) from None


def parse_datetime(value: object) -> dt.datetime:
    """Read an ISO 8601 date-time that carries its UTC offset; a naive one is refused."""
    if not isinstance(value, str):
        raise _bad("bad_datetime")
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise _bad("bad_datetime") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise _bad("no_timezone")
    return parsed


def latest_date(now: dt.datetime) -> dt.date:
    """Return the latest calendar date that is already today somewhere on Earth at `now`."""
    return (now.astimezone(dt.UTC) + LATEST_ZONE_OFFSET).date()


def _moment(value: str) -> dt.date | dt.datetime:
    """Turn a normalised date or date-time string back into an object for comparisons."""
    return dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)


def _earlier(value: dt.date | dt.datetime, floor: dt.date | dt.datetime) -> bool:
    """Return whether `value` lies before `floor`; instants compare exactly, otherwise local dates."""
    if isinstance(value, dt.datetime) and isinstance(floor, dt.datetime):
        return value < floor
    as_date = value.date() if isinstance(value, dt.datetime) else value
    floor_date = floor.date() if isinstance(floor, dt.datetime) else floor
    return as_date < floor_date


def _floor_problem(
    value: dt.date | dt.datetime, not_before: str | None, ctx: Context, path: str = ""
) -> list[Problem]:
    """Return a `too_early` problem when the value lies before the earlier field it must follow."""
    if not_before is None or not isinstance(ctx.values.get(not_before), str):
        return []
    if _earlier(value, _moment(ctx.values[not_before])):
        return [(path, "too_early", {"other": ctx.labels[not_before]})]
    return []


@dataclass(frozen=True)
class Field:
    """What every field has: a name, a label key, requiredness, visibility, help, section, quick flag."""

    name: str
    label: str
    _: KW_ONLY
    required: bool = False
    required_if: Condition | None = None
    visible_if: Condition | None = None
    help: str | None = None
    section: str = "details"
    quick: bool = False
    default: Any = None

    def is_required(self, values: Mapping[str, Any]) -> bool:
        """Return whether the field must be answered, given the values seen so far."""
        return self.required or (self.required_if is not None and self.required_if.test(values))

    def parse(self, value: Any) -> Any:
        """Return the value's normal form, or raise `Invalid`."""
        raise NotImplementedError

    def check(self, value: Any, ctx: Context) -> list[Problem]:
        """Return problems with a normalised value (ranges, clock, order); none by default."""
        return []

    def keys(self) -> set[str]:
        """Return every catalogue key this field refers to."""
        return {self.label} | ({self.help} if self.help else set())

    def reads(self) -> frozenset[str]:
        """Return the names of the other fields this one depends on."""
        names: set[str] = set()
        for condition in (self.visible_if, self.required_if):
            if condition is not None:
                names |= condition.fields()
        floor = getattr(self, "not_before", None)
        return frozenset(names | ({floor} if floor else set()))


@dataclass(frozen=True)
class Text(Field):
    """Free text; single-line text has its whitespace (newlines too) collapsed to single spaces."""

    max_length: int = 200
    multiline: bool = False
    pattern: str | None = None
    upper: bool = False

    def parse(self, value: Any) -> str:
        """Strip the text and normalise its line breaks."""
        if not isinstance(value, str):
            raise _bad("not_text")
        text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        if not self.multiline:
            text = " ".join(text.split())
        return text.upper() if self.upper else text

    def check(self, value: str, ctx: Context) -> list[Problem]:
        """Enforce the length limit and the pattern."""
        if len(value) > self.max_length:
            return [("", "too_long", {"max": self.max_length})]
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            return [("", "bad_format", {})]
        return []


@dataclass(frozen=True)
class TextList(Field):
    """A list of short texts (names of affected services, say); blank entries are dropped."""

    max_items: int = 50
    max_length: int = 120

    def parse(self, value: Any) -> list[str]:
        """Strip every entry and drop blanks."""
        if not isinstance(value, list):
            raise _bad("not_a_list")
        problems = [(str(i), "not_text", {}) for i, item in enumerate(value) if not isinstance(item, str)]
        if problems:
            raise Invalid(problems)
        return [" ".join(item.split()) for item in value if item.strip()]

    def check(self, value: list[str], ctx: Context) -> list[Problem]:
        """Enforce the number of entries and each entry's length."""
        problems: list[Problem] = []
        if len(value) > self.max_items:
            problems.append(("", "too_many_items", {"max": self.max_items}))
        problems += [
            (str(i), "too_long", {"max": self.max_length})
            for i, item in enumerate(value)
            if len(item) > self.max_length
        ]
        return problems


@dataclass(frozen=True)
class Number(Field):
    """A number, optionally whole, within optional bounds; numeric text is accepted."""

    min: float | None = None
    max: float | None = None
    integer: bool = False

    def parse(self, value: Any) -> float | int:
        """Read the number; whole-number fields refuse fractions."""
        number = parse_number(value)
        if self.integer:
            if not number.is_integer():
                raise _bad("not_an_integer")
            return int(number)
        return number

    def check(self, value: float, ctx: Context) -> list[Problem]:
        """Enforce the bounds."""
        return _bounds("", value, self.min, self.max)


def _bounds(path: str, value: float, low: float | None, high: float | None) -> list[Problem]:
    """Return a too_small or too_large problem when the value leaves [low, high]."""
    if low is not None and value < low:
        return [(path, "too_small", {"min": _plain(low)})]
    if high is not None and value > high:
        return [(path, "too_large", {"max": _plain(high)})]
    return []


def _plain(number: float) -> float | int:
    """Show whole bounds without a trailing .0 in messages."""
    return int(number) if float(number).is_integer() else number


@dataclass(frozen=True)
class Choice(Field):
    """One code out of an option set."""

    options: OptionSet

    def parse(self, value: Any) -> str:
        """Accept only a code of the set."""
        if not isinstance(value, str) or value not in self.options.codes:
            raise _bad("unknown_option", value=str(value)[:40])
        return value

    def keys(self) -> set[str]:
        """Add the option labels to the field's keys."""
        return super().keys() | self.options.keys()


@dataclass(frozen=True)
class MultiChoice(Field):
    """A checklist: any number of codes out of an option set, kept in the set's order."""

    options: OptionSet

    def parse(self, value: Any) -> list[str]:
        """Accept a list of codes of the set; duplicates collapse."""
        if not isinstance(value, list):
            raise _bad("not_a_list")
        unknown = [v for v in value if not isinstance(v, str) or v not in self.options.codes]
        if unknown:
            raise _bad("unknown_option", value=str(unknown[0])[:40])
        return [code for code in self.options.codes if code in value]

    def keys(self) -> set[str]:
        """Add the option labels to the field's keys."""
        return super().keys() | self.options.keys()


@dataclass(frozen=True)
class Boolean(Field):
    """A yes/no box; unanswered means no."""

    _: KW_ONLY
    default: Any = False

    def parse(self, value: Any) -> bool:
        """Accept only JSON true or false."""
        if not isinstance(value, bool):
            raise _bad("not_a_boolean")
        return value


@dataclass(frozen=True)
class Date(Field):
    """A calendar date, never in the future, optionally not before an earlier field."""

    not_before: str | None = None

    def parse(self, value: Any) -> str:
        """Normalise to "YYYY-MM-DD"."""
        return parse_date(value).isoformat()

    def check(self, value: str, ctx: Context) -> list[Problem]:
        """Refuse future dates and dates before `not_before`."""
        day = dt.date.fromisoformat(value)
        if day > latest_date(ctx.now):
            return [("", "in_future", {})]
        return _floor_problem(day, self.not_before, ctx)


@dataclass(frozen=True)
class Time(Field):
    """A wall-clock time of day without a zone."""

    def parse(self, value: Any) -> str:
        """Normalise to "HH:MM" (or "HH:MM:SS" when seconds are given)."""
        if not isinstance(value, str):
            raise _bad("bad_time")
        try:
            parsed = dt.time.fromisoformat(value.strip())
        except ValueError:
            raise _bad("bad_time") from None
        if parsed.tzinfo is not None:
            raise _bad("bad_time")
        return parsed.isoformat("minutes" if not parsed.second and not parsed.microsecond else "seconds")


@dataclass(frozen=True)
class DateTime(Field):
    """An instant with its UTC offset; at most five minutes ahead of `now`."""

    not_before: str | None = None

    def parse(self, value: Any) -> str:
        """Normalise to ISO 8601 keeping the sender's offset (its local wall clock)."""
        return parse_datetime(value).isoformat()

    def check(self, value: str, ctx: Context) -> list[Problem]:
        """Refuse instants in the future and before `not_before`."""
        moment = dt.datetime.fromisoformat(value)
        if moment > ctx.now + FUTURE_TOLERANCE:
            return [("", "in_future", {})]
        return _floor_problem(moment, self.not_before, ctx)


@dataclass(frozen=True)
class DateRanges(Field):
    """Inclusive ranges of days [{start, end|None}]; an open end means still going on."""

    not_before: str | None = None
    max_items: int = 20

    def parse(self, value: Any) -> list[dict[str, str | None]]:
        """Normalise every range to {"start": date, "end": date or None}."""
        if not isinstance(value, list):
            raise _bad("not_a_list")
        ranges: list[dict[str, str | None]] = []
        problems: list[Problem] = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                problems.append((str(i), "not_an_object", {}))
                continue
            try:
                ranges.append(self._range(item, str(i)))
            except Invalid as bad:
                problems += bad.problems
        if problems:
            raise Invalid(problems)
        return ranges

    @staticmethod
    def _range(item: Mapping[str, Any], path: str) -> dict[str, str | None]:
        """Read one range; the end may be missing."""
        if is_blank(item.get("start")):
            raise _bad("required", f"{path}.start")
        start = parse_date(item["start"], f"{path}.start")
        end = None if is_blank(item.get("end")) else parse_date(item["end"], f"{path}.end")
        if end is not None and end < start:
            raise _bad("end_before_start", f"{path}.end")
        return {"start": start.isoformat(), "end": end.isoformat() if end else None}

    def check(self, value: list[dict[str, str | None]], ctx: Context) -> list[Problem]:
        """Refuse too many ranges, ranges starting before `not_before`, and overlapping ranges."""
        if len(value) > self.max_items:
            return [("", "too_many_items", {"max": self.max_items})]
        problems: list[Problem] = []
        spans = [
            (dt.date.fromisoformat(r["start"]), dt.date.fromisoformat(r["end"]) if r["end"] else dt.date.max)
            for r in value
        ]
        for i, (start, end) in enumerate(spans):
            problems += _floor_problem(start, self.not_before, ctx, f"{i}.start")
            if any(start <= other_end and other_start <= end for other_start, other_end in spans[:i]):
                problems.append((str(i), "ranges_overlap", {}))
        return problems

    def keys(self) -> set[str]:
        """Add the labels of a range's two ends."""
        return super().keys() | {"part.start", "part.end"}


@dataclass(frozen=True)
class Coordinates(Field):
    """A GPS fix {latitude, longitude, accuracy_m}; accuracy is optional."""

    def parse(self, value: Any) -> dict[str, float | None]:
        """Read the three numbers."""
        if not isinstance(value, dict):
            raise _bad("not_an_object")
        fix: dict[str, float | None] = {}
        problems: list[Problem] = []
        for part in ("latitude", "longitude", "accuracy_m"):
            if is_blank(value.get(part)):
                fix[part] = None
                if part != "accuracy_m":
                    problems.append((part, "required", {}))
                continue
            try:
                fix[part] = parse_number(value[part])
            except Invalid:
                problems.append((part, "not_a_number", {}))
        if problems:
            raise Invalid(problems)
        return fix

    def check(self, value: dict[str, float | None], ctx: Context) -> list[Problem]:
        """Keep latitude, longitude and accuracy within the globe's bounds."""
        problems = _bounds("latitude", value["latitude"], -90, 90)
        problems += _bounds("longitude", value["longitude"], -180, 180)
        if value["accuracy_m"] is not None:
            problems += _bounds("accuracy_m", value["accuracy_m"], 0, None)
        return problems

    def keys(self) -> set[str]:
        """Add the labels of the fix's parts."""
        return super().keys() | {"part.latitude", "part.longitude", "part.accuracy_m"}


@dataclass(frozen=True)
class Medications(Field):
    """Medicines given: [{name, dose_mg, prescription_only}]; the dose is that of a single dose."""

    max_items: int = 20
    max_name_length: int = 120

    def parse(self, value: Any) -> list[dict[str, Any]]:
        """Normalise every entry to {"name", "dose_mg" (number or None), "prescription_only"}."""
        if not isinstance(value, list):
            raise _bad("not_a_list")
        entries: list[dict[str, Any]] = []
        problems: list[Problem] = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                problems.append((str(i), "not_an_object", {}))
                continue
            name, dose, prescription = item.get("name"), item.get("dose_mg"), item.get("prescription_only")
            if is_blank(name):
                problems.append((f"{i}.name", "required", {}))
            elif not isinstance(name, str):
                problems.append((f"{i}.name", "not_text", {}))
            dose_mg = None
            if not is_blank(dose):
                try:
                    dose_mg = parse_number(dose)
                except Invalid:
                    problems.append((f"{i}.dose_mg", "not_a_number", {}))
            if prescription is not None and not isinstance(prescription, bool):
                problems.append((f"{i}.prescription_only", "not_a_boolean", {}))
            if not problems:
                entries.append(
                    {
                        "name": " ".join(name.split()),
                        "dose_mg": dose_mg,
                        "prescription_only": bool(prescription),
                    }
                )
        if problems:
            raise Invalid(problems)
        return entries

    def check(self, value: list[dict[str, Any]], ctx: Context) -> list[Problem]:
        """Enforce the number of entries, name lengths and non-negative doses."""
        if len(value) > self.max_items:
            return [("", "too_many_items", {"max": self.max_items})]
        problems: list[Problem] = []
        for i, entry in enumerate(value):
            if len(entry["name"]) > self.max_name_length:
                problems.append((f"{i}.name", "too_long", {"max": self.max_name_length}))
            if entry["dose_mg"] is not None:
                problems += _bounds(f"{i}.dose_mg", entry["dose_mg"], 0, None)
        return problems

    def keys(self) -> set[str]:
        """Add the labels of an entry's parts."""
        return super().keys() | {"part.medication_name", "part.dose_mg", "part.prescription_only"}


@dataclass(frozen=True)
class PhotoSlots(Field):
    """Photos by manifest slot: [{slot, sha256, caption}]; the bytes travel separately."""

    min_photos: int = 0
    max_photos: int = 10
    max_caption_length: int = 200

    def parse(self, value: Any) -> list[dict[str, str]]:
        """Normalise every photo to {"slot", "sha256" (lower-case hex), "caption"}."""
        if not isinstance(value, list):
            raise _bad("not_a_list")
        photos: list[dict[str, str]] = []
        problems: list[Problem] = []
        for i, item in enumerate(value):
            slot = item.get("slot") if isinstance(item, dict) else None
            digest = item.get("sha256") if isinstance(item, dict) else None
            caption = item.get("caption", "") if isinstance(item, dict) else None
            if not (
                isinstance(slot, str)
                and _SLOT.fullmatch(slot)
                and isinstance(digest, str)
                and _SHA256.fullmatch(digest)
                and isinstance(caption, str | None)
            ):
                problems.append((str(i), "bad_photo", {}))
                continue
            photos.append(
                {"slot": slot, "sha256": digest.lower(), "caption": " ".join((caption or "").split())}
            )
        if problems:
            raise Invalid(problems)
        return photos

    def check(self, value: list[dict[str, str]], ctx: Context) -> list[Problem]:
        """Enforce the photo count, unique slots and caption length."""
        problems: list[Problem] = []
        if len(value) < self.min_photos:
            problems.append(("", "too_few_photos", {"min": self.min_photos}))
        if len(value) > self.max_photos:
            problems.append(("", "too_many_photos", {"max": self.max_photos}))
        seen: set[str] = set()
        for i, photo in enumerate(value):
            if photo["slot"] in seen:
                problems.append((str(i), "duplicate_slot", {}))
            seen.add(photo["slot"])
            if len(photo["caption"]) > self.max_caption_length:
                problems.append((f"{i}.caption", "too_long", {"max": self.max_caption_length}))
        return problems

    def keys(self) -> set[str]:
        """Add the caption label."""
        return super().keys() | {"part.caption"}


@dataclass(frozen=True)
class Ref(Field):
    """The id of another record (a site area, an asset); `target` names the table the app lists."""

    target: str

    def parse(self, value: Any) -> str:
        """Normalise to the canonical lower-case UUID text."""
        if not isinstance(value, str):
            raise _bad("bad_id")
        try:
            return str(uuid.UUID(value.strip()))
        except ValueError:
            raise _bad("bad_id") from None
