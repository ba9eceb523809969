"""The field renderer: any `forms/` field spec as Flet controls, labelled and checked in the user's words.

`FormRenderer` owns the values of one form (raw, as typed: what a draft stores and what
`forms.spec.validate` reads), shows only the fields `visible_fields` allows for the current answers,
and puts each validation error at its field. An `Editor` per field type builds the controls and
turns them into a wire value; the screen may supply editors of its own for fields that need device
services (the location panel, the photo picker).

Every input gets a key `field.<name>` (composite parts `field.<name>.<part>`), and a visible label
that is also its accessibility label.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import flet as ft

from app.controls.clock import join_local, now_in, split_local
from app.controls.widgets import TOUCH, error_line, note, show_error, text_button
from app.i18n import Translator, catalogue
from forms.catalogue import render_error
from forms.errors import FieldError
from forms.fields import (
    Boolean,
    Choice,
    Date,
    DateRanges,
    DateTime,
    Field,
    Medications,
    MultiChoice,
    Number,
    Ref,
    Text,
    TextList,
    Time,
)
from forms.options import OptionSet
from forms.spec import FormSpec, validate, visible_fields

RADIO_LIMIT = 6
"""Choices with at most this many options are radio buttons; longer lists are a searchable menu."""
FLAT_CHECKLIST_LIMIT = 16
"""Checklists longer than this fold each option group into an expandable tile."""


@dataclass
class RenderContext:
    """What editors need from the screen: words, the zone for times, lists to pick from, dialogs."""

    t: Translator
    zone: dt.tzinfo
    changed: Callable[[str, Any], None] = lambda _name, _value: None
    choices: Mapping[str, list[tuple[str, str]]] = field(default_factory=dict)
    show_dialog: Callable[[ft.DialogControl], None] | None = None

    def label(self, f: Field) -> str:
        """The field's label, marked when an answer is required."""
        text = self.t(f.label)
        return f"{text} *" if f.required else text

    def help(self, f: Field) -> str | None:
        """The field's help text, if it has one."""
        return self.t(f.help) if f.help else None

    def option(self, options: OptionSet, code: str) -> str:
        """An option's label."""
        return self.t(options.label(code))


class Editor:
    """One field on screen: builds its controls, shows a value, reports changes, shows an error."""

    def __init__(self, ctx: RenderContext, spec: Field) -> None:
        self.ctx = ctx
        self.spec = spec
        self.name = spec.name
        self.control: ft.Control = ft.Container()

    def show(self, value: Any) -> None:
        """Put a (raw) value into the controls."""

    def set_error(self, message: str | None) -> None:
        """Show a message at the field, or clear it."""

    def emit(self, value: Any) -> None:
        """Tell the renderer the field's value changed."""
        self.ctx.changed(self.name, value)

    @property
    def wide(self) -> bool:
        """Whether the field needs the full width on a tablet (lists, long text)."""
        return True


class TextEditor(Editor):
    """Free text (single line or multi-line); numbers and text lists reuse it."""

    keyboard = ft.KeyboardType.TEXT

    def __init__(self, ctx: RenderContext, spec: Field) -> None:
        super().__init__(ctx, spec)
        multiline = bool(getattr(spec, "multiline", False)) or isinstance(spec, TextList)
        self.input = ft.TextField(
            label=ctx.label(spec),
            helper=ctx.help(spec),
            helper_max_lines=4,
            error_max_lines=3,
            key=f"field.{spec.name}",
            multiline=multiline,
            min_lines=3 if multiline else 1,
            max_lines=8 if multiline else 1,
            max_length=spec.max_length if isinstance(spec, Text) and multiline else None,
            keyboard_type=ft.KeyboardType.MULTILINE if multiline else self.keyboard,
            capitalization=ft.TextCapitalization.SENTENCES if isinstance(spec, Text) else None,
            on_change=lambda e: self.emit(self.read(e.control.value or "")),
        )
        self.control = self.input

    def read(self, text: str) -> Any:
        """Turn the typed text into the raw value."""
        return text

    def show(self, value: Any) -> None:
        """Show the value as text."""
        self.input.value = "" if value is None else str(value)

    def set_error(self, message: str | None) -> None:
        """Show the error under the input."""
        self.input.error = message

    @property
    def wide(self) -> bool:
        """Multi-line text takes the full width."""
        return bool(self.input.multiline)


class NumberEditor(TextEditor):
    """A number typed as text (the validator reads any script's digits)."""

    keyboard = ft.KeyboardType.NUMBER

    @property
    def wide(self) -> bool:
        """Numbers are short."""
        return False


class TextListEditor(TextEditor):
    """A list of short texts, one per line."""

    def __init__(self, ctx: RenderContext, spec: Field) -> None:
        super().__init__(ctx, spec)
        self.input.hint_text = ctx.t("field.one_per_line")

    def read(self, text: str) -> Any:
        """One entry per line (blank lines are dropped by the validator)."""
        return text.split("\n") if text.strip() else []

    def show(self, value: Any) -> None:
        """Show the entries one per line."""
        self.input.value = "\n".join(value) if isinstance(value, list) else ""


class RadioEditor(Editor):
    """One of a few options, as radio buttons (each row a 48 dp target)."""

    def __init__(self, ctx: RenderContext, spec: Choice) -> None:
        super().__init__(ctx, spec)
        self.error = error_line(key=f"field.{spec.name}.error")
        radios = [
            ft.Radio(
                value=code,
                label=ctx.option(spec.options, code),
                key=f"field.{spec.name}.{code}",
                visual_density=ft.VisualDensity.STANDARD,
            )
            for code in spec.options.codes
        ]
        self.group = ft.RadioGroup(
            content=ft.Column(radios, spacing=0),
            key=f"field.{spec.name}",
            on_change=lambda e: self.emit(e.control.value or None),
        )
        help_text = ctx.help(spec)
        self.control = ft.Column(
            [
                ft.Text(ctx.label(spec), weight=ft.FontWeight.W_500),
                *([note(help_text)] if help_text else []),
                self.group,
                self.error,
            ],
            spacing=4,
        )

    def show(self, value: Any) -> None:
        """Select the value's radio."""
        self.group.value = value if isinstance(value, str) else None

    def set_error(self, message: str | None) -> None:
        """Show the error under the options."""
        show_error(self.error, message)


class MenuEditor(Editor):
    """One of many options, from a menu the user can type into to filter."""

    def __init__(self, ctx: RenderContext, spec: Field, options: list[tuple[str, str]]) -> None:
        super().__init__(ctx, spec)
        label = ctx.label(spec)
        self.menu = ft.Dropdown(
            label=label,
            tooltip=label,
            key=f"field.{spec.name}",
            options=[ft.DropdownOption(key=code, text=text) for code, text in options],
            enable_filter=True,
            editable=len(options) > RADIO_LIMIT,
            helper_text=ctx.help(spec),
            menu_height=360,
            expand=True,
            on_select=lambda e: self.emit(e.control.value or None),
        )
        self.control = ft.Row([self.menu])

    def show(self, value: Any) -> None:
        """Select the value's option."""
        self.menu.value = value if isinstance(value, str) else None

    def set_error(self, message: str | None) -> None:
        """Show the error under the menu."""
        self.menu.error_text = message

    @property
    def wide(self) -> bool:
        """Menus fit half a tablet row."""
        return False


class ChecklistEditor(Editor):
    """Any number of options, as check boxes; long lists fold by group."""

    def __init__(self, ctx: RenderContext, spec: MultiChoice) -> None:
        super().__init__(ctx, spec)
        self.options = spec.options
        self.boxes: dict[str, ft.Checkbox] = {
            code: ft.Checkbox(
                visual_density=ft.VisualDensity.STANDARD,
                label=ctx.option(spec.options, code),
                key=f"field.{spec.name}.{code}",
                on_change=lambda _e: self.emit(self.selected()),
            )
            for code in spec.options.codes
        }
        self.error = error_line(key=f"field.{spec.name}.error")
        help_text = ctx.help(spec)
        head: list[ft.Control] = [ft.Text(ctx.label(spec), weight=ft.FontWeight.W_500)]
        if help_text:
            head.append(note(help_text))
        self.control = ft.Column([*head, *self._groups(ctx), self.error], spacing=4, key=f"field.{spec.name}")

    def _groups(self, ctx: RenderContext) -> list[ft.Control]:
        """The boxes, under group headings (folded when the list is long)."""
        if not self.options.groups:
            return list(self.boxes.values())
        fold = len(self.options.codes) > FLAT_CHECKLIST_LIMIT
        parts: list[ft.Control] = []
        for group in self.options.groups:
            title = ctx.t(self.options.group_label(group.code))
            boxes: list[ft.Control] = [self.boxes[code] for code in group.codes]
            if fold:
                parts.append(
                    ft.ExpansionTile(
                        title=ft.Text(title),
                        controls=boxes,
                        key=f"field.{self.name}.group.{group.code}",
                        min_tile_height=TOUCH,
                    )
                )
            else:
                parts.extend([ft.Text(title, weight=ft.FontWeight.W_500), *boxes])
        return parts

    def selected(self) -> list[str]:
        """The ticked codes in the list's order."""
        return [code for code, box in self.boxes.items() if box.value]

    def show(self, value: Any) -> None:
        """Tick the value's codes."""
        chosen = set(value) if isinstance(value, list) else set()
        for code, box in self.boxes.items():
            box.value = code in chosen

    def set_error(self, message: str | None) -> None:
        """Show the error under the list."""
        show_error(self.error, message)


class SwitchEditor(Editor):
    """A yes/no answer as a switch with its question beside it."""

    def __init__(self, ctx: RenderContext, spec: Boolean) -> None:
        super().__init__(ctx, spec)
        self.switch = ft.Switch(
            label=ctx.label(spec),
            key=f"field.{spec.name}",
            value=bool(spec.default),
            on_change=lambda e: self.emit(bool(e.control.value)),
        )
        self.error = error_line(key=f"field.{spec.name}.error")
        help_text = ctx.help(spec)
        row = ft.Container(
            ft.Row([self.switch], alignment=ft.MainAxisAlignment.END),
            height=None,
            padding=ft.Padding.symmetric(vertical=4),
        )
        self.control = ft.Column([row, *([note(help_text)] if help_text else []), self.error], spacing=2)

    def show(self, value: Any) -> None:
        """Set the switch."""
        self.switch.value = bool(value) if isinstance(value, bool) else bool(self.spec.default)

    def set_error(self, message: str | None) -> None:
        """Show the error under the switch."""
        show_error(self.error, message)


class DateInput:
    """A date typed as YYYY-MM-DD, with a button opening the calendar."""

    def __init__(
        self,
        ctx: RenderContext,
        label: str,
        key: str,
        on_change: Callable[[], None],
        help_text: str | None = None,
    ) -> None:
        self.ctx = ctx
        self.on_change = on_change
        self.input = ft.TextField(
            label=label,
            hint_text=ctx.t("field.date_hint"),
            helper=help_text,
            helper_max_lines=4,
            error_max_lines=3,
            key=key,
            keyboard_type=ft.KeyboardType.DATETIME,
            expand=True,
            on_change=lambda _e: on_change(),
        )
        self.button = text_button(
            ctx.t("field.pick_date"), self.open, key=f"{key}.pick", icon=ft.Icons.CALENDAR_MONTH
        )
        self.control = ft.Row([self.input, self.button], vertical_alignment=ft.CrossAxisAlignment.START)

    @property
    def text(self) -> str:
        """What is typed."""
        return (self.input.value or "").strip()

    def open(self, _e: ft.Event | None = None) -> None:
        """Open the calendar on the typed date (or today)."""
        if self.ctx.show_dialog is None:
            return
        today = now_in(self.ctx.zone).date()
        try:
            current = dt.date.fromisoformat(self.text)
        except ValueError:
            current = today
        picker = ft.DatePicker(
            value=dt.datetime.combine(current, dt.time(12)),
            first_date=dt.datetime(1900, 1, 1),
            last_date=dt.datetime.combine(today + dt.timedelta(days=1), dt.time(12)),
            on_change=lambda e: self.picked(e.control.value),
        )
        self.ctx.show_dialog(picker)

    def picked(self, value: dt.datetime | dt.date | None) -> None:
        """Take the calendar's answer."""
        if value is None:
            return
        day = value.date() if isinstance(value, dt.datetime) else value
        self.input.value = day.isoformat()
        self.on_change()


class TimeInput:
    """A time of day typed as HH:MM, with a button opening the clock."""

    def __init__(self, ctx: RenderContext, label: str, key: str, on_change: Callable[[], None]) -> None:
        self.ctx = ctx
        self.on_change = on_change
        self.input = ft.TextField(
            label=label,
            hint_text=ctx.t("field.time_hint"),
            error_max_lines=3,
            key=key,
            keyboard_type=ft.KeyboardType.DATETIME,
            expand=True,
            on_change=lambda _e: on_change(),
        )
        self.button = text_button(
            ctx.t("field.pick_time"), self.open, key=f"{key}.pick", icon=ft.Icons.SCHEDULE
        )
        self.control = ft.Row([self.input, self.button], vertical_alignment=ft.CrossAxisAlignment.START)

    @property
    def text(self) -> str:
        """What is typed."""
        return (self.input.value or "").strip()

    def open(self, _e: ft.Event | None = None) -> None:
        """Open the clock on the typed time (or now)."""
        if self.ctx.show_dialog is None:
            return
        try:
            current = dt.time.fromisoformat(self.text)
        except ValueError:
            current = now_in(self.ctx.zone).time()
        picker = ft.TimePicker(value=current, on_change=lambda e: self.picked(e.control.value))
        self.ctx.show_dialog(picker)

    def picked(self, value: dt.time | None) -> None:
        """Take the clock's answer."""
        if value is None:
            return
        self.input.value = value.strftime("%H:%M")
        self.on_change()


class DateEditor(Editor):
    """A calendar date."""

    def __init__(self, ctx: RenderContext, spec: Date) -> None:
        super().__init__(ctx, spec)
        self.date = DateInput(ctx, ctx.label(spec), f"field.{spec.name}", self.changed, ctx.help(spec))
        self.control = self.date.control

    def changed(self) -> None:
        """Report the typed date."""
        self.emit(self.date.text or None)

    def show(self, value: Any) -> None:
        """Show the date."""
        self.date.input.value = value if isinstance(value, str) else ""

    def set_error(self, message: str | None) -> None:
        """Show the error under the date."""
        self.date.input.error = message

    @property
    def wide(self) -> bool:
        """A date fits half a tablet row."""
        return False


class TimeEditor(Editor):
    """A time of day."""

    def __init__(self, ctx: RenderContext, spec: Time) -> None:
        super().__init__(ctx, spec)
        self.time = TimeInput(ctx, ctx.label(spec), f"field.{spec.name}", self.changed)
        help_text = ctx.help(spec)
        self.control = ft.Column([self.time.control, *([note(help_text)] if help_text else [])], spacing=2)

    def changed(self) -> None:
        """Report the typed time."""
        self.emit(self.time.text or None)

    def show(self, value: Any) -> None:
        """Show the time."""
        self.time.input.value = value if isinstance(value, str) else ""

    def set_error(self, message: str | None) -> None:
        """Show the error under the time."""
        self.time.input.error = message

    @property
    def wide(self) -> bool:
        """A time fits half a tablet row."""
        return False


class DateTimeEditor(Editor):
    """A moment: date and time on the local wall clock, stored with the UTC offset; "Now" fills both."""

    def __init__(self, ctx: RenderContext, spec: DateTime) -> None:
        super().__init__(ctx, spec)
        self.date = DateInput(ctx, ctx.t("part.date"), f"field.{spec.name}.date", self.changed)
        self.time = TimeInput(ctx, ctx.t("part.time"), f"field.{spec.name}.time", self.changed)
        self.error = error_line(key=f"field.{spec.name}.error")
        help_text = ctx.help(spec)
        self.control = ft.Column(
            [
                ft.Row(
                    [
                        ft.Text(ctx.label(spec), weight=ft.FontWeight.W_500, expand=True),
                        text_button(ctx.t("field.now"), self.set_now, key=f"field.{spec.name}.now"),
                    ]
                ),
                *([note(help_text)] if help_text else []),
                self.date.control,
                self.time.control,
                self.error,
            ],
            spacing=6,
            key=f"field.{spec.name}",
        )

    def set_now(self, _e: ft.Event | None = None) -> None:
        """Fill in the current date and time."""
        now = now_in(self.ctx.zone)
        self.date.input.value = now.date().isoformat()
        self.time.input.value = now.strftime("%H:%M")
        self.changed()

    def changed(self) -> None:
        """Report the combined moment."""
        self.emit(join_local(self.date.text, self.time.text, self.ctx.zone))

    def show(self, value: Any) -> None:
        """Show the moment on the local wall clock."""
        self.date.input.value, self.time.input.value = split_local(value, self.ctx.zone)

    def set_error(self, message: str | None) -> None:
        """Show the error under the date and time."""
        show_error(self.error, message)


class ListEditor(Editor):
    """A growing list of small rows (periods off work, medicines) with Add and Remove."""

    add_key = "field.add"

    def __init__(self, ctx: RenderContext, spec: Field) -> None:
        super().__init__(ctx, spec)
        self.rows: list[dict[str, Any]] = []
        self.items = ft.Column(spacing=8)
        self.error = error_line(key=f"field.{spec.name}.error")
        help_text = ctx.help(spec)
        self.control = ft.Column(
            [
                ft.Text(ctx.label(spec), weight=ft.FontWeight.W_500),
                *([note(help_text)] if help_text else []),
                self.items,
                text_button(ctx.t(self.add_key), self.add, key=f"field.{spec.name}.add", icon=ft.Icons.ADD),
                self.error,
            ],
            spacing=6,
            key=f"field.{spec.name}",
        )

    def blank(self) -> dict[str, Any]:
        """A new, empty entry."""
        raise NotImplementedError

    def row(self, index: int, entry: dict[str, Any]) -> list[ft.Control]:
        """The controls of one entry."""
        raise NotImplementedError

    def add(self, _e: ft.Event | None = None) -> None:
        """Append an empty entry."""
        self.rows.append(self.blank())
        self.rebuild()
        self.emit(self.value())

    def remove(self, index: int) -> None:
        """Drop an entry."""
        del self.rows[index]
        self.rebuild()
        self.emit(self.value())

    def set(self, index: int, part: str, value: Any) -> None:
        """Change one part of one entry."""
        self.rows[index][part] = value
        self.emit(self.value())

    def value(self) -> list[dict[str, Any]]:
        """The entries as the validator reads them."""
        return [dict(r) for r in self.rows]

    def rebuild(self) -> None:
        """Draw every entry again."""
        self.items.controls = [
            ft.Container(
                ft.Column(
                    [
                        *self.row(i, entry),
                        text_button(
                            self.ctx.t("field.remove"),
                            lambda _e, i=i: self.remove(i),
                            key=f"field.{self.name}.{i}.remove",
                            icon=ft.Icons.DELETE_OUTLINE,
                        ),
                    ],
                    spacing=4,
                ),
                border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
                border_radius=8,
                padding=8,
            )
            for i, entry in enumerate(self.rows)
        ]

    def show(self, value: Any) -> None:
        """Show the entries."""
        self.rows = (
            [dict(item) for item in value if isinstance(item, dict)] if isinstance(value, list) else []
        )
        self.rebuild()

    def set_error(self, message: str | None) -> None:
        """Show the error under the list."""
        show_error(self.error, message)


class RangesEditor(ListEditor):
    """Periods of days (away from work, on restricted duty): start and, when over, end."""

    add_key = "field.add_period"

    def blank(self) -> dict[str, Any]:
        """A period with no dates yet."""
        return {"start": "", "end": ""}

    def row(self, index: int, entry: dict[str, Any]) -> list[ft.Control]:
        """Start and end dates."""
        parts: list[ft.Control] = []
        for part in ("start", "end"):
            date = DateInput(
                self.ctx, self.ctx.t(f"part.{part}"), f"field.{self.name}.{index}.{part}", lambda: None
            )
            date.input.value = entry.get(part) or ""
            date.on_change = lambda d=date, p=part: self.set(index, p, d.text)
            parts.append(date.control)
        return parts


class MedicationsEditor(ListEditor):
    """Medicines given: name, single dose in mg, prescription only."""

    add_key = "field.add_medication"

    def blank(self) -> dict[str, Any]:
        """A medicine with nothing filled in."""
        return {"name": "", "dose_mg": "", "prescription_only": False}

    def row(self, index: int, entry: dict[str, Any]) -> list[ft.Control]:
        """Name, dose and the prescription switch."""
        key = f"field.{self.name}.{index}"
        name = ft.TextField(
            label=self.ctx.t("part.medication_name"),
            value=entry.get("name") or "",
            key=f"{key}.name",
            on_change=lambda e: self.set(index, "name", e.control.value or ""),
        )
        dose = ft.TextField(
            label=self.ctx.t("part.dose_mg"),
            value="" if entry.get("dose_mg") is None else str(entry.get("dose_mg")),
            key=f"{key}.dose_mg",
            keyboard_type=ft.KeyboardType.NUMBER,
            on_change=lambda e: self.set(index, "dose_mg", e.control.value or ""),
        )
        prescription = ft.Switch(
            label=self.ctx.t("part.prescription_only"),
            value=bool(entry.get("prescription_only")),
            key=f"{key}.prescription_only",
            on_change=lambda e: self.set(index, "prescription_only", bool(e.control.value)),
        )
        return [name, dose, prescription]


EditorFactory = Callable[[RenderContext, Field], Editor]


def default_editor(ctx: RenderContext, spec: Field) -> Editor:
    """The editor for a field by its type."""
    if isinstance(spec, Choice):
        if len(spec.options.codes) <= RADIO_LIMIT:
            return RadioEditor(ctx, spec)
        return MenuEditor(ctx, spec, [(c, ctx.option(spec.options, c)) for c in spec.options.codes])
    if isinstance(spec, Ref):
        return MenuEditor(ctx, spec, list(ctx.choices.get(spec.target, [])))
    editors: dict[type[Field], EditorFactory] = {
        MultiChoice: ChecklistEditor,
        Boolean: SwitchEditor,
        Date: DateEditor,
        Time: TimeEditor,
        DateTime: DateTimeEditor,
        DateRanges: RangesEditor,
        Medications: MedicationsEditor,
        Number: NumberEditor,
        TextList: TextListEditor,
        Text: TextEditor,
    }
    for kind, make in editors.items():
        if isinstance(spec, kind):
            return make(ctx, spec)
    raise TypeError(f"no editor for field type {type(spec).__name__} ({spec.name})")


def error_messages(errors: list[FieldError], t: Translator) -> dict[str, str]:
    """One message per field, in the user's language; a problem inside a field names the part first."""
    messages = catalogue(t.language)
    shown: dict[str, str] = {}
    for error in errors:
        if error.name in shown:
            continue
        text = render_error(error, messages)
        parts = error.field.split(".")[1:]
        named = [p for p in parts if not p.isdigit()]
        numbers = [int(p) + 1 for p in parts if p.isdigit()]
        if named and numbers:
            text = t("field.error_entry_part", n=numbers[0], part=t(f"part.{named[-1]}"), message=text)
        elif named:
            text = t("field.error_part", part=t(f"part.{named[-1]}"), message=text)
        elif numbers:
            text = t("field.error_entry", n=numbers[0], message=text)
        shown[error.name] = text
    return shown


class FormRenderer:
    """The editors of one form over one dict of raw values, with visibility and errors kept current.

    Each editor's controls sit in a box (`boxes[name]`, key `box.<name>`): the box is what is shown
    or hidden, and what a screen places in its layout.
    """

    def __init__(
        self,
        spec: FormSpec,
        ctx: RenderContext,
        values: dict[str, Any],
        *,
        special: Mapping[str, Editor] | None = None,
        only: tuple[str, ...] | None = None,
        on_change: Callable[[str, Any], None] = lambda _name, _value: None,
    ) -> None:
        self.spec = spec
        self.ctx = ctx
        self.values = dict(values)
        self.errors: dict[str, str] = {}
        self.on_change = on_change
        ctx.changed = self._changed
        fields = [f for f in spec.fields if only is None or f.name in only]
        self.editors: dict[str, Editor] = {}
        self.boxes: dict[str, ft.Container] = {}
        for f in fields:
            editor = (special or {}).get(f.name) or default_editor(ctx, f)
            editor.show(self.values.get(f.name, f.default))
            self.editors[f.name] = editor
            self.boxes[f.name] = ft.Container(editor.control, key=f"box.{f.name}")
        self.refresh()

    def _changed(self, name: str, value: Any) -> None:
        """Keep the new value, re-evaluate what is shown, and clear the field's error."""
        self.values[name] = value
        if name in self.errors:
            del self.errors[name]
            self.editors[name].set_error(None)
        self.refresh()
        self.on_change(name, value)

    def refresh(self) -> None:
        """Show exactly the fields the current answers make visible."""
        shown = {f.name for f in visible_fields(self.spec, self.values)}
        for name, box in self.boxes.items():
            box.visible = name in shown

    def visible(self, name: str) -> bool:
        """Whether a field is shown now."""
        box = self.boxes.get(name)
        return box is not None and box.visible is not False

    def sections(self) -> list[tuple[str, list[Editor]]]:
        """The sections (in form order) that have at least one field shown now, with their editors."""
        result: list[tuple[str, list[Editor]]] = []
        for section, fields in self.spec.sections():
            editors = [self.editors[f.name] for f in fields if f.name in self.editors]
            if any(self.visible(e.name) for e in editors):
                result.append((section, editors))
        return result

    def check(self, names: set[str] | None = None, *, now: dt.datetime | None = None) -> dict[str, str]:
        """Validate; show each problem at its field (only `names`, when given); return what is shown."""
        found = error_messages(validate(self.spec, self.values, now=now), self.ctx.t)
        if names is not None:
            found = {name: text for name, text in found.items() if name in names}
        for name, editor in self.editors.items():
            if names is None or name in names:
                editor.set_error(found.get(name))
        self.errors = found
        return found

    def set(self, name: str, value: Any) -> None:
        """Change a value from outside (the location panel, a promoted quick report) and show it."""
        self.values[name] = value
        if name in self.editors:
            self.editors[name].show(value)
        self.refresh()
