"""Benchmark the evidence photo pipeline against plain Pillow on a 12-megapixel camera JPEG.

Targets: `process_photo` at least 3× faster than open → exif_transpose → resize(2048) → save of the
same file, measured in the same run (median of 5), and an upload copy at most 15% of the original's
bytes. Prints PASS/FAIL for each and exits 1 on any FAIL. Run: `python bench/bench_photos.py`.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable

import PIL
from PIL import Image, ImageChops, ImageOps, features

from app.photos import UPLOAD_MAX_EDGE, UPLOAD_QUALITY, process_photo

WIDTH, HEIGHT = 4000, 3000
REPEATS = 5
SPEED_TARGET = 3.0
SIZE_TARGET = 0.15


def camera_jpeg() -> bytes:
    """Make a phone-like 4000×3000 quality-92 JPEG: gradients, sensor noise, held upright (orientation 6)."""
    noise = Image.effect_noise((WIDTH, HEIGHT), 12)
    ramp = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    across = Image.linear_gradient("L").rotate(90).resize((WIDTH, HEIGHT))
    channels = [ramp, ramp.transpose(Image.Transpose.FLIP_TOP_BOTTOM), across]
    scene = Image.merge("RGB", [ImageChops.add(channel, noise, offset=-128) for channel in channels])
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F], exif[0x0110] = "samsung", "SM-A105F"
    exif[0x8769] = {0x9003: "2026:03:14 09:26:53", 0x9011: "+08:00"}
    exif[0x8825] = {1: "N", 2: (3.0, 3.0, 24.1), 3: "E", 4: (101.0, 32.0, 54.6), 5: b"\x00", 6: 21.5}
    out = io.BytesIO()
    scene.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def plain_pillow(data: bytes) -> bytes:
    """Do the obvious: decode in full, turn upright, resize to a 2048 long edge, save at the same quality."""
    with Image.open(io.BytesIO(data)) as image:
        upright = ImageOps.exif_transpose(image)
        factor = UPLOAD_MAX_EDGE / max(upright.size)
        size = (round(upright.width * factor), round(upright.height * factor))
        out = io.BytesIO()
        upright.resize(size, Image.Resampling.LANCZOS).save(out, "JPEG", quality=UPLOAD_QUALITY)
        return out.getvalue()


def median_seconds(*runs: Callable[[], object]) -> list[float]:
    """Return each run's median wall time over `REPEATS` rounds, alternating them so load hits both alike."""
    for run in runs:
        run()  # warm-up
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(REPEATS):
        for run, samples in zip(runs, times, strict=True):
            start = time.perf_counter()
            run()
            samples.append(time.perf_counter() - start)
    return [statistics.median(samples) for samples in times]


def verdict(ok: bool) -> str:
    """Spell a target check."""
    return "PASS" if ok else "FAIL"


def main() -> int:
    """Run both pipelines on the same file and report the ratios against the targets."""
    data = camera_jpeg()
    photo = process_photo(data)
    plain_seconds, pipeline_seconds = median_seconds(lambda: plain_pillow(data), lambda: process_photo(data))
    speedup = plain_seconds / pipeline_seconds
    fraction = photo.upload_size / photo.original_size
    turbo = features.check("libjpeg_turbo")
    jpeg_library = f"libjpeg-turbo {features.version('libjpeg_turbo')}" if turbo else "libjpeg"
    plain_label = f"plain Pillow (open, exif_transpose, resize 2048 Lanczos, save q{UPLOAD_QUALITY})"
    pipeline_label = "process_photo (upload copy, thumbnail, hashes, EXIF facts)"
    size_ok, speed_ok = fraction <= SIZE_TARGET, speedup >= SPEED_TARGET

    print(f"Photo pipeline benchmark: Pillow {PIL.__version__}, {jpeg_library}, median of {REPEATS} runs")
    print(f"original: {WIDTH}×{HEIGHT} JPEG q92, EXIF orientation 6, {photo.original_size / 1e6:.2f} MB")
    print(f"{plain_label:<70} {plain_seconds * 1000:7.1f} ms")
    print(f"{pipeline_label:<70} {pipeline_seconds * 1000:7.1f} ms")
    print(f"speed ratio: {speedup:.2f}× (target ≥ {SPEED_TARGET:g}×) {verdict(speed_ok)}")
    print(
        f"upload copy: {photo.width}×{photo.height}, {photo.upload_size:,} bytes = {fraction:.1%} of the "
        f"original's {photo.original_size:,} (target ≤ {SIZE_TARGET:.0%}) {verdict(size_ok)}"
    )
    return 0 if speed_ok and size_ok else 1


if __name__ == "__main__":
    sys.exit(main())
