"""Where it happened: the device's GPS behind the permission flow, or a site area, or typed coordinates.

On a phone the panel asks for a fix as soon as the screen opens (never blocking the screen or a
save); in a browser it waits for the user to press "Use my location", because a browser asks for
permission and a desk computer's position is rarely worth it. Whatever the source, the nearest site
area is found offline (`app.location.nearest_area`), and a street address is looked up only when
the device is online (`ReverseGeocoder`, in a thread, rate-limited and cached).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import flet as ft

from app.controls.clock import ltr
from app.controls.fields import Editor, RenderContext
from app.controls.widgets import error_line, note, plain_button, safe_update, show_error, text_button
from app.location import AreaPoint, LocationError, format_accuracy, nearest_area, parse_coordinates
from app.queries_reporting import Area
from forms.fields import Field

log = logging.getLogger(__name__)

GPS_TIMEOUT_SECONDS = 20.0
"""How long to wait for a fix before offering the other ways."""


def area_point(area: Area) -> AreaPoint | None:
    """An area as a point for the nearest-area search (None without coordinates)."""
    if area.latitude is None or area.longitude is None:
        return None
    return AreaPoint(area.id, area.name, area.latitude, area.longitude, area.radius_m)


class Problem(StrEnum):
    """Why the device gave no fix; each has a message "location.problem.<code>"."""

    DENIED = "denied"
    DENIED_FOREVER = "denied_forever"
    SERVICE_OFF = "service_off"
    TIMEOUT = "timeout"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Fix:
    """A position from the device, in degrees, with its accuracy radius in metres (None if unknown)."""

    latitude: float
    longitude: float
    accuracy_m: float | None


class Positioning(Protocol):
    """The device's location service as the panel uses it."""

    automatic: bool

    async def locate(self) -> Fix | Problem:
        """Ask for permission if needed, then for a fix."""
        ...

    async def open_settings(self) -> None:
        """Open the settings where the user can allow location again."""
        ...


class DeviceLocation:
    """flet-geolocator behind the flet-permission-handler flow (phones), or the browser's own prompt (web)."""

    def __init__(self, page: ft.Page, *, timeout: float = GPS_TIMEOUT_SECONDS) -> None:
        import flet_geolocator as ftg

        self._ftg = ftg
        self.timeout = timeout
        self.web = bool(page.web)
        self.automatic = not self.web
        self.geolocator = ftg.Geolocator()
        self.permissions: Any = None
        if not self.web:
            import flet_permission_handler as fph

            self._fph = fph
            self.permissions = fph.PermissionHandler()

    async def locate(self) -> Fix | Problem:
        """Check and request permission, check the location service, then get one fix."""
        try:
            problem = await asyncio.wait_for(self._allowed(), self.timeout)
            if problem is not None:
                return problem
            position = await asyncio.wait_for(
                self.geolocator.get_current_position(
                    self._ftg.GeolocatorConfiguration(accuracy=self._ftg.GeolocatorPositionAccuracy.BEST)
                ),
                self.timeout,
            )
        except TimeoutError:
            return Problem.TIMEOUT
        except Exception as exc:  # the platform refused (no permission in a browser, no hardware)
            log.info("no GPS fix: %r", exc)
            return Problem.UNAVAILABLE
        if position.latitude is None or position.longitude is None:
            return Problem.UNAVAILABLE
        accuracy = float(position.accuracy) if position.accuracy else None
        return Fix(float(position.latitude), float(position.longitude), accuracy)

    async def _allowed(self) -> Problem | None:
        """The permission flow; None when the app may read the location."""
        if self.permissions is None:
            return None
        fph = self._fph
        granted = {fph.PermissionStatus.GRANTED, fph.PermissionStatus.LIMITED}
        forever = {fph.PermissionStatus.PERMANENTLY_DENIED, fph.PermissionStatus.RESTRICTED}
        permission = fph.Permission.LOCATION_WHEN_IN_USE
        status = await self.permissions.get_status(permission)
        if status not in granted:
            if status in forever:
                return Problem.DENIED_FOREVER
            status = await self.permissions.request(permission)
            if status in forever:
                return Problem.DENIED_FOREVER
            if status not in granted:
                return Problem.DENIED
        if not await self.geolocator.is_location_service_enabled():
            return Problem.SERVICE_OFF
        return None

    async def open_settings(self) -> None:
        """Open the app's settings page (where location can be allowed again)."""
        if self.permissions is not None:
            await self.permissions.open_app_settings()


class Source(StrEnum):
    """Where the location on the form came from."""

    GPS = "gps"
    AREA = "area"
    TYPED = "typed"


Spawn = Callable[[Coroutine[Any, Any, Any]], Any]


class LocationPanel(Editor):
    """The `location` field (and the site area on full forms): GPS first, then a list or typed coordinates."""

    def __init__(
        self,
        ctx: RenderContext,
        spec: Field,
        *,
        areas: list[Area],
        device: Positioning | None,
        spawn: Spawn,
        geocoder: Any = None,
        online: Callable[[], bool] = lambda: False,
        on_area: Callable[[str | None], None] = lambda _area_id: None,
    ) -> None:
        super().__init__(ctx, spec)
        t = ctx.t
        self.areas = areas
        self.device = device
        self.spawn = spawn
        self.geocoder = geocoder
        self.online = online
        self.on_area = on_area
        self.fix: dict[str, float | None] | None = None
        self.source: Source | None = None
        self.area: Area | None = None
        self.address: str | None = None
        self.problem: Problem | None = None
        self.busy = False

        self.status = ft.Text(t("location.none"), key="location.status", weight=ft.FontWeight.W_500)
        self.detail = note("", key="location.detail", visible=False)
        self.address_line = note("", key="location.address", visible=False)
        self.spinner = ft.ProgressRing(width=20, height=20, visible=False)
        self.error = error_line(key="location.error")
        self.gps_button = plain_button(
            t("location.use_gps"), self.locate_clicked, key="location.use_gps", icon=ft.Icons.MY_LOCATION
        )
        self.gps_button.visible = device is not None
        self.settings_button = text_button(
            t("location.open_settings"),
            self.open_settings,
            key="location.open_settings",
            icon=ft.Icons.SETTINGS,
        )
        self.settings_button.visible = False
        self.area_button = plain_button(
            t("location.choose_area"), self.toggle_areas, key="location.choose_area", icon=ft.Icons.LIST
        )
        self.area_button.visible = bool(areas)
        self.type_button = plain_button(
            t("location.type_coordinates"),
            self.toggle_typing,
            key="location.type_coordinates",
            icon=ft.Icons.EDIT_LOCATION_ALT,
        )
        self.area_group = ft.RadioGroup(
            content=ft.Column(
                [
                    ft.Radio(
                        value=a.id,
                        label=a.name,
                        key=f"location.area.{a.id}",
                        visual_density=ft.VisualDensity.STANDARD,
                    )
                    for a in areas
                ],
                spacing=0,
            ),
            key="location.areas",
            on_change=lambda e: self.choose_area(e.control.value),
        )
        self.area_box = ft.Column([ft.Text(t("location.areas_title")), self.area_group], visible=False)
        self.typed = ft.TextField(
            label=t("location.coordinates"),
            hint_text=t("location.coordinates_hint"),
            key="location.coordinates",
            keyboard_type=ft.KeyboardType.TEXT,
            on_submit=lambda _e: self.use_typed(),
        )
        self.type_box = ft.Column(
            [
                self.typed,
                plain_button(
                    t("location.use_coordinates"), lambda _e: self.use_typed(), key="location.use_coordinates"
                ),
            ],
            visible=False,
        )
        self.control = ft.Container(
            ft.Column(
                [
                    ft.Row([ft.Icon(ft.Icons.PLACE), ft.Text(ctx.label(spec), weight=ft.FontWeight.W_600)]),
                    ft.Row([self.spinner, ft.Container(self.status, expand=True)]),
                    self.detail,
                    self.address_line,
                    self.error,
                    ft.Row(
                        [self.gps_button, self.settings_button, self.area_button, self.type_button], wrap=True
                    ),
                    self.area_box,
                    self.type_box,
                ],
                spacing=8,
            ),
            padding=12,
            border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
            border_radius=12,
            key=f"field.{spec.name}",
        )

    # -- value -------------------------------------------------------------------------------------

    def value(self) -> dict[str, float | None] | None:
        """The location as the form stores it."""
        return dict(self.fix) if self.fix else None

    def extra(self) -> dict[str, Any]:
        """What a draft keeps besides the value: the source, the area and the address."""
        return {
            "source": self.source.value if self.source else None,
            "area_id": self.area.id if self.area else None,
            "address": self.address,
        }

    def show(self, value: Any) -> None:
        """Show a stored location (a draft's)."""
        if isinstance(value, dict) and value.get("latitude") is not None:
            self.fix = {k: value.get(k) for k in ("latitude", "longitude", "accuracy_m")}
        self.render()

    def restore(self, extra: dict[str, Any]) -> None:
        """Bring back a draft's source, area and address."""
        source = extra.get("source")
        self.source = Source(source) if source in set(Source) else (Source.GPS if self.fix else None)
        self.area = next((a for a in self.areas if a.id == extra.get("area_id")), None)
        self.address = extra.get("address")
        self.area_group.value = self.area.id if self.area else None
        self.render()

    def set_error(self, message: str | None) -> None:
        """Show a validation message."""
        show_error(self.error, message)

    # -- actions -----------------------------------------------------------------------------------

    def start(self) -> None:
        """Ask the device for a fix if it does so by itself and nothing is filled in yet."""
        if self.device is not None and self.device.automatic and self.fix is None:
            self.spawn(self.locate())

    async def locate_clicked(self, _e: ft.Event | None = None) -> None:
        """The user asked for the GPS position (again)."""
        await self.locate()

    async def locate(self) -> None:
        """Get a fix from the device and fill in the location (the screen stays usable meanwhile)."""
        if self.device is None or self.busy:
            return
        self.busy = True
        self.problem = None
        self.render()
        safe_update(self.control)
        try:
            result = await self.device.locate()
        finally:
            self.busy = False
        if isinstance(result, Problem):
            self.problem = result
        else:
            self.take(result.latitude, result.longitude, result.accuracy_m, Source.GPS)
        self.render()
        safe_update(self.control)

    async def open_settings(self, _e: ft.Event | None = None) -> None:
        """Open the device settings after permission was refused for good."""
        if self.device is not None:
            await self.device.open_settings()

    def toggle_areas(self, _e: ft.Event | None = None) -> None:
        """Show or hide the list of areas."""
        self.area_box.visible = not self.area_box.visible
        self.type_box.visible = False

    def toggle_typing(self, _e: ft.Event | None = None) -> None:
        """Show or hide the coordinates input."""
        self.type_box.visible = not self.type_box.visible
        self.area_box.visible = False

    def choose_area(self, area_id: str | None) -> None:
        """Use a site area picked from the list; its centre becomes the location when it has one."""
        area = next((a for a in self.areas if a.id == area_id), None)
        if area is None:
            return
        self.area = area
        self.on_area(area.id)
        if area.latitude is not None and area.longitude is not None:
            self.fix = {"latitude": area.latitude, "longitude": area.longitude, "accuracy_m": area.radius_m}
            self.source = Source.AREA
            self.address = None
            self.emit(self.value())
        self.area_box.visible = False
        self.render()

    def use_typed(self) -> None:
        """Read the typed coordinates; a message in the user's language when they cannot be read."""
        try:
            lat, lon = parse_coordinates(self.typed.value or "")
        except LocationError as exc:
            show_error(self.error, self.ctx.t(f"location.error.{exc.code.value}"))
            return
        show_error(self.error, None)
        self.type_box.visible = False
        self.take(lat, lon, None, Source.TYPED)
        self.render()

    def take(self, lat: float, lon: float, accuracy: float | None, source: Source) -> None:
        """Fill in a position, find its area, and look up the address when online."""
        self.fix = {"latitude": lat, "longitude": lon, "accuracy_m": accuracy}
        self.source = source
        self.address = None
        points = [p for p in (area_point(a) for a in self.areas) if p is not None]
        match = nearest_area(lat, lon, points) if points else None
        if match is not None:
            self.area = next(a for a in self.areas if a.id == str(match.area.id))
            self.area_group.value = self.area.id
            self.on_area(self.area.id)
        self.emit(self.value())
        if self.geocoder is not None and self.online():
            self.spawn(self.look_up_address(lat, lon))

    async def look_up_address(self, lat: float, lon: float) -> None:
        """Show the street address of a position (a nicety: silently nothing when it fails)."""
        address = await self.geocoder.lookup_async(lat, lon)
        if address and self.fix and (self.fix["latitude"], self.fix["longitude"]) == (lat, lon):
            self.address = address
            self.render()
            safe_update(self.control)

    # -- display -----------------------------------------------------------------------------------

    def render(self) -> None:
        """Show the state: searching, the position with its accuracy and area, or what went wrong."""
        t = self.ctx.t
        self.spinner.visible = self.busy
        self.settings_button.visible = self.problem is Problem.DENIED_FOREVER
        self.detail.visible = False
        if self.busy:
            self.status.value = t("location.searching")
        elif self.fix is not None:
            self.status.value = self.position_text()
            area_text = self.area_text()
            self.detail.value = area_text or ""
            self.detail.visible = bool(area_text)
        elif self.problem is not None:
            self.status.value = t(f"location.problem.{self.problem.value}")
        else:
            self.status.value = t("location.none")
        self.address_line.value = self.address or ""
        self.address_line.visible = bool(self.address)
        if self.device is not None:
            tried = self.problem is not None or self.source is Source.GPS
            self.gps_button.content = t("location.retry_gps") if tried else t("location.use_gps")

    def position_text(self) -> str:
        """The position as shown: degrees, and the accuracy for a GPS fix."""
        assert self.fix is not None
        lat, lon, accuracy = self.fix["latitude"], self.fix["longitude"], self.fix["accuracy_m"]
        text = f"{lat:.5f}, {lon:.5f}"
        if self.source is Source.AREA and self.area is not None:
            return self.ctx.t("location.at_area", area=self.area.name)
        if accuracy is not None:
            text = f"{text} ({format_accuracy(accuracy)})"
        return self.ctx.t(
            f"location.from.{(self.source or Source.GPS).value}", position=ltr(text, self.ctx.t.rtl)
        )

    def area_text(self) -> str | None:
        """Which area the position falls in or is nearest to."""
        if self.area is None or self.source is Source.AREA:
            return None
        point = area_point(self.area)
        if point is None or self.fix is None:
            return self.ctx.t("location.in_area", area=self.area.name)
        match = nearest_area(self.fix["latitude"], self.fix["longitude"], [point])
        assert match is not None
        if match.within:
            return self.ctx.t("location.in_area", area=self.area.name)
        return self.ctx.t(
            "location.near_area", area=self.area.name, distance=format_accuracy(match.distance_m).lstrip("±")
        )
