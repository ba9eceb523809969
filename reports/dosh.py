"""Malaysia DOSH forms under NADOPOD 2004: the JKKP 6 notification of an accident or dangerous occurrence
and the JKKP 8 register (with its frequency, severity and incidence rates).

What the reference could not confirm is said on the forms themselves: the JKKP 6 field list and the code
tables Jadual 3 and 7-12 were not retrieved (codes are given as descriptions), the Second Schedule
categories are provisional, and the JKKP 8 submission date is recalled, not read.
"""

from __future__ import annotations

from reportlab.lib.pagesizes import A4, landscape
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from reports.dosh_data import Employer, Notification, Person, Register, rates
from reports.pdf_layout import LIGHT, LINE, build, dmy, fields, frame_width, grid, local, number, para

REGULATIONS = (
    "Peraturan-Peraturan Keselamatan dan Kesihatan Pekerjaan (Pemberitahuan Kemalangan, Kejadian "
    "Berbahaya, Keracunan Pekerjaan dan Penyakit Pekerjaan) 2004 [P.U.(A) 128/2004]"
)
OUTCOMES = {
    "M": "M — maut (fatal)",
    "HUK": "HUK — hilang upaya kekal (permanent disability)",
    "THUK": "THUK — tidak hilang upaya kekal (no permanent disability)",
}
JKKP6_NOTE = (
    "About this form: DOSH's official JKKP 6 layout and field list were not retrieved "
    "(reference: dosh.md, 'JKKP 6 field list NOT retrieved'). This notification carries the facts that "
    "regulation 5 and the JKKP 8 register columns ask for; the coded items (Jadual 3 and 7-12) are given "
    "as descriptions because the code tables were not retrieved either. Check it against the current DOSH "
    "form or the myKKP portal before sending."
)
JKKP8_NOTE = (
    "About this register: the header and the part I and II columns follow the text of Borang JKKP 8. "
    "Not retrieved, so shown as descriptions or left for the employer: the code tables Jadual 3 (industry), "
    "7 (employment status), 8 (occupation), 9 (part of body), 10 (type of accident), 11 (causal agent) and "
    "12 (nature of injury); the columns of parts III and IV (dangerous occurrences, poisoning and disease) "
    "were only partly seen. The Second Schedule categories of dangerous occurrences are provisional. "
    "The 31 January submission date is recalled, not read in the regulations: confirm it with DOSH."
)


def jkkp6_pdf(notice: Notification) -> bytes:
    """Return the JKKP 6 notification of one accident or dangerous occurrence."""
    page = A4
    width = frame_width(page)
    accident = notice.kind == "accident"
    kind = "Kemalangan (accident)" if accident else "Kejadian berbahaya (dangerous occurrence)"
    story: list = [
        para("BORANG JKKP 6", "label", bold=True),
        para("Pemberitahuan Kemalangan dan Kejadian Berbahaya", "title", bold=True),
        para("Notification of Accident and Dangerous Occurrence · regulation 5", "body", bold=True),
        para(REGULATIONS, "note"),
        Spacer(1, 4),
        _note_box(JKKP6_NOTE, width),
        para("A. Majikan / Employer", "h2", bold=True),
        fields(_employer_fields(notice.employer), width),
        para("B. Kejadian / The event", "h2", bold=True),
        fields(
            [
                ("Rujukan / Reference", notice.incident_ref),
                ("Jenis / Kind", kind),
                ("Sebab dilaporkan / Why it is reported", "\n".join(notice.reasons)),
                ("Tarikh dan masa / Date and time", local(notice.occurred_at)),
                ("Tempat / Place", notice.place),
                ("Tajuk / Title", notice.title),
                ("Keterangan / What happened", notice.description),
            ],
            width,
        ),
    ]
    if notice.person is not None:
        story += [
            para("C. Orang yang tercedera / Injured person", "h2", bold=True),
            fields(
                [
                    *_person_fields(notice.person),
                    ("Kerja semasa kemalangan / Work being done", notice.activity),
                    ("Bahagian anggota tercedera / Part of body injured (Jadual 9)", notice.body_parts),
                    ("Jenis kecederaan / Nature of injury (Jadual 12)", notice.nature_of_injury),
                    ("Agen penyebab / Causal agent (Jadual 11)", notice.causal_agent),
                    ("Kesan kemalangan / Outcome", OUTCOMES.get(notice.outcome, notice.outcome)),
                    ("Bilangan hari tidak bekerja / Days off work", str(notice.lost_days)),
                ],
                width,
            ),
        ]
    if not accident:
        story += [
            para("D. Kejadian berbahaya / Dangerous occurrence", "h2", bold=True),
            fields(
                [
                    (
                        "Kategori (Jadual Kedua) / Category (Second Schedule, provisional)",
                        notice.occurrence_category,
                    ),
                    ("Jentera atau peralatan / Plant or equipment", notice.equipment),
                    ("Kerosakan / Damage", notice.damage),
                    (
                        "Kerja terhenti (jam) / Work stopped (hours)",
                        "" if notice.work_stopped_hours is None else f"{notice.work_stopped_hours:g}",
                    ),
                ],
                width,
            ),
        ]
    story += [
        para("E. Tempoh pemberitahuan / Notification deadlines", "h2", bold=True),
        _clocks(notice, width),
        para("F. Dilaporkan oleh / Reported by", "h2", bold=True),
        fields([("Nama / Name", notice.reported_by)], width),
        Spacer(1, 6),
        KeepTogether(
            _signature(width, ("Tandatangan / Signature", "Jawatan / Designation", "Tarikh / Date"))
        ),
    ]
    return build(
        story,
        pagesize=page,
        title=f"JKKP 6 {notice.incident_ref}",
        footer=f"JKKP 6 · {notice.incident_ref} · {notice.employer.place_of_work} · generated "
        f"{notice.generated_at:%Y-%m-%d %H:%M %Z}",
    )


def _employer_fields(employer: Employer) -> list[tuple[str, str]]:
    """Return the employer items of a JKKP header."""
    size = {"B": "B (besar)", "S": "S (sederhana)", "K": "K (kecil)"}.get(employer.size, "")
    return [
        ("Nama majikan / Employer", employer.employer_name),
        ("Nama syarikat / Company", employer.company_name),
        ("Tempat kerja / Place of work", employer.place_of_work),
        ("Alamat / Address", employer.address),
        (
            "Klasifikasi industri (Jadual 3) / Industry",
            f"{employer.industry_description} — Jadual 3 code not retrieved; NAICS {employer.industry_code}"
            if employer.industry_code
            else employer.industry_description,
        ),
        ("Saiz industri / Industry size (by workers)", size),
        ("No. tel / Telephone", ""),
    ]


def _person_fields(person: Person) -> list[tuple[str, str]]:
    """Return the items describing the injured or ill person."""
    return [
        ("Nama pekerja / Worker's name", person.name),
        ("No. K/P atau pasport / IC or passport no.", person.id_number),
        ("Umur / Age", "" if person.age is None else str(person.age)),
        ("Jantina (L/P) / Sex", person.sex),
        ("Warganegara / Citizenship", person.citizenship),
        ("Status pekerjaan (Jadual 7) / Employment status", person.employment_status),
        ("Pekerjaan (Jadual 8) / Occupation", person.occupation),
    ]


def _clocks(notice: Notification, width: float) -> Table:
    """Return the notification duties of the event with their due times and how they were met."""
    rows: list[list[object]] = [
        ["Kewajipan / Duty", "Tarikh akhir / Due", "Dipenuhi / Met", "Cara / How", "No. rujukan / Ref."]
    ]
    for clock in notice.clocks:
        rows.append(
            [
                clock.title,
                local(clock.due_at),
                local(clock.met_at) or "not yet",
                clock.method,
                clock.reference_number,
            ]
        )
    if not notice.clocks:
        rows.append(["No notification clock is stored for this event.", "", "", "", ""])
    return grid(rows, [width * w for w in (0.34, 0.18, 0.18, 0.15, 0.15)])


def _note_box(text: str, width: float) -> Table:
    """Return a shaded box holding a note about the form."""
    table = Table([[para(text, "note")]], colWidths=[width])
    table.setStyle(
        TableStyle([("BACKGROUND", (0, 0), (-1, -1), LIGHT), ("BOX", (0, 0), (-1, -1), 0.4, LINE)])
    )
    return table


def _signature(width: float, labels: tuple[str, ...]) -> list:
    """Return lines to sign on, one per label."""
    column = width / len(labels)
    table = Table(
        [[para("", "label") for _ in labels], [para(label, "label") for label in labels]],
        colWidths=[column] * len(labels),
        rowHeights=[22, 12],
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, LINE),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 12),
            ]
        )
    )
    return [table]


def jkkp8_pdf(register: Register) -> bytes:
    """Return the JKKP 8 register of the year: persons, accidents, dangerous occurrences, diseases, rates."""
    page = landscape(A4)
    width = frame_width(page)
    employer = register.employer
    story: list = [
        para("BORANG JKKP 8", "label", bold=True),
        para(
            "Daftar Kemalangan, Kejadian Berbahaya, Keracunan Pekerjaan dan Penyakit Pekerjaan",
            "title",
            bold=True,
        ),
        para(
            f"Register of Accident, Dangerous Occurrence, Occupational Poisoning and Occupational Disease · "
            f"Bagi Kalendar Tahun / calendar year {register.year} · regulation 10: keep at the place of work "
            f"for 5 years; the annual summary is due by {dmy(register.due)}",
            "body",
        ),
        para(REGULATIONS, "note"),
        Spacer(1, 4),
        _note_box(JKKP8_NOTE, width),
        Spacer(1, 4),
        fields(_employer_fields(employer), width, label_share=0.3),
        para("Bahagian I / Part I — Butir-butir pekerja / The persons", "h2", bold=True),
        _part_one(register, width),
        para("Bahagian II / Part II — Kemalangan pekerjaan / Occupational accidents", "h2", bold=True),
        _part_two(register, width),
        para("Bahagian III / Part III — Kejadian berbahaya / Dangerous occurrences", "h2", bold=True),
        _occurrences(register, width),
        para(
            "Bahagian III / Part III — Keracunan dan penyakit pekerjaan / Occupational poisoning and disease",
            "h2",
            bold=True,
        ),
        _diseases(register, width),
        KeepTogether(
            [
                para("Ringkasan tahunan / Annual summary", "h2", bold=True),
                _summary(register, width),
            ]
        ),
        Spacer(1, 8),
        KeepTogether(
            _signature(
                width, ("Daftar disahkan oleh / Certified by", "Jawatan / Designation", "Tarikh / Date")
            )
        ),
    ]
    return build(
        story,
        pagesize=page,
        title=f"JKKP 8 {register.year} {employer.place_of_work}",
        footer=f"JKKP 8 · {employer.place_of_work} · {register.year} · generated "
        f"{register.generated_at:%Y-%m-%d %H:%M %Z}",
    )


def _part_one(register: Register, width: float) -> Table:
    """Return part I: one row per accident victim."""
    rows: list[list[object]] = [
        [
            "Bil",
            "Nama pekerja dan no. K/P atau pasport",
            "Umur",
            "Jantina L/P",
            "Warganegara",
            "Status pekerjaan (Jadual 7)",
            "Pekerjaan (Jadual 8)",
            "Jenis pekerjaan semasa kemalangan",
            "Tarikh kemalangan",
            "Masa",
        ]
    ]
    for accident in register.accidents:
        person = accident.person
        rows.append(
            [
                str(accident.number),
                f"{person.name}\n{person.id_number}".strip(),
                "" if person.age is None else str(person.age),
                person.sex,
                person.citizenship,
                person.employment_status,
                person.occupation,
                accident.activity,
                dmy(accident.occurred_at.date()),
                f"{accident.occurred_at:%H:%M}",
            ]
        )
    if not register.accidents:
        rows.append(["Tiada kemalangan / no accidents", *[""] * 9])
    shares = (0.04, 0.2, 0.05, 0.06, 0.1, 0.1, 0.12, 0.19, 0.08, 0.06)
    return grid(rows, [width * s for s in shares], extra=_span_empty(register.accidents, 10))


def _part_two(register: Register, width: float) -> Table:
    """Return part II: what each accident did and what it cost in days."""
    rows: list[list[object]] = [
        [
            "Bil",
            "Bahagian anggota tercedera (Jadual 9)",
            "Jenis kemalangan (Jadual 10)",
            "Agen penyebab (Jadual 11)",
            "Jenis kecederaan (Jadual 12)",
            "Kesan (M/HUK/THUK)",
            "Tanpa hilang hari bekerja (Ya/Tidak)",
            "Hilang hari bekerja (Ya/Tidak)",
            "Bilangan hari tidak bekerja",
            "Tarikh hantar JKKP 6",
        ]
    ]
    for accident in register.accidents:
        rows.append(
            [
                str(accident.number),
                accident.body_parts,
                accident.accident_type,
                accident.causal_agent,
                accident.nature_of_injury,
                accident.outcome,
                "Tidak" if accident.lost_days else "Ya",
                "Ya" if accident.lost_days else "Tidak",
                str(accident.lost_days),
                dmy(accident.jkkp6_sent) or "—",
            ]
        )
    if not register.accidents:
        rows.append(["Tiada kemalangan / no accidents", *[""] * 9])
    shares = (0.04, 0.14, 0.17, 0.14, 0.15, 0.07, 0.08, 0.07, 0.07, 0.07)
    return grid(rows, [width * s for s in shares], extra=_span_empty(register.accidents, 10))


def _occurrences(register: Register, width: float) -> Table:
    """Return the dangerous occurrences of the year."""
    rows: list[list[object]] = [
        [
            "Bil",
            "Rujukan",
            "Tarikh dan masa",
            "Kategori (Jadual Kedua, provisional)",
            "Keterangan",
            "Jentera",
            "Tarikh hantar JKKP 6",
        ]
    ]
    for item in register.occurrences:
        rows.append(
            [
                str(item.number),
                item.incident_ref,
                local(item.occurred_at),
                item.category,
                item.description,
                item.equipment,
                dmy(item.jkkp6_sent) or "—",
            ]
        )
    if not register.occurrences:
        rows.append(["Tiada kejadian berbahaya / no dangerous occurrences", *[""] * 6])
    shares = (0.04, 0.11, 0.13, 0.2, 0.28, 0.14, 0.1)
    return grid(rows, [width * s for s in shares], extra=_span_empty(register.occurrences, 7))


def _diseases(register: Register, width: float) -> Table:
    """Return the occupational poisonings and diseases of the year."""
    rows: list[list[object]] = [
        [
            "Bil",
            "Rujukan",
            "Nama pekerja dan no. K/P atau pasport",
            "Pekerjaan",
            "Tarikh",
            "Keracunan atau penyakit",
            "Agen",
            "Tarikh hantar JKKP 7",
        ]
    ]
    for item in register.diseases:
        rows.append(
            [
                str(item.number),
                item.incident_ref,
                f"{item.person.name}\n{item.person.id_number}".strip(),
                item.person.occupation,
                dmy(item.noted_on),
                item.illness,
                item.agent,
                dmy(item.jkkp7_sent) or "—",
            ]
        )
    if not register.diseases:
        rows.append(
            ["Tiada keracunan atau penyakit pekerjaan / no occupational poisoning or disease", *[""] * 7]
        )
    shares = (0.04, 0.11, 0.19, 0.12, 0.08, 0.22, 0.14, 0.1)
    return grid(rows, [width * s for s in shares], extra=_span_empty(register.diseases, 8))


def _span_empty(items: tuple, columns: int) -> list[tuple]:
    """Return the span that lets an 'empty part' message run across the table."""
    return [] if items else [("SPAN", (0, 1), (columns - 1, 1))]


def _summary(register: Register, width: float) -> Table:
    """Return the counts, the year's workforce and the three rates with their formulas."""
    r = rates(register)
    accidents = register.accidents
    employer = register.employer
    rows = [
        ["Item", "Value", "How it is counted"],
        ["Kemalangan / accidents", str(len(accidents)), "work-related injuries entered in part II"],
        ["Maut / fatal (M)", str(sum(a.outcome == "M" for a in accidents)), ""],
        [
            "Hilang upaya kekal / permanent disability (HUK)",
            str(sum(a.outcome == "HUK" for a in accidents)),
            "",
        ],
        [
            "Kecederaan hilang masa / lost-time injuries (LTI)",
            str(r.lost_time_injuries),
            "fatal, HUK, or at least one day off work",
        ],
        [
            "Hari hilang / days lost",
            str(r.days_lost),
            "calendar days off work, from the day after the accident",
        ],
        ["Kejadian berbahaya / dangerous occurrences", str(len(register.occurrences)), ""],
        ["Keracunan dan penyakit / poisoning and disease", str(len(register.diseases)), ""],
        [
            "Purata pekerja / average workers",
            "" if employer.workers is None else f"{employer.workers:,}",
            "entered for the year",
        ],
        [
            "Jam bekerja / hours worked",
            "" if employer.hours_worked is None else f"{employer.hours_worked:,}",
            "entered for the year",
        ],
        ["Kadar kekerapan / frequency rate", number(r.frequency), "LTI × 1,000,000 ÷ hours worked"],
        ["Kadar keterukan / severity rate", number(r.severity), "days lost × 1,000,000 ÷ hours worked"],
        ["Kadar insiden / incidence rate", number(r.incidence), "LTI × 1,000 ÷ average workers"],
    ]
    return grid(rows, [width * 0.35, width * 0.15, width * 0.5], style="body")
