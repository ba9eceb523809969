"""Helpers for the reporting-flow tests: camera-like JPEGs, site areas, and a fake device for the harness.

The fake device answers what the Flutter client would: the file picker's chosen files (bytes, as
with `with_data=True`), the permission handler, the geolocator, the camera, shared preferences and
connectivity.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageDraw
from sqlalchemy.orm import Session, sessionmaker

from models import Site, SiteArea

HALL_A = (3.07384, 101.51823)
"""Centre of "Hall A" at S1 (a 40 m radius)."""
YARD = (3.07520, 101.51990)
"""Centre of "Loading yard" at S1 (a 60 m radius)."""
BACK_CAMERA = {"name": "0", "lens_direction": "back", "sensor_orientation": 90, "lens_type": "wide"}
FRONT_CAMERA = {"name": "1", "lens_direction": "front", "sensor_orientation": 270, "lens_type": "wide"}


def camera_jpeg(
    color: tuple[int, int, int] = (200, 80, 40),
    *,
    size: tuple[int, int] = (1600, 1200),
    gps: bool = False,
    orientation: int | None = None,
) -> bytes:
    """A JPEG like a phone camera's: a scene with a marker top left, EXIF capture time, optionally EXIF
    GPS and an EXIF orientation (6: the phone was held upright, so the picture shows turned right)."""
    image = Image.new("RGB", size, color)
    ImageDraw.Draw(image).rectangle((0, 0, size[0] // 5, size[1] // 5), fill=(250, 250, 250))
    exif = Image.Exif()
    exif[0x010F] = "samsung"
    if orientation is not None:
        exif[0x0112] = orientation
    exif[0x8769] = {0x9003: "2026:03:14 09:41:00", 0x9011: "+08:00"}
    if gps:
        exif[0x8825] = {
            1: "N",
            2: (3.0, 4.0, 25.8),
            3: "E",
            4: (101.0, 31.0, 5.6),
        }
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def add_areas(sessions: sessionmaker[Session], site_code: str = "S1") -> dict[str, str]:
    """Give a site two areas with centres and radii; returns name -> id."""
    with sessions.begin() as session:
        site = session.query(Site).filter_by(code=site_code).one()
        site.timezone = "Asia/Kuala_Lumpur"
        areas = [
            SiteArea(site_id=site.id, name="Hall A", latitude=HALL_A[0], longitude=HALL_A[1], radius_m=40),
            SiteArea(site_id=site.id, name="Loading yard", latitude=YARD[0], longitude=YARD[1], radius_m=60),
        ]
        session.add_all(areas)
        session.flush()
        return {a.name: str(a.id) for a in areas}


@dataclass
class FakeDevice:
    """What the phone answers to service calls; tests change the answers and read the calls."""

    files: list[dict[str, Any]] = field(default_factory=list)
    permission: str = "granted"
    requested: str = "granted"
    location_on: bool = True
    position: dict[str, float] | None = field(
        default_factory=lambda: {"latitude": HALL_A[0] + 0.00005, "longitude": HALL_A[1], "accuracy": 8.0}
    )
    prefs: dict[str, Any] = field(default_factory=dict)
    camera_permission: str = "granted"
    camera_requested: str = "granted"
    cameras: list[dict[str, Any]] = field(default_factory=lambda: [FRONT_CAMERA, BACK_CAMERA])
    camera_failure: str | None = None
    """What starting or switching the camera fails with (None: it works)."""
    picture: bytes = b""
    """What the camera's shutter gives."""
    lenses: list[str] = field(default_factory=list)
    """The cameras the app started or switched to, by name."""
    calls: list[str] = field(default_factory=list)

    def pick(self, *photos: tuple[str, bytes]) -> None:
        """Make the next pick return these files."""
        self.files = [
            {"id": i, "name": name, "size": len(data), "bytes": data} for i, (name, data) in enumerate(photos)
        ]

    def use_camera(self, description: Any) -> None:
        """Start or switch to a camera (or fail as told)."""
        if self.camera_failure:
            raise RuntimeError(self.camera_failure)
        self.lenses.append(description.name)

    def __call__(self, name: str, args: Any) -> Any:
        """Answer one method call (an exception is the call's error)."""
        self.calls.append(name)
        camera = isinstance(args, dict) and getattr(args.get("permission"), "value", None) == "camera"
        answers: dict[str, Callable[[], Any]] = {
            "pick_files": lambda: self.files,
            "get_status": lambda: self.camera_permission if camera else self.permission,
            "request": lambda: self.camera_requested if camera else self.requested,
            "get_available_cameras": lambda: self.cameras,
            "initialize": lambda: self.use_camera(args["description"]),
            "set_description": lambda: self.use_camera(args["description"]),
            "take_picture": lambda: self.picture,
            "is_location_service_enabled": lambda: self.location_on,
            "get_current_position": lambda: self.position,
            "get_connectivity": lambda: ["wifi"],
            "get": lambda: self.prefs.get(args.get("key")),
            "set": lambda: self.prefs.__setitem__(args.get("key"), args.get("value")),
            "open_app_settings": lambda: True,
        }
        answer = answers.get(name)
        return answer() if answer else None
