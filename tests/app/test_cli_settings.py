"""`ims rules`, `ims site targets` and `ims notify`: an administrator changes the rules table, response
targets and notification routes of a real store; each change is audited, moves what it should (unmet
clocks, acknowledgement deadlines, deliveries) and every refusal writes nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import func, select
from support.receivers import smtp_server, webhook_receiver
from support.workflow import actor, ok, run, site_id

from app import cli
from app.queries_workflow import queue_rows
from app.store import View
from models import AuditEvent, Change, Incident, NotificationRoute, RegulatoryClock, RuleOverride, Site
from models.workflow import site_response_targets

T0 = dt.datetime(2025, 3, 3, 10, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
RULE = "osha.severe_injury_24h"


def ims(db_url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m app.cli ... --db URL` the way an administrator runs `ims`."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args, "--db", db_url],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def done(result: subprocess.CompletedProcess[str]) -> str:
    """Assert the command succeeded and return what it printed."""
    assert result.returncode == 0, result.stderr
    return result.stdout


def refusal(code: int, stderr: str) -> str:
    """Assert a refusal: exit 2, one line on stderr, no traceback; return the line."""
    assert code == 2, stderr
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


def report_amputation(sessions, title: str = "Finger lost in press 4") -> uuid.UUID:
    """File an amputation at S1 (US) through report.create, as a phone's push does: the OSHA 24-hour
    clock starts at T0."""
    incident_id = uuid.uuid4()
    values = {
        "case_type": "injury",
        "title": title,
        "occurred_at": T0.isoformat(),
        "employee_name": "Ana Lima",
        "what_happened": "The press cycled during a die change.",
        "injury_description": "Amputation, right index finger",
        "amputation": True,
    }
    args = {
        "id": str(incident_id),
        "site_id": str(site_id(sessions, "S1")),
        "form_id": "injury",
        "form_version": 2,
        "values": values,
        "device_recorded_at": T0.isoformat(),
    }
    ok(run(sessions, "worker", "report.create", args, now=T0 + H))
    return incident_id


def clock(sessions, incident_id: uuid.UUID, rule: str = RULE) -> RegulatoryClock:
    """An incident's clock for a rule, freshly read."""
    with sessions() as session:
        return session.scalar(
            select(RegulatoryClock).where(
                RegulatoryClock.incident_id == incident_id, RegulatoryClock.rule_code == rule
            )
        )


def audit_events(sessions, prefix: str) -> list[AuditEvent]:
    """The audit events whose action starts with prefix, oldest first."""
    with sessions() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action.startswith(prefix)).order_by(AuditEvent.seq)
            )
        )


def test_a_site_override_moves_unmet_clocks_is_listed_audited_and_reset(db_url, sessions, people):
    open_one = report_amputation(sessions)
    reported = report_amputation(sessions, "Finger lost in press 5")
    met = clock(sessions, reported)
    args = {"id": str(met.id), "method": "phone", "met_at": (T0 + 3 * H).isoformat()}
    ok(run(sessions, "officer", "clock.meet", args, now=T0 + 4 * H))
    assert clock(sessions, open_one).due_at == T0 + 24 * H

    out = done(
        ims(db_url, "rules", "set", RULE, "value=12", "--site", "S1", "--by", "admin", "--note", "Counsel")
    )
    assert "value: 12 hours" in out and "overridden for site S1 by admin" in out and "(Counsel)" in out
    assert "clocks moved: 1" in out  # the met clock stays as it was
    moved = clock(sessions, open_one)
    assert moved.due_at == T0 + 12 * H
    assert (clock(sessions, reported).due_at, clock(sessions, reported).met_at) == (T0 + 24 * H, T0 + 3 * H)
    with sessions() as session:
        published = session.scalar(
            select(func.count()).select_from(Change).where(Change.entity_id == str(moved.id))
        )
    assert published == 2  # started, then moved: phones pull the new due time

    listed = json.loads(done(ims(db_url, "rules", "list", "--site", "S1", "--jurisdiction", "US", "--json")))
    rules = {line["code"]: line for line in listed}
    assert {line["jurisdiction"] for line in listed} == {"US"}
    assert (rules[RULE]["value"], rules[RULE]["unit"], rules[RULE]["confidence"]) == (12, "hours", "V")
    [override] = rules[RULE]["overrides"]
    assert (override["site"], override["fields"], override["note"], override["changed_by"]) == (
        "S1",
        {"value": 12},
        "Counsel",
        "admin",
    )
    assert rules["osha.fatality_8h"]["overrides"] == [] and rules["osha.fatality_8h"]["value"] == 8
    every_site = done(ims(db_url, "rules", "list", "--jurisdiction", "US"))
    line = next(text for text in every_site.splitlines() if text.startswith(RULE + " "))
    assert "24 hours" in line and "29 CFR 1904.39(a)(2)" in line and "overridden" not in every_site

    out = done(ims(db_url, "rules", "reset", RULE, "--site", "S1", "--by", "manager"))
    assert "value: 24 hours" in out and "overridden" not in out and "clocks moved: 1" in out
    assert clock(sessions, open_one).due_at == T0 + 24 * H
    with sessions() as session:
        assert session.scalars(select(RuleOverride)).all() == []

    assert "audit chain intact" in done(ims(db_url, "audit", "verify"))
    override_event, reset_event = audit_events(sessions, "rule.")
    assert (override_event.action, override_event.actor_id, override_event.entity_id) == (
        "rule.override",
        people["admin"].id,
        RULE,
    )
    assert override_event.data["before"]["value"] == 24 and override_event.data["after"]["value"] == 12
    assert (override_event.data["note"], override_event.data["clocks_moved"]) == ("Counsel", 1)
    assert (reset_event.action, reset_event.actor_id) == ("rule.reset", people["manager"].id)
    assert (reset_event.data["before"]["value"], reset_event.data["after"]["value"]) == (12, 24)


def test_bad_input_and_non_admins_are_refused_in_one_line_and_nothing_is_written(
    db_url, sessions, people, capsys
):
    incident = report_amputation(sessions)
    s1 = site_id(sessions)
    with sessions() as session:
        before = (
            session.scalar(select(func.max(AuditEvent.seq))),
            session.get(Site, s1).version,
        )

    result = ims(db_url, "rules", "set", RULE, "value=-3", "--site", "S1", "--by", "admin")
    assert "osha.severe_injury_24h.value: must not be negative, got -3 [bad_value]" in refusal(
        result.returncode, result.stderr
    )
    result = ims(db_url, "rules", "set", RULE, "value=6", "--site", "S1", "--by", "worker")
    assert "worker may not change the settings of site S1" in refusal(result.returncode, result.stderr)

    add = ["notify", "add", "--by", "admin", "--site"]
    cases: list[tuple[list[str], str]] = [
        (["rules", "set", RULE, "value=abc", "--by", "admin"], "expected a number of hours, got 'abc'"),
        (["rules", "set", "osha.severe_injury_42h", "value=6", "--by", "admin"], f"did you mean '{RULE}'"),
        (["rules", "set", RULE, "unit=days", "--by", "admin"], "cannot be overridden"),
        (["rules", "set", "policy.response_p1", "value=5", "--by", "admin"], "ims site targets"),
        (["rules", "set", RULE, "value=6"], "--by USERNAME"),
        (["rules", "set", RULE, "value=6", "--by", "supervisor", "--site", "S1"], "only an admin or HSE"),
        (["rules", "set", RULE, "x", "--by", "manager", "--site", "S1"], "'x' is not NAME=VALUE"),
        (["rules", "set", RULE, "value=6", "--by", "nobody"], "no active user 'nobody'"),
        (["rules", "reset", RULE, "--site", "S1", "--by", "admin"], "has no override for site S1"),
        (["rules", "list", "--site", "NOPE"], "no site with code 'NOPE'; sites: S1, S2"),
        (["rules", "list", "--jurisdiction", "XX"], "unknown jurisdiction 'XX'"),
        (["site", "targets", "S1", "P1=0", "--by", "admin"], "response_targets.P1: expected minutes > 0"),
        (["site", "targets", "S1", "P9=5", "--by", "admin"], "'P9' is not one of P1-P4"),
        (["site", "targets", "S1", "P1=5", "--by", "worker"], "worker may not change"),
        (
            [*add, "S1", "--role", "safety_officer", "--email", "safety@"],
            "'safety@' is not an e-mail address",
        ),
        ([*add, "S1", "--role", "safety_officer", "--webhook", "ftp://x"], "is not a webhook URL"),
        ([*add, "S1", "--role", "wizard", "--email", "a@b.co"], "use one of reporter, safety_officer"),
        ([*add, "S9", "--role", "supervisor", "--email", "a@b.co"], "no site with code 'S9'"),
        (
            [*add, "S1", "--role", "supervisor", "--email", "a@b.co", "--events", "lunch"],
            "unknown event 'lunch'",
        ),
        (["notify", "remove", str(uuid.uuid4()), "--by", "admin"], "no notification route"),
    ]
    for args, phrase in cases:  # in process (fast): the same entry point, the same store
        code = cli.main([*args, "--db", db_url])
        assert phrase in refusal(code, capsys.readouterr().err), args

    with sessions() as session:
        after = (
            session.scalar(select(func.max(AuditEvent.seq))),
            session.get(Site, s1).version,
        )
        assert session.scalars(select(RuleOverride)).all() == []
        assert session.scalars(select(NotificationRoute)).all() == []
        assert session.get(Site, s1).settings == {}
    assert after == before
    assert clock(sessions, incident).due_at == T0 + 24 * H


def test_site_targets_are_shown_set_and_followed_by_new_incidents(db_url, sessions, people, capsys):
    shown = done(ims(db_url, "site", "targets", "S1"))
    assert "P1      15 min  (default)" in shown and "P4    1440 min  (default)" in shown

    out = done(ims(db_url, "site", "targets", "S1", "P1=10", "P2=20", "p3=45", "--by", "manager"))
    assert "P1      10 min\n" in out and "P3      45 min\n" in out and "P4    1440 min  (default)" in out
    minutes = {"P1": 10, "P2": 20, "P3": 45, "P4": 24 * 60}
    with sessions() as session:
        settings = session.scalar(select(Site.settings).where(Site.code == "S1"))
    assert settings == {"response_targets": {"P1": 10, "P2": 20, "P3": 45}}
    assert {
        p.value: t / dt.timedelta(minutes=1) for p, t in site_response_targets(settings).items()
    } == minutes

    incident_id = report_amputation(sessions)
    manager = View(actor=actor(sessions, "manager"))
    with sessions() as session:
        incident = session.get(Incident, incident_id)
        [row] = [r for r in queue_rows(session, manager) if r.id == incident_id]
    assert incident.priority.value in ("P1", "P2", "P3")  # a target the site changed
    assert row.ack_due_at - incident.server_received_at == dt.timedelta(
        minutes=minutes[incident.priority.value]
    )

    assert cli.main(["site", "targets", "S1", "P2=default", "--by", "admin", "--db", db_url]) == 0
    assert "P2      30 min  (default)" in capsys.readouterr().out  # back to the policy's

    set_by_manager, reset_by_admin = audit_events(sessions, "site.response_targets")
    assert (set_by_manager.actor_id, set_by_manager.data["before"], set_by_manager.data["after"]) == (
        people["manager"].id,
        {},
        {"P1": 10, "P2": 20, "P3": 45},
    )
    assert (reset_by_admin.actor_id, reset_by_admin.data["after"]) == (
        people["admin"].id,
        {"P1": 10, "P3": 45},
    )


def test_notification_routes_are_added_listed_delivered_and_removed(db_url, sessions, people):
    with webhook_receiver() as hooks, smtp_server() as inbox:
        hook = done(
            ims(
                db_url,
                *("notify", "add", "--site", "S1", "--role", "safety_officer"),
                *("--webhook", f"{hooks.url}/ims", "--events", "incident.reported", "--by", "admin"),
            )
        )
        hook_id = hook.split()[2]
        mail = ("--email", "hse@plant.example", "--by", "manager")
        done(ims(db_url, "notify", "add", "--site", "S1", "--role", "safety_officer", *mail))
        listed = done(ims(db_url, "notify", "list", "--site", "S1")).splitlines()
        assert len(listed) == 2
        assert any(hook_id in line and "webhook" in line and "incident.reported" in line for line in listed)
        assert any("hse@plant.example" in line and "all events" in line for line in listed)

        report_amputation(sessions, "Finger lost in press 6")
        smtp = {"IMS_SMTP_HOST": "127.0.0.1", "IMS_SMTP_PORT": str(inbox.port)}
        assert "0 failed" in done(ims(db_url, "jobs", "run-once", env=smtp))
        assert any("Finger lost in press 6" in text for text in hooks.texts("/ims"))
        assert any("Finger lost in press 6" in str(mail["Subject"]) for mail in inbox.messages)

    assert "route removed" in done(ims(db_url, "notify", "remove", hook_id, "--by", "admin"))
    [left] = done(ims(db_url, "notify", "list")).splitlines()
    assert "hse@plant.example" in left and hook_id not in left
    assert "audit chain intact" in done(ims(db_url, "audit", "verify"))
    actions = [(e.action, e.actor_id, e.entity_id) for e in audit_events(sessions, "route.")]
    assert actions[0][:2] == ("route.add", people["admin"].id) and actions[0][2] == hook_id
    assert actions[1][:2] == ("route.add", people["manager"].id)
    assert actions[2] == ("route.remove", people["admin"].id, hook_id)


@pytest.mark.parametrize("text", ["P1", "=5"])
def test_a_pair_without_a_name_or_value_is_a_usage_error(text: str, capsys) -> None:
    assert "is not NAME=VALUE" in refusal(
        cli.main(["site", "targets", "S1", text, "--by", "x"]), capsys.readouterr().err
    )
