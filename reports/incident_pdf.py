"""The incident report PDF: everything about one incident, from the first report to the audit chain head."""

from __future__ import annotations

import datetime as dt
import io
import math

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Image, KeepTogether, Spacer, Table, TableStyle

from reports import pdf_text
from reports.incident_data import Clock, IncidentRecord, SitePlan, Statement
from reports.pdf_layout import GREY, LIGHT, LINE, build, fields, frame_width, grid, iso_date, local, para

METRES_PER_DEGREE = 111_320.0
PLAN_HEIGHT = 230.0
THUMB = 150.0
AREA_FILL = colors.HexColor("#d2e3fc")
AREA_EDGE = colors.HexColor("#4285f4")
POINT = colors.HexColor("#d93025")


def incident_pdf(record: IncidentRecord) -> bytes:
    """Return the incident report of one incident."""
    width = frame_width(A4)
    story: list = [
        para(f"Incident report {record.ref}", "title", bold=True),
        para(record.title, "h2", bold=True),
        fields(
            [
                ("Reference", record.ref),
                ("Kind", record.kind),
                ("Status", record.status),
                ("Priority", f"{record.priority} {record.priority_reason}".strip()),
                ("Site", record.site),
                ("Place", record.place),
                ("Occurred", local(record.occurred_at)),
                ("Reported by", record.reported_by),
                ("Description", record.description),
            ],
            width,
            label_share=0.2,
        ),
    ]
    if record.details:
        story += [para("Details", "h2", bold=True), fields(list(record.details), width, label_share=0.3)]
    story += [para("Notification clocks", "h2", bold=True), _clocks(record, width)]
    story += [para("Timeline", "h2", bold=True), _timeline(record, width)]
    story += [
        KeepTogether(
            [
                para("Position on the site plan", "h2", bold=True),
                PlanFlowable(record.plan, width, PLAN_HEIGHT),
                para(_plan_caption(record.plan), "note"),
            ]
        )
    ]
    story += [KeepTogether([para("Photos", "h2", bold=True), _photos(record, width)])]
    story += [para("Witness statements", "h2", bold=True), *_statements(record.statements, width)]
    story += [para("Investigation", "h2", bold=True), *_investigation(record, width)]
    story += [para("Corrective and preventive actions", "h2", bold=True), *_actions(record, width)]
    if record.review is not None:
        review = record.review
        story += [
            para("Post-incident review", "h2", bold=True),
            fields(
                [
                    ("What happened and the impact", review.what_happened),
                    ("Root cause", review.root_cause),
                    ("Detection: how, and how to be faster", review.detection),
                    ("What went well, what slowed us", review.went_well),
                    ("Completed", local(review.completed_at)),
                ],
                width,
            ),
        ]
    story += [
        para("Audit", "h2", bold=True),
        fields(
            [
                ("Audit chain head", record.audit_head),
                ("Events about this incident", str(record.audit_events)),
                ("Report made", local(record.generated_at)),
            ],
            width,
            label_share=0.25,
        ),
        para(
            "The head is the hash of the newest event of the store's hash-chained audit trail when this "
            "report was made; it covers every earlier event, so any later change to them is detectable.",
            "note",
        ),
    ]
    return build(
        story,
        pagesize=A4,
        title=f"Incident report {record.ref}",
        footer=f"Incident report {record.ref} · {record.site} · generated {local(record.generated_at)} · "
        f"audit head {record.audit_head[:16]}…",
    )


def _clocks(record: IncidentRecord, width: float) -> Table | Flowable:
    """Return the notification duties with their standing at the time of the report, in words."""
    if not record.clocks:
        return para("No notification clocks are stored for this incident.", "body")
    rows: list[list[object]] = [["Duty", "Authority", "Started", "Due", "Standing", "Met, or how to meet it"]]
    for clock in record.clocks:
        met = (
            f"{local(clock.met_at)} by {clock.met_by}, {clock.method}"
            + (f", ref. {clock.reference_number}" if clock.reference_number else "")
            if clock.met_at
            else clock.how
        )
        rows.append(
            [
                clock.title,
                clock.authority,
                local(clock.started_at),
                local(clock.due_at),
                standing(clock, record.generated_at),
                met,
            ]
        )
    return grid(rows, [width * s for s in (0.2, 0.13, 0.13, 0.13, 0.13, 0.28)])


def standing(clock: Clock, now: dt.datetime) -> str:
    """Say how a duty stands: "Met on time", "Met 2 h 05 min late", "Open, 1 d 2 h left", "OVERDUE by 3 h"."""
    if clock.met_at is not None:
        late = clock.met_at - clock.due_at
        return "Met on time" if late <= dt.timedelta(0) else f"Met {span(late)} late"
    left = clock.due_at - now
    if left < dt.timedelta(0):
        return f"OVERDUE by {span(left)}"
    return f"{'Due soon' if clock.state == 'warning' else 'Open'}, {span(left)} left"


def span(delta: dt.timedelta) -> str:
    """A span of time to the minute: "3 d 4 h", "2 h 05 min" or "12 min"."""
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {mins:02d} min" if hours else f"{mins} min"


def _timeline(record: IncidentRecord, width: float) -> Table:
    """Return the incident's events in time order."""
    rows: list[list[object]] = [["When", "What", "Who"]]
    rows += [[local(event.at), event.what, event.who] for event in record.timeline]
    return grid(rows, [width * 0.22, width * 0.56, width * 0.22])


def _plan_caption(plan: SitePlan) -> str:
    """Return the words under the site plan: the position and its accuracy, or that none was recorded."""
    if plan.point is None:
        return f"No position was recorded for this incident. Place: {plan.area_name or 'not given'}."
    lat, lon = plan.point
    accuracy = f" (accuracy ±{plan.accuracy_m:g} m)" if plan.accuracy_m else ""
    area = f", in {plan.area_name}" if plan.area_name else ""
    return f"Incident at {lat:.6f}, {lon:.6f}{accuracy}{area}. Areas of {plan.site_name} drawn to scale."


class PlanFlowable(Flowable):
    """A site plan drawn to scale: the site's areas as circles, the incident as a red point; no map tiles."""

    def __init__(self, plan: SitePlan, width: float, height: float) -> None:
        super().__init__()
        self.plan = plan
        self.width = width
        self.height = height

    def wrap(self, availWidth, availHeight):  # noqa: N803 - reportlab's signature
        """Take the full width and the plan's height."""
        return self.width, self.height

    def draw(self) -> None:
        """Draw the frame, the areas, the point, a scale bar and a north arrow."""
        canvas = self.canv
        canvas.setFillColor(colors.HexColor("#f8f9fa"))
        canvas.setStrokeColor(LINE)
        canvas.rect(0, 0, self.width, self.height, fill=1, stroke=1)
        places = [(a.latitude, a.longitude, a.radius_m) for a in self.plan.areas]
        if self.plan.point is not None:
            places.append((*self.plan.point, self.plan.accuracy_m or 5.0))
        if not places:
            canvas.setFillColor(GREY)
            pdf_text.draw_text(
                canvas, self.width / 2, self.height / 2, "No position recorded", 10, align="center"
            )
            return
        project, scale = _projection(places, self.width, self.height)
        for area in self.plan.areas:
            x, y = project(area.latitude, area.longitude)
            canvas.setFillColor(AREA_FILL)
            canvas.setStrokeColor(AREA_EDGE)
            canvas.setLineWidth(0.8)
            canvas.circle(x, y, max(area.radius_m * scale, 3), fill=1, stroke=1)
            canvas.setFillColor(colors.HexColor("#174ea6"))
            pdf_text.draw_text(canvas, x, y - 3, area.name, 7, align="center")
        if self.plan.point is not None:
            x, y = project(*self.plan.point)
            if self.plan.accuracy_m:
                canvas.setStrokeColor(POINT)
                canvas.setDash(2, 2)
                canvas.circle(x, y, max(self.plan.accuracy_m * scale, 4), fill=0, stroke=1)
                canvas.setDash()
            canvas.setFillColor(POINT)
            canvas.setStrokeColor(colors.white)
            canvas.circle(x, y, 4.5, fill=1, stroke=1)
        self._scale_bar(scale)
        self._north_arrow()

    def _scale_bar(self, scale: float) -> None:
        """Draw a bar of a round length (1, 2 or 5 × 10^n metres) in the lower left corner."""
        canvas = self.canv
        target = 90 / scale
        power = 10 ** math.floor(math.log10(target))
        metres = max(step * power for step in (1, 2, 5) if step * power <= target)
        length = metres * scale
        canvas.setStrokeColor(colors.black)
        canvas.setLineWidth(1.5)
        canvas.line(10, 12, 10 + length, 12)
        canvas.line(10, 9, 10, 15)
        canvas.line(10 + length, 9, 10 + length, 15)
        canvas.setFillColor(colors.black)
        pdf_text.draw_text(canvas, 10, 18, f"{metres:g} m", 7)

    def _north_arrow(self) -> None:
        """Draw a north arrow in the upper right corner."""
        canvas = self.canv
        x, y = self.width - 18, self.height - 34
        path = canvas.beginPath()
        path.moveTo(x, y + 20)
        path.lineTo(x - 6, y)
        path.lineTo(x + 6, y)
        path.close()
        canvas.setFillColor(colors.black)
        canvas.drawPath(path, fill=1, stroke=0)
        pdf_text.draw_text(canvas, x, y - 10, "N", 8, bold=True, align="center")


def _projection(places: list[tuple[float, float, float]], width: float, height: float):
    """Return (project(lat, lon) -> (x, y) in points, points per metre) fitting the places into the box."""
    lat0 = sum(p[0] for p in places) / len(places)
    lon0 = sum(p[1] for p in places) / len(places)
    east = math.cos(math.radians(lat0)) * METRES_PER_DEGREE

    def metres(lat: float, lon: float) -> tuple[float, float]:
        return (lon - lon0) * east, (lat - lat0) * METRES_PER_DEGREE

    xs, ys = [], []
    for lat, lon, radius in places:
        x, y = metres(lat, lon)
        xs += [x - radius, x + radius]
        ys += [y - radius, y + radius]
    span_x = max(max(xs) - min(xs), 20.0)
    span_y = max(max(ys) - min(ys), 20.0)
    scale = min((width - 40) / span_x, (height - 40) / span_y)
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def project(lat: float, lon: float) -> tuple[float, float]:
        x, y = metres(lat, lon)
        return width / 2 + (x - mid_x) * scale, height / 2 + (y - mid_y) * scale

    return project, scale


def _image(data: bytes, box: float) -> Image:
    """Return an image flowable fitted into a square box, keeping its proportions."""
    reader = ImageReader(io.BytesIO(data))
    w, h = reader.getSize()
    factor = box / max(w, h)
    return Image(io.BytesIO(data), width=w * factor, height=h * factor)


def _photos(record: IncidentRecord, width: float) -> Flowable:
    """Return the photo thumbnails, three to a row, each with its slot, time and hash."""
    if not record.photos:
        return para("No photos were attached.", "body")
    cells = []
    for photo in record.photos:
        picture = (
            _image(photo.thumbnail, THUMB)
            if photo.thumbnail
            else para("photo not available here (missing or unreadable)", "note")
        )
        caption = " · ".join(
            part for part in (photo.slot, photo.caption, local(photo.captured_at), photo.sha256[:12]) if part
        )
        cells.append([picture, para(caption, "small")])
    rows = [cells[i : i + 3] for i in range(0, len(cells), 3)]
    rows[-1] += [""] * (3 - len(rows[-1]))
    table = Table(rows, colWidths=[width / 3] * 3)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (-1, -1), "LEFT")]))
    return table


def _statements(statements: tuple[Statement, ...], width: float) -> list[Flowable]:
    """Return each witness statement with who took it, when, and the drawn signature."""
    if not statements:
        return [para("No witness statements were taken.", "body")]
    out: list[Flowable] = []
    for item in statements:
        header = (
            f"{item.witness_name} ({item.relation}" + (f", {item.language}" if item.language else "") + ")"
        )
        if item.amends_earlier:
            header += " — amends an earlier statement"
        signed = (
            f"signed {local(item.signed_at)}" if item.signed_at else "not signed"
        ) + f" · taken by {item.taken_by} at {local(item.taken_at)}"
        block: list[Flowable] = [
            para(header, "body", bold=True),
            para(item.statement, "body"),
            para(signed, "small"),
        ]
        if item.signature:
            block.append(_image(item.signature, 60))
        table = Table([[block]], colWidths=[width])
        table.setStyle(
            TableStyle([("BOX", (0, 0), (-1, -1), 0.4, LINE), ("BACKGROUND", (0, 0), (-1, -1), colors.white)])
        )
        out += [table, Spacer(1, 4)]
    return out


def _investigation(record: IncidentRecord, width: float) -> list[Flowable]:
    """Return the five whys, the contributing factors and the root cause."""
    found = record.investigation
    if found is None:
        return [para("No investigation has been recorded.", "body")]
    whys = "\n".join(f"{n}. Why? {answer}" for n, answer in enumerate(found.five_whys, start=1))
    factors = "\n".join(f"{category}: {text}" for category, text in found.contributing_factors)
    return [
        fields(
            [
                ("Lead", found.lead),
                ("Five whys", whys),
                ("Contributing factors", factors),
                ("Root cause category", found.root_cause_category),
                ("Root cause", found.root_cause),
                ("Findings", found.findings),
            ],
            width,
            label_share=0.22,
        )
    ]


def _actions(record: IncidentRecord, width: float) -> list[Flowable]:
    """Return each corrective action with its owner, dates, sign-offs and effectiveness checks."""
    if not record.actions:
        return [para("No corrective or preventive actions.", "body")]
    out: list[Flowable] = []
    for action in record.actions:
        rows: list[list[object]] = [
            [
                f"{action.title} ({action.kind}, {action.control_level})",
                f"Owner: {action.owner}",
                f"Status: {action.status}",
            ],
            [
                f"Due {iso_date(action.due_on)}",
                f"Done {local(action.done_at) or '—'}",
                f"Verified {local(action.verified_at) or '—'}",
            ],
        ]
        for signature in action.signatures:
            rows.append(
                [
                    f"Sign-off: {signature.meaning}" + (f" — {signature.reason}" if signature.reason else ""),
                    f"{signature.signer} ({signature.role}), {local(signature.signed_at)}",
                    f"content sha256 {signature.content_sha256[:16]}…",
                ]
            )
        if not action.signatures:
            rows.append(["No sign-off yet", "", ""])
        for check in action.checks:
            rows.append([f"Effectiveness check: {check}", "", ""])
        out += [
            grid(
                rows,
                [width * 0.45, width * 0.3, width * 0.25],
                header_rows=1,
                extra=[("BACKGROUND", (0, 0), (-1, 0), LIGHT)],
            ),
            Spacer(1, 4),
        ]
    return out
