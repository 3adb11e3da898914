"""Mentions: signed intake, moderation queue, triage into a ticket or the marketing report."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.fixtures.payloads import MENTIONS_SECRET, add_channels, admin_token, hub_signature, raw
from tests.support import Clock, sqlite_runtime


@pytest.fixture
def client(tmp_path: Path, clock: Clock) -> Iterator[tuple[TestClient, dict[str, str], Any]]:
    runtime = sqlite_runtime(tmp_path / "data", clock)
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        for name in ("anna", "oleg"):
            runtime.helpdesk.register_user(name, "operator")
        token = admin_token(runtime)
        add_channels(client, token)
        yield client, {"Authorization": f"Bearer {token}"}, runtime


def send(client: TestClient, body: bytes) -> Any:
    headers = {"X-Signature-256": hub_signature(MENTIONS_SECRET, body)}
    return client.post("/api/v1/ingest/mentions/press", content=body, headers=headers)


def test_triage_reply_marketing_ignore(client: tuple[TestClient, dict[str, str], Any]) -> None:
    http, auth, runtime = client
    assert send(http, raw("mentions_review.json")).status_code == 200
    assert send(http, raw("mentions_review.json")).status_code == 200  # a re-sent mention is not doubled
    press = send(http, raw("mentions_press.json")).json()
    assert len(press["mentions"]) == 2
    runtime.runner.catch_up()
    queue = http.get("/api/v1/mentions", params={"status": "new"}, headers=auth).json()
    assert queue["count"] == 3
    media1, media2, review = sorted(queue["data"], key=lambda m: (m["source"], m["url"]))
    assert review["source"] == "yandex_maps" and review["place"] == "Отделение на Тверской, 12"

    replied = http.post(
        f"/api/v1/mentions/{review['id']}/triage",
        json={"decision": "reply", "tags": ["branch"]},
        headers=auth,
    )
    assert replied.status_code == 200, replied.text
    for item in (media1, media2):
        body = {"decision": "marketing", "category": "product launch", "tags": ["app"]}
        assert http.post(f"/api/v1/mentions/{item['id']}/triage", json=body, headers=auth).status_code == 200
    again = http.post(f"/api/v1/mentions/{media1['id']}/triage", json={"decision": "ignore"}, headers=auth)
    assert again.status_code == 409

    done = http.post(f"/api/v1/mentions/{review['id']}/answered", json={"note": "ответили"}, headers=auth)
    runtime.runner.catch_up()
    assert done.status_code == 200
    runtime.runner.catch_up()
    queue = http.get("/api/v1/mentions", headers=auth).json()
    by_id = {m["id"]: m for m in queue["data"]}
    ticket_id = by_id[review["id"]]["ticket_id"]
    assert by_id[review["id"]]["answered_on_site"] is True
    ticket = http.get(f"/api/v1/tickets/{ticket_id}", headers=auth).json()
    assert ticket["assignee"] == "anna" and ticket["channel"] == "press"
    assert ticket["tags"] == ["branch", "mention", "yandex_maps"]
    report = http.get("/api/v1/reports/mentions", headers=auth).json()
    assert report["data"] == [
        {"category": "product launch", "source": "media_monitor", "day": "2026-03-01", "count": 2}
    ]
    tickets = http.get("/api/v1/tickets", headers=auth).json()
    assert tickets["count"] == 1  # marketing mentions never become support work
