"""Evidence photo intake: check a picture, read its EXIF facts, make an upright upload copy and thumbnail.

Pure logic over bytes (no storage, no UI). Outputs are always baseline JPEGs that carry no EXIF,
comment or XMP (only the colour profile): time, place and camera travel as structured fields of
`ProcessedPhoto` instead, so a shared copy never leaks where a worker stood.

Pixel limits are checked here, before decoding, against `MAX_PIXELS`; Pillow's process-wide
`Image.MAX_IMAGE_PIXELS` guard is left as it is. With Pillow's default (about 89 MP) a file between
that and twice it also triggers Pillow's `DecompressionBombWarning` before being refused here.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import struct
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from typing import NamedTuple

from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 50_000_000
"""Largest picture accepted (width × height), checked from the header before any decoding."""
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
UPLOAD_MAX_EDGE = 2048
UPLOAD_QUALITY = 80
DRAFT_MIN_EDGE = 1800
"""A JPEG is decoded at 1/2, 1/4 or 1/8 scale when that scale keeps at least this long edge."""
THUMB_MAX_EDGE = 320
THUMB_QUALITY = 70
MIME = "image/jpeg"

_ORIENTATION_TAG = 0x0112
_MAKE_TAG = 0x010F
_MODEL_TAG = 0x0110
_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
# (value, UTC offset, sub-second) tags, most trusted first: DateTimeOriginal, then DateTimeDigitized.
_CAPTURE_TIME_TAGS = ((0x9003, 0x9011, 0x9291), (0x9004, 0x9012, 0x9292))
_TRANSPOSE_FOR_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}
_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
# What a malformed decoder stream or EXIF block can raise inside Pillow.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, LookupError, struct.error)
_METADATA_ERRORS = (ArithmeticError, LookupError, OSError, SyntaxError, TypeError, ValueError, struct.error)
_EXIF_TIME = re.compile(r"(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_EXIF_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")


class PhotoErrorCode(StrEnum):
    """Stable reasons a file cannot become an evidence photo."""

    NOT_AN_IMAGE = "not_an_image"
    TRUNCATED = "truncated"
    TOO_LARGE = "too_large"
    UNSUPPORTED_FORMAT = "unsupported_format"


class PhotoError(Exception):
    """A file refused as a photo: branch on `code`; `message` is short and fit to show a worker."""

    def __init__(self, code: PhotoErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class GpsPoint(NamedTuple):
    """Where the camera said it was: decimal degrees (south and west negative), metres above sea level."""

    lat: float
    lon: float
    alt: float | None = None


class Camera(NamedTuple):
    """The camera's maker and model as written in EXIF."""

    make: str | None
    model: str | None


@dataclass(frozen=True, slots=True)
class ProcessedPhoto:
    """An evidence photo ready to store: upload copy, thumbnail, and facts about the original.

    `width`/`height` are the upright upload copy's. `captured_at` is aware when the camera wrote a
    UTC offset, else naive camera-local time; it, `gps` and `camera` are None when not recorded.
    """

    upload_bytes: bytes = field(repr=False)
    thumb_bytes: bytes = field(repr=False)
    original_sha256: str
    original_size: int
    upload_sha256: str
    upload_size: int
    width: int
    height: int
    mime: str
    captured_at: datetime | None
    gps: GpsPoint | None
    camera: Camera | None


def process_photo(data: bytes, *, filename: str | None = None) -> ProcessedPhoto:
    """Check a JPEG, PNG or WebP photo and return its upright upload copy, thumbnail and EXIF facts.

    Raises `PhotoError` (and returns nothing) for a file that is not a picture, is cut short or
    damaged, exceeds `MAX_PIXELS`, or is a picture format other than JPEG, PNG and WebP.
    """
    with _open(data, filename) as image:
        _decode(image, filename)
        exif = _exif(image)
        icc_profile = image.info.get("icc_profile")
        upload = _resize(_to_rgb(image), UPLOAD_MAX_EDGE, gap=3.0)
        transpose = _TRANSPOSE_FOR_ORIENTATION.get(_orientation(exif))
        if transpose is not None:
            upload = upload.transpose(transpose)
        thumb = _resize(upload, THUMB_MAX_EDGE, gap=2.0)
        upload_bytes = _encode_jpeg(upload, UPLOAD_QUALITY, icc_profile)
        thumb_bytes = _encode_jpeg(thumb, THUMB_QUALITY, icc_profile)
        width, height = upload.size
    return ProcessedPhoto(
        upload_bytes=upload_bytes,
        thumb_bytes=thumb_bytes,
        original_sha256=hashlib.sha256(data).hexdigest(),
        original_size=len(data),
        upload_sha256=hashlib.sha256(upload_bytes).hexdigest(),
        upload_size=len(upload_bytes),
        width=width,
        height=height,
        mime=MIME,
        captured_at=_capture_time(exif),
        gps=_gps(exif),
        camera=_camera(exif),
    )


def _open(data: bytes, filename: str | None) -> Image.Image:
    """Identify the picture from its header and refuse it before decoding if it is too large."""
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError:
        raise _too_large(filename) from None
    except UnidentifiedImageError:
        raise _unidentified(data, filename) from None
    except _DECODE_ERRORS:
        # An accepted format recognised its signature, then its header broke off or made no sense.
        raise _truncated(filename) from None
    if image.width * image.height > MAX_PIXELS:
        image.close()
        raise _too_large(filename)
    return image


def _decode(image: Image.Image, filename: str | None) -> None:
    """Decode the pixels, at a reduced JPEG scale when that still leaves enough for the upload copy."""
    scale = next((s for s in (8, 4, 2) if -(-max(image.size) // s) >= DRAFT_MIN_EDGE), 1)
    if scale > 1:
        image.draft("RGB", (max(1, image.width // scale), max(1, image.height // scale)))
    try:
        image.load()
    except MemoryError:
        raise _too_large(filename) from None
    except _DECODE_ERRORS:
        raise _truncated(filename) from None


def _to_rgb(image: Image.Image) -> Image.Image:
    """Return the picture as RGB, with any transparency laid over white."""
    if image.mode.startswith("I;16"):
        image = image.point(lambda value: value / 256)
    if image.has_transparency_data:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image if image.mode == "RGB" else image.convert("RGB")


def _resize(image: Image.Image, max_edge: int, *, gap: float) -> Image.Image:
    """Shrink so the long edge is at most `max_edge`, keeping the aspect ratio; never enlarge.

    `gap` is Pillow's `reducing_gap`: box-reduce first, leaving at least that factor to Lanczos
    (3.0 is indistinguishable from a full Lanczos pass; 2.0, as `Image.thumbnail` uses, is faster).
    """
    width, height = image.size
    if max(width, height) <= max_edge:
        return image
    factor = max_edge / max(width, height)
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=gap)


def _encode_jpeg(image: Image.Image, quality: int, icc_profile: bytes | None) -> bytes:
    """Encode a baseline JPEG carrying the colour profile and no other metadata.

    Huffman optimisation is off: it would trim about 14% of the bytes but cost about a fifth more
    time, and the time is spent while the worker waits on "Save".
    """
    # Pillow writes a source image's COM comment back out from `info`; our copies carry none.
    image.info = {}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=False, progressive=False, icc_profile=icc_profile)
    return out.getvalue()


def _exif(image: Image.Image) -> Image.Exif:
    """Return the picture's EXIF, or an empty one when it is missing or unreadable."""
    try:
        return image.getexif()
    except _METADATA_ERRORS:
        return Image.Exif()


def _ifd(exif: Image.Exif, tag: int) -> dict:
    """Return one EXIF sub-directory, empty when it is missing or unreadable."""
    try:
        return exif.get_ifd(tag)
    except _METADATA_ERRORS:
        return {}


def _orientation(exif: Image.Exif) -> int:
    """Return the EXIF orientation (1 to 8), 1 when absent or invalid."""
    value = exif.get(_ORIENTATION_TAG)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _capture_time(exif: Image.Exif) -> datetime | None:
    """Return when the photo was taken: aware if the camera wrote an offset, else naive camera-local time."""
    ifd = _ifd(exif, _EXIF_IFD)
    for value_tag, offset_tag, subsec_tag in _CAPTURE_TIME_TAGS:
        match = _EXIF_TIME.match(_text(ifd.get(value_tag)) or "")
        if match is None:
            continue
        try:
            stamp = datetime(*map(int, match.groups()))
        except ValueError:  # e.g. the "0000:00:00 00:00:00" some cameras write when the clock is unset
            continue
        subsec = _text(ifd.get(subsec_tag)) or ""
        if subsec.isdigit():
            stamp = stamp.replace(microsecond=int(subsec[:6].ljust(6, "0")))
        offset = _EXIF_OFFSET.fullmatch(_text(ifd.get(offset_tag)) or "")
        if offset is not None:
            sign, hours, minutes = offset.groups()
            delta = timedelta(hours=int(hours), minutes=int(minutes))
            if delta < timedelta(hours=24):
                stamp = stamp.replace(tzinfo=timezone(-delta if sign == "-" else delta))
        return stamp
    return None


def _gps(exif: Image.Exif) -> GpsPoint | None:
    """Return the EXIF GPS position, or None when absent, unsigned, out of range or the 0,0 placeholder."""
    ifd = _ifd(exif, _GPS_IFD)
    lat = _degrees(ifd.get(2), _text(ifd.get(1)), "N", "S")
    lon = _degrees(ifd.get(4), _text(ifd.get(3)), "E", "W")
    if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180 or (lat == 0 and lon == 0):
        return None
    alt = _number(ifd.get(6))
    if alt is not None and ifd.get(5) in (1, b"\x01"):
        alt = -alt
    return GpsPoint(lat, lon, alt)


def _degrees(value: object, ref: str | None, positive: str, negative: str) -> float | None:
    """Convert EXIF (degrees, minutes, seconds) and its N/S or E/W reference to signed degrees."""
    parts = [_number(part) for part in (value if isinstance(value, tuple) else (value,))]
    if not 1 <= len(parts) <= 3 or ref is None:
        return None
    if any(part is None or part < 0 for part in parts):
        return None
    degrees = sum(part / 60**index for index, part in enumerate(parts))
    hemisphere = ref.upper()[:1]
    if hemisphere == positive:
        return degrees
    return -degrees if hemisphere == negative else None


def _number(value: object) -> float | None:
    """Return an EXIF rational or integer as a finite float, else None."""
    try:
        number = float(value)
    except (TypeError, ValueError, ArithmeticError):
        return None
    return number if math.isfinite(number) else None


def _camera(exif: Image.Exif) -> Camera | None:
    """Return the camera make and model, None when neither is recorded."""
    make, model = _text(exif.get(_MAKE_TAG)), _text(exif.get(_MODEL_TAG))
    return Camera(make, model) if make or model else None


def _text(value: object) -> str | None:
    """Return an EXIF ASCII value without padding, None when empty or not text."""
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    return value.strip("\x00 \t\r\n") or None


def _unidentified(data: bytes, filename: str | None) -> PhotoError:
    """Explain a file no accepted format recognised: another picture format, a cut header, or no picture."""
    other = _other_format(data)
    if other is not None:
        subject = _subject(filename, "This photo")
        return PhotoError(
            PhotoErrorCode.UNSUPPORTED_FORMAT,
            f"{subject} is a {other} picture, which can't be attached. Use a JPEG, PNG or WebP photo.",
        )
    if data.startswith(_SIGNATURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return _truncated(filename)
    subject = _subject(filename, "This file")
    return PhotoError(
        PhotoErrorCode.NOT_AN_IMAGE, f"{subject} is not a picture. Choose a JPEG, PNG or WebP photo."
    )


def _other_format(data: bytes) -> str | None:
    """Name a picture format outside the accepted ones (HEIC and AVIF included), None if there is none."""
    if data[4:8] == b"ftyp":
        if data[8:12] in _AVIF_BRANDS:
            return "AVIF"
        if data[8:12] in _HEIF_BRANDS:
            return "HEIC"
    try:
        with Image.open(io.BytesIO(data)) as other:
            return other.format
    except Exception:  # any failure to identify means "no picture format we know"
        return None


def _truncated(filename: str | None) -> PhotoError:
    """Build the error for a picture that is cut short or damaged."""
    subject = _subject(filename, "This photo")
    return PhotoError(
        PhotoErrorCode.TRUNCATED, f"{subject} is incomplete or damaged. Take or choose the photo again."
    )


def _too_large(filename: str | None) -> PhotoError:
    """Build the error for a picture above the pixel limit."""
    subject = _subject(filename, "This photo")
    return PhotoError(
        PhotoErrorCode.TOO_LARGE,
        f"{subject} is too large (over {MAX_PIXELS // 1_000_000} megapixels). Use a lower camera resolution.",
    )


def _subject(filename: str | None, fallback: str) -> str:
    """Name the file in a message: its quoted name when known, else a generic phrase."""
    return f"“{filename}”" if filename else fallback
