"""Where an incident happened: the nearest site area, typed-in coordinates, accuracy labels, street addresses.

geopy is imported on first use rather than with this module: importing it loads every geocoder and
`requests` (about 0.1 s on a desktop, several times that on a cheap phone), which app start-up
should not pay for.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

log = logging.getLogger(__name__)

_NUMBER = r"\d+(?:\.\d+)?"
# Typographic marks people paste from maps and documents, mapped to the plain ones the pattern reads.
_PLAIN_MARKS = str.maketrans(
    {"′": "'", "’": "'", "‘": "'", "´": "'", "″": '"', "“": '"', "”": '"'}
    | {"º": "°", "˚": "°", "−": "-", "–": "-"}
)


def _component(name: str) -> str:
    """Return the pattern for one coordinate: decimal or degrees-minutes-seconds, signed or lettered."""
    return (
        rf"(?P<{name}_pre>[NSEW])?\s*(?P<{name}_sign>[-+])?\s*(?P<{name}_deg>{_NUMBER})\s*°?\s*"
        rf"(?:(?P<{name}_min>{_NUMBER})\s*'\s*(?:(?P<{name}_sec>{_NUMBER})\s*\"\s*)?)?"
        rf"(?({name}_pre)|(?P<{name}_post>[NSEW])?)"
    )


_COORDINATES = re.compile(rf"{_component('a')}\s*[,;]?\s*{_component('b')}", re.IGNORECASE)
_EXAMPLE = "3.1390, 101.6869 or 3°08'20.4\"N 101°41'12.8\"E"


class LocationErrorCode(StrEnum):
    """Stable reasons a location input is refused."""

    UNREADABLE = "unreadable_coordinates"
    OUT_OF_RANGE = "out_of_range"


class LocationError(ValueError):
    """Coordinates or a distance that cannot be used: branch on `code`; `message` is fit to show."""

    def __init__(self, code: LocationErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class AreaPoint:
    """A named place inside a site with its centre point and, optionally, the radius it covers."""

    id: uuid.UUID | str
    name: str
    lat: float
    lon: float
    radius_m: float | None = None

    def __post_init__(self) -> None:
        """Refuse a centre that is not on Earth or a negative radius."""
        _check_range(self.lat, self.lon)
        if self.radius_m is not None and not self.radius_m >= 0:
            raise LocationError(
                LocationErrorCode.OUT_OF_RANGE, f"Area {self.name!r}: radius must be 0 m or more."
            )


class AreaMatch(NamedTuple):
    """The area chosen for a point and the geodesic distance in metres from the point to its centre."""

    area: AreaPoint
    distance_m: float

    @property
    def within(self) -> bool:
        """Tell whether the point lies inside the area's radius (False when the area has none)."""
        return self.area.radius_m is not None and self.distance_m <= self.area.radius_m


def nearest_area(lat: float, lon: float, areas: Iterable[AreaPoint]) -> AreaMatch | None:
    """Return the area a point lies within (nearest centre first), else the nearest; None if no areas."""
    from geopy.distance import geodesic

    _check_range(lat, lon)
    best: AreaMatch | None = None
    for area in areas:
        match = AreaMatch(area, geodesic((lat, lon), (area.lat, area.lon)).meters)
        if best is None or (not match.within, match.distance_m) < (not best.within, best.distance_m):
            best = match
    return best


def parse_coordinates(text: str) -> tuple[float, float]:
    """Read "lat, lon" typed as decimal degrees or degrees-minutes-seconds; return signed decimal degrees.

    Accepts a comma, semicolon or space between the two, a minus sign or N/S/E/W letters, and puts
    the pair in (lat, lon) order when the letters say the longitude came first.
    """
    match = _COORDINATES.fullmatch(text.translate(_PLAIN_MARKS).strip())
    if match is None:
        raise LocationError(
            LocationErrorCode.UNREADABLE,
            f"Couldn't read {text.strip()!r} as coordinates. Type them like {_EXAMPLE}.",
        )
    (first, first_axis), (second, second_axis) = _read_component(match, "a"), _read_component(match, "b")
    if first_axis is not None and first_axis == second_axis:
        raise LocationError(
            LocationErrorCode.UNREADABLE, "Give one latitude (N or S) and one longitude (E or W)."
        )
    if first_axis == "lon" or second_axis == "lat":
        first, second = second, first
    _check_range(first, second)
    return first, second


def _read_component(match: re.Match[str], name: str) -> tuple[float, str | None]:
    """Turn one matched coordinate into signed degrees and its axis ("lat", "lon" or None if unlettered)."""
    hemisphere = (match[f"{name}_pre"] or match[f"{name}_post"] or "").upper()
    sign = match[f"{name}_sign"]
    degrees, minutes, seconds = match[f"{name}_deg"], match[f"{name}_min"], match[f"{name}_sec"]
    if hemisphere and sign:
        raise LocationError(
            LocationErrorCode.UNREADABLE, "Use either a minus sign or N, S, E or W, not both."
        )
    if (minutes is not None and "." in degrees) or (seconds is not None and "." in minutes):
        raise LocationError(
            LocationErrorCode.UNREADABLE, "Only the last of degrees, minutes and seconds may have decimals."
        )
    if float(minutes or 0) >= 60 or float(seconds or 0) >= 60:
        raise LocationError(LocationErrorCode.OUT_OF_RANGE, "Minutes and seconds must be below 60.")
    value = float(degrees) + float(minutes or 0) / 60 + float(seconds or 0) / 3600
    if sign == "-" or hemisphere in ("S", "W"):
        value = -value
    axis = {"N": "lat", "S": "lat", "E": "lon", "W": "lon"}.get(hemisphere)
    return value, axis


def _check_range(lat: float, lon: float) -> None:
    """Refuse a latitude outside ±90 or a longitude outside ±180 (or either not a number)."""
    if not -90 <= lat <= 90:
        raise LocationError(
            LocationErrorCode.OUT_OF_RANGE, f"Latitude must be between -90 and 90, not {lat:g}."
        )
    if not -180 <= lon <= 180:
        raise LocationError(
            LocationErrorCode.OUT_OF_RANGE, f"Longitude must be between -180 and 180, not {lon:g}."
        )


def format_accuracy(metres: float) -> str:
    """Label a GPS accuracy radius: "±8 m" under a kilometre, "±1.2 km" under ten, "±12 km" beyond."""
    if not (math.isfinite(metres) and metres >= 0):
        raise LocationError(LocationErrorCode.OUT_OF_RANGE, "Accuracy must be a distance of 0 m or more.")
    if round(metres) < 1000:
        return f"±{max(round(metres), 1)} m"
    kilometres = metres / 1000
    return f"±{kilometres:.1f} km" if round(kilometres, 1) < 10 else f"±{round(kilometres)} km"


class ReverseGeocoder:
    """Street addresses for points from a Nominatim server: cached, rate-limited, and never raising.

    Lookups are keyed on coordinates rounded to 4 decimals (about 11 m), and that rounded point is
    what is sent. Answers live in an in-memory LRU and, when given, in `cache`, a mapping the caller
    persists (keys "lat,lon", values addresses). The server is asked at most once per
    `min_delay_seconds` (Nominatim's policy is one request a second), not while `is_online()` says
    the phone is offline, and not for `failure_cooldown_seconds` after a failed request.
    """

    def __init__(
        self,
        *,
        user_agent: str,
        domain: str = "nominatim.openstreetmap.org",
        scheme: str = "https",
        timeout: float = 5.0,
        min_delay_seconds: float = 1.0,
        failure_cooldown_seconds: float = 60.0,
        language: str | None = None,
        cache_size: int = 256,
        cache: MutableMapping[str, str] | None = None,
        is_online: Callable[[], bool] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Configure the server and the politeness rules; `user_agent` must identify the app."""
        from geopy.geocoders import Nominatim

        if not user_agent.strip():
            raise ValueError("Nominatim requires a user agent that identifies the application")
        self._geocoder = Nominatim(user_agent=user_agent, domain=domain, scheme=scheme, timeout=timeout)
        self._min_delay = min_delay_seconds
        self._failure_cooldown = failure_cooldown_seconds
        self._language = language
        self._cache_size = cache_size
        self._store = cache
        self._is_online = is_online
        self._clock = clock
        self._sleep = sleep
        self._recent: OrderedDict[str, str | None] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._request_lock = threading.Lock()
        self._next_request_at = -math.inf
        self._quiet_until = -math.inf

    def lookup(self, lat: float, lon: float) -> str | None:
        """Return the address at a point; None when there is none, the phone is offline, or anything fails."""
        try:
            return self._lookup(lat, lon)
        except Exception as exc:  # an address is a nicety: it must never fail or block a report
            log.info("No address for %r,%r: %r", lat, lon, exc)
            return None

    async def lookup_async(self, lat: float, lon: float) -> str | None:
        """Run `lookup` in a worker thread so the event loop (and a save) never waits on the network."""
        return await asyncio.to_thread(self.lookup, lat, lon)

    def _lookup(self, lat: float, lon: float) -> str | None:
        """Answer from the caches, else ask the server when allowed."""
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        point = (round(lat, 4) + 0.0, round(lon, 4) + 0.0)  # + 0.0 turns -0.0 into 0.0
        key = f"{point[0]:.4f},{point[1]:.4f}"
        found, address = self._cached(key)
        if found or (self._is_online is not None and not self._is_online()):
            return address
        with self._request_lock:
            found, address = self._cached(key)  # another thread may have just asked for this point
            if found or self._clock() < self._quiet_until:
                return address
            address = self._request(point)
        self._remember(key, address)
        return address

    def _request(self, point: tuple[float, float]) -> str | None:
        """Ask the server, keeping the minimum delay between requests and pausing after a failure."""
        wait = self._next_request_at - self._clock()
        if wait > 0:
            self._sleep(wait)
        try:
            location = self._geocoder.reverse(point, language=self._language or False, addressdetails=False)
        except Exception:
            self._quiet_until = self._clock() + self._failure_cooldown
            raise
        finally:
            self._next_request_at = self._clock() + self._min_delay
        return location.address if location is not None and location.address else None

    def _cached(self, key: str) -> tuple[bool, str | None]:
        """Return (found, address) from the in-memory LRU, then the caller's cache."""
        with self._cache_lock:
            if key in self._recent:
                self._recent.move_to_end(key)
                return True, self._recent[key]
        address = self._store.get(key) if self._store is not None else None
        if address is None:
            return False, None
        self._remember(key, address)
        return True, address

    def _remember(self, key: str, address: str | None) -> None:
        """Keep an answer (None: "no address here") in the LRU, and addresses in the caller's cache."""
        with self._cache_lock:
            self._recent[key] = address
            self._recent.move_to_end(key)
            while len(self._recent) > self._cache_size:
                self._recent.popitem(last=False)
        if address is not None and self._store is not None:
            self._store[key] = address
