"""Issue 5's walk-through, end to end against a real `ims server`: a worker reports an injury on a phone
with no signal; it syncs once the server is reachable; the safety officer acknowledges it, takes the
roles, investigates; a corrective action is done with evidence and verified by a supervisor's drawn
signature; the review is written; the incident closes; the timeline shows every step; and
`ims audit verify` passes afterwards.

The worker's part runs on the phone's own store (`PhoneStore`, local SQLite, outbox, `sync_once`); the
officer's and supervisor's parts run through their screens in the in-process Flet client on the web
app's store, against the same database the server process serves.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from support.server import ServerProcess
from support.staff_screens import choose, draw, go, has, keys, open_app, tap, type_into
from support.walkthrough import assert_audit_intact, report_offline_then_sync

from app.phone_store import PhoneStore
from app.queries import incident_rows
from app.settings import PhoneSettings
from models import (
    Attachment,
    CorrectiveAction,
    Incident,
    IncidentRole,
    PostIncidentReview,
    RegulatoryClock,
    SignOff,
)
from models.enums import CapaStatus, IncidentRoleKind, IncidentStatus, Priority

STEPS = (
    "report.create",
    "incident.acknowledge",
    "incident.assign_role",
    "incident.transition",
    "investigation.patch",
    "status_update.internal",
    "ca.create",
    "ca.transition",
    "ca.verify",
    "pir.create",
    "pir.patch",
    "pir.complete",
)
"""What the timeline must show, in the order the walk-through does it."""


async def test_an_injury_reported_offline_is_worked_to_closure_with_every_step_on_the_timeline(
    server: ServerProcess, sessions: sessionmaker[Session], people: dict, tmp_path: Path
) -> None:
    # -- the worker, on a phone: signed in once online, then in the hall with no signal
    incident_id, photo = await report_offline_then_sync(server, sessions, tmp_path / "phone")
    with sessions() as session:
        incident = session.get(Incident, incident_id)
        assert incident.priority is Priority.P1  # in-patient treatment: triaged P1 on arrival
        [attachment] = session.scalars(select(Attachment).where(Attachment.incident_id == incident_id))
        assert attachment.sha256 == photo.upload_sha256 and incident.media_complete

    # -- the safety officer, at the web app: one tap to acknowledge (and command), roles, investigation
    blobs = server.data_dir / "blobs"
    officer = await open_app(sessions, blobs, "officer")
    await go(officer, "/queue")
    assert f"queue-{incident_id}" in keys(officer.find("queue"))
    await tap(officer, f"ack-button-{incident_id}")
    await go(officer, f"/incidents/{incident_id}")
    await choose(officer, "assign.communication_lead", str(people["supervisor"].id))
    await tap(officer, "take.resolver")
    await tap(officer, "investigate")
    assert officer.find("incident_status").content.controls[-1].value == "Investigating"

    await go(officer, f"/incidents/{incident_id}/evidence")
    assert has(officer, f"photo-{attachment.id}")  # the phone's photo, from the server's blob store
    await go(officer, f"/incidents/{incident_id}/investigation")
    await type_into(officer, "inv.why.1", "Her hand was in the die area when the press cycled")
    await type_into(officer, "inv.why.2", "The light curtain had been bypassed for a die change")
    await type_into(officer, "inv.why.3", "Nothing forces the curtain back on after a die change")
    await type_into(officer, "inv.factor.equipment", True)
    await type_into(officer, "inv.factor.equipment.detail", "Bypass key left in the curtain controller")
    await choose(officer, "inv.category", "design")
    await type_into(officer, "inv.root_cause", "The light curtain can stay bypassed after a die change.")
    await type_into(officer, f"inv.cite.{attachment.id}", True)
    await tap(officer, "inv.save")

    # -- the communication lead posts the holding message
    supervisor = await open_app(sessions, blobs, "supervisor")
    await go(supervisor, f"/incidents/{incident_id}/updates")
    assert supervisor.find("update.template").value == "holding"
    await tap(supervisor, "update.post")

    # -- a corrective action: created, done with evidence by its owner, verified by the supervisor
    await go(officer, f"/incidents/{incident_id}/actions")
    await type_into(officer, "new_capa.title", "Interlock the bypass key to the die-change procedure")
    await type_into(officer, "new_capa.level", "engineering")
    await choose(officer, "new_capa.owner", str(people["officer"].id))
    await tap(officer, "new_capa.create")
    with sessions() as session:
        action_id = session.scalar(
            select(CorrectiveAction.id).where(CorrectiveAction.incident_id == incident_id)
        )
    await tap(officer, f"start-{action_id}")
    await tap(officer, f"done-{action_id}")
    await type_into(officer, f"done-note-{action_id}", "Key switch replaced by a timed interlock; tested.")
    await tap(officer, f"confirm-done-{action_id}")
    await go(supervisor, "/signoffs")
    await tap(supervisor, f"verify-{action_id}")
    await draw(supervisor, f"signature-{action_id}.pad")
    await tap(supervisor, f"sign-{action_id}")
    assert not has(supervisor, f"inbox-{action_id}")

    # -- resolved, the OSHA notification recorded, the blameless review written, closed
    await go(officer, f"/incidents/{incident_id}")
    await tap(officer, "open_resolve")
    await type_into(officer, "resolution_type", "permanent_fix")
    await type_into(officer, "resolution_summary", "Press 4 back in service with the timed interlock.")
    await tap(officer, "confirm_resolve")
    await go(officer, f"/incidents/{incident_id}/clocks")
    with sessions() as session:
        owed = session.scalars(
            select(RegulatoryClock).where(
                RegulatoryClock.incident_id == incident_id, RegulatoryClock.cancelled_at.is_(None)
            )
        ).all()
    assert owed  # in-patient admission at a US site: OSHA within 24 hours
    for clock in owed:
        await type_into(officer, f"meet-method-{clock.id}", "OSHA online report")
        await type_into(officer, f"meet-reference-{clock.id}", "OSHA-7731")
        await tap(officer, f"meet-{clock.id}")
    await go(officer, f"/incidents/{incident_id}/review")
    await tap(officer, "review.schedule")
    answers = {
        "what_happened": "A hand was crushed in press 4; two days of hospital care.",
        "root_cause": "The light curtain could stay bypassed after a die change.",
        "detection": "The operator called out at once; the curtain log would have shown the bypass.",
        "went_well": "First aid and the ambulance were fast; finding the bypass key took long.",
    }
    for name, text in answers.items():
        await type_into(officer, f"review.{name}", text)
    await type_into(officer, "review.action.description", "Audit every press for bypass keys")
    await choose(officer, "review.action.owner", str(people["supervisor"].id))
    await tap(officer, "review.add_action")
    await tap(officer, "review.complete")
    await go(officer, f"/incidents/{incident_id}")
    await tap(officer, "open_close")
    await type_into(officer, "service_restored", True)
    await type_into(officer, "affected_informed", True)
    await tap(officer, "confirm_close")
    assert officer.find("lifecycle").controls[0].key == "open_reopen"

    with sessions() as session:
        incident = session.get(Incident, incident_id)
        assert incident.status is IncidentStatus.CLOSED and incident.closed_at is not None
        roles = {
            (r.role, r.user_id)
            for r in session.scalars(select(IncidentRole).where(IncidentRole.incident_id == incident_id))
        }
        assert (IncidentRoleKind.COMMANDER, people["officer"].id) in roles
        assert (IncidentRoleKind.COMMUNICATION_LEAD, people["supervisor"].id) in roles
        action = session.get(CorrectiveAction, action_id)
        assert action.status is CapaStatus.VERIFIED
        sign = session.scalar(
            select(SignOff).where(SignOff.subject_id == action_id, SignOff.meaning == "verified")
        )
        assert sign.signer_name == "Sam Supervisor" and sign.signature_sha256
        review = session.scalar(
            select(PostIncidentReview).where(PostIncidentReview.incident_id == incident_id)
        )
        assert review.completed_at is not None and review.root_cause == answers["root_cause"]

    # -- the timeline shows each step, in order
    await go(officer, f"/incidents/{incident_id}/timeline")
    shown = [row.data for row in officer.find("timeline").content.controls[1:]]
    firsts = [step for step in STEPS if step in shown]
    assert firsts == list(STEPS), shown
    assert [shown.index(step) for step in STEPS] == sorted(shown.index(step) for step in STEPS)
    assert shown.count("incident.transition") == 3  # investigating, resolved, closed

    # -- the worker's phone hears about it, and the audit chain is intact
    phone = PhoneStore(PhoneSettings(data_dir=tmp_path / "phone", server_url=server.url))
    assert (await phone.sync_once()).complete
    [mine] = [row for row in await phone.query(incident_rows) if row.id == incident_id]
    assert mine.status is IncidentStatus.CLOSED
    assert_audit_intact(server.db_url)
