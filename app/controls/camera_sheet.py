"""Taking a photo with the phone's own camera: the permission first, then a full-screen preview.

The preview is flet-camera's `Camera` (imported only when the camera is opened) in a full-screen
dialog with a big shutter, a switch between cameras and Cancel. The picture goes to the photo field
as if it had been picked, so it is checked and made upright exactly like a chosen file. Whatever
goes wrong (permission refused, no camera, a camera error) closes the view and is said in the
user's language; choosing a photo from the gallery still works.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any

import flet as ft

from app.controls.widgets import TOUCH, safe_update, text_button
from app.i18n import Translator

log = logging.getLogger(__name__)

CAMERA_PLATFORMS = {ft.PagePlatform.ANDROID, ft.PagePlatform.IOS}
SHUTTER = 80
"""The shutter's size in dp: easy to hit with a gloved thumb."""
PERMISSION_TIMEOUT = 120.0
"""How long the system's permission question may stay unanswered."""
CAMERA_TIMEOUT = 20.0
"""How long starting, switching or taking a picture may take before the camera counts as failed."""


def has_camera(page: ft.Page) -> bool:
    """Whether the app runs natively on a phone or tablet (a browser offers the camera in its chooser)."""
    return not page.web and page.platform in CAMERA_PLATFORMS


class CameraProblem(StrEnum):
    """Why no picture could be taken."""

    DENIED = "denied"
    DENIED_FOREVER = "denied_forever"
    NO_CAMERA = "no_camera"
    FAILED = "failed"


def problem_message(t: Translator, problem: CameraProblem) -> str:
    """What to tell the user about a camera problem (each message points to choosing a photo instead)."""
    messages = {
        CameraProblem.DENIED: t("photo.camera.denied"),
        CameraProblem.DENIED_FOREVER: t("photo.camera.denied_forever"),
        CameraProblem.NO_CAMERA: t("photo.camera.no_camera"),
        CameraProblem.FAILED: t("photo.camera.failed"),
    }
    return messages[problem]


class CameraSheet:
    """The photo field's camera: asks for permission, shows the preview, hands over each picture taken."""

    def __init__(
        self,
        t: Translator,
        *,
        on_picture: Callable[[ft.FilePickerFile], Awaitable[None]],
        on_problem: Callable[[CameraProblem], None],
    ) -> None:
        self.t = t
        self.on_picture = on_picture
        self.on_problem = on_problem
        self.permissions: Any = None
        self.preview: Any = None
        self.dialog: ft.AlertDialog | None = None
        self.cameras: list[Any] = []
        self.current = 0
        self.opening = False
        self.status = ft.Text()
        self.shutter = ft.IconButton()
        self.switch = ft.IconButton()

    @property
    def showing(self) -> bool:
        """Whether the camera view is on screen."""
        return self.dialog is not None and bool(self.dialog.open)

    async def open(self, page: ft.Page) -> None:
        """Ask for the camera permission, then preview the back camera (or say what went wrong)."""
        if self.opening or self.showing:
            return
        self.opening = True
        try:
            problem = await self._allowed()
            if problem is None:
                problem = await self._start(page)
        finally:
            self.opening = False
        if problem is not None:
            self.fail(problem)

    async def _allowed(self) -> CameraProblem | None:
        """The permission flow; None when the app may use the camera."""
        import flet_permission_handler as fph

        if self.permissions is None:
            self.permissions = fph.PermissionHandler()
        granted = {fph.PermissionStatus.GRANTED, fph.PermissionStatus.LIMITED}
        forever = {fph.PermissionStatus.PERMANENTLY_DENIED, fph.PermissionStatus.RESTRICTED}
        try:
            status = await asyncio.wait_for(
                self.permissions.get_status(fph.Permission.CAMERA), PERMISSION_TIMEOUT
            )
            if status in granted:
                return None
            if status not in forever:
                status = await asyncio.wait_for(
                    self.permissions.request(fph.Permission.CAMERA), PERMISSION_TIMEOUT
                )
        except Exception as exc:  # no answer, or the platform refused to ask
            log.info("camera permission not known: %r", exc)
            return CameraProblem.FAILED
        if status in granted:
            return None
        return CameraProblem.DENIED_FOREVER if status in forever else CameraProblem.DENIED

    async def _start(self, page: ft.Page) -> CameraProblem | None:
        """Show the view and start the back camera (the first one when none faces back)."""
        import flet_camera as fc

        dialog = self._dialog(page, fc)
        self.dialog = dialog
        page.show_dialog(dialog)
        ft.context.reset_update_called()
        try:
            cameras = await asyncio.wait_for(self.preview.get_available_cameras(), CAMERA_TIMEOUT)
            if self.dialog is not dialog or not dialog.open:
                return None  # cancelled meanwhile
            if not cameras:
                return CameraProblem.NO_CAMERA
            back = fc.CameraLensDirection.BACK
            self.cameras = sorted(cameras, key=lambda c: c.lens_direction != back)
            self.current = 0
            await asyncio.wait_for(
                self.preview.initialize(self.cameras[0], fc.ResolutionPreset.ULTRA_HIGH, enable_audio=False),
                CAMERA_TIMEOUT,
            )
        except Exception as exc:  # no camera service, a busy or broken camera
            log.info("camera did not start: %r", exc)
            return CameraProblem.FAILED if self.dialog is dialog and dialog.open else None
        self.ready()
        return None

    def _dialog(self, page: ft.Page, fc: Any) -> ft.AlertDialog:
        """A new full-screen view: the preview with its status line, and the buttons below it."""
        t = self.t
        self.status = ft.Text(t("photo.camera.starting"), color=ft.Colors.WHITE, size=16, key="camera.status")
        self.preview = fc.Camera(
            content=ft.Container(self.status, padding=16), expand=True, key="camera.preview"
        )
        self.shutter = ft.IconButton(
            icon=ft.Icon(
                ft.Icons.CAMERA, size=48, color=ft.Colors.BLACK, semantics_label=t("photo.camera.shutter")
            ),
            bgcolor=ft.Colors.WHITE,
            width=SHUTTER,
            height=SHUTTER,
            disabled=True,
            on_click=self.shoot,
            key="camera.shutter",
        )
        self.switch = ft.IconButton(
            icon=ft.Icon(
                ft.Icons.CAMERASWITCH, color=ft.Colors.WHITE, semantics_label=t("photo.camera.switch")
            ),
            width=TOUCH,
            height=TOUCH,
            visible=False,
            on_click=self.switch_camera,
            key="camera.switch",
        )
        cancel = text_button(t("photo.camera.cancel"), self.close, key="camera.cancel")
        cancel.style = ft.ButtonStyle(color=ft.Colors.WHITE)
        buttons = ft.Row(
            [cancel, self.shutter, self.switch],
            alignment=ft.MainAxisAlignment.SPACE_EVENLY,
            vertical_alignment=ft.CrossAxisAlignment.CENTER,
        )
        return ft.AlertDialog(
            modal=True,
            content=ft.Container(
                ft.Column(
                    [
                        self.preview,
                        ft.Container(buttons, padding=ft.Padding.symmetric(vertical=16)),
                    ],
                    spacing=0,
                ),
                width=page.width,
                height=page.height,
            ),
            bgcolor=ft.Colors.BLACK,
            inset_padding=0,
            content_padding=0,
            shape=ft.RoundedRectangleBorder(radius=0),
            semantics_label=self.t("photo.camera.title"),
            on_dismiss=lambda _e: self.close(),
            key="camera.sheet",
        )

    def ready(self) -> None:
        """The camera runs: the shutter works, and the switch shows when there is another camera."""
        self.status.visible = False
        self.shutter.disabled = False
        self.switch.visible = len(self.cameras) > 1
        if self.dialog is not None:
            safe_update(self.dialog)

    async def shoot(self, _e: ft.Event | None = None) -> None:
        """Take the picture, close the view and hand the picture to the photo field."""
        if not self.showing or self.shutter.disabled:
            return
        self.shutter.disabled = True
        safe_update(self.shutter)
        try:
            data = await asyncio.wait_for(self.preview.take_picture(), CAMERA_TIMEOUT)
        except Exception as exc:
            log.info("no picture taken: %r", exc)
            self.fail(CameraProblem.FAILED)
            return
        self.close()
        if not isinstance(data, bytes | bytearray):
            self.on_problem(CameraProblem.FAILED)
            return
        name = f"camera-{dt.datetime.now():%Y%m%d-%H%M%S}.jpg"
        await self.on_picture(ft.FilePickerFile(id=0, name=name, size=len(data), bytes=bytes(data)))

    async def switch_camera(self, _e: ft.Event | None = None) -> None:
        """Go on to the next camera (front, back, external)."""
        if not self.showing or self.shutter.disabled or len(self.cameras) < 2:
            return
        self.current = (self.current + 1) % len(self.cameras)
        self.shutter.disabled = True
        safe_update(self.shutter)
        try:
            await asyncio.wait_for(self.preview.set_description(self.cameras[self.current]), CAMERA_TIMEOUT)
        except Exception as exc:
            log.info("camera not switched: %r", exc)
            self.fail(CameraProblem.FAILED)
            return
        self.ready()

    def close(self, _e: ft.Event | None = None) -> None:
        """Close the view (Cancel, the back gesture, or done)."""
        dialog = self.dialog
        if dialog is not None and dialog.open:
            dialog.open = False
            safe_update(dialog)

    def fail(self, problem: CameraProblem) -> None:
        """Close the view and tell the photo field what went wrong."""
        self.close()
        self.on_problem(problem)
