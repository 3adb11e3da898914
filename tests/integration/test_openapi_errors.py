"""The OpenAPI document tells a generated client the truth about errors.

Every error deskstream sends is `{"error", "detail"}`; FastAPI's own document declared
`{"detail": [...]}` for 422 and nothing else, so clients generated from it broke on every error.
These tests send each operation the usual wrong requests and check the status that came back is
declared, with the one error schema.
"""

import re
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.integration.api_client import sign_up
from tests.support import Clock, sqlite_runtime

ERROR_REF = {"$ref": "#/components/schemas/Error"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Any:
    runtime = sqlite_runtime(tmp_path_factory.mktemp("openapi") / "data", Clock(), run_projections=True)
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        yield client, sign_up(runtime, client)


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in spec["paths"].items() for method, op in ops.items()]


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: str(uuid4()) if m.group(0).endswith("id}") else "nothing", path)


def test_no_operation_declares_fastapis_own_error_shape(served: Any) -> None:
    client, _ = served
    spec = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in str(spec)
    for path, method, op in operations(spec):
        for status, response in op["responses"].items():
            if status.startswith(("4", "5")):
                assert response["content"]["application/json"]["schema"] == ERROR_REF, (method, path, status)


def test_every_authenticated_operation_declares_401_and_uses_the_bearer_scheme(served: Any) -> None:
    client, _ = served
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, method, op in operations(spec):
        if "security" not in op:
            continue
        response = client.request(method, concrete(path))
        assert response.status_code == 401, (method, path, response.text)
        assert str(response.status_code) in op["responses"], (method, path)
        assert set(response.json()) == {"error", "detail"}


def test_every_error_a_wrong_request_gets_is_declared_for_its_operation(served: Any) -> None:
    """Malformed JSON, a wrong role and unknown ids: whatever comes back is in the document."""
    client, users = served
    spec = client.get("/openapi.json").json()
    seen: set[int] = set()
    for path, method, op in operations(spec):
        for who in ("audrey", "vk-bot", "root"):
            headers = users[who].headers({"Content-Type": "application/json"})
            body = b"{not json" if "requestBody" in op else None
            response = client.request(method, concrete(path), content=body, headers=headers)
            if response.status_code >= 400:
                seen.add(response.status_code)
                assert str(response.status_code) in op["responses"], (method, path, who, response.text)
                assert set(response.json()) == {"error", "detail"}, (method, path, response.text)
    assert {400, 403, 404, 422} <= seen


def test_a_review_of_a_month_never_drawn_is_a_404_the_document_declares(served: Any) -> None:
    """Schemathesis found it: a write with no path parameter can still name what does not exist."""
    client, users = served
    body = {"month": "2026-01", "ticket_id": str(uuid4()), "scores": {"tone": 3}, "passed": True}
    response = client.post("/api/v1/qa/reviews", json=body, headers=users["quinn"].headers())
    assert response.status_code == 404 and response.json()["error"] == "qa_sample_not_found"
    declared = client.get("/openapi.json").json()["paths"]["/api/v1/qa/reviews"]["post"]["responses"]
    assert "404" in declared


def test_a_method_the_path_does_not_allow_is_405_with_its_allow_header(served: Any) -> None:
    client, users = served
    response = client.delete("/api/v1/tickets", headers=users["root"].headers())
    assert response.status_code == 405
    assert response.headers["allow"] and response.json()["error"] == "method_not_allowed"


def test_the_document_is_served_once_built(served: Any) -> None:
    client, _ = served
    assert client.get("/openapi.json").json() == client.get("/openapi.json").json()
    assert client.get("/docs").status_code == 200
