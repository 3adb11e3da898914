"""GET /api/v1/search over HTTP: who sees what."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import hash_token, new_token
from api.bootstrap import Runtime
from tests.support import Clock, sqlite_runtime

ROLES = {"bot": "service", "anna": "operator", "sveta": "supervisor", "audrey": "auditor"}


class Api:
    def __init__(self, runtime: Runtime, client: TestClient) -> None:
        self.runtime, self.client = runtime, client
        self.tokens: dict[str, str] = {}
        for name, role in ROLES.items():
            token = new_token()
            runtime.helpdesk.register_user(name, role)
            runtime.helpdesk.issue_token(hash_token(token), name)
            self.tokens[name] = token

    def post(self, who: str, path: str, body: Any) -> Any:
        response = self.client.post(f"/api/v1{path}", json=body, headers=self.auth(who))
        assert response.status_code < 300, response.text
        return response.json()

    def get(self, who: str, path: str, **params: Any) -> Any:
        self.runtime.runner.catch_up()
        return self.client.get(f"/api/v1{path}", params=params, headers=self.auth(who))

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture
def api(tmp_path: Path, clock: Clock) -> Iterator[Api]:
    runtime = sqlite_runtime(tmp_path / "data", clock)
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        yield Api(runtime, client)


def open_ticket(api: Api, text: str) -> str:
    body = {"channel": "telegram", "customer": {"name": "Ольга", "handle": "77"}, "text": text}
    return str(api.post("bot", "/tickets", body)["id"])


def test_notes_are_found_by_staff_and_a_service_token_cannot_search(api: Api) -> None:
    ticket_id = open_ticket(api, "Где мой заказ? 📦")
    api.post("anna", f"/tickets/{ticket_id}/notes", {"text": "Заказ потерян складом, не говорить клиенту"})
    for who in ("anna", "sveta", "audrey"):
        kinds = [h["kind"] for h in api.get(who, "/search", q="заказы").json()["data"]]
        assert sorted(kinds) == ["message", "note"], who
    assert api.get("bot", "/search", q="заказы").status_code == 403
    assert api.get("bot", "/search", q="склад", kind="note").status_code == 403


def test_search_answers_with_highlights_and_pages(api: Api) -> None:
    for i in range(3):
        open_ticket(api, f"Не приходит SMS с кодом, попытка {i}")
    body = api.get("anna", "/search", q="смс код", limit=2).json()
    assert body["count"] == 0
    body = api.get("anna", "/search", q="sms коды", limit=2, offset=1).json()
    assert body["count"] == 3 and body["count_exact"] is True and len(body["data"]) == 2
    assert body["data"][0]["fragments"][0]["html"].startswith(
        "Не приходит <mark>SMS</mark> с <mark>кодом</mark>"
    )


def test_bad_input_is_a_422_not_a_500(api: Api) -> None:
    assert api.get("anna", "/search", q="x", limit=0).status_code == 422
    assert api.get("anna", "/search", status="gone").status_code == 422
    assert api.get("anna", "/search", **{"from": "2026-01-01T00:00:00"}).status_code == 422
    assert api.get("anna", "/search", q='"AND OR NOT * ( ^').status_code == 200
