"""Background jobs: escalation by the clock, reminders, review clocks; notifications really delivered to an
SMTP server and a webhook on loopback, failures logged and retried, each notification sent once."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from support.receivers import smtp_server, wait_for, webhook_receiver
from support.server import ServerProcess, free_port
from support.workflow import OUTAGE, T0, file_incident, incident, ok, run, site_id

from models import AuditEvent, Change, NotificationLog, NotificationRoute, Site, User
from models.enums import ChannelKind, Priority, Role
from sync.server import audit, jobs
from sync.server.notify import MAX_ATTEMPTS
from sync.server.settings import ServerSettings

MIN = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


def route(sessions, role: Role, channel: ChannelKind, target: str, site: str = "S1", events=()) -> None:
    """Add a notification route."""
    with sessions.begin() as session:
        session.add(
            NotificationRoute(
                site_id=site_id(sessions, site),
                role=role,
                channel=channel,
                target=target,
                events=list(events),
            )
        )


def emails(sessions, **addresses: str) -> None:
    """Give seeded users e-mail addresses."""
    with sessions.begin() as session:
        for username, address in addresses.items():
            session.scalar(select(User).where(User.username == username)).email = address


@pytest.fixture
def inbox():
    """An SMTP server on loopback."""
    with smtp_server() as box:
        yield box


@pytest.fixture
def hooks():
    """A webhook receiver on loopback."""
    with webhook_receiver() as sink:
        yield sink


@pytest.fixture
def settings(tmp_path: Path, inbox) -> ServerSettings:
    """Server settings that send mail to the loopback SMTP server."""
    return ServerSettings(
        data_dir=tmp_path, smtp_host="127.0.0.1", smtp_port=inbox.port, smtp_from="ims@plant.test"
    )


def subjects(inbox) -> list[str]:
    """Subjects of the mail received so far."""
    return [str(m["Subject"]).strip() for m in inbox.messages]


def test_an_unacknowledged_incident_climbs_the_ladder_on_time(
    sessions, people, settings, inbox, hooks
) -> None:
    route(sessions, Role.SAFETY_OFFICER, ChannelKind.EMAIL, "officers@plant.test")
    route(sessions, Role.SUPERVISOR, ChannelKind.WEBHOOK, f"{hooks.url}/supervisors")
    route(sessions, Role.HSE_MANAGER, ChannelKind.WEBHOOK, f"{hooks.url}/hse")
    route(sessions, Role.SUPERVISOR, ChannelKind.WEBHOOK, f"{hooks.url}/other", events=["capa.overdue"])
    iid = file_incident(sessions, "outage", OUTAGE, priority=Priority.P1)
    calm = file_incident(sessions, priority=Priority.P1)
    ok(run(sessions, "officer", "incident.acknowledge", {"id": str(calm)}, now=T0 + 5 * MIN))

    first = jobs.run_once(sessions, settings, now=T0 + 14 * MIN)
    assert (first.escalated, first.sent, first.failed) == (0, 1, 0)
    assert subjects(inbox) == ["New incident [P1] " + f"{str(iid)[:8]} Mail down for everyone"]
    assert inbox.messages[0]["To"] == "officers@plant.test" and inbox.messages[0]["From"] == "ims@plant.test"
    assert hooks.received == []

    second = jobs.run_once(sessions, settings, now=T0 + 16 * MIN)
    assert second.escalated == 1
    [text] = hooks.texts("/supervisors")
    assert (
        text.startswith("*Escalated to supervisor: [P1]")
        and "Not acknowledged 1 min after its 15-minute target" in text
    )
    stored = incident(sessions, iid)
    assert (stored.escalation_level, stored.escalated_at) == (1, T0 + 16 * MIN)

    again = jobs.run_once(sessions, settings, now=T0 + 17 * MIN)
    assert (again.escalated, again.queued, again.sent) == (0, 0, 0), "nothing goes out twice"

    third = jobs.run_once(sessions, settings, now=T0 + 31 * MIN)
    assert third.escalated == 1 and len(hooks.texts("/hse")) == 1
    assert hooks.texts("/other") == [], "a route only takes the events it lists"
    # 30 minutes without a status update on either open P1: no lead has an address, so officers hear.
    assert sorted(subjects(inbox)[1:]) == sorted(
        f"Status update due: [P1] {str(i)[:8]} {t}"
        for i, t in ((iid, "Mail down for everyone"), (calm, "Pallet nearly fell from racking"))
    )
    assert incident(sessions, calm).escalation_level == 0
    with sessions() as session:
        escalations = session.scalars(
            select(AuditEvent.data).where(AuditEvent.action == "incident.escalated")
        ).all()
        assert [(e["level"], e["role"]) for e in escalations] == [(1, "supervisor"), (2, "hse_manager")]
        assert audit.verify(session).ok
        feed = session.scalars(select(Change.version).where(Change.entity_id == str(iid))).all()
        assert feed and max(feed) == stored.version + 1


def test_a_late_run_notifies_every_rung_it_skipped(sessions, people, settings, hooks) -> None:
    route(sessions, Role.SUPERVISOR, ChannelKind.WEBHOOK, f"{hooks.url}/supervisors")
    route(sessions, Role.HSE_MANAGER, ChannelKind.WEBHOOK, f"{hooks.url}/hse")
    file_incident(sessions, priority=Priority.P2)
    report = jobs.run_once(sessions, settings, now=T0 + 3 * HOUR)
    assert report.escalated == 1 and report.sent == 2
    assert len(hooks.texts("/supervisors")) == len(hooks.texts("/hse")) == 1


def test_site_targets_override_the_policy(sessions, people, settings, hooks) -> None:
    with sessions.begin() as session:
        session.scalar(select(Site).where(Site.code == "S1")).settings = {"response_targets": {"P3": 10}}
    route(sessions, Role.SUPERVISOR, ChannelKind.WEBHOOK, f"{hooks.url}/supervisors")
    file_incident(sessions, priority=Priority.P3)
    assert jobs.run_once(sessions, settings, now=T0 + 11 * MIN).escalated == 1


def test_a_malformed_site_target_falls_back_to_the_policy(sessions, people, settings, hooks, caplog) -> None:
    with sessions.begin() as session:
        session.scalar(select(Site).where(Site.code == "S1")).settings = {"response_targets": {"P1": "soon"}}
    route(sessions, Role.SUPERVISOR, ChannelKind.WEBHOOK, f"{hooks.url}/supervisors")
    iid = file_incident(sessions, priority=Priority.P1)
    assert jobs.run_once(sessions, settings, now=T0 + 14 * MIN).escalated == 0
    assert jobs.run_once(sessions, settings, now=T0 + 16 * MIN).escalated == 1
    assert (
        "site S1: response_targets.P1: expected minutes > 0, got 'soon'; using the policy targets"
        in caplog.text
    )
    late = ok(run(sessions, "officer", "incident.acknowledge", {"id": str(iid)}, now=T0 + 20 * MIN))
    assert late.details["within_target"] is False


def test_failed_deliveries_are_logged_retried_and_never_crash(sessions, people, tmp_path, hooks) -> None:
    dead = f"http://127.0.0.1:{free_port()}/nobody"
    route(sessions, Role.SAFETY_OFFICER, ChannelKind.WEBHOOK, dead)
    route(sessions, Role.SAFETY_OFFICER, ChannelKind.WEBHOOK, f"{hooks.url}/broken")
    route(sessions, Role.SAFETY_OFFICER, ChannelKind.EMAIL, "officers@plant.test")
    hooks.status = 500
    file_incident(sessions)
    no_mail = ServerSettings(data_dir=tmp_path)
    report = jobs.run_once(sessions, no_mail, now=T0)
    assert (report.sent, report.failed) == (0, 3)
    with sessions() as session:
        logs = {row.target: row for row in session.scalars(select(NotificationLog))}
    assert logs[dead].attempts == 1 and "webhook" in logs[dead].error
    assert "HTTP 500" in logs[f"{hooks.url}/broken"].error
    assert "IMS_SMTP_HOST" in logs["officers@plant.test"].error
    hooks.status = 200
    retry = jobs.run_once(sessions, no_mail, now=T0 + MIN)
    assert (retry.sent, retry.failed) == (1, 2)
    for _ in range(MAX_ATTEMPTS):
        jobs.run_once(sessions, no_mail, now=T0 + MIN)
    with sessions() as session:
        logs = {row.target: row for row in session.scalars(select(NotificationLog))}
    assert logs[dead].attempts == MAX_ATTEMPTS and logs[dead].sent_at is None
    assert logs[f"{hooks.url}/broken"].attempts == 2 and logs[f"{hooks.url}/broken"].sent_at is not None
    assert len(hooks.texts("/broken")) == 2


def test_the_communication_lead_is_reminded_when_an_update_is_due(sessions, people, settings, inbox) -> None:
    emails(sessions, supervisor="sam@plant.test")
    iid = file_incident(sessions, priority=Priority.P1)
    ok(run(sessions, "officer", "incident.acknowledge", {"id": str(iid)}, now=T0 + MIN))
    lead = {"id": str(iid), "role": "communication_lead", "user_id": str(people["supervisor"].id)}
    ok(run(sessions, "officer", "incident.assign_role", lead, now=T0 + 2 * MIN))
    assert jobs.run_once(sessions, settings, now=T0 + 29 * MIN).sent == 0
    jobs.run_once(sessions, settings, now=T0 + 31 * MIN)
    assert subjects(inbox) == [f"Status update due: [P1] {str(iid)[:8]} Pallet nearly fell from racking"]
    assert inbox.messages[0]["To"] == "sam@plant.test"
    update = {"id": str(uuid.uuid4()), "incident_id": str(iid), "audience": "external", "template": "update"}
    ok(
        run(
            sessions,
            "supervisor",
            "status_update.create",
            {**update, "message": "Area closed"},
            now=T0 + 35 * MIN,
        )
    )
    assert jobs.run_once(sessions, settings, now=T0 + 60 * MIN).sent == 0
    assert jobs.run_once(sessions, settings, now=T0 + 66 * MIN).sent == 1
    ok(run(sessions, "officer", "incident.transition", {"id": str(iid), "to": "investigating"}))
    resolve = {"id": str(iid), "to": "resolved", "resolution_type": "permanent_fix"}
    ok(run(sessions, "officer", "incident.transition", resolve, now=T0 + 70 * MIN))
    assert jobs.run_once(sessions, settings, now=T0 + 200 * MIN).sent == 0, "no cadence once resolved"


def test_review_clock_overdue_actions_and_effectiveness_checks(sessions, people, settings, inbox) -> None:
    emails(sessions, worker="wanda@plant.test", officer="olga@plant.test")
    route(sessions, Role.SAFETY_OFFICER, ChannelKind.EMAIL, "officers@plant.test")
    iid = file_incident(sessions, priority=Priority.P2)
    for step in ({"to": "acknowledged"}, {"to": "investigating"}):
        ok(run(sessions, "officer", "incident.transition", {"id": str(iid), **step}))
    ok(
        run(
            sessions,
            "officer",
            "incident.transition",
            {"id": str(iid), "to": "resolved", "resolution_type": "workaround"},
        )
    )
    action = str(uuid.uuid4())
    args = {
        "id": action,
        "incident_id": str(iid),
        "control_level": "engineering",
        "title": "Anchor the racking",
        "owner_id": str(people["worker"].id),
        "due_on": "2025-03-21",
    }
    ok(run(sessions, "officer", "ca.create", args))
    inbox.messages.clear()
    jobs.run_once(sessions, settings, now=T0 + 49 * HOUR)
    assert "Post-incident review due within a day: [P2]" in " ".join(subjects(inbox))
    assert {m["To"] for m in inbox.messages} == {"olga@plant.test", "officers@plant.test", "wanda@plant.test"}
    assert sum("Corrective action overdue: Anchor the racking" == s for s in subjects(inbox)) == 2
    inbox.messages.clear()
    jobs.run_once(sessions, settings, now=T0 + 50 * HOUR)
    assert subjects(inbox) == [], "one overdue reminder a day"
    jobs.run_once(sessions, settings, now=T0 + 73 * HOUR)
    assert any(s.startswith("Post-incident review overdue") for s in subjects(inbox))
    assert sum(s.startswith("Corrective action overdue") for s in subjects(inbox)) == 2

    ok(run(sessions, "worker", "ca.transition", {"id": action, "from": "open", "to": "in_progress"}))
    done = {"id": action, "from": "in_progress", "to": "done", "evidence": [{"note": "Anchored"}]}
    ok(run(sessions, "worker", "ca.transition", done))
    ok(
        run(
            sessions,
            "supervisor",
            "ca.verify",
            {"id": action, "signature_sha256": "1f" * 32, "signer_name": "Sam"},
        )
    )
    inbox.messages.clear()
    jobs.run_once(sessions, settings, now=T0 + 29 * 24 * HOUR)
    assert not any(s.startswith("Effectiveness check due") for s in subjects(inbox))
    jobs.run_once(sessions, settings, now=T0 + 30 * 24 * HOUR)
    assert "Effectiveness check due: Anchor the racking" in subjects(inbox)


def test_ims_jobs_run_once_from_the_command_line(db_url, people, sessions) -> None:
    file_incident(sessions, priority=Priority.P1)
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "jobs", "run-once", "--db", db_url],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("jobs: 1 escalated")


def test_the_server_runs_the_jobs_by_itself(db_url, people, sessions, tmp_path, hooks) -> None:
    route(sessions, Role.SUPERVISOR, ChannelKind.WEBHOOK, f"{hooks.url}/supervisors")
    file_incident(sessions, priority=Priority.P1)
    server = ServerProcess(db_url, tmp_path / "server", env={"IMS_JOBS_INTERVAL": "1"}).start()
    try:
        assert wait_for(lambda: hooks.texts("/supervisors")), server.log()
    finally:
        server.stop()
    assert hooks.texts("/supervisors")[0].startswith("*Escalated to supervisor")
