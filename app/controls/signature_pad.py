"""A signature drawn with a finger: strokes on a canvas, exported as a PNG (Pillow) to store as a blob.

The pad keeps the strokes in its own coordinates; the canvas shows them as they are drawn and
`png()` renders them again, at twice the pad's size, black on white, for the witness statement (and,
later, the supervisor's sign-off).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable

import flet as ft
import flet.canvas as cv
from PIL import Image, ImageDraw

from app.controls.widgets import text_button

Point = tuple[float, float]
PAD_HEIGHT = 200
DEFAULT_WIDTH = 360
STROKE_WIDTH = 3.0
EXPORT_SCALE = 2
MIN_POINTS = 6
"""Fewer points than this in all strokes together is a tap, not a signature."""


def render_png(
    strokes: list[list[Point]], width: float, height: float, *, scale: int = EXPORT_SCALE
) -> bytes:
    """Draw strokes black on white and return the PNG bytes."""
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    line_width = max(1, round(STROKE_WIDTH * scale))
    for stroke in strokes:
        points = [(x * scale, y * scale) for x, y in stroke]
        if len(points) == 1:
            x, y = points[0]
            r = line_width / 2
            draw.ellipse((x - r, y - r, x + r, y + r), fill=0)
        elif points:
            draw.line(points, fill=0, width=line_width, joint="curve")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


class SignaturePad(ft.Column):
    """A white pad to sign on with a finger, a Clear button, and the drawing as PNG bytes.

    `label` is shown under the pad; `pad_label` names the pad itself for screen readers.
    """

    def __init__(
        self,
        *,
        label: str,
        pad_label: str,
        clear_label: str,
        key: str = "signature",
        on_change: Callable[[], None] = lambda: None,
        height: float = PAD_HEIGHT,
    ) -> None:
        super().__init__(spacing=4, key=key)
        self.strokes: list[list[Point]] = []
        self.size: tuple[float, float] = (DEFAULT_WIDTH, height)
        self.on_change_strokes = on_change
        self.locked = False
        self.canvas = cv.Canvas(shapes=[], height=height, expand=True, on_resize=self.resized)
        self.surface = ft.GestureDetector(
            content=ft.Container(
                self.canvas,
                height=height,
                bgcolor=ft.Colors.WHITE,
                border=ft.Border.all(2, ft.Colors.OUTLINE),
                border_radius=8,
            ),
            on_pan_start=self.pen_down,
            on_pan_update=self.pen_move,
            on_pan_end=self.pen_up,
            drag_interval=16,
            key=f"{key}.pad",
        )
        self.clear_button = text_button(clear_label, self.clear, key=f"{key}.clear", icon=ft.Icons.CLEAR)
        self.controls = [
            ft.Semantics(label=pad_label, container=True, content=self.surface),
            ft.Row([ft.Text(label, expand=True), self.clear_button]),
        ]

    def resized(self, e: cv.CanvasResizeEvent) -> None:
        """Remember the pad's size on screen (the PNG has the same proportions)."""
        self.size = (float(e.width), float(e.height))

    def pen_down(self, e: ft.DragStartEvent) -> None:
        """Start a stroke where the finger touched."""
        if self.locked:
            return
        self.strokes.append([(e.local_position.x, e.local_position.y)])
        self.redraw()

    def pen_move(self, e: ft.DragUpdateEvent) -> None:
        """Extend the current stroke."""
        if self.locked:
            return
        if not self.strokes:
            self.strokes.append([])
        self.strokes[-1].append((e.local_position.x, e.local_position.y))
        self.redraw()

    def pen_up(self, _e: ft.DragEndEvent | None = None) -> None:
        """Finish the stroke."""
        if not self.locked:
            self.on_change_strokes()

    def clear(self, _e: ft.Event | None = None) -> None:
        """Wipe the pad."""
        if self.locked:
            return
        self.strokes = []
        self.redraw()
        self.on_change_strokes()

    def lock(self) -> None:
        """Freeze the drawing (the statement was signed)."""
        self.locked = True
        self.clear_button.visible = False

    def redraw(self) -> None:
        """Show the strokes on the canvas."""
        paint = ft.Paint(
            color=ft.Colors.BLACK,
            stroke_width=STROKE_WIDTH,
            style=ft.PaintingStyle.STROKE,
            stroke_cap=ft.StrokeCap.ROUND,
            stroke_join=ft.StrokeJoin.ROUND,
        )
        self.canvas.shapes = [
            cv.Points(
                points=[ft.Offset(x, y) for x, y in stroke], point_mode=cv.PointMode.POLYGON, paint=paint
            )
            for stroke in self.strokes
        ]

    @property
    def empty(self) -> bool:
        """Whether nothing worth calling a signature has been drawn."""
        return sum(len(s) for s in self.strokes) < MIN_POINTS

    def png(self) -> bytes:
        """The signature as PNG bytes."""
        return render_png(self.strokes, *self.size)

    def png_with_sha256(self) -> tuple[bytes, str]:
        """The PNG bytes and their sha256 (the blob's address)."""
        data = self.png()
        return data, hashlib.sha256(data).hexdigest()
