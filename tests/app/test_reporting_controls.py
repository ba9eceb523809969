"""The reporting controls as plain objects: field renderer, photo picker, location panel, signature pad."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import flet as ft
import pytest
from PIL import Image
from support.reporting import HALL_A, YARD, camera_jpeg

from app.controls.clock import join_local, split_local
from app.controls.fields import (
    ChecklistEditor,
    DateTimeEditor,
    FormRenderer,
    MedicationsEditor,
    MenuEditor,
    RadioEditor,
    RenderContext,
    SwitchEditor,
    TextEditor,
)
from app.controls.location_panel import Fix, LocationPanel, Problem, Source
from app.controls.photo_picker import PhotoPicker
from app.controls.signature_pad import SignaturePad, render_png
from app.i18n import Translator
from app.queries_reporting import Area
from forms.common import LOCATION, PHOTOS
from forms.registry import FORMS, get

KL = ZoneInfo("Asia/Kuala_Lumpur")
AREAS = [
    Area("a1", "Hall A", HALL_A[0], HALL_A[1], 40),
    Area("a2", "Loading yard", YARD[0], YARD[1], 60),
    Area("a3", "Store room"),
]


def context(language: str = "en", changes: list[tuple[str, Any]] | None = None) -> RenderContext:
    """A render context in a language, recording every change."""
    seen = changes if changes is not None else []
    return RenderContext(t=Translator(language), zone=KL, changed=lambda n, v: seen.append((n, v)))


def renderer(form_id: str, values: dict[str, Any] | None = None, language: str = "en") -> FormRenderer:
    """A renderer for a form with placeholder editors for the device-bound fields."""
    ctx = context(language)
    special = {
        "location": LocationPanel(ctx, LOCATION, areas=[], device=None, spawn=lambda work: work.close()),
        "photos": PhotoPicker(ctx, PHOTOS, picker=None),
    }
    return FormRenderer(get(form_id), ctx, values or {}, special=special)


@pytest.mark.parametrize("form_id", sorted(FORMS))
@pytest.mark.parametrize("language", ["en", "ms", "id", "hi", "ar"])
def test_every_field_of_every_form_is_labelled_from_the_catalogue(form_id: str, language: str) -> None:
    r = renderer(form_id, language=language)
    assert set(r.editors) == set(get(form_id).names)
    for name, editor in r.editors.items():
        label = Translator(language)(editor.spec.label)
        assert label != editor.spec.label, f"{name} has no {language} label"
        shown = {
            TextEditor: lambda e: e.input.label,
            MenuEditor: lambda e: e.menu.label,
            SwitchEditor: lambda e: e.switch.label,
        }
        for kind, read in shown.items():
            if isinstance(editor, kind):
                assert read(editor).startswith(label)


def test_conditional_fields_appear_and_disappear_with_the_answers() -> None:
    r = renderer("injury")
    assert (
        not r.visible("illness_type") and not r.visible("inpatient_date") and not r.visible("date_of_death")
    )
    r.editors["case_type"].group.value = "illness"  # what the client sets before the change event
    r.ctx.changed("case_type", "illness")
    assert r.visible("illness_type")
    r.ctx.changed("illness_type", "hearing_loss")
    assert r.visible("hearing_level_db") and r.visible("standard_threshold_shift")
    r.ctx.changed("inpatient", "treatment")
    r.ctx.changed("died", True)
    assert r.visible("inpatient_date") and r.visible("date_of_death")
    r.ctx.changed("case_type", "injury")
    assert not r.visible("illness_type") and not r.visible("hearing_level_db")

    outage = renderer("outage")
    assert outage.visible("users_affected")
    outage.ctx.changed("all_users_affected", True)
    assert not outage.visible("users_affected")
    sections = [name for name, _ in outage.sections()]
    assert sections[0] == "event" and "photos" in sections


def test_validation_errors_are_shown_at_the_field_in_the_users_language() -> None:
    r = renderer("near_miss", {"title": "x" * 121}, language="ms")
    shown = r.check(now=dt.datetime(2026, 3, 14, 12, tzinfo=dt.UTC))
    assert shown["hazard_type"] == "Sila isi ruangan ini." == r.editors["hazard_type"].menu.error_text
    assert r.editors["title"].input.error.startswith("Terlalu panjang")
    assert r.editors["title"].input.error == shown["title"]
    r.ctx.changed("title", "Forklift reversing")
    assert r.editors["title"].input.error is None  # a change clears the field's error


def test_an_error_inside_a_list_names_the_entry_and_the_part() -> None:
    r = renderer("injury")
    meds = r.editors["medications"]
    assert isinstance(meds, MedicationsEditor)
    meds.add()
    meds.set(0, "name", "Ibuprofen")
    meds.set(0, "dose_mg", "lots")
    shown = r.check({"medications"})
    assert (
        shown["medications"]
        == "Entry 1, One dose (mg): Enter a number, with a point for decimals (for example 12.5)."
    )
    assert meds.error.visible and meds.error.value == shown["medications"]
    meds.remove(0)
    assert r.values["medications"] == []


def test_choices_are_radios_or_a_menu_and_checklists_fold_by_group() -> None:
    r = renderer("injury")
    assert isinstance(r.editors["sex"], RadioEditor)
    assert [radio.label for radio in r.editors["sex"].group.content.controls] == [
        "Male",
        "Female",
        "Not stated",
    ]
    treatments = r.editors["treatments"]
    assert isinstance(treatments, ChecklistEditor)
    folded = [c for c in treatments.control.controls if isinstance(c, ft.ExpansionTile)]
    t = Translator()
    assert [tile.title.value for tile in folded] == [
        t(f"option.treatment.group.{g}") for g in ("first_aid", "not_treatment", "medical_treatment")
    ]
    treatments.boxes["sutures"].value = True
    treatments.boxes["wound_cleaning"].value = True
    assert treatments.selected() == ["wound_cleaning", "sutures"]  # in the list's order


def test_a_moment_is_typed_on_the_sites_wall_clock_and_stored_with_its_offset() -> None:
    changes: list[tuple[str, Any]] = []
    ctx = context(changes=changes)
    editor = DateTimeEditor(ctx, get("quick").field("occurred_at"))  # type: ignore[arg-type]
    editor.date.input.value = "2026-03-14"
    editor.time.input.value = "09:41"
    editor.changed()
    assert changes[-1] == ("occurred_at", "2026-03-14T09:41+08:00")
    editor.show("2026-03-14T01:41:00+00:00")
    assert (editor.date.input.value, editor.time.input.value) == ("2026-03-14", "09:41")
    assert join_local("14/03/2026", "9.41", KL) == "14/03/2026T9.41"  # kept, so validation can say why
    assert split_local("not a time", KL) == ("not a time", "")
    editor.set_now()
    assert dt.datetime.fromisoformat(changes[-1][1]).utcoffset() == dt.timedelta(hours=8)


async def test_photos_are_processed_and_refusals_explained_in_the_users_language() -> None:
    ctx = context("id")
    picker = PhotoPicker(ctx, PHOTOS, picker=None)
    good = camera_jpeg(gps=True)
    files = [
        ft.FilePickerFile(id=0, name="tangan.jpg", size=len(good), bytes=good),
        ft.FilePickerFile(id=1, name="catatan.txt", size=5, bytes=b"hello"),
        ft.FilePickerFile(id=2, name="putus.jpg", size=100, bytes=good[: len(good) // 2]),
        ft.FilePickerFile(id=3, name="lagi.jpg", size=len(good), bytes=good),
    ]
    await picker.add_files(files)
    assert [p.slot for p in picker.photos] == ["photo-1"]  # the same picture twice is kept once
    entry = picker.manifest()[0]
    assert entry["mime"] == "image/jpeg" and max(entry["width"], entry["height"]) == 1600
    assert entry["captured_at"] == "2026-03-14T09:41:00+08:00"
    assert entry["exif_latitude"] == pytest.approx(3.0738, abs=1e-3)
    assert entry["original_size"] == len(good)
    assert picker.value() == [{"slot": "photo-1", "sha256": entry["sha256"], "caption": ""}]
    assert set(picker.upload_blobs()) == {entry["sha256"]}
    assert picker.error.visible
    assert "“catatan.txt” bukan gambar" in picker.error.value
    assert "“putus.jpg” tidak lengkap atau rusak" in picker.error.value
    assert picker.count.value == "1 dari maksimal 10 foto"

    restored = PhotoPicker(ctx, PHOTOS, picker=None)
    restored.restore(picker.extra(), picker.draft_blobs())
    assert restored.manifest() == picker.manifest()
    assert isinstance(restored.thumbs.controls[0].controls[0], ft.Image)
    restored.remove("photo-1")
    assert restored.value() == [] and restored.count.value == "Belum ada foto."


class FakeGps:
    """A device that answers the location request with a fixed result."""

    automatic = True

    def __init__(self, result: Fix | Problem) -> None:
        self.result = result
        self.settings_opened = False

    async def locate(self) -> Fix | Problem:
        return self.result

    async def open_settings(self) -> None:
        self.settings_opened = True


async def test_a_gps_fix_shows_its_accuracy_and_the_area_it_falls_in() -> None:
    changes: list[tuple[str, Any]] = []
    areas: list[str | None] = []
    panel = LocationPanel(
        context(changes=changes),
        LOCATION,
        areas=AREAS,
        device=FakeGps(Fix(HALL_A[0] + 0.0001, HALL_A[1], 7.6)),
        spawn=asyncio.ensure_future,
        on_area=areas.append,
    )
    await panel.locate()
    assert panel.status.value == "GPS: 3.07394, 101.51823 (±8 m)"
    assert panel.detail.value == "In Hall A"
    assert areas == ["a1"] and panel.source is Source.GPS
    assert changes[-1] == (
        "location",
        {"latitude": HALL_A[0] + 0.0001, "longitude": HALL_A[1], "accuracy_m": 7.6},
    )
    assert panel.extra() == {"source": "gps", "area_id": "a1", "address": None}


async def test_without_gps_the_user_picks_an_area_or_types_coordinates() -> None:
    device = FakeGps(Problem.DENIED_FOREVER)
    panel = LocationPanel(context("hi"), LOCATION, areas=AREAS, device=device, spawn=asyncio.ensure_future)
    await panel.locate()
    assert panel.fix is None and panel.settings_button.visible
    assert panel.status.value.startswith("इस ऐप के लिए जगह बंद है")
    await panel.open_settings()
    assert device.settings_opened

    panel.choose_area("a2")
    assert panel.value() == {"latitude": YARD[0], "longitude": YARD[1], "accuracy_m": 60}
    assert panel.status.value == "क्षेत्र: Loading yard"

    panel.typed.value = "somewhere"
    panel.use_typed()
    assert panel.error.visible and panel.error.value.startswith("ये निर्देशांक पढ़े नहीं जा सके")
    panel.typed.value = "3°04'27.6\"N 101°31'05.6\"E"
    panel.use_typed()
    assert not panel.error.visible
    assert panel.value()["latitude"] == pytest.approx(3.0743, abs=1e-4)
    assert panel.source is Source.TYPED and panel.area is not None and panel.area.name == "Hall A"


async def test_the_address_is_looked_up_only_when_online_and_never_blocks() -> None:
    looked_up: list[tuple[float, float]] = []

    class Geocoder:
        async def lookup_async(self, lat: float, lon: float) -> str | None:
            looked_up.append((lat, lon))
            return "Jalan Kilang 4, Shah Alam"

    online = False
    tasks: list[asyncio.Task[Any]] = []
    panel = LocationPanel(
        context(),
        LOCATION,
        areas=AREAS,
        device=None,
        spawn=lambda work: tasks.append(asyncio.ensure_future(work)),
        geocoder=Geocoder(),
        online=lambda: online,
    )
    panel.take(3.1, 101.5, None, Source.TYPED)
    assert tasks == [] and panel.address is None
    online = True
    panel.take(3.2, 101.6, None, Source.TYPED)
    await asyncio.gather(*tasks)
    assert looked_up == [(3.2, 101.6)]
    assert panel.address_line.value == "Jalan Kilang 4, Shah Alam" and panel.address_line.visible


def drag(pad: SignaturePad, points: list[tuple[float, float]]) -> None:
    """Draw one stroke through the pad's handlers, as the gesture detector would call them."""
    start, *rest = points
    pad.pen_down(SimpleNamespace(local_position=ft.Offset(*start)))  # type: ignore[arg-type]
    for x, y in rest:
        pad.pen_move(SimpleNamespace(local_position=ft.Offset(x, y)))  # type: ignore[arg-type]
    pad.pen_up()


def test_a_drawn_signature_becomes_a_png_with_the_strokes_in_black() -> None:
    changed: list[bool] = []
    pad = SignaturePad(
        label="Sign", pad_label="Pad", clear_label="Clear", on_change=lambda: changed.append(True)
    )
    assert pad.empty
    drag(pad, [(20, 100), (60, 40), (100, 160), (140, 40), (180, 100), (220, 100)])
    assert not pad.empty and changed == [True]
    assert len(pad.canvas.shapes) == 1
    png, sha = pad.png_with_sha256()
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (720, 400)  # the pad's size, twice
    assert image.getpixel((80, 140)) < 64  # halfway along the first segment
    assert image.getpixel((700, 20)) == 255  # paper
    assert len(sha) == 64

    pad.lock()
    drag(pad, [(10, 10), (30, 30)])
    pad.clear()
    assert len(pad.strokes) == 1 and not pad.clear_button.visible


def test_a_tap_is_not_a_signature_and_clear_wipes_the_pad() -> None:
    pad = SignaturePad(label="Sign", pad_label="Pad", clear_label="Clear")
    drag(pad, [(50, 50), (51, 51)])
    assert pad.empty
    pad.clear()
    assert pad.strokes == [] and pad.canvas.shapes == []
    dot = Image.open(io.BytesIO(render_png([[(10, 10)]], 40, 20)))
    assert dot.getpixel((20, 20)) == 0
