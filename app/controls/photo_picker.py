"""Photos for a report: take (on phones) or pick pictures, process them off the UI loop, show thumbnails.

On a phone or tablet app there are two buttons: "Take photo" opens the camera (`CameraSheet`) and
"Choose photo" the system picker; in a browser or on a desktop one button opens the picker (a
phone's browser offers its camera there itself). A camera that cannot be used is explained, and
choosing a photo still works.

Each picked file goes through `app.photos.process_photo` in a thread: an upright upload copy (long
edge at most 2048 px, JPEG), a thumbnail, hashes and the EXIF facts. A file that is not a usable
picture is refused with a message in the user's language and nothing is kept. What the report
carries: the `photos` form value (slot, sha256, caption), the attachment manifest of
`report.create`, and the upload bytes by sha256.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import flet as ft

from app.controls.camera_sheet import CameraProblem, CameraSheet, problem_message
from app.controls.fields import Editor, RenderContext
from app.controls.widgets import MAIN_ACTION, error_line, note, safe_update, show_error, text_button
from app.photos import PhotoError, ProcessedPhoto, process_photo
from forms.fields import PhotoSlots

THUMB_SIZE = 104


@dataclass(frozen=True)
class Photo:
    """A processed photo held by the form: its manifest entry, upload copy and thumbnail."""

    slot: str
    manifest: dict[str, Any]
    upload: bytes
    thumb: bytes
    thumb_sha256: str
    caption: str = ""

    @property
    def sha256(self) -> str:
        """The upload copy's sha256 (what the report refers to)."""
        return str(self.manifest["sha256"])


def manifest_entry(slot: str, photo: ProcessedPhoto, zone: dt.tzinfo) -> dict[str, Any]:
    """The attachment manifest entry of `report.create` for a processed photo."""
    captured = photo.captured_at
    if captured is not None and captured.tzinfo is None:
        captured = captured.replace(tzinfo=zone)
    return {
        "slot": slot,
        "sha256": photo.upload_sha256,
        "size": photo.upload_size,
        "mime": photo.mime,
        "width": photo.width,
        "height": photo.height,
        "captured_at": captured.isoformat() if captured else None,
        "exif_latitude": photo.gps.lat if photo.gps else None,
        "exif_longitude": photo.gps.lon if photo.gps else None,
        "original_sha256": photo.original_sha256,
        "original_size": photo.original_size,
    }


class PhotoPicker(Editor):
    """The `photos` field: big buttons to take or choose pictures, thumbnails with Remove, clear refusals."""

    def __init__(
        self, ctx: RenderContext, spec: PhotoSlots, *, picker: ft.FilePicker | None, camera: bool = False
    ) -> None:
        super().__init__(ctx, spec)
        t = ctx.t
        self.picker = picker
        self.camera = (
            CameraSheet(t, on_picture=lambda file: self.add_files([file]), on_problem=self.camera_problem)
            if camera
            else None
        )
        self.max_photos = spec.max_photos
        self.photos: list[Photo] = []
        self.busy = ft.Row(
            [ft.ProgressRing(width=20, height=20), ft.Text(t("photo.processing"))],
            visible=False,
            key="photo.busy",
        )
        self.error = error_line(key="photo.error")
        self.camera_error = error_line(key="photo.camera_error")
        self.camera_settings = text_button(
            t("photo.camera.open_settings"),
            self.open_camera_settings,
            key="photo.camera.open_settings",
            icon=ft.Icons.SETTINGS,
        )
        self.camera_settings.visible = False
        self.take_button = ft.FilledTonalButton(
            content=ft.Text(t("photo.take"), size=16),
            icon=ft.Icons.PHOTO_CAMERA,
            on_click=self.take,
            key="photo.take",
            height=MAIN_ACTION,
            expand=True,
            visible=camera,
        )
        self.add_button = ft.FilledTonalButton(
            content=ft.Text(t("photo.choose") if camera else t("photo.add"), size=16),
            icon=ft.Icons.PHOTO_LIBRARY if camera else ft.Icons.ADD_A_PHOTO,
            on_click=self.pick,
            key="photo.add",
            height=MAIN_ACTION,
            expand=True,
        )
        self.add_button.visible = picker is not None
        self.thumbs = ft.Row(wrap=True, spacing=8, run_spacing=8, key="photo.thumbs")
        self.count = note("", key="photo.count")
        self.control = ft.Column(
            [
                ft.Text(ctx.label(spec), weight=ft.FontWeight.W_600),
                ft.Row([self.take_button, self.add_button]),
                self.camera_error,
                self.camera_settings,
                self.busy,
                self.error,
                self.thumbs,
                self.count,
            ],
            spacing=8,
            key=f"field.{spec.name}",
        )
        self.render()

    # -- value -------------------------------------------------------------------------------------

    def value(self) -> list[dict[str, str]]:
        """The `photos` form value."""
        return [{"slot": p.slot, "sha256": p.sha256, "caption": p.caption} for p in self.photos]

    def manifest(self) -> list[dict[str, Any]]:
        """The attachment manifest for `report.create`."""
        return [dict(p.manifest) for p in self.photos]

    def upload_blobs(self) -> dict[str, bytes]:
        """The upload copies by sha256 (what the store keeps and sends)."""
        return {p.sha256: p.upload for p in self.photos}

    def draft_blobs(self) -> dict[str, bytes]:
        """Everything a draft must keep to show the photos again: upload copies and thumbnails."""
        return {**self.upload_blobs(), **{p.thumb_sha256: p.thumb for p in self.photos}}

    def extra(self) -> list[dict[str, Any]]:
        """What a draft keeps about each photo besides the bytes."""
        return [
            {"slot": p.slot, "manifest": p.manifest, "thumb_sha256": p.thumb_sha256, "caption": p.caption}
            for p in self.photos
        ]

    def restore(self, extra: list[dict[str, Any]], blobs: dict[str, bytes]) -> None:
        """Bring back a draft's photos (those whose bytes are still stored)."""
        self.photos = [
            Photo(
                slot=item["slot"],
                manifest=item["manifest"],
                upload=blobs[item["manifest"]["sha256"]],
                thumb=blobs[item["thumb_sha256"]],
                thumb_sha256=item["thumb_sha256"],
                caption=item.get("caption", ""),
            )
            for item in extra
            if item["manifest"]["sha256"] in blobs and item["thumb_sha256"] in blobs
        ]
        self.render()

    def set_error(self, message: str | None) -> None:
        """Show a validation message."""
        show_error(self.error, message)

    # -- actions -----------------------------------------------------------------------------------

    async def take(self, _e: ft.Event | None = None) -> None:
        """Open the camera (after asking for the permission); the picture taken is added like a chosen one."""
        if self.camera is None or len(self.photos) >= self.max_photos:
            return
        show_error(self.camera_error, None)
        self.camera_settings.visible = False
        await self.camera.open(ft.context.page)

    def camera_problem(self, problem: CameraProblem) -> None:
        """Say why the camera cannot be used (the message points to choosing a photo instead)."""
        show_error(self.camera_error, problem_message(self.ctx.t, problem))
        self.camera_settings.visible = problem is CameraProblem.DENIED_FOREVER
        safe_update(self.camera_settings)

    async def open_camera_settings(self, _e: ft.Event | None = None) -> None:
        """Open the app's settings page, where the camera can be allowed again."""
        if self.camera is not None and self.camera.permissions is not None:
            await self.camera.permissions.open_app_settings()

    async def pick(self, _e: ft.Event | None = None) -> None:
        """Open the system picker (the gallery, or the camera where the system offers it)."""
        if self.picker is None:
            return
        show_error(self.camera_error, None)
        self.camera_settings.visible = False
        files = await self.picker.pick_files(
            dialog_title=self.ctx.t("photo.add"),
            file_type=ft.FilePickerFileType.IMAGE,
            allow_multiple=True,
            with_data=True,
            cancel_upload_on_window_blur=False,
        )
        await self.add_files(files)

    async def add_files(self, files: list[ft.FilePickerFile]) -> None:
        """Process picked files one by one in a thread; keep the good ones, explain the refused ones."""
        problems: list[str] = []
        show_error(self.error, None)
        for file in files:
            if len(self.photos) >= self.max_photos:
                problems.append(self.ctx.t("photo.error.too_many", max=self.max_photos))
                break
            data = file.bytes
            if data is None and file.path:
                data = await asyncio.to_thread(_read, file.path)
            if not data:
                problems.append(self.ctx.t("photo.error.empty", name=file.name))
                continue
            self.busy.visible = True
            safe_update(self.busy)
            try:
                processed = await asyncio.to_thread(process_photo, data, filename=file.name)
            except PhotoError as exc:
                problems.append(self.ctx.t(f"photo.error.{exc.code.value}", name=file.name))
                continue
            finally:
                self.busy.visible = False
            self.add(processed)
        show_error(self.error, "\n".join(problems) or None)
        self.render()
        self.emit(self.value())

    def add(self, processed: ProcessedPhoto) -> None:
        """Keep a processed photo in the next free slot (the same picture twice is kept once)."""
        if any(p.sha256 == processed.upload_sha256 for p in self.photos):
            return
        used = {p.slot for p in self.photos}
        slot = next(f"photo-{n}" for n in range(1, len(used) + 2) if f"photo-{n}" not in used)
        self.photos.append(
            Photo(
                slot=slot,
                manifest=manifest_entry(slot, processed, self.ctx.zone),
                upload=processed.upload_bytes,
                thumb=processed.thumb_bytes,
                thumb_sha256=hashlib.sha256(processed.thumb_bytes).hexdigest(),
            )
        )

    def remove(self, slot: str) -> None:
        """Drop a photo."""
        self.photos = [p for p in self.photos if p.slot != slot]
        self.render()
        self.emit(self.value())

    # -- display -----------------------------------------------------------------------------------

    def render(self) -> None:
        """Draw the thumbnails and the count."""
        t = self.ctx.t
        self.thumbs.controls = [
            ft.Column(
                [
                    ft.Image(
                        src=p.thumb,
                        width=THUMB_SIZE,
                        height=THUMB_SIZE,
                        fit=ft.BoxFit.COVER,
                        border_radius=8,
                        semantics_label=t("photo.thumb", n=i + 1),
                        key=f"photo.thumb.{p.slot}",
                    ),
                    text_button(
                        t("photo.remove"), lambda _e, s=p.slot: self.remove(s), key=f"photo.remove.{p.slot}"
                    ),
                ],
                spacing=0,
                horizontal_alignment=ft.CrossAxisAlignment.CENTER,
            )
            for i, p in enumerate(self.photos)
        ]
        self.count.value = (
            t("photo.count", n=len(self.photos), max=self.max_photos) if self.photos else t("photo.none")
        )
        self.add_button.disabled = self.take_button.disabled = len(self.photos) >= self.max_photos


def _read(path: str) -> bytes:
    """Read a picked file from disk (desktop pickers give a path, not bytes)."""
    with open(path, "rb") as handle:
        return handle.read()
