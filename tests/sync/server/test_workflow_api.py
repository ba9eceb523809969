"""The workflow end to end on a real server: a report is triaged, acknowledged, staffed, investigated, its
corrective action done and verified, reviewed, closed; the queue, detail and timeline show each step."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
import requests
from conftest import PASSWORD
from support.server import ServerProcess
from support.workflow import (  # noqa: F401  (one store and one server per backend for the module)
    Store,
    file_incident,
    shared_people,
    shared_sessions,
    shared_store,
    site_id,
)

from models import utcnow
from models.enums import Priority


@pytest.fixture(scope="module")
def server(shared_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:  # noqa: F811
    """A real server on the module's store."""
    proc = ServerProcess(shared_store.url, tmp_path_factory.mktemp("api-server")).start()
    yield proc
    proc.stop()


class Client:
    """One signed-in user talking to the server."""

    def __init__(self, server: ServerProcess, username: str) -> None:
        body = {"username": username, "password": PASSWORD}
        login = requests.post(f"{server.api}/auth/login", json=body, timeout=10).json()
        self.api = server.api
        self.user_id = login["user"]["id"]
        self.headers = {"Authorization": f"Bearer {login['token']}"}

    def get(self, path: str, **params) -> dict:
        """GET, expecting 200."""
        response = requests.get(f"{self.api}{path}", headers=self.headers, params=params, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def do(self, name: str, **args) -> dict:
        """Run a mutation, expecting it to apply."""
        response = self.try_(name, **args)
        assert response.status_code == 200, response.text
        return response.json()

    def try_(self, name: str, **args) -> requests.Response:
        """Run a mutation, whatever the answer."""
        body = {"name": name, "args": args}
        return requests.post(f"{self.api}/mutations", json=body, headers=self.headers, timeout=10)


def test_a_report_from_filing_to_closing(server: ServerProcess, sessions, people) -> None:
    worker, officer, supervisor = (Client(server, n) for n in ("worker", "officer", "supervisor"))
    now = utcnow()
    iid = str(uuid.uuid4())
    values = {
        "case_type": "injury",
        "title": "Cut hand on press 4",
        "occurred_at": (now - dt.timedelta(minutes=20)).isoformat(),
        "employee_name": "Siti Aminah",
        "what_happened": "The press cycled while her hand was in the die.",
        "injury_description": "Deep cut, left index finger",
        "emergency_room": True,
        "treatments": ["sutures"],
    }
    worker.do(
        "report.create",
        id=iid,
        site_id=str(site_id(sessions)),
        form_id="injury",
        form_version=1,
        values=values,
        device_recorded_at=now.isoformat(),
    )
    [row] = officer.get("/incidents")["incidents"]
    assert (row["id"], row["priority"], row["status"], row["overdue"]) == (iid, "P2", "reported", False)
    assert "treated in an emergency room" in row["priority_reason"]

    assert officer.do("incident.acknowledge", id=iid)["took_command"] is True
    officer.do("incident.assign_role", id=iid, role="communication_lead", user_id=supervisor.user_id)
    officer.do("incident.assign_role", id=iid, role="resolver", user_id=worker.user_id)
    holding = supervisor.do(
        "status_update.create", id=str(uuid.uuid4()), incident_id=iid, audience="external", template="holding"
    )
    assert "Status: Investigating" in holding["body"] and "next update by" in holding["body"]
    officer.do("incident.transition", id=iid, to="investigating")
    fields = {
        "five_whys": {"old": [], "new": ["Hand in die", "Guard open", "No interlock"]},
        "root_cause_category": {"old": None, "new": "design"},
        "findings": {"old": "", "new": "The guard had no interlock."},
    }
    officer.do("investigation.patch", incident_id=iid, base_version=0, fields=fields)

    action = str(uuid.uuid4())
    due = (now + dt.timedelta(days=14)).date().isoformat()
    officer.do(
        "ca.create",
        id=action,
        incident_id=iid,
        control_level="engineering",
        title="Fit an interlock to the press 4 guard",
        owner_id=worker.user_id,
        due_on=due,
    )
    worker.do("ca.transition", id=action, **{"from": "open", "to": "in_progress"})
    worker.do(
        "ca.transition",
        id=action,
        evidence=[{"note": "Interlock fitted, tested 20 cycles"}],
        **{"from": "in_progress", "to": "done"},
    )
    [waiting] = supervisor.get("/signoffs/inbox")["items"]
    assert waiting["action_id"] == action and waiting["owner_name"] == "Wanda Worker"
    signed = supervisor.do("ca.verify", id=action, signature_sha256="c3" * 32, signer_name="Sam Supervisor")
    assert signed["content_sha256"] == waiting["content_sha256"], "the supervisor signs what the inbox showed"
    assert supervisor.get("/signoffs/inbox")["items"] == []

    officer.do(
        "incident.transition",
        id=iid,
        to="resolved",
        resolution_type="permanent_fix",
        summary="Interlock fitted.",
    )
    review = str(uuid.uuid4())
    officer.do(
        "pir.create", id=review, incident_id=iid, scheduled_for=(now + dt.timedelta(days=1)).isoformat()
    )
    officer.do(
        "pir.patch",
        id=review,
        what_happened="A cut finger; press 4 stopped for two hours.",
        root_cause="Guards could be opened while the press was live.",
        detection="The operator called out; an interlock alarm would be faster.",
        went_well="First aid within two minutes; finding the key holder slowed us.",
        actions=[
            {
                "id": str(uuid.uuid4()),
                "description": "Audit all press guards",
                "owner_id": officer.user_id,
                "due_on": due,
            }
        ],
    )
    officer.do("pir.complete", id=review)
    refusal = worker.try_("incident.transition", id=iid, to="closed")
    assert (refusal.status_code, refusal.json()["code"]) == (403, "role_required")
    officer.do("incident.transition", id=iid, to="closed", service_restored=True, affected_informed=True)

    detail = officer.get(f"/incidents/{iid}")
    assert detail["status"] == "closed" and detail["next_statuses"] == ["investigating"]
    assert all(item["done"] for item in detail["checklist"])
    assert {(r["role"], r["user_name"]) for r in detail["roles"]} == {
        ("incident_commander", "Olga Officer"),
        ("communication_lead", "Sam Supervisor"),
        ("resolver", "Wanda Worker"),
    }
    assert set(detail["role_fill_minutes"]) == {"incident_commander", "communication_lead", "resolver"}
    assert detail["investigation"]["root_cause_category"] == "design"
    verified = next(a for a in detail["actions"] if a["id"] == action)
    assert verified["status"] == "verified" and len(verified["checks"]) == 3
    assert [s["meaning"] for s in verified["signoffs"]] == ["verified"]
    assert [a["title"] for a in detail["actions"] if a["id"] != action] == ["Audit all press guards"]
    assert detail["review"]["completed_at"] and detail["review_due_state"] == "met"
    assert detail["injured_person"] == "Siti Aminah" and len(detail["updates"]) == 1

    entries = officer.get(f"/incidents/{iid}/timeline")["entries"]
    texts = [e["text"] for e in entries]
    lead = next(e for e in entries if e["action"] == "incident.assign_role")
    assert (lead["key"], lead["params"]) == (  # what an app needs to say it in its reader's language
        "wf.tl.assign_role",
        {"who": "Sam Supervisor", "role": "communication_lead"},
    )
    assert next(e for e in entries if e["source"] == "status_update")["key"] is None
    expected_in_order = [
        "Reported",
        "Priority P2 set automatically",
        "Acknowledged and took command",
        "Sam Supervisor assigned as communication lead",
        holding["body"],
        "Investigation edited: findings, five_whys, root_cause_category",
        "Corrective action created: Fit an interlock to the press 4 guard (owner Wanda Worker)",
        "Corrective action verified and signed by Sam Supervisor",
        "Status investigating → resolved (permanent_fix)",
        "Post-incident review completed; 1 action(s) became corrective actions",
        "Refused incident.transition",
        "Status resolved → closed",
    ]
    position = 0
    for wanted in expected_in_order:
        found = next((i for i, text in enumerate(texts) if i >= position and text.startswith(wanted)), None)
        assert found is not None, (wanted, texts)
        position = found + 1


def test_queue_filters_and_overdue(server: ServerProcess, sessions, people) -> None:
    manager = Client(server, "manager")
    now = utcnow()
    s2 = str(site_id(sessions, "S2"))
    late = str(
        file_incident(
            sessions,
            site="S2",
            reporter="worker2",
            priority=Priority.P1,
            received_at=now - dt.timedelta(minutes=40),
        )
    )
    fresh = str(file_incident(sessions, site="S2", reporter="worker2", priority=Priority.P3, received_at=now))

    def ids(**params) -> list[str]:
        return [row["id"] for row in manager.get("/incidents", site_id=s2, **params)["incidents"]]

    assert ids() == [late, fresh], "overdue first"
    [row] = manager.get("/incidents", site_id=s2, overdue="true")["incidents"]
    assert row["id"] == late and row["ack_overdue"] and row["update_overdue"]
    assert ids(overdue="false") == [fresh]
    assert ids(priority="P3") == [fresh]
    assert ids(status="acknowledged") == []
    assert late not in [row["id"] for row in Client(server, "officer").get("/incidents")["incidents"]]
    response = requests.get(
        f"{server.api}/incidents", params={"priority": "P9"}, headers=manager.headers, timeout=10
    )
    assert response.status_code == 422
    manager.do("incident.acknowledge", id=late)
    [row] = manager.get("/incidents", site_id=s2, status="acknowledged")["incidents"]
    assert row["id"] == late and row["ack_overdue"] is False
