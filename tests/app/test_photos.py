"""The phone's photo pipeline on real camera-sized JPEGs, PNGs and broken or hostile files."""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zlib
from datetime import datetime, timedelta, timezone

import pytest
from PIL import Image, ImageChops, ImageCms, ImageDraw, ImageFile

from app.photos import Camera, PhotoError, PhotoErrorCode, process_photo

RED = (220, 30, 30)
BLUE = (30, 30, 220)
MARKER = 300  # side of the corner markers, in pixels of the 4000×3000 original


def camera_scene(width: int = 4000, height: int = 3000) -> Image.Image:
    """Draw a camera-like frame (gradients, sensor noise) with red top-left and blue top-right squares."""
    noise = Image.effect_noise((width, height), 12)
    ramp = Image.linear_gradient("L").resize((width, height))
    channels = [ramp, ramp.transpose(Image.Transpose.FLIP_TOP_BOTTOM), ramp]
    scene = Image.merge("RGB", [ImageChops.add(channel, noise, offset=-128) for channel in channels])
    draw = ImageDraw.Draw(scene)
    draw.rectangle((0, 0, MARKER - 1, MARKER - 1), fill=RED)
    draw.rectangle((width - MARKER, 0, width - 1, MARKER - 1), fill=BLUE)
    return scene


def jpeg(image: Image.Image, exif: Image.Exif | None = None, **options: object) -> bytes:
    """Encode as a camera would: quality 92, with the given EXIF."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92, exif=exif if exif is not None else Image.Exif(), **options)
    return out.getvalue()


def camera_exif(
    orientation: int = 1,
    *,
    gps: dict[int, object] | None = None,
    taken: str | None = None,
    offset: str | None = None,
    subsec: str | None = None,
) -> Image.Exif:
    """Build EXIF like a phone writes: orientation, make/model, and optional time and GPS directories.

    Pillow 10.4 writes a sub-directory only when it is assigned as a dict to its pointer tag.
    """
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "samsung"
    exif[0x0110] = "SM-A105F"
    if taken is not None:
        times = {0x9003: taken}
        if offset is not None:
            times[0x9011] = offset
        if subsec is not None:
            times[0x9291] = subsec
        exif[0x8769] = times
    if gps is not None:
        exif[0x8825] = gps
    return exif


def decoded(data: bytes) -> Image.Image:
    """Open JPEG bytes the way a viewer would."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def near(pixel: tuple[int, ...], colour: tuple[int, int, int]) -> bool:
    """Tell whether a decoded pixel is close to a marker colour despite JPEG loss."""
    return sum((a - b) ** 2 for a, b in zip(pixel, colour, strict=True)) < 60**2


@pytest.fixture(scope="module")
def scene() -> Image.Image:
    """The 12-megapixel camera frame, drawn once per module."""
    return camera_scene()


@pytest.fixture(scope="module")
def camera_jpeg(scene: Image.Image) -> bytes:
    """A 4000×3000 quality-92 phone JPEG held sideways (orientation 6), with GPS and capture time."""
    gps = {1: "N", 2: (3.0, 3.0, 24.1), 3: "E", 4: (101.0, 32.0, 54.6), 5: b"\x00", 6: 21.5}
    return jpeg(scene, camera_exif(6, gps=gps, taken="2026:03:14 09:26:53", offset="+08:00"))


# Where the stored top-left (red) and top-right (blue) markers must appear once the photo is upright,
# straight from the EXIF definition of each orientation (row 0 / column 0 are the visual ...).
UPRIGHT_CORNERS = {
    1: ("top-left", "top-right"),  # top / left
    2: ("top-right", "top-left"),  # top / right: mirrored
    3: ("bottom-right", "bottom-left"),  # bottom / right: turned 180°
    4: ("bottom-left", "bottom-right"),  # bottom / left: flipped
    5: ("top-left", "bottom-left"),  # left / top: transposed
    6: ("top-right", "bottom-right"),  # right / top: turn 90° clockwise
    7: ("bottom-right", "top-right"),  # right / bottom: transversed
    8: ("bottom-left", "top-left"),  # left / bottom: turn 90° anticlockwise
}


@pytest.mark.parametrize("orientation", sorted(UPRIGHT_CORNERS))
def test_exif_orientation_is_turned_into_upright_pixels(scene: Image.Image, orientation: int) -> None:
    photo = process_photo(jpeg(scene, camera_exif(orientation)))

    upload = decoded(photo.upload_bytes)
    sideways = orientation >= 5
    assert (photo.width, photo.height) == ((1500, 2000) if sideways else (2000, 1500))
    assert upload.size == (photo.width, photo.height)
    inset = round(MARKER / 2 * photo.width / (3000 if sideways else 4000))
    corners = {
        "top-left": (inset, inset),
        "top-right": (photo.width - 1 - inset, inset),
        "bottom-left": (inset, photo.height - 1 - inset),
        "bottom-right": (photo.width - 1 - inset, photo.height - 1 - inset),
    }
    red_corner, blue_corner = UPRIGHT_CORNERS[orientation]
    for name, point in corners.items():
        pixel = upload.getpixel(point)
        assert near(pixel, RED) == (name == red_corner), (name, pixel)
        assert near(pixel, BLUE) == (name == blue_corner), (name, pixel)
    assert upload.getexif().get(0x0112) is None


def test_camera_jpeg_becomes_a_smaller_upload_copy_with_correct_hashes(camera_jpeg: bytes) -> None:
    photo = process_photo(camera_jpeg, filename="IMG_20260314_092653.jpg")

    # Half-scale JPEG decoding of 4000×3000 already fits under 2048, so it is kept, not resampled.
    assert (photo.width, photo.height) == (1500, 2000)
    assert photo.mime == "image/jpeg"
    assert photo.original_size == len(camera_jpeg)
    assert photo.original_sha256 == hashlib.sha256(camera_jpeg).hexdigest()
    assert photo.upload_size == len(photo.upload_bytes)
    assert photo.upload_sha256 == hashlib.sha256(photo.upload_bytes).hexdigest()
    assert photo.upload_size < photo.original_size / 4
    upload = decoded(photo.upload_bytes)
    assert (upload.format, upload.mode, upload.size) == ("JPEG", "RGB", (1500, 2000))
    assert "progressive" not in upload.info
    assert "upload_bytes" not in repr(photo)


def test_thumbnail_has_a_320_pixel_long_edge_and_the_upright_shape(camera_jpeg: bytes) -> None:
    photo = process_photo(camera_jpeg)

    thumb = decoded(photo.thumb_bytes)
    assert (thumb.format, thumb.mode, thumb.size) == ("JPEG", "RGB", (240, 320))
    assert near(thumb.getpixel((thumb.width - 12, 12)), RED)


def test_jpeg_that_half_scale_would_shrink_too_far_is_resized_to_exactly_2048() -> None:
    photo = process_photo(jpeg(camera_scene(3264, 2448)))

    assert (photo.width, photo.height) == (2048, 1536)
    assert decoded(photo.upload_bytes).size == (2048, 1536)


def test_small_photo_is_not_enlarged() -> None:
    photo = process_photo(jpeg(camera_scene(800, 600)))

    assert (photo.width, photo.height) == (800, 600)
    assert decoded(photo.thumb_bytes).size == (320, 240)


def test_capture_time_gps_and_camera_are_read_from_exif(camera_jpeg: bytes) -> None:
    photo = process_photo(camera_jpeg)

    assert photo.captured_at == datetime(2026, 3, 14, 9, 26, 53, tzinfo=timezone(timedelta(hours=8)))
    assert photo.gps is not None
    assert photo.gps.lat == pytest.approx(3 + 3 / 60 + 24.1 / 3600)
    assert photo.gps.lon == pytest.approx(101 + 32 / 60 + 54.6 / 3600)
    assert photo.gps.alt == pytest.approx(21.5)
    assert photo.camera == Camera("samsung", "SM-A105F")


@pytest.mark.parametrize(
    ("gps", "expected"),
    [
        pytest.param(
            {1: "S", 2: (6.0, 10.0, 30.0), 3: "E", 4: (106.0, 49.0, 37.0)}, (-6.175, 106.8269, None), id="S-E"
        ),
        pytest.param(
            {1: "S", 2: (23.0, 33.0, 1.0), 3: "W", 4: (46.0, 38.0, 2.0), 5: b"\x00", 6: 760.0},
            (-23.5503, -46.6339, 760.0),
            id="S-W",
        ),
        pytest.param(
            {1: "N", 2: (36.0, 13.0, 48.0), 3: "W", 4: (116.0, 46.0, 1.0), 5: b"\x01", 6: 86.0},
            (36.23, -116.7669, -86.0),
            id="N-W-below-sea-level",
        ),
    ],
)
def test_gps_hemispheres_and_altitude_reference_give_signs(
    gps: dict[int, object], expected: tuple[float, float, float | None]
) -> None:
    photo = process_photo(jpeg(camera_scene(640, 480), camera_exif(gps=gps)))

    assert photo.gps is not None
    assert photo.gps.lat == pytest.approx(expected[0], abs=1e-4)
    assert photo.gps.lon == pytest.approx(expected[1], abs=1e-4)
    assert photo.gps.alt == (pytest.approx(expected[2]) if expected[2] is not None else None)


def test_capture_time_without_offset_is_naive_camera_local_time() -> None:
    exif = camera_exif(taken="2026:03:14 21:05:09", subsec="25")

    photo = process_photo(jpeg(camera_scene(640, 480), exif))

    assert photo.captured_at == datetime(2026, 3, 14, 21, 5, 9, 250000)
    assert photo.captured_at.tzinfo is None


def test_photo_without_exif_has_no_facts() -> None:
    photo = process_photo(jpeg(camera_scene(640, 480)))

    assert (photo.captured_at, photo.gps, photo.camera) == (None, None, None)


def with_xmp(data: bytes, packet: bytes) -> bytes:
    """Insert an XMP APP1 segment right after the JPEG's SOI marker."""
    body = b"http://ns.adobe.com/xap/1.0/\x00" + packet
    return data[:2] + b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body + data[2:]


def test_copies_carry_no_location_time_or_comment_but_keep_the_colour_profile(scene: Image.Image) -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    gps = {1: "N", 2: (3.0, 3.0, 24.1), 3: "E", 4: (101.0, 32.0, 54.6)}
    exif = camera_exif(6, gps=gps, taken="2026:03:14 09:26:53")
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>3,3.40N</exif:GPSLatitude></x:xmpmeta>'
    original = with_xmp(jpeg(scene, exif, comment=b"Lot 5, Shah Alam", icc_profile=srgb), xmp)
    source = Image.open(io.BytesIO(original))
    assert {"exif", "xmp", "comment", "icc_profile"} <= set(source.info)

    photo = process_photo(original)

    assert photo.gps is not None
    for copy in (photo.upload_bytes, photo.thumb_bytes):
        image = decoded(copy)
        assert not image.getexif()
        assert {"exif", "xmp", "comment"}.isdisjoint(image.info)
        assert image.info["icc_profile"] == srgb
        for marker in (b"Exif\x00\x00", b"GPS", b"ns.adobe.com/xap", b"Shah Alam", b"2026:03:14"):
            assert marker not in copy


@pytest.mark.parametrize("kept", [0.6, 0.97])
def test_truncated_jpeg_is_refused(camera_jpeg: bytes, kept: float) -> None:
    with pytest.raises(PhotoError) as caught:
        process_photo(camera_jpeg[: int(len(camera_jpeg) * kept)], filename="IMG_0042.jpg")

    assert caught.value.code is PhotoErrorCode.TRUNCATED
    assert caught.value.code == "truncated"
    assert "IMG_0042.jpg" in caught.value.message
    assert "incomplete" in caught.value.message


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(random.Random(7).randbytes(200_000), id="random-bytes"),
        pytest.param("Nyaris kemalangan — forklift di dok 3.\n".encode() * 100, id="text-file"),
        pytest.param(b"", id="empty"),
    ],
)
def test_file_that_is_not_a_picture_is_refused(data: bytes) -> None:
    with pytest.raises(PhotoError) as caught:
        process_photo(data, filename="report.txt")

    assert caught.value.code is PhotoErrorCode.NOT_AN_IMAGE
    assert caught.value.message == "“report.txt” is not a picture. Choose a JPEG, PNG or WebP photo."


def encoded(image: Image.Image, kind: str) -> bytes:
    """Save an image in the given Pillow format."""
    out = io.BytesIO()
    image.save(out, kind)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "named"),
    [
        pytest.param(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64), "HEIC", id="heic"),
        pytest.param(encoded(camera_scene(320, 240), "GIF"), "GIF", id="gif"),
        pytest.param(encoded(camera_scene(320, 240), "TIFF"), "TIFF", id="tiff"),
    ],
)
def test_other_picture_formats_are_unsupported(data: bytes, named: str) -> None:
    with pytest.raises(PhotoError) as caught:
        process_photo(data, filename="photo")

    assert caught.value.code is PhotoErrorCode.UNSUPPORTED_FORMAT
    assert caught.value.message.startswith(f"“photo” is a {named} picture")


def png_of_zeros(width: int, height: int) -> bytes:
    """Build a valid 1-bit black PNG: a few kilobytes on disk that decode to width × height pixels."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
        )

    packer = zlib.compressobj(9)
    row = bytes(1 + (width + 7) // 8)
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize(
    ("width", "height"),
    [
        pytest.param(8_000, 7_000, id="56MP-over-our-limit"),
        pytest.param(10_000, 10_000, id="100MP-over-pillow-warning"),
        pytest.param(20_000, 20_000, id="400MP-over-pillow-error"),
    ],
)
def test_decompression_bomb_is_refused_without_decoding(
    monkeypatch: pytest.MonkeyPatch, width: int, height: int
) -> None:
    bomb = png_of_zeros(width, height)
    assert len(bomb) < 100_000
    loads: list[object] = []
    real_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: loads.append(image) or real_load(image))

    with pytest.raises(PhotoError) as caught:
        process_photo(bomb)

    assert caught.value.code is PhotoErrorCode.TOO_LARGE
    assert "megapixels" in caught.value.message
    assert loads == []


def test_png_with_transparency_becomes_jpeg_on_white() -> None:
    image = Image.new("RGBA", (600, 400), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((300, 0, 599, 399), fill=(*RED, 255))
    out = io.BytesIO()
    image.save(out, "PNG")

    photo = process_photo(out.getvalue())

    upload = decoded(photo.upload_bytes)
    assert (upload.format, upload.mode, upload.size) == ("JPEG", "RGB", (600, 400))
    assert near(upload.getpixel((100, 200)), (255, 255, 255))
    assert near(upload.getpixel((500, 200)), RED)


@pytest.mark.parametrize("kind", ["PNG", "WEBP", "MPO"])
def test_png_webp_and_multi_picture_jpeg_are_accepted(kind: str) -> None:
    scene = camera_scene(1200, 900)
    out = io.BytesIO()
    if kind == "MPO":  # what some phones save: a JPEG with a second picture appended
        scene.save(out, "MPO", save_all=True, append_images=[scene.transpose(Image.Transpose.ROTATE_180)])
    else:
        scene.save(out, kind)
    assert Image.open(io.BytesIO(out.getvalue())).format == kind

    photo = process_photo(out.getvalue())

    upload = decoded(photo.upload_bytes)
    assert (upload.format, upload.size) == ("JPEG", (1200, 900))
    assert near(upload.getpixel((60, 60)), RED)
