"""Local wall-clock times for forms: the site's zone when this device knows it, else the device's own."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone_for(name: str | None) -> dt.tzinfo:
    """The IANA zone by name, or the device's current zone (phones often lack the zone database)."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    local = dt.datetime.now().astimezone().tzinfo
    assert local is not None
    return local


def now_in(zone: dt.tzinfo) -> dt.datetime:
    """The current time in a zone, to the minute."""
    return dt.datetime.now(zone).replace(second=0, microsecond=0)


def device_now() -> str:
    """The device's clock as ISO 8601 with its UTC offset (for `device_recorded_at`)."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def iso_local(moment: dt.datetime) -> str:
    """An aware time as ISO 8601 to the minute, with its offset."""
    return moment.isoformat(timespec="minutes")


def split_local(value: object, zone: dt.tzinfo) -> tuple[str, str]:
    """Show an ISO date-time as ("YYYY-MM-DD", "HH:MM") on the zone's wall clock; blank when unreadable."""
    if not isinstance(value, str) or not value.strip():
        return "", ""
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        date_part, _, time_part = value.partition("T")
        return date_part, time_part
    if moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return moment.date().isoformat(), moment.strftime("%H:%M")


def join_local(date_text: str, time_text: str, zone: dt.tzinfo) -> str | None:
    """Combine a typed date and time on the zone's wall clock into ISO 8601 with the offset.

    Blank when both are blank; when either cannot be read, the text as typed (so that validation
    names the problem instead of the answer silently disappearing).
    """
    date_text, time_text = date_text.strip(), time_text.strip()
    if not date_text and not time_text:
        return None
    try:
        day = dt.date.fromisoformat(date_text)
        clock = dt.time.fromisoformat(time_text)
    except ValueError:
        return f"{date_text}T{time_text}"
    return iso_local(dt.datetime.combine(day, clock.replace(tzinfo=None), tzinfo=zone))


def short_time(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """A time for lists: "2025-03-14 14:30" on the zone's wall clock."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def ltr(text: str, rtl: bool) -> str:
    """Keep a date, time or coordinates in left-to-right order inside right-to-left text.

    Digits joined by "-", ":" or "," are reordered by the bidi algorithm in an Arabic sentence
    ("2026-03-14" would read "14-03-2026"); a left-to-right isolate keeps them as written.
    """
    return f"\u2066{text}\u2069" if rtl else text
