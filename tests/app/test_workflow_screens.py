"""The officer's, supervisor's and HSE manager's screens in the in-process Flet client, on the web app's
store (in process, real database): queue, incident detail and its tabs, sign-off inbox, conflicts,
dashboard. Each test works on its own incidents of one shared store per backend.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import flet as ft
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from support.flet_harness import FletHarness
from support.reporting import camera_jpeg
from support.staff_screens import (
    PHONE,
    Device,
    choose,
    draw,
    go,
    has,
    keys,
    open_app,
    settle,
    tap,
    toast,
    type_into,
    words,
)
from support.workflow import (  # noqa: F401  (the module shares one store per backend)
    INJURY,
    NEAR_MISS,
    file_incident,
    ok,
    run,
    shared_people,
    shared_sessions,
    shared_store,
    site_id,
)

from app.i18n import ASSETS, LANGUAGES, Translator
from app.views import workflow_common
from app.views.incident_context import TABS
from models import (
    CorrectiveAction,
    Incident,
    IncidentRole,
    Investigation,
    InvestigationConflict,
    RegulatoryClock,
    SignOff,
    StatusUpdate,
    utcnow,
)
from models.enums import CapaStatus, IncidentRoleKind, IncidentStatus, Priority
from sync.server.blobs import BlobStore
from sync.server.webstore import ServerStore


def fresh(
    sessions: sessionmaker[Session],
    *,
    minutes_ago: float = 5,
    priority: Priority | None = Priority.P3,
    form: str = "near_miss",
    values: dict | None = None,
    **columns: Any,
) -> uuid.UUID:
    """A new incident at S1, received some minutes ago."""
    received = utcnow() - dt.timedelta(minutes=minutes_ago)
    return file_incident(sessions, form, values, received_at=received, priority=priority, **columns)


def stored(sessions: sessionmaker[Session], model: type, row_id: uuid.UUID) -> Any:
    """A row as stored now."""
    with sessions() as session:
        return session.get(model, row_id)


def investigation_of(sessions: sessionmaker[Session], incident_id: uuid.UUID) -> Investigation:
    """An incident's investigation as stored now."""
    with sessions() as session:
        return session.scalar(select(Investigation).where(Investigation.incident_id == incident_id))


@pytest.fixture
def blobs(tmp_path: Path) -> Path:
    """The web app's blob directory."""
    return tmp_path / "blobs"


def lifecycle(app: FletHarness) -> set[str]:
    """The lifecycle steps the incident screen offers."""
    return set(keys(app.find("lifecycle")))


def user_id(people: dict, name: str) -> str:
    """A seeded person's id."""
    return str(people[name].id)


# --- Queue -----------------------------------------------------------------------------------------


async def test_staff_home_leads_to_the_queue_and_to_an_incident(sessions, people, blobs) -> None:
    incident = fresh(sessions, minutes_ago=3, priority=Priority.P2)
    app = await open_app(sessions, blobs, "officer")
    assert app.page.route == "/home"
    assert has(app, "staff_nav")
    await tap(app, f"incident-{incident}")
    assert app.page.route == f"/incidents/{incident}"
    await go(app, "/home")
    await tap(app, "open_queue")
    assert app.page.route == "/queue"
    assert f"queue-{incident}" in keys(app.find("queue"))


async def test_queue_is_sorted_by_urgency_with_overdue_marked_in_words_and_filtered(
    sessions, people, blobs
) -> None:
    late = fresh(sessions, minutes_ago=300, priority=Priority.P3)  # P3 must be acknowledged within 4 h
    urgent = fresh(sessions, minutes_ago=2, priority=Priority.P1)
    calm = fresh(sessions, minutes_ago=1, priority=Priority.P4)
    elsewhere = file_incident(
        sessions, site="S2", reporter="worker2", received_at=utcnow(), priority=Priority.P2
    )
    app = await open_app(sessions, blobs, "officer")
    await go(app, "/queue")
    order = [
        k for k in keys(app.find("queue")) if k.removeprefix("queue-") in {str(late), str(urgent), str(calm)}
    ]
    assert order == [f"queue-{late}", f"queue-{urgent}", f"queue-{calm}"]
    assert f"queue-{elsewhere}" not in keys(app.find("queue"))  # the officer works at S1 only
    overdue = app.find(f"overdue-{late}")
    assert words(overdue) == "Overdue" and overdue.content.controls[0].icon == ft.Icons.ERROR
    ack = app.find(f"ack-{late}")
    assert ack.state == "overdue" and ack.bgcolor == ft.Colors.RED_700
    assert re.fullmatch(r"Acknowledge: overdue by 1 h 0\d min", ack.words.value)
    assert app.find(f"ack-{urgent}").state == "ok" and "left" in app.find(f"ack-{urgent}").words.value
    assert not has(app, f"overdue-{urgent}")

    await choose(app, "filter.priority", "P1")
    assert app.page.route == "/queue?priority=P1"
    shown = keys(app.find("queue"))
    assert f"queue-{urgent}" in shown and f"queue-{late}" not in shown
    await choose(app, "filter.status", "acknowledged")
    assert app.page.route == "/queue?priority=P1&status=acknowledged"
    assert f"queue-{urgent}" not in (keys(app.find("queue")) if has(app, "queue") else [])

    boss = await open_app(sessions, blobs, "manager")
    await go(boss, "/queue")
    assert f"queue-{elsewhere}" in keys(boss.find("queue"))
    await choose(boss, "filter.site", str(site_id(sessions, "S2")))
    shown = keys(boss.find("queue"))
    assert f"queue-{elsewhere}" in shown and f"queue-{late}" not in shown


async def test_acknowledging_from_the_queue_takes_one_tap_and_gives_command(sessions, people, blobs) -> None:
    iid = fresh(sessions, priority=Priority.P2)
    app = await open_app(sessions, blobs, "officer")
    await go(app, "/queue")
    await tap(app, f"ack-button-{iid}")
    incident = stored(sessions, Incident, iid)
    assert incident.status is IncidentStatus.ACKNOWLEDGED and incident.acknowledged_at is not None
    assert app.find(f"commander-{iid}").value == "Commander: Olga Officer"
    assert not has(app, f"ack-button-{iid}")
    assert toast(app) == "Acknowledged. You are the incident commander."


# --- Incident lifecycle ----------------------------------------------------------------------------


async def test_only_legal_steps_show_and_a_refusal_is_explained_in_the_users_language(
    sessions, people, blobs
) -> None:
    iid = fresh(sessions, priority=Priority.P3)
    app = await open_app(sessions, blobs, "officer")
    await go(app, f"/incidents/{iid}")
    assert lifecycle(app) == {"acknowledge"}
    await tap(app, "acknowledge")
    assert lifecycle(app) == {"investigate"}
    await tap(app, "investigate")
    assert lifecycle(app) == {"open_resolve"}
    await tap(app, "open_resolve")
    await tap(app, "confirm_resolve")  # how it was resolved is missing
    assert (
        app.find("lifecycle_problem.reason").value
        == "Say whether it was resolved by a workaround or a permanent fix."
    )
    await type_into(app, "resolution_type", "permanent_fix")
    await type_into(app, "resolution_summary", "Racking re-anchored and inspected.")
    await tap(app, "confirm_resolve")
    assert stored(sessions, Incident, iid).status is IncidentStatus.RESOLVED
    assert lifecycle(app) == {"open_close", "open_reopen"}

    await tap(app, "open_close")
    await tap(app, "confirm_close")  # the server refuses: nobody ticked the checklist
    assert (
        app.find("lifecycle_problem.reason").value == "It cannot close yet: finish the close checklist first."
    )
    assert "Service or area back to normal" in app.find("lifecycle_problem.detail").value
    assert stored(sessions, Incident, iid).status is IncidentStatus.RESOLVED

    app.page.data.set_language("ms")
    await app.page.data.refresh()
    await settle(app)
    await tap(app, "open_close")
    await tap(app, "confirm_close")
    assert (
        app.find("lifecycle_problem.reason").value
        == "Belum boleh ditutup: lengkapkan senarai semak penutupan dahulu."
    )
    await type_into(app, "service_restored", True)
    await type_into(app, "affected_informed", True)
    await tap(app, "confirm_close")
    assert stored(sessions, Incident, iid).status is IncidentStatus.CLOSED
    assert lifecycle(app) == {"open_reopen"}
    await tap(app, "open_reopen")
    await tap(app, "confirm_reopen")
    assert app.find("lifecycle_problem.reason").value == "Berikan sebab."
    await type_into(app, "reopen_reason", "The racking moved again.")
    await tap(app, "confirm_reopen")
    assert stored(sessions, Incident, iid).status is IncidentStatus.INVESTIGATING


async def test_people_without_the_right_read_but_get_no_steps(sessions, people, blobs) -> None:
    iid = fresh(sessions)
    admin = await open_app(sessions, blobs, "admin")  # sees every site, but does not work incidents
    await go(admin, f"/incidents/{iid}")
    assert has(admin, "lifecycle_read_only") and not has(admin, "lifecycle")
    assert not has(admin, "take.incident_commander") and not has(admin, "new_capa")
    worker = await open_app(sessions, blobs, "worker")
    await go(worker, "/queue")
    assert (
        worker.find("screen_message").value
        == "These screens are for safety officers, supervisors and HSE managers."
    )


async def test_roles_are_taken_or_assigned_with_one_tap_each(sessions, people, blobs) -> None:
    iid = fresh(sessions, priority=Priority.P2)
    ok(
        run(
            sessions,
            "supervisor",
            "incident.acknowledge",
            {"id": str(iid), "take_command": False},
            now=utcnow(),
        )
    )
    app = await open_app(sessions, blobs, "officer")
    await go(app, f"/incidents/{iid}/summary")
    assert app.find("holder.incident_commander").value == "Nobody yet"
    assert app.find("take.resolver").content == "Take Resolver"  # each button names its role
    await tap(app, "take.incident_commander")
    await choose(app, "assign.communication_lead", user_id(people, "supervisor"))
    await tap(app, "take.resolver")
    await choose(app, "assign.investigator", user_id(people, "manager"))
    assert app.find("holder.incident_commander").value == "Olga Officer"
    assert app.find("holder.communication_lead").value == "Sam Supervisor"
    assert app.find("holder.resolver").value == "Olga Officer"
    assert app.find(f"investigator-{people['manager'].id}").value == "Hana Manager"
    assert not has(app, "take.incident_commander")  # already mine
    with sessions() as session:
        held = {
            (r.role, r.user_id)
            for r in session.scalars(
                select(IncidentRole).where(IncidentRole.incident_id == iid, IncidentRole.ended_at.is_(None))
            )
        }
    assert held == {
        (IncidentRoleKind.COMMANDER, people["officer"].id),
        (IncidentRoleKind.COMMUNICATION_LEAD, people["supervisor"].id),
        (IncidentRoleKind.RESOLVER, people["officer"].id),
        (IncidentRoleKind.INVESTIGATOR, people["manager"].id),
    }
    await tap(app, f"remove-investigator-{people['manager'].id}")
    assert not has(app, f"investigator-{people['manager'].id}")
    assert "filled in" in app.find("role_fill").value


def timeline_sentences(app: FletHarness) -> list[str]:
    """The sentence of each timeline entry, oldest first (the time and the person are beside it)."""
    rows = app.find("timeline").content.controls[1:]
    return [row.content.controls[1].controls[0].value for row in rows]


async def test_the_timeline_speaks_the_readers_language(sessions, people, blobs) -> None:
    iid = uuid.uuid4()
    report = {
        "id": str(iid),
        "site_id": str(site_id(sessions)),
        "form_id": "near_miss",
        "form_version": 1,
        "values": NEAR_MISS,
        "device_recorded_at": utcnow().isoformat(),
    }
    ok(run(sessions, "worker", "report.create", report, now=utcnow()))
    ok(run(sessions, "officer", "incident.acknowledge", {"id": str(iid)}, now=utcnow()))
    resolver = {"id": str(iid), "role": "resolver", "user_id": user_id(people, "supervisor")}
    ok(run(sessions, "officer", "incident.assign_role", resolver, now=utcnow()))
    ok(run(sessions, "officer", "incident.transition", {"id": str(iid), "to": "investigating"}, now=utcnow()))
    update = {"id": str(uuid.uuid4()), "incident_id": str(iid), "audience": "internal", "template": "custom"}
    ok(
        run(
            sessions, "officer", "status_update.create", {**update, "message": "Aisle 4 closed"}, now=utcnow()
        )
    )
    app = await open_app(sessions, blobs, "officer")
    await go(app, f"/incidents/{iid}/timeline")
    english = timeline_sentences(app)
    assert english[0] == "Reported" and english[1].startswith("Priority P")  # the automatic triage
    assert english[2:] == [
        "Acknowledged and took command",
        "Sam Supervisor assigned as Resolver",
        "Status Acknowledged → Investigating",
        "Aisle 4 closed",
    ]

    await go(app, "/")
    await choose(app, "language", "ms")
    await go(app, f"/incidents/{iid}/timeline")
    malay = timeline_sentences(app)
    assert malay[0] == "Dilaporkan" and malay[1].startswith("Keutamaan P")
    assert malay[2:] == [
        "Diakui dan mengambil alih perintah",
        "Sam Supervisor ditugaskan sebagai Penyelesai",
        "Status Diakui → Dalam siasatan",
        "Aisle 4 closed",  # a person's own words are shown as they were written
    ]


async def test_an_injury_without_a_description_shows_what_happened_from_its_form(
    sessions, people, blobs
) -> None:
    iid = fresh(sessions, form="injury")
    app = await open_app(sessions, blobs, "officer")
    await go(app, f"/incidents/{iid}/summary")
    assert app.find("summary_description").value == "The press cycled while her hand was in the die area."


# --- Investigation and conflicts --------------------------------------------------------------------


async def test_investigation_merges_field_by_field_and_a_two_device_conflict_is_settled(
    sessions, people, blobs
) -> None:
    iid = fresh(sessions, priority=Priority.P3, status=IncidentStatus.INVESTIGATING)
    app = await open_app(sessions, blobs, "officer")
    await go(app, f"/incidents/{iid}/investigation")
    await type_into(app, "inv.why.1", "The pallet was loaded above the beam's limit")
    await type_into(app, "inv.why.2", "Nobody knew the limit: no label")
    await type_into(app, "inv.factor.procedures", True)
    await type_into(app, "inv.factor.procedures.detail", "No load check before racking")
    await choose(app, "inv.category", "procedures")
    await type_into(app, "inv.root_cause", "Load limits are not shown at the racking.")
    await tap(app, "inv.save")
    assert toast(app) == "Saved."
    inv = investigation_of(sessions, iid)
    assert inv.five_whys == [
        "The pallet was loaded above the beam's limit",
        "Nobody knew the limit: no label",
    ]
    assert inv.contributing_factors == [
        {"category": "procedures", "description": "No load check before racking"}
    ]
    assert inv.root_cause_category.value == "procedures"

    # a tablet that opened the investigation now, and another device that saves first
    await type_into(app, "inv.root_cause", "Labels were removed during repainting.")
    await type_into(app, "inv.findings", "Three bays have no label.")
    base = inv.version
    ok(
        run(
            sessions,
            "manager",
            "investigation.patch",
            {
                "incident_id": str(iid),
                "base_version": base,
                "fields": {"root_cause": {"old": inv.root_cause, "new": "Nobody owns the labels."}},
            },
            now=utcnow(),
        )
    )
    await tap(app, "inv.save")
    assert (
        toast(app)
        == "Saved. 1 field(s) were changed on another device meanwhile: settle them under Conflicts."
    )
    inv = investigation_of(sessions, iid)
    assert inv.findings == "Three bays have no label." and inv.root_cause == "Nobody owns the labels."
    assert app.find("inv.open_conflicts").value == "1 field(s) changed on two devices wait to be settled."

    await tap(app, "inv.review_conflicts")
    assert app.page.route == "/conflicts"
    with sessions() as session:
        conflict = session.scalar(
            select(InvestigationConflict).where(InvestigationConflict.investigation_id == inv.id)
        )
    assert app.find(f"conflict-field-{conflict.id}").value == "Root cause: changed on two devices"
    assert app.find(f"base-{conflict.id}").value == "Load limits are not shown at the racking."
    assert app.find(f"current-{conflict.id}").value == "Nobody owns the labels."
    assert app.find(f"incoming-{conflict.id}").value == "Labels were removed during repainting."
    await tap(app, f"edit-{conflict.id}")
    await type_into(app, f"edit-value-{conflict.id}", "Nobody owns the labels, so repainting removed them.")
    await tap(app, f"save-edit-{conflict.id}")
    assert not has(app, f"conflict-{conflict.id}")
    assert stored(sessions, InvestigationConflict, conflict.id).resolution == "edited"
    assert investigation_of(sessions, iid).root_cause == "Nobody owns the labels, so repainting removed them."


# --- Corrective actions and sign-off ---------------------------------------------------------------


async def test_capa_board_groups_actions_by_state_with_the_control_level_and_the_owner_never_verifies(
    sessions, people, blobs
) -> None:
    iid = fresh(sessions, priority=Priority.P3, status=IncidentStatus.INVESTIGATING)
    device = Device()
    officer = await open_app(sessions, blobs, "officer", device=device)
    await go(officer, f"/incidents/{iid}/actions")
    await type_into(officer, "new_capa.title", "Fit load-limit labels to every bay")
    await tap(officer, "new_capa.create")  # no level, no owner
    assert officer.find("new_capa_problem.reason").value == "Fill in: Level of control, Owner"
    await type_into(officer, "new_capa.level", "engineering")
    await choose(officer, "new_capa.owner", user_id(people, "officer"))
    await tap(officer, "new_capa.create")
    with sessions() as session:
        action = session.scalar(select(CorrectiveAction).where(CorrectiveAction.incident_id == iid))
    aid = action.id
    assert f"capa-{aid}" in keys(officer.find(f"board.{CapaStatus.OPEN.value}"))
    assert words(officer.find(f"capa-level-{aid}")) == "3. Engineering control"
    await tap(officer, f"start-{aid}")
    assert f"capa-{aid}" in keys(officer.find("board.in_progress"))
    await tap(officer, f"done-{aid}")
    await tap(officer, f"confirm-done-{aid}")
    assert (
        officer.find(f"done-problem-{aid}.reason").value
        == "Add evidence (a note or a photo) to mark the action done."
    )
    picture = camera_jpeg((40, 120, 200))
    device.files = [{"id": 0, "name": "bays.jpg", "size": len(picture), "bytes": picture}]
    await tap(officer, f"done-photo-{aid}")
    assert officer.find(f"done-photos-{aid}").value == "1 photo(s)"
    await type_into(officer, f"done-note-{aid}", "Labels fitted to bays 1-12.")
    await tap(officer, f"confirm-done-{aid}")
    note, photo = stored(sessions, CorrectiveAction, aid).evidence
    assert note == {"note": "Labels fitted to bays 1-12."} and BlobStore(blobs).exists(photo["sha256"])
    assert f"capa-{aid}" in keys(officer.find("board.done"))
    assert not has(officer, f"verify-{aid}")  # an officer does not sign, and this is their own action

    supervisor = await open_app(sessions, blobs, "supervisor")
    await go(supervisor, f"/incidents/{iid}/actions")
    await tap(supervisor, f"verify-{aid}")
    await draw(supervisor, f"signature-{aid}.pad")
    await tap(supervisor, f"sign-{aid}")
    assert stored(sessions, CorrectiveAction, aid).status is CapaStatus.VERIFIED
    assert f"capa-{aid}" in keys(supervisor.find("board.verified"))
    assert "Verified and signed by Sam Supervisor" in words(supervisor.find(f"capa-{aid}"))

    own = str(uuid.uuid4())
    ok(
        run(
            sessions,
            "officer",
            "ca.create",
            {
                "id": own,
                "incident_id": str(iid),
                "title": "Supervisor's own action",
                "control_level": "ppe",
                "owner_id": user_id(people, "supervisor"),
                "due_on": utcnow().date().isoformat(),
            },
            now=utcnow(),
        )
    )
    ok(
        run(
            sessions,
            "supervisor",
            "ca.transition",
            {"id": own, "from": "open", "to": "in_progress"},
            now=utcnow(),
        )
    )
    ok(
        run(
            sessions,
            "supervisor",
            "ca.transition",
            {"id": own, "from": "in_progress", "to": "done", "evidence": [{"note": "Gloves issued"}]},
            now=utcnow(),
        )
    )
    await go(supervisor, f"/incidents/{iid}/actions")
    assert not has(supervisor, f"verify-{own}") and has(supervisor, f"send-back-{own}")
    await go(supervisor, "/signoffs")
    assert not has(supervisor, f"inbox-{own}")
    manager = await open_app(sessions, blobs, "manager")
    await go(manager, "/signoffs")
    assert has(manager, f"inbox-{own}")


async def test_signoff_inbox_verifies_with_a_drawn_signature_or_sends_back_with_a_reason(
    sessions, people, blobs
) -> None:
    iid = fresh(sessions, priority=Priority.P3, status=IncidentStatus.INVESTIGATING)
    done = []
    for title in ("Guard rail at the dock edge", "Toolbox talk on the dock edge"):
        aid = str(uuid.uuid4())
        ok(
            run(
                sessions,
                "officer",
                "ca.create",
                {
                    "id": aid,
                    "incident_id": str(iid),
                    "title": title,
                    "control_level": "engineering",
                    "owner_id": user_id(people, "officer"),
                    "due_on": utcnow().date().isoformat(),
                },
                now=utcnow(),
            )
        )
        ok(
            run(
                sessions,
                "officer",
                "ca.transition",
                {"id": aid, "from": "open", "to": "in_progress"},
                now=utcnow(),
            )
        )
        ok(
            run(
                sessions,
                "officer",
                "ca.transition",
                {"id": aid, "from": "in_progress", "to": "done", "evidence": [{"note": "Done"}]},
                now=utcnow(),
            )
        )
        done.append(aid)
    rail, talk = done
    app = await open_app(sessions, blobs, "supervisor")
    await go(app, "/signoffs")
    assert has(app, f"inbox-{rail}") and has(app, f"inbox-{talk}")
    assert words(app.find(f"inbox-level-{rail}")) == "3. Engineering control"
    await tap(app, f"verify-{rail}")
    assert has(app, f"sign-panel-{rail}")
    assert app.find(f"sign-name-{rail}").value == "Sam Supervisor"
    await tap(app, f"sign-{rail}")
    assert app.find(f"sign-problem-{rail}.reason").value == "Draw your signature in the box."
    await draw(app, f"signature-{rail}.pad")
    await tap(app, f"sign-{rail}")
    assert toast(app) == "Verified and signed."
    assert not has(app, f"inbox-{rail}")
    with sessions() as session:
        sign = session.scalar(select(SignOff).where(SignOff.subject_id == uuid.UUID(rail)))
    assert sign.meaning == "verified" and sign.signer_name == "Sam Supervisor"
    assert BlobStore(blobs).exists(sign.signature_sha256)

    await tap(app, f"send-back-{talk}")
    await tap(app, f"confirm-send_back-{talk}")
    assert app.find(f"send_back-problem-{talk}.reason").value == "Give a reason."
    await type_into(app, f"send_back-reason-{talk}", "Attendance sheet missing.")
    await tap(app, f"confirm-send_back-{talk}")
    action = stored(sessions, CorrectiveAction, uuid.UUID(talk))
    assert action.status is CapaStatus.IN_PROGRESS and action.sent_back_reason == "Attendance sheet missing."
    assert not has(app, f"inbox-{talk}")


# --- Status updates, review, clocks -----------------------------------------------------------------


async def test_communication_lead_sees_when_the_next_update_is_due_and_posts_the_holding_message(
    sessions, people, blobs
) -> None:
    iid = fresh(sessions, minutes_ago=10, priority=Priority.P1, status=IncidentStatus.INVESTIGATING)
    ok(
        run(
            sessions,
            "officer",
            "incident.assign_role",
            {"id": str(iid), "role": "communication_lead", "user_id": user_id(people, "supervisor")},
            now=utcnow(),
        )
    )
    app = await open_app(sessions, blobs, "supervisor")
    await go(app, f"/incidents/{iid}/updates")
    assert re.fullmatch(r"Next status update: (19|20) min left", app.find("updates.due").words.value)
    assert app.find("updates.lead").value == "Communication lead: Sam Supervisor"
    assert app.find("update.template").value == "holding"
    preview = app.find("update.preview").value
    assert "| Pallet nearly fell from racking · Status: Investigating · Impact: being assessed" in preview
    assert "next update by" in preview
    await type_into(app, "update.impact", "Aisle 4 closed")
    await tap(app, "update.post")
    assert toast(app) == "Status update posted."
    with sessions() as session:
        [update] = session.scalars(select(StatusUpdate).where(StatusUpdate.incident_id == iid)).all()
    assert update.template == "holding" and "Impact: Aisle 4 closed" in update.body
    assert re.fullmatch(r"Next status update: (29|30) min left", app.find("updates.due").words.value)
    assert has(app, f"update-{update.id}")


async def test_post_incident_review_is_scheduled_answered_and_completed_into_corrective_actions(
    sessions, people, blobs
) -> None:
    iid = fresh(
        sessions,
        priority=Priority.P2,
        status=IncidentStatus.RESOLVED,
        resolved_at=utcnow() - dt.timedelta(hours=60),
    )
    app = await open_app(sessions, blobs, "officer")
    await go(app, f"/incidents/{iid}/review")
    assert app.find("review.required").value == "Required for P1 and P2 within 72 hours of resolution."
    review_clock = app.find("clock.review")
    assert review_clock.state == "warning" and review_clock.bgcolor == ft.Colors.AMBER_300  # 12 h of 72 left
    await tap(app, "review.schedule")
    await type_into(app, "review.what_happened", "A pallet nearly fell from level 3.")
    await type_into(app, "review.root_cause", "No load limits at the racking.")
    await type_into(app, "review.action.description", "Label every bay with its load limit")
    await choose(app, "review.action.owner", user_id(people, "officer"))
    await tap(app, "review.add_action")
    await tap(app, "review.complete")  # two questions are still open
    assert (
        app.find("review_problem.reason").value
        == "Answer every question and add at least one action before completing the review."
    )
    await type_into(app, "review.detection", "A picker saw it; sensors would be faster.")
    await type_into(app, "review.went_well", "Aisle closed within minutes; finding the owner was slow.")
    await tap(app, "review.complete")
    assert toast(app) == "Review completed; its actions are on the board."
    with sessions() as session:
        created = session.scalars(select(CorrectiveAction).where(CorrectiveAction.incident_id == iid)).all()
    assert [a.title for a in created] == ["Label every bay with its load limit"]
    await go(app, f"/incidents/{iid}/actions")
    assert f"capa-{created[0].id}" in keys(app.find("board.open"))
    assert app.find("clock.review").state == "met"


async def test_notification_clocks_count_down_and_are_met_with_the_authoritys_reference(
    sessions, people, blobs
) -> None:
    occurred = (utcnow() - dt.timedelta(hours=20, minutes=5)).isoformat(timespec="seconds")
    values = {**INJURY, "amputation": True, "title": "Fingertip lost at the shear", "occurred_at": occurred}
    iid = fresh(sessions, minutes_ago=20 * 60, priority=Priority.P1, form="injury", values=values)
    ok(run(sessions, "officer", "incident.acknowledge", {"id": str(iid)}, now=utcnow()))
    with sessions() as session:
        clocks = session.scalars(select(RegulatoryClock).where(RegulatoryClock.incident_id == iid)).all()
    report = next(c for c in clocks if c.due_at - c.started_at == dt.timedelta(hours=24))
    boss = await open_app(sessions, blobs, "manager")
    await go(boss, "/dashboard")
    assert has(boss, f"open-clock-{report.id}")
    countdown = boss.find(f"dash-clock-{report.id}")
    assert countdown.state == "warning" and re.fullmatch(r"OSHA: 3 h [0-5]\d min left", countdown.words.value)

    app = await open_app(sessions, blobs, "officer")
    await go(app, f"/incidents/{iid}/clocks")
    assert app.find(f"countdown-{report.id}").state == "warning"
    await tap(app, f"meet-{report.id}")
    assert app.find(f"meet-problem-{report.id}.reason").value == "Say how the authority was told."
    await type_into(app, f"meet-method-{report.id}", "Phone to the area office")
    await type_into(app, f"meet-reference-{report.id}", "OSHA-2026-0417")
    await tap(app, f"meet-{report.id}")
    met = stored(sessions, RegulatoryClock, report.id)
    assert met.method == "Phone to the area office" and met.reference_number == "OSHA-2026-0417"
    assert app.find(f"countdown-{report.id}").state == "met"
    assert "reference OSHA-2026-0417" in app.find(f"met-{report.id}").value
    await go(boss, "/dashboard")
    assert not has(boss, f"open-clock-{report.id}")


async def test_countdowns_turn_amber_under_a_quarter_red_when_late_and_keep_moving(
    sessions, people, blobs, monkeypatch
) -> None:
    start = utcnow()
    clock = workflow_common.Countdown(
        Translator("en"),
        "OSHA",
        due_at=start + dt.timedelta(hours=8),
        started_at=start,
        now=start + dt.timedelta(hours=1),
    )
    assert (clock.state, clock.words.value, clock.bgcolor) == (
        "ok",
        "OSHA: 7 h 00 min left",
        ft.Colors.GREEN_100,
    )
    clock.tick(start + dt.timedelta(hours=6, minutes=30))
    assert (clock.state, clock.words.value, clock.bgcolor) == (
        "warning",
        "OSHA: 1 h 30 min left",
        ft.Colors.AMBER_300,
    )
    clock.tick(start + dt.timedelta(hours=8, minutes=10))
    assert (clock.state, clock.words.value, clock.bgcolor) == (
        "overdue",
        "OSHA: overdue by 10 min",
        ft.Colors.RED_700,
    )
    assert clock.icon.icon == ft.Icons.ERROR

    iid = fresh(sessions, minutes_ago=12, priority=Priority.P1)  # 3 of its 15 minutes left
    app = await open_app(sessions, blobs, "officer")
    monkeypatch.setattr(workflow_common, "TICK_SECONDS", 0)  # the screen's clock ticks on every turn
    await go(app, "/queue")
    ack = app.find(f"ack-{iid}")
    assert ack.state == "warning"
    later = utcnow() + dt.timedelta(minutes=7)
    monkeypatch.setattr(workflow_common, "utcnow", lambda: later)
    for _ in range(20):
        await asyncio.sleep(0)
    assert ack.state == "overdue" and ack.words.value.startswith("Acknowledge: overdue by")
    ticker = app.page.views[-1].data
    await go(app, f"/incidents/{iid}")  # the queue is gone: its ticker stops
    for _ in range(20):
        await asyncio.sleep(0)
    assert ticker.done()


# --- Dashboard --------------------------------------------------------------------------------------


async def test_dashboard_draws_the_metrics_with_their_base_and_downloads_the_documents(
    sessions, people, blobs
) -> None:
    device = Device()
    boss = await open_app(sessions, blobs, "manager", device=device)
    await go(boss, "/dashboard")
    year = utcnow().year
    assert boss.find("dash.site").value == "S1"
    chart = boss.find("chart.rates").content
    assert b"<svg" in chart.src and b"Bases: TRIR and DART per 200,000 hours" in chart.src
    assert boss.find("chart_bases").value.startswith(
        "Bases: TRIR and DART per 200,000 hours; LTIFR per 1,000,000 hours"
    )
    await tap(boss, "download.osha-300")
    [saved] = device.saved
    assert saved["file_name"] == f"osha-300-S1-{year}.pdf" and saved["src_bytes"].startswith(b"%PDF")
    assert toast(boss) == f"Saved osha-300-S1-{year}.pdf"
    assert has(boss, "download.osha-300-privacy")
    await tap(boss, "download.ita-summary-csv")  # the seeded site has no EIN, NAICS or address
    assert (
        boss.find("download_problem.reason").value
        == "The ITA file cannot be written yet: site or case data are missing."
    )
    assert "company_name: required" in boss.find("download_problem.detail").value
    await choose(boss, "dash.site", "S2")
    assert boss.page.route == f"/dashboard?site=S2&year={year}"
    assert has(boss, "download.jkkp8") and not has(boss, "download.osha-300")

    officer = await open_app(sessions, blobs, "officer")
    await go(officer, "/dashboard")
    assert has(officer, "download.osha-300") and not has(officer, "download.osha-300-privacy")
    supervisor = await open_app(sessions, blobs, "supervisor")
    await go(supervisor, "/dashboard")
    assert (
        supervisor.find("dashboard_not_for_role").value
        == "The dashboard is for HSE managers and safety officers."
    )


def test_the_phone_store_makes_no_documents_so_the_dashboard_asks_for_the_web_app(tmp_path: Path) -> None:
    from app.phone_store import PhoneStore
    from app.settings import PhoneSettings
    from app.views.downloads import ReportSource

    phone = PhoneStore(PhoneSettings(data_dir=tmp_path / "phone", server_url="http://127.0.0.1:9"))
    assert not isinstance(phone, ReportSource)
    assert isinstance(ServerStore(None, BlobStore(tmp_path)), ReportSource)  # type: ignore[arg-type]


# --- Accessibility and words ------------------------------------------------------------------------

BUTTONS = (ft.FilledButton, ft.OutlinedButton, ft.TextButton, ft.Button, ft.FilledTonalButton)


def controls_under(root: Any) -> list[Any]:
    """Every control under a root (views, rows, columns, containers, app bar, navigation)."""
    found, stack, seen = [], [root], set()
    while stack:
        c = stack.pop()
        if id(c) in seen:
            continue
        seen.add(id(c))
        found.append(c)
        for name in (
            "views",
            "controls",
            "content",
            "actions",
            "appbar",
            "navigation_bar",
            "leading",
            "title",
            "tabs",
        ):
            v = getattr(c, name, None)
            if isinstance(v, list):
                stack.extend(x for x in v if isinstance(x, ft.BaseControl))
            elif isinstance(v, ft.BaseControl):
                stack.append(v)
    return found


async def test_every_input_and_button_is_labelled_and_big_enough_to_touch(sessions, people, blobs) -> None:
    iid = fresh(sessions, priority=Priority.P2, status=IncidentStatus.RESOLVED, resolved_at=utcnow())
    aid = str(uuid.uuid4())
    ok(
        run(
            sessions,
            "officer",
            "ca.create",
            {
                "id": aid,
                "incident_id": str(iid),
                "title": "Rail",
                "control_level": "engineering",
                "owner_id": user_id(people, "officer"),
                "due_on": utcnow().date().isoformat(),
            },
            now=utcnow(),
        )
    )
    ok(
        run(
            sessions,
            "officer",
            "ca.transition",
            {"id": aid, "from": "open", "to": "in_progress"},
            now=utcnow(),
        )
    )
    ok(
        run(
            sessions,
            "officer",
            "ca.transition",
            {"id": aid, "from": "in_progress", "to": "done", "evidence": [{"note": "Fitted"}]},
            now=utcnow(),
        )
    )
    app = await open_app(sessions, blobs, "manager", size=PHONE)
    routes = ["/queue", "/signoffs", "/conflicts", "/dashboard"] + [f"/incidents/{iid}/{tab}" for tab in TABS]
    checked = 0
    for route in routes:
        await go(app, route)
        for c in controls_under(app.page.views[-1]):
            where = f"{route}: {type(c).__name__} {c.key}"
            if isinstance(c, BUTTONS):
                label = c.content if isinstance(c.content, str) else words(c.content) if c.content else ""
                assert label.strip(), where
                assert (c.height or 0) >= 48, where
                checked += 1
            elif isinstance(c, ft.IconButton):
                assert isinstance(c.icon, ft.Icon) and c.icon.semantics_label, where
            elif isinstance(c, ft.Dropdown | ft.TextField):
                assert c.label, where
                checked += 1
            elif isinstance(c, ft.Checkbox | ft.Radio):
                assert c.label, where
                checked += 1
    assert checked > 50


def workflow_catalogue(language: str) -> dict[str, str]:
    """The staff screens' catalogue file of one language."""
    return json.loads((ASSETS / "i18n" / f"ui_workflow.{language}.json").read_text(encoding="utf-8"))


def families() -> set[str]:
    """Keys the screens build from codes and enums (the literal ones are checked by test_ui_catalogue)."""
    from app.views.downloads import SITE_YEAR_KINDS
    from models.enums import (
        CapaStatus,
        CapaType,
        ContributingFactor,
        ControlLevel,
        IncidentRoleKind,
        IncidentStatus,
        ResolutionType,
        RootCauseCategory,
        UpdateAudience,
    )
    from models.investigation import INVESTIGATION_FIELDS
    from models.workflow import REVIEW_QUESTIONS, STATUS_TEMPLATES

    kinds = {k for ks in SITE_YEAR_KINDS.values() for k in ks} | {"metrics", "incident", "jkkp6"}
    built = {
        "wf.priority": [p.value for p in Priority],
        "wf.done.to": [s.value for s in IncidentStatus],
        "wf.check": [
            "service_restored",
            "affected_informed",
            "resolution_summary",
            "review_scheduled",
            "fix_linked",
            "done",
            "missing",
        ],
        "wf.resolution": [r.value for r in ResolutionType],
        "wf.tab": list(TABS),
        "wf.role": [r.value for r in IncidentRoleKind],
        "wf.factor": [f.value for f in ContributingFactor],
        "wf.cause": [c.value for c in RootCauseCategory],
        "wf.level": [c.value for c in ControlLevel],
        "wf.capa_type": [c.value for c in CapaType],
        "wf.capa_state": [s.value for s in CapaStatus],
        "wf.signoff": ["verified", "sent_back", "cancelled"],
        "wf.audience": [a.value for a in UpdateAudience],
        "wf.template": list(STATUS_TEMPLATES),
        "wf.inv.field": list(INVESTIGATION_FIELDS),
        "wf.review.q": [name for name, _ in REVIEW_QUESTIONS[:4]],
        "wf.doc": sorted(kinds),
        "wf.chart": ["rates", "response", "performance", "volume"],
        "wf.capa": [
            "send_back",
            "cancel",
            "send_back_reason",
            "cancel_reason",
            "confirm_send_back",
            "confirm_cancel",
        ],
        "wf.done": ["send_back", "cancel"],
        "wf.conflicts.hint": ["five_whys", "contributing_factors"],
        "wf.refusal": list(REFUSALS),
    }
    return {f"{family}.{code}" for family, codes in built.items() for code in codes}


REFUSALS = (
    "role_required",
    "forbidden",
    "not_found",
    "illegal_transition",
    "checklist_incomplete",
    "reason_required",
    "resolution_required",
    "incident_closed",
    "already_assigned",
    "not_assigned",
    "unknown_user",
    "not_a_member",
    "already_exists",
    "stale_state",
    "signature_required",
    "owner_cannot_verify",
    "evidence_required",
    "action_closed",
    "review_completed",
    "review_incomplete",
    "conflict_resolved",
    "invalid_args",
    "already_met",
    "clock_cancelled",
    "already_recorded",
    "site_mismatch",
    "offline",
    "not_signed_in",
    "not_ready",
    "private",
    "ita_invalid",
    "missing_site_year",
    "unknown_site",
    "unknown_incident",
    "not_reportable",
)
"""Refusal codes of the workflow mutations and exports that the screens explain in the user's words."""


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_staff_screen_word_is_translated_with_the_same_placeholders(language: str) -> None:
    english, own = workflow_catalogue("en"), workflow_catalogue(language)
    assert set(own) == set(english)
    assert sorted(families() - set(own)) == []
    placeholder = re.compile(r"{(\w+)}")
    for key, text in own.items():
        assert text.strip() and set(placeholder.findall(text)) == set(placeholder.findall(english[key])), key
    if language in ("hi", "ar"):
        script = re.compile("[\u0900-\u097f]" if language == "hi" else "[\u0600-\u06ff]")
        same = [k for k, text in own.items() if text == english[k] and not script.search(text)]
        assert all(set(placeholder.sub("", english[k])) <= set("0123456789.:() ") for k in same), same


def test_every_refusal_code_the_workflow_raises_has_words() -> None:
    raised = set()
    for path in (Path(__file__).resolve().parents[2] / "sync" / "mutations").glob("*.py"):
        raised |= set(re.findall(r'Rejected\(\s*"([a-z_]+)"', path.read_text(encoding="utf-8")))
    from models import workflow

    raised |= set(
        re.findall(r'WorkflowError\(\s*"([a-z_]+)"', Path(workflow.__file__).read_text(encoding="utf-8"))
    )
    ignored = {
        "unknown_mutation",
        "kind_change",
        "deleted",
        "id_conflict",
        "slot_taken",
        "validation_failed",
        "bad_setting",
    }
    assert sorted(raised - ignored - set(REFUSALS)) == []


def test_the_staff_screens_load_on_a_phone_without_server_or_report_code() -> None:
    forbidden = (
        "fastapi",
        "uvicorn",
        "reportlab",
        "sync.server",
        "reports",
        "alembic",
        "psycopg",
        "starlette",
    )
    probe = f"""
import importlib.abc, sys
FORBIDDEN = {forbidden!r}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN):
            raise ImportError(f"phone code imported {{name}}")
        return None
sys.meta_path.insert(0, Block())
import app.views.workflow_routes
print("LOADED", sorted(m for m in sys.modules if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)))
"""
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stdout
