"""A real server on loopback: health, docs, sign-in, and JSON errors with stable codes."""

from __future__ import annotations

import requests
from conftest import PASSWORD
from support.server import ServerProcess


def login(server: ServerProcess, username: str, password: str = PASSWORD) -> requests.Response:
    """POST /auth/login."""
    return requests.post(
        f"{server.api}/auth/login", json={"username": username, "password": password}, timeout=10
    )


def test_health_reports_a_current_schema(server: ServerProcess) -> None:
    body = requests.get(f"{server.api}/health", timeout=5).json()
    assert body["status"] == "ok"
    assert body["schema_current"] is True


def test_docs_and_openapi_are_served(server: ServerProcess) -> None:
    docs = requests.get(f"{server.url}/docs", timeout=5)
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert requests.get(f"{server.url}/docs-assets/swagger-ui-bundle.js", timeout=5).status_code == 200
    spec = requests.get(f"{server.api}/openapi.json", timeout=5).json()
    assert "/auth/login" in spec["paths"]


def test_every_role_can_sign_in_and_see_who_they_are(server: ServerProcess) -> None:
    expected = {
        "worker": "reporter",
        "officer": "safety_officer",
        "supervisor": "supervisor",
        "manager": "hse_manager",
        "admin": "admin",
    }
    for username, role in expected.items():
        response = login(server, username)
        assert response.status_code == 200, response.text
        token = response.json()["token"]
        me = requests.get(
            f"{server.api}/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=5
        ).json()
        assert me["username"] == username
        assert [r["role"] for r in me["roles"]] == [role]


def test_wrong_password_is_refused_with_a_stable_code(server: ServerProcess) -> None:
    response = login(server, "officer", "wrong-password")
    assert response.status_code == 401
    assert response.json()["code"] == "bad_credentials"


def test_signed_out_token_stops_working(server: ServerProcess) -> None:
    token = login(server, "worker").json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.post(f"{server.api}/auth/logout", headers=headers, timeout=5).status_code == 204
    response = requests.get(f"{server.api}/auth/me", headers=headers, timeout=5)
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_missing_token_is_401_json(server: ServerProcess) -> None:
    response = requests.get(f"{server.api}/auth/me", timeout=5)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_malformed_json_is_400_not_500(server: ServerProcess) -> None:
    response = requests.post(
        f"{server.api}/auth/login", data=b"{not json", timeout=5, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


def test_missing_fields_are_422_with_field_names(server: ServerProcess) -> None:
    response = requests.post(f"{server.api}/auth/login", json={"username": "x"}, timeout=5)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request"
    assert [e["field"] for e in body["errors"]] == ["password"]


def test_unknown_api_path_is_404_json(server: ServerProcess) -> None:
    response = requests.get(f"{server.api}/no/such/thing", timeout=5)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
