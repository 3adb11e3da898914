"""What the history tests start from: a served desk with a signed-in reader per person, a ticket
with a past (each step minutes apart), and readers of the page's rows and as-of panel."""

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Runtime
from tests.integration.api_client import USERS, As, sign_up
from tests.support import Clock, sqlite_runtime

Desk = tuple[Runtime, TestClient, dict[str, As]]
PASSWORD = "correct horse battery"
ROW = re.compile(r'<tr id="event-v(\d+)" class="event( later)?" data-type="(\w+)"\s+data-position="(\d+)"')


class Reader:
    """One signed-in person's browser, without the page script."""

    def __init__(self, client: TestClient, name: str, language: str = "en") -> None:
        self.client, self.language = client, language
        signed = client.post("/signin", data={"name": name, "password": PASSWORD}, follow_redirects=False)
        assert signed.status_code == 303, signed.text

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params=params, headers={"Accept-Language": self.language})

    def page(self, path: str, **params: Any) -> str:
        answer = self.get(path, **params)
        assert answer.status_code == 200, answer.text
        return html.unescape(answer.text)


@contextmanager
def served(tmp_path: Path, clock: Clock) -> Iterator[Desk]:
    runtime = sqlite_runtime(tmp_path / "data", clock)
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        users = sign_up(runtime, client)
        for name, role in USERS.items():
            if role != "service":
                runtime.helpdesk.set_password(name, PASSWORD)
        yield runtime, client, users


def a_ticket_with_a_past(runtime: Runtime, users: dict[str, As], clock: Clock) -> str:
    """Opened at 09:00 under a 10-minute first-response target; assigned at 09:03, tagged at
    09:06, answered late at 09:20, a note, paused at 09:25. Each step a few minutes apart, so
    every event has an instant of its own."""
    policy = {"targets_minutes": {"first_response": 10}, "effective_from": "2026-03-01T00:00:00Z"}
    assert (
        users["root"]
        .client.put("/api/v1/sla-policies/std", json=policy, headers=users["root"].headers())
        .is_success
    )
    clock.advance(seconds=1)
    body = {
        "channel": "vk",
        "customer": {"name": "Ольга Смирнова", "handle": "id100"},
        "text": "Карту заблокировали",
    }
    opened = users["vk-bot"].post("/tickets", {**body, "subject": "Карта", "external_id": "vk-1"})
    assert opened.status_code == 201, opened.text
    ticket_id = str(opened.json()["id"])
    steps = [
        (3, "sveta", "assign", {"assignee": "anna", "comment": "Постоянный клиент"}),
        (3, "anna", "tags", {"add": ["карты", "vip"]}),
        (14, "anna", "replies", {"text": "Ольга, здравствуйте! Проверяю."}),
        (2, "anna", "notes", {"text": "Похоже на ошибку банкомата"}),
        (3, "anna", "pause", {"reason": "waiting_department", "department": "claims"}),
    ]
    for minutes, who, action, payload in steps:
        clock.advance(minutes=minutes)
        answer = users[who].post(f"/tickets/{ticket_id}/{action}", payload)
        assert answer.status_code == 200, answer.text
    runtime.runner.catch_up()
    return ticket_id


def api_events(users: dict[str, As], ticket_id: str) -> list[dict[str, Any]]:
    answer = users["audrey"].get(f"/tickets/{ticket_id}/events")
    assert answer.status_code == 200, answer.text
    return list(answer.json()["data"])


def rows(page: str) -> list[tuple[int, bool, str, int]]:
    """(version, recorded after the as-of instant, type, position) of each row of the table."""
    return [(int(v), bool(later), kind, int(p)) for v, later, kind, p in ROW.findall(page)]


def state(page: str) -> dict[str, Any]:
    """The as-of panel as a reader sees it: status, assignee, tags, messages, SLA states."""
    panel = page.split('id="as-of-state"', 1)[1].split("</section>", 2)
    sla = page.split('id="as-of-sla"', 1)[1].split("</section>", 1)[0]
    return {
        "status": re.search(r'data-field="status" data-value="(\w*)"', panel[0]).group(1),  # type: ignore[union-attr]
        "assignee": re.search(r'data-field="assignee" data-value="([^"]*)"', panel[0]).group(1) or None,  # type: ignore[union-attr]
        "tags": re.findall(r'data-tag="([^"]+)"', panel[0].split("</dd>", 3)[2]),
        "messages": int(re.search(r'id="as-of-conversation" data-count="(\d+)"', page).group(1)),  # type: ignore[union-attr]
        "sla": dict(re.findall(r'data-metric="(\w+)" data-state="(\w+)"', sla)),
    }


def field_error(page: str) -> str:
    found = re.search(r'<p class="field-error" id="as_of-error" role="alert">([^<]*)</p>', page)
    assert found is not None, "no error next to the as-of field"
    return found.group(1)
