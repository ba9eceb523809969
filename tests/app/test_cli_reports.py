"""`ims osha classify`, `ims report` and `ims metrics`: JSON out, one-line errors, and the demo's complete
set of OSHA and DOSH documents and ITA files for both demo sites."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from support.pdfs import pdf_text

from app import cli
from models import Incident, Site
from models.recordability import classify
from sync.server import demo, exports
from sync.server.db import make_engine, session_factory

AMPUTATION = {
    "case_type": "injury",
    "work_related": True,
    "incident_date": "2025-03-01",
    "as_of": "2025-12-31",
    "amputation": True,
    "days_away": [{"start": "2025-03-02", "end": "2025-03-10"}],
}


def ims(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m app.cli` the way a user runs `ims`."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )


def one_line_error(result: subprocess.CompletedProcess[str] | tuple[int, str]) -> str:
    """Return the only stderr line of a failed command (no traceback)."""
    code, stderr = (result.returncode, result.stderr) if hasattr(result, "returncode") else result
    assert code == 1 and "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


# --- ims osha classify -----------------------------------------------------------------------------------


def test_classify_prints_the_engine_result_as_json(tmp_path: Path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps(AMPUTATION))
    result = ims("osha", "classify", str(case))
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed == classify(AMPUTATION)
    assert (printed["classification"], printed["days_away"], printed["report_to_osha"]) == (
        "days_away",
        9,  # 2 to 10 March, inclusive
        "24_hours",
    )


def test_classify_reads_standard_input():
    result = ims(
        "osha", "classify", "-", stdin=json.dumps({**AMPUTATION, "amputation": False, "days_away": []})
    )
    assert result.returncode == 0
    assert json.loads(result.stdout)["classification"] == "not_recordable"


@pytest.mark.parametrize(
    ("stdin", "phrases"),
    [
        ("{not json", ("standard input is not valid JSON", "line 1")),
        ("[1, 2]", ("case: expected an object of fields", "[bad_type]")),
        (
            json.dumps({**AMPUTATION, "treatments": ["leeches"]}),
            ("treatments[0]: unknown treatment code 'leeches'",),
        ),
        (
            json.dumps({"case_type": "injury", "work_related": True}),
            ("incident_date: required field is missing",),
        ),
    ],
)
def test_classify_refuses_bad_input_in_one_line(stdin, phrases):
    line = one_line_error(ims("osha", "classify", "-", stdin=stdin))
    for phrase in phrases:
        assert phrase in line


def test_classify_names_a_missing_file(tmp_path: Path):
    assert "cannot read" in one_line_error(ims("osha", "classify", str(tmp_path / "nope.json")))


# --- ims report / ims metrics on the demo ------------------------------------------------------------------


def demo_years() -> list[int]:
    """The calendar years the demo's incidents fall in (they are placed relative to today)."""
    today = dt.datetime.now(dt.UTC)
    return sorted({(today - dt.timedelta(days=item.days_ago)).year for item in demo.INCIDENTS})


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    """A data directory holding the seeded demo (seeded once for the module: it takes a while)."""
    path = tmp_path_factory.mktemp("demo")
    seeded = ims("demo", "--seed-only", "--data-dir", str(path))
    assert seeded.returncode == 0, seeded.stderr
    return path


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run the command line in this process (fast) and return (exit code, stdout, stderr)."""
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def report(capsys, demo_dir: Path, kind: str, *args: str) -> bytes:
    """Make one document of the demo with `ims report` and return its bytes."""
    target = demo_dir / "out" / f"{kind}-{'-'.join(args)}"
    target.parent.mkdir(exist_ok=True)
    code, out, err = run_cli(capsys, "report", kind, *args, "--data-dir", str(demo_dir), "-o", str(target))
    assert code == 0, err
    assert "bytes written to" in out
    return target.read_bytes()


def refs(demo_dir: Path, *titles: str) -> list[str]:
    """The references the demo gave the incidents with these titles."""
    engine = make_engine(f"sqlite:///{demo_dir / 'ims.db'}")
    with session_factory(engine)() as session:
        found = dict(
            session.execute(select(Incident.title, Incident.ref).where(Incident.title.in_(titles)))
            .tuples()
            .all()
        )
    engine.dispose()
    return [found[title] for title in titles]


def test_demo_houston_gives_every_osha_document_and_both_ita_files(capsys, demo_dir):
    case_rows = []
    for year in demo_years():
        args = ("--site", "HOU", "--year", str(year))
        for kind in ("osha-300", "osha-300a", "osha-301", "osha-300-privacy", "metrics", "jkkp8"):
            assert report(capsys, demo_dir, kind, *args).startswith(b"%PDF")
        summary = list(
            csv.DictReader(io.StringIO(report(capsys, demo_dir, "ita-summary-csv", *args).decode()))
        )
        cases = list(csv.DictReader(io.StringIO(report(capsys, demo_dir, "ita-cases-csv", *args).decode())))
        assert len(summary) == 1 and summary[0]["ein"] == "741234567" and summary[0]["size"] == "22"
        outcome_totals = ("total_deaths", "total_dafw_cases", "total_djtr_cases", "total_other_cases")
        assert sum(int(summary[0][name]) for name in outcome_totals) == len(cases)
        assert int(summary[0]["total_dafw_days"]) == sum(int(c["dafw_num_away"]) for c in cases)
        case_rows += cases
        log_text = pdf_text((demo_dir / "out" / f"osha-300-{'-'.join(args)}").read_bytes())
        if any(c["incident_description"].startswith("Puncture wound") for c in cases):
            assert "Privacy case" in log_text and "Dana White" not in log_text
            listed = pdf_text((demo_dir / "out" / f"osha-300-privacy-{'-'.join(args)}").read_bytes())
            assert "Dana White" in listed
    # The nine recordable Houston cases, wherever the year boundary falls (the spatter burn is first aid).
    assert sorted(row["job_title"] for row in case_rows) == sorted(
        ["Welder", "Press operator", "Shipping clerk", "Painter", "Shear operator", "Warehouse associate",
         "Press operator", "Welder helper", "Shipping clerk"]
    )  # fmt: skip
    assert all(row["time_started_work"] in ("06:00", "14:00") for row in case_rows)  # 301 item 12
    amputation = next(row for row in case_rows if row["job_title"] == "Shear operator")
    assert (
        amputation["incident_outcome"],
        amputation["dafw_num_away"],
        amputation["treatment_in_patient"],
    ) == (
        "2",
        "21",
        "1",
    )
    (ref,) = refs(demo_dir, "Fingertip amputation at shear")
    incident = report(capsys, demo_dir, "incident", "--incident", ref)
    reader = PdfReader(io.BytesIO(incident))
    assert sum(len(page.images) for page in reader.pages) >= 3  # the three photo thumbnails
    assert "Incident report " + ref in pdf_text(incident)
    code, out, _ = run_cli(
        capsys, "metrics", "--site", "HOU", "--year", str(demo_years()[-1]), "--data-dir", str(demo_dir)
    )
    assert code == 0 and "TRIR" in out and "LTIFR per 1,000,000 hours" in out


def test_demo_shah_alam_gives_the_dosh_documents(capsys, demo_dir):
    engine = make_engine(f"sqlite:///{demo_dir / 'ims.db'}")
    now = dt.datetime.now(dt.UTC)
    accidents, occurrences, diseases = [], [], []
    with session_factory(engine)() as session:
        site = session.scalar(select(Site).where(Site.code == "SHA"))
        for year in demo_years():
            register = exports.dosh_register(session=session, site=site, year=year, now=now)
            accidents += register.accidents
            occurrences += register.occurrences
            diseases += register.diseases
    engine.dispose()
    assert len(accidents) == 5 and len(occurrences) == 1 and len(diseases) == 1
    assert sorted(a.outcome for a in accidents) == ["THUK"] * 5
    for year in demo_years():
        args = ("--site", "SHA", "--year", str(year))
        for kind in ("jkkp8", "osha-300", "osha-300a", "osha-301", "metrics"):
            assert report(capsys, demo_dir, kind, *args).startswith(b"%PDF")
        code, _, err = run_cli(
            capsys, "report", "ita-summary-csv", *args, "--data-dir", str(demo_dir), "-o", "-"
        )
        line = one_line_error((code, err))
        assert "cannot write the ITA 300A summary file: state:" in line and "ein:" in line
    crane, fracture = refs(demo_dir, "Tali anduh kren putus", "पैलेट जैक से पैर कुचला")
    assert "Dangerous occurrence (Second Schedule: Collapse" in pdf_text(
        report(capsys, demo_dir, "jkkp6", "--incident", crane)
    )
    notice = pdf_text(report(capsys, demo_dir, "jkkp6", "--incident", fracture))
    assert "Serious bodily injury: fracture (First Schedule item 7)" in notice
    assert "Lost-time injury: 15 days off work" in notice
    assert report(capsys, demo_dir, "incident", "--incident", fracture).startswith(b"%PDF")


def test_the_command_line_names_every_document_kind():
    assert cli.REPORT_KINDS == tuple(exports.KINDS)


def test_report_errors_are_one_line(capsys, demo_dir):
    data = ("--data-dir", str(demo_dir), "-o", str(demo_dir / "x"))
    for args, phrase in (
        (("report", "osha-999", "--site", "HOU", "--year", "2025", *data), "no report kind 'osha-999'"),
        (("report", "osha-300", "--site", "NOPE", "--year", "2025", *data), "no site with code 'NOPE'"),
        (("report", "osha-300", "--site", "HOU", *data), "needs a site and a year"),
        (("report", "jkkp6", *data), "needs an incident reference"),
        (
            ("metrics", "--site", "NOPE", "--year", "2025", "--data-dir", str(demo_dir)),
            "no site with code 'NOPE'",
        ),
    ):
        code, _, err = run_cli(capsys, *args)
        assert phrase in one_line_error((code, err))


# --- the demo itself -------------------------------------------------------------------------------------


def test_demo_story_is_recorded_like_real_work(capsys, demo_dir):
    """The demo is played through the real mutations: an intact audit chain, a feed phones can pull,
    every role's login, and incidents at every stage with CAPAs, reviews and met clocks."""
    code, out, _err = run_cli(capsys, "audit", "verify", "--data-dir", str(demo_dir))
    assert code == 0 and "audit chain intact" in out
    from sqlalchemy import func

    from models import Change, CorrectiveAction, PostIncidentReview, RegulatoryClock, WitnessStatement
    from sync.server.accounts import authenticate

    sessions = session_factory(make_engine(f"sqlite:///{demo_dir / 'ims.db'}"))
    with sessions() as session:
        for username, password, _role in demo.DEMO_LOGINS:
            assert authenticate(session=session, username=username, password=password).username == username
        statuses = set(session.scalars(select(Incident.status)))
        assert {s.value for s in statuses} == {
            "reported",
            "acknowledged",
            "investigating",
            "resolved",
            "closed",
        }
        assert (
            session.scalar(select(func.count()).select_from(Change).where(Change.entity == "incident")) >= 30
        )
        assert session.scalar(select(func.count()).where(CorrectiveAction.status == "verified")) > 0
        assert session.scalar(select(func.count()).where(PostIncidentReview.completed_at.is_not(None))) > 0
        assert session.scalar(select(func.count()).where(RegulatoryClock.met_at.is_not(None))) > 0
        assert session.scalar(select(func.count()).where(RegulatoryClock.met_at.is_(None))) > 0
        assert session.scalar(select(func.count()).select_from(WitnessStatement)) > 0
