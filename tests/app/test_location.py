"""Location helpers: nearest plant area, typed coordinates, accuracy labels, reverse geocoding over HTTP."""

from __future__ import annotations

import asyncio
import json
import math
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from geopy.distance import geodesic

from app.location import (
    AreaPoint,
    LocationError,
    LocationErrorCode,
    ReverseGeocoder,
    format_accuracy,
    nearest_area,
    parse_coordinates,
)

# A car-parts plant in Seksyen 15, Shah Alam: areas a couple of hundred metres apart.
PRESS_SHOP = AreaPoint("press", "Press shop", 3.0575, 101.5480, radius_m=60)
WAREHOUSE = AreaPoint("warehouse", "Warehouse", 3.0590, 101.5502, radius_m=80)
CANTEEN = AreaPoint("canteen", "Canteen", 3.0562, 101.5495, radius_m=25)
PLANT = (PRESS_SHOP, WAREHOUSE, CANTEEN)
AGENT = "field-ims-tests/1.0"


def walk(area: AreaPoint, metres: float, bearing: float) -> tuple[float, float]:
    """Return the point `metres` from an area's centre along a compass bearing."""
    point = geodesic(meters=metres).destination((area.lat, area.lon), bearing=bearing)
    return point.latitude, point.longitude


def test_point_inside_an_area_is_matched_with_its_distance() -> None:
    lat, lon = walk(PRESS_SHOP, 20, bearing=45)

    match = nearest_area(lat, lon, PLANT)

    assert match is not None
    area, distance = match
    assert area is PRESS_SHOP
    assert distance == pytest.approx(20, abs=0.01)
    assert match.within


def test_point_outside_every_radius_gets_the_nearest_area_not_within() -> None:
    lat, lon = walk(CANTEEN, 70, bearing=180)

    match = nearest_area(lat, lon, iter(PLANT))

    assert match is not None
    assert match.area is CANTEEN
    assert match.distance_m == pytest.approx(70, abs=0.01)
    assert not match.within


def test_containing_area_wins_over_a_nearer_centre() -> None:
    yard = AreaPoint("yard", "Loading yard", 3.0601, 101.5470, radius_m=250)
    guard_post = AreaPoint("guard", "Guard post", *walk(yard, 200, bearing=90), radius_m=15)
    lat, lon = walk(yard, 120, bearing=90)  # 80 m from the guard post's centre, inside the yard

    match = nearest_area(lat, lon, [guard_post, yard])
    unbounded = nearest_area(lat, lon, [guard_post, AreaPoint("yard", "Loading yard", yard.lat, yard.lon)])

    assert match is not None and unbounded is not None
    assert (match.area, match.within) == (yard, True)
    assert match.distance_m == pytest.approx(120, abs=0.01)
    assert (unbounded.area, unbounded.within) == (guard_post, False)
    assert unbounded.distance_m == pytest.approx(80, abs=0.01)


def test_plant_areas_are_hundreds_of_metres_apart() -> None:
    match = nearest_area(WAREHOUSE.lat, WAREHOUSE.lon, [PRESS_SHOP])

    assert match is not None
    assert 250 < match.distance_m < 350


def test_no_areas_means_no_match() -> None:
    assert nearest_area(3.0575, 101.5480, []) is None


@pytest.mark.parametrize(("lat", "lon"), [(91.0, 101.5), (3.0, -180.5), (math.nan, 101.5)])
def test_off_the_globe_point_or_area_is_refused(lat: float, lon: float) -> None:
    with pytest.raises(LocationError) as from_point:
        nearest_area(lat, lon, PLANT)
    with pytest.raises(LocationError) as from_area:
        AreaPoint("x", "Nowhere", lat, lon)

    assert from_point.value.code is LocationErrorCode.OUT_OF_RANGE
    assert from_area.value.code is LocationErrorCode.OUT_OF_RANGE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3.1390, 101.6869", (3.1390, 101.6869)),
        ("3.1390 101.6869", (3.1390, 101.6869)),
        ("-6.2088;106.8456", (-6.2088, 106.8456)),
        ("3°08'20.4\"N 101°41'12.8\"E", (3.139, 101.686889)),
        ("3°08′20.4″N, 101°41′12.8″E", (3.139, 101.686889)),
        ("101°41'12.8\"E 3°08'20.4\"N", (3.139, 101.686889)),
        ("S 6°12.53' E 106°50.74'", (-6.208833, 106.845667)),
        ("23°33'01\"S 46°38'02\"W", (-23.550278, -46.633889)),
        ("  3.139N 101.6869e ", (3.139, 101.6869)),
    ],
)
def test_typed_coordinates_are_read(text: str, expected: tuple[float, float]) -> None:
    lat, lon = parse_coordinates(text)

    assert lat == pytest.approx(expected[0], abs=1e-6)
    assert lon == pytest.approx(expected[1], abs=1e-6)


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("beside the forklift bay", LocationErrorCode.UNREADABLE, "Couldn't read 'beside the forklift bay'"),
        ("", LocationErrorCode.UNREADABLE, "Type them like 3.1390, 101.6869"),
        ("3,1390 101,6869", LocationErrorCode.UNREADABLE, "Couldn't read"),
        ("91.5, 101.6", LocationErrorCode.OUT_OF_RANGE, "Latitude must be between -90 and 90, not 91.5."),
        ("3.1, 181", LocationErrorCode.OUT_OF_RANGE, "Longitude must be between -180 and 180, not 181."),
        ("3°65'N 101°41'E", LocationErrorCode.OUT_OF_RANGE, "Minutes and seconds must be below 60."),
        ("3°08'N 4°10'S", LocationErrorCode.UNREADABLE, "one latitude (N or S) and one longitude (E or W)"),
        ("-3.1S 101.6E", LocationErrorCode.UNREADABLE, "either a minus sign or N, S, E or W"),
        ("3.5°08'N 101°41'E", LocationErrorCode.UNREADABLE, "Only the last of degrees, minutes and seconds"),
    ],
)
def test_unusable_coordinates_are_refused_with_a_clear_reason(
    text: str, code: LocationErrorCode, message: str
) -> None:
    with pytest.raises(LocationError) as caught:
        parse_coordinates(text)

    assert caught.value.code is code
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("metres", "label"),
    [(0.3, "±1 m"), (8, "±8 m"), (8.4, "±8 m"), (999.4, "±999 m"), (999.6, "±1.0 km"), (1234, "±1.2 km")]
    + [(9960, "±10 km"), (12_345, "±12 km")],
)
def test_accuracy_labels(metres: float, label: str) -> None:
    assert format_accuracy(metres) == label


@pytest.mark.parametrize("metres", [-1.0, math.nan, math.inf])
def test_accuracy_must_be_a_distance(metres: float) -> None:
    with pytest.raises(LocationError):
        format_accuracy(metres)


class FakeNominatim(ThreadingHTTPServer):
    """A loopback HTTP server answering /reverse the way Nominatim does, counting every request."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), NominatimHandler)
        self.requests: list[tuple[dict[str, str], str]] = []
        self.status = 200
        self.release = threading.Event()
        self.release.set()

    @property
    def domain(self) -> str:
        """Return host:port for geopy's `domain` setting."""
        return f"127.0.0.1:{self.server_address[1]}"


class NominatimHandler(BaseHTTPRequestHandler):
    """Reply with a Nominatim-shaped reverse result naming the coordinates asked for."""

    server: FakeNominatim

    def do_GET(self) -> None:
        """Answer /reverse, after the test releases the server."""
        url = urlsplit(self.path)
        query = {name: values[0] for name, values in parse_qs(url.query).items()}
        self.server.requests.append((query, self.headers.get("User-Agent", "")))
        self.server.release.wait(10)
        if url.path != "/reverse" or self.server.status != 200:
            self.send_error(self.server.status if url.path == "/reverse" else 404)
            return
        lat, lon = float(query["lat"]), float(query["lon"])
        if lat < 0:  # the test's "open sea"
            body = {"error": "Unable to geocode"}
        else:
            body = {
                "place_id": 215453,
                "licence": "Data © OpenStreetMap contributors, ODbL 1.0. https://osm.org/copyright",
                "osm_type": "way",
                "osm_id": 23741582,
                "lat": query["lat"],
                "lon": query["lon"],
                "display_name": f"Jalan Utas 15/7 ({lat:g},{lon:g}), Seksyen 15, 40200 Shah Alam",
                "boundingbox": [str(lat - 0.001), str(lat + 0.001), str(lon - 0.001), str(lon + 0.001)],
            }
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


class FakeClock:
    """A monotonic clock that only moves when slept on or advanced, recording every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        """Read the time."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Pretend to wait."""
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def nominatim() -> Iterator[FakeNominatim]:
    """A fake Nominatim served on loopback for the length of one test."""
    server = FakeNominatim()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def clock() -> FakeClock:
    """A fresh fake clock."""
    return FakeClock()


def geocoder_for(server: FakeNominatim, clock: FakeClock, **options: object) -> ReverseGeocoder:
    """Point a ReverseGeocoder at the fake server, on the fake clock."""
    return ReverseGeocoder(
        user_agent=AGENT,
        domain=server.domain,
        scheme="http",
        timeout=2,
        clock=clock,
        sleep=clock.sleep,
        **options,
    )


def test_lookup_sends_a_polite_rounded_request_and_returns_the_address(
    nominatim: FakeNominatim, clock: FakeClock
) -> None:
    geocoder = geocoder_for(nominatim, clock, language="ms,en")

    address = geocoder.lookup(3.0575123, 101.5480456)

    assert address == "Jalan Utas 15/7 (3.0575,101.548), Seksyen 15, 40200 Shah Alam"
    [(query, user_agent)] = nominatim.requests
    assert (query["lat"], query["lon"], query["format"]) == ("3.0575", "101.548", "json")
    assert query["accept-language"] == "ms,en"
    assert user_agent == AGENT


def test_nearby_points_are_answered_from_the_cache(nominatim: FakeNominatim, clock: FakeClock) -> None:
    saved: dict[str, str] = {}
    geocoder = geocoder_for(nominatim, clock, cache=saved)

    first = geocoder.lookup(3.0575123, 101.5480456)
    again = geocoder.lookup(3.0575123, 101.5480456)
    within_eleven_metres = geocoder.lookup(3.05749, 101.54801)

    assert first == again == within_eleven_metres
    assert len(nominatim.requests) == 1
    assert saved == {"3.0575,101.5480": first}

    after_restart = ReverseGeocoder(user_agent=AGENT, domain="127.0.0.1:9", scheme="http", cache=saved)
    assert after_restart.lookup(3.0575, 101.548) == first


def test_least_recently_used_answers_are_forgotten(nominatim: FakeNominatim, clock: FakeClock) -> None:
    geocoder = geocoder_for(nominatim, clock, cache_size=2)

    for lat in (3.0575, 3.0590, 3.0575, 3.0562, 3.0590):
        geocoder.lookup(lat, 101.548)

    assert [query["lat"] for query, _ in nominatim.requests] == ["3.0575", "3.059", "3.0562", "3.059"]


def test_requests_are_spaced_by_the_minimum_delay(nominatim: FakeNominatim, clock: FakeClock) -> None:
    geocoder = geocoder_for(nominatim, clock)

    geocoder.lookup(3.0575, 101.5480)
    geocoder.lookup(3.0590, 101.5502)
    clock.now += 5
    geocoder.lookup(3.0562, 101.5495)

    assert clock.sleeps == [pytest.approx(1.0)]
    assert len(nominatim.requests) == 3


def test_no_address_here_is_remembered(nominatim: FakeNominatim, clock: FakeClock) -> None:
    geocoder = geocoder_for(nominatim, clock)

    assert geocoder.lookup(-3.5, 101.0) is None
    assert geocoder.lookup(-3.5, 101.0) is None
    assert len(nominatim.requests) == 1


def test_server_failure_returns_none_then_pauses_requests(nominatim: FakeNominatim, clock: FakeClock) -> None:
    geocoder = geocoder_for(nominatim, clock, failure_cooldown_seconds=60)
    nominatim.status = 503

    assert geocoder.lookup(3.0575, 101.5480) is None
    nominatim.status = 200
    assert geocoder.lookup(3.0575, 101.5480) is None  # still pausing: the server is not asked
    assert len(nominatim.requests) == 1

    clock.now += 61
    assert geocoder.lookup(3.0575, 101.5480) is not None  # failures were not cached
    assert len(nominatim.requests) == 2


def test_offline_phone_makes_no_request_but_still_uses_the_cache(
    nominatim: FakeNominatim, clock: FakeClock
) -> None:
    online = True
    geocoder = geocoder_for(nominatim, clock, is_online=lambda: online)
    known = geocoder.lookup(3.0575, 101.5480)

    online = False

    assert geocoder.lookup(3.0575, 101.5480) == known
    assert geocoder.lookup(3.0590, 101.5502) is None
    assert len(nominatim.requests) == 1


@pytest.mark.parametrize(("lat", "lon"), [(math.nan, 101.5), (95.0, 101.5), (3.0, 200.0)])
def test_impossible_points_return_none_without_a_request(
    nominatim: FakeNominatim, clock: FakeClock, lat: float, lon: float
) -> None:
    assert geocoder_for(nominatim, clock).lookup(lat, lon) is None
    assert nominatim.requests == []


def free_port() -> int:
    """Return a loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_unreachable_server_returns_none() -> None:
    geocoder = ReverseGeocoder(user_agent=AGENT, domain=f"127.0.0.1:{free_port()}", scheme="http")

    assert geocoder.lookup(3.0575, 101.5480) is None
    assert await geocoder.lookup_async(3.0590, 101.5502) is None


def test_silent_server_returns_none_after_the_timeout() -> None:
    with socket.socket() as silent:  # accepts connections (via the backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        geocoder = ReverseGeocoder(
            user_agent=AGENT,
            domain=f"127.0.0.1:{silent.getsockname()[1]}",
            scheme="http",
            timeout=0.2,
        )

        assert geocoder.lookup(3.0575, 101.5480) is None


async def test_async_lookup_leaves_the_event_loop_free(nominatim: FakeNominatim) -> None:
    nominatim.release.clear()  # the server holds its answer until this coroutine lets it go
    geocoder = ReverseGeocoder(user_agent=AGENT, domain=nominatim.domain, scheme="http", timeout=5)

    lookup = asyncio.create_task(geocoder.lookup_async(3.0575, 101.5480))
    while not (nominatim.requests or lookup.done()):  # runs only if the lookup leaves the loop free
        await asyncio.sleep(0.01)
    nominatim.release.set()

    assert await lookup == "Jalan Utas 15/7 (3.0575,101.548), Seksyen 15, 40200 Shah Alam"


def test_a_user_agent_is_required() -> None:
    with pytest.raises(ValueError, match="user agent"):
        ReverseGeocoder(user_agent=" ")
