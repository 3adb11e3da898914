"""The auditor's time travel over HTTP: a ticket's history page with its as-of view, the exports,
the customer's history, their links, their refusals, and what they must never show."""

import base64
import hashlib
import html
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Runtime
from application.command import Context
from domain.channel import Channel
from domain.users import User
from tests.fixtures.payloads import TG_SECRET, add_channels, admin_token, raw, recording_server
from tests.integration.api_client import USERS, As, sign_up
from tests.support import Clock, sqlite_runtime

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


@pytest.fixture
def desk(tmp_path: Path, clock: Clock) -> Iterator[tuple[Runtime, TestClient, dict[str, As]]]:
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
    assert users["root"].client.put(
        "/api/v1/sla-policies/std", json=policy, headers=users["root"].headers()
    ).is_success
    clock.advance(seconds=1)
    body = {"channel": "vk", "customer": {"name": "Ольга Смирнова", "handle": "id100"}, "text": "Карту заблокировали"}
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


def test_every_event_is_told_in_log_order_with_both_times_its_actor_position_and_data(
    desk: tuple[Runtime, TestClient, dict[str, As]], clock: Clock
) -> None:
    runtime, client, users = desk
    ticket_id = a_ticket_with_a_past(runtime, users, clock)
    runtime.helpdesk.choose_preferences("audrey", None, "Europe/Moscow")
    page = Reader(client, "audrey").page(f"/tickets/{ticket_id}/history")

    events = api_events(users, ticket_id)
    assert [(v, kind, p) for v, _, kind, p in rows(page)] == [
        (e["version"], e["type"], e["position"]) for e in events
    ]
    assigned = page.split('id="event-v2"', 1)[1].split("</tr>", 1)[0]
    assert "<strong>Assigned</strong>" in assigned and ">sveta</td>" in assigned
    assert re.search(r"<dt[^>]*>Assignee</dt>\s*<dd[^>]*>anna</dd>", assigned)
    assert re.search(r"<dt[^>]*>Comment</dt>\s*<dd[^>]*>Постоянный клиент</dd>", assigned)
    assert '<time datetime="2026-03-02T09:03:01.000000Z" title="2026-03-02 09:03:01.000000 UTC">2 Mar 2026 12:03:01</time>' in assigned
    assert json.loads(assigned.split("<pre>", 1)[1].split("</pre>", 1)[0]) == events[1]
    opened = page.split('id="event-v1"', 1)[1].split("</tr>", 1)[0]
    assert re.search(rf'<a href="/customers/{events[0]["data"]["customer_id"]}/history">', opened)
    assert "Times in Europe/Moscow (UTC+03:00)" in page


def test_the_events_are_filtered_by_type_and_an_unknown_type_is_said_next_to_the_filter(
    desk: tuple[Runtime, TestClient, dict[str, As]], clock: Clock
) -> None:
    runtime, client, users = desk
    ticket_id = a_ticket_with_a_past(runtime, users, clock)
    reader = Reader(client, "audrey", "ru")
    page = reader.page(f"/tickets/{ticket_id}/history", event=["Assigned", "Paused"])
    assert [kind for _, _, kind, _ in rows(page)] == ["Assigned", "Paused"]
    assert "2 из 6" in page and "<strong>Назначено</strong>" in page
    assert len(re.findall(r'<a href="[^"]*" data-step="\d+"', page)) == 6  # the slider keeps every step
    refused = reader.get(f"/tickets/{ticket_id}/history", event="Teleported")
    assert refused.status_code == 422
    assert 'id="event-error" role="alert">Нет такого типа событий: Teleported.' in html.unescape(refused.text)


def test_as_of_each_event_the_page_shows_the_ticket_the_api_returns_for_that_instant(
    desk: tuple[Runtime, TestClient, dict[str, As]], clock: Clock
) -> None:
    runtime, client, users = desk
    ticket_id = a_ticket_with_a_past(runtime, users, clock)
    reader = Reader(client, "audrey")
    for event in api_events(users, ticket_id):
        at = event["recorded_at"]
        page = reader.page(f"/tickets/{ticket_id}/history", as_of=at)
        then = users["audrey"].get(f"/tickets/{ticket_id}", as_of=at).json()
        seen = state(page)
        assert (seen["status"], seen["assignee"], seen["tags"], seen["messages"]) == (
            then["status"], then["assignee"], then["tags"], len(then["conversation"])
        ), at
        assert [later for _, later, _, _ in rows(page)] == [
            e["version"] > event["version"] for e in api_events(users, ticket_id)
        ]
        assert set(re.findall(r'data-step="(\d+)"[^>]*aria-current="step"', page)) == {str(event["version"])}


def test_the_sla_is_judged_at_the_instant_under_the_policy_versions_recorded_by_then(
    desk: tuple[Runtime, TestClient, dict[str, As]], clock: Clock
) -> None:
    runtime, client, users = desk
    ticket_id = a_ticket_with_a_past(runtime, users, clock)
    reader = Reader(client, "audrey")
    page = lambda at: state(reader.page(f"/tickets/{ticket_id}/history", as_of=at))  # noqa: E731
    assert page("2026-03-02T09:05:00Z")["sla"] == {"first_response": "running"}
    assert page("2026-03-02T09:15:00Z")["sla"] == {"first_response": "breached"}
    assert page("2026-03-02T09:21:00Z")["sla"] == {"first_response": "late"}
    clock.advance(minutes=5)
    looser = {"targets_minutes": {"first_response": 60}, "effective_from": "2026-03-01T12:00:00Z"}
    assert users["root"].client.put(
        "/api/v1/sla-policies/std", json=looser, headers=users["root"].headers()
    ).is_success
    runtime.runner.catch_up()
    assert page("2026-03-02T09:21:00Z")["sla"] == {"first_response": "late"}  # version 1 then
    now = reader.page(f"/tickets/{ticket_id}/history")
    assert state(now)["sla"] == {"first_response": "done"} and "Policy std, version 2" in now
    running = reader.page(f"/tickets/{ticket_id}/history", as_of="2026-03-02 09:05")
    assert re.search(r"5 min 1 s left</span>\s*<span class=\"figure\">due 2 Mar 2026 09:10:01", running)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("yesterday", "Write a date and time such as 2026-03-02 12:05"),
        ("2026-13-01 10:00", "Write a date and time such as 2026-03-02 12:05"),
        ("2026-03-02T09:00:00+25:00", "Write a date and time such as 2026-03-02 12:05"),
        ("1900-01-01T00:00:00Z", "outside the range served"),
        ("2026-03-03T09:00:00Z", "That instant is still to come"),
        ("2026-03-02 08:59", "The ticket had not been recorded yet: its first event was recorded at 2 Mar 2026 09:00:01"),
        ("x" * 300, "Write a date and time such as 2026-03-02 12:05"),
    ],
)
def test_an_as_of_that_cannot_be_shown_is_refused_next_to_the_field_never_a_500(
    desk: tuple[Runtime, TestClient, dict[str, As]], clock: Clock, typed: str, said: str
) -> None:
    runtime, client, users = desk
    ticket_id = a_ticket_with_a_past(runtime, users, clock)
    reader = Reader(client, "audrey")
    refused = reader.get(f"/tickets/{ticket_id}/history", as_of=typed)
    assert refused.status_code == 422
    page = html.unescape(refused.text)
    assert said in field_error(page)
    assert f'name="as_of" value="{typed}"' in page and 'id="as-of-state"' not in page
    exported = reader.get(f"/tickets/{ticket_id}/history.json", as_of=typed)
    assert exported.status_code == 422 and exported.json()["error"] == "invalid_as_of"
    assert said in exported.json()["detail"]
    assert reader.get(f"/tickets/{ticket_id}/history.html", as_of=typed).status_code == 422


def test_an_id_that_is_no_tickets_or_no_customers_is_a_404_on_every_history_route(
    desk: tuple[Runtime, TestClient, dict[str, As]], clock: Clock
) -> None:
    runtime, client, users = desk
    ticket_id = a_ticket_with_a_past(runtime, users, clock)
    customer_id = runtime.helpdesk.ticket(UUID(ticket_id)).customer_id
    reader = Reader(client, "audrey")
    others = [Channel.create_id("vk"), User.create_id("anna"), customer_id, uuid4()]
    for other in others:
        for suffix in ("", ".json", ".html"):
            assert reader.get(f"/tickets/{other}/history{suffix}").status_code == 404, (other, suffix)
    for other in (UUID(ticket_id), User.create_id("anna"), uuid4()):
        assert reader.get(f"/customers/{other}/history").status_code == 404, other
    assert reader.get(f"/customers/{customer_id}/history").status_code == 200


def test_the_json_export_is_the_same_bytes_every_time_and_the_apis_events(
    desk: tuple[Runtime, TestClient, dict[str, As]], clock: Clock
) -> None:
    runtime, client, users = desk
    ticket_id = a_ticket_with_a_past(runtime, users, clock)
    reader = Reader(client, "audrey")
    first = reader.get(f"/tickets/{ticket_id}/history.json")
    clock.advance(minutes=30)
    again = reader.get(f"/tickets/{ticket_id}/history.json")
    assert first.status_code == 200 and first.content == again.content
    assert first.headers["content-disposition"] == f'attachment; filename="ticket-{ticket_id}-history.json"'
    events = api_events(users, ticket_id)
    export = first.json()
    assert export["data"] == events and export["count"] == len(events)
    assert export["as_of"] == events[-1]["recorded_at"] and export["last_position"] == events[-1]["position"]
    assert export["ticket_id"] == ticket_id and export["proofs"] is None
    middle = reader.get(f"/tickets/{ticket_id}/history.json", as_of="2026-03-02T09:10:00Z").json()
    assert middle["data"] == events[:3] and middle["last_position"] == events[2]["position"]
    assert middle["as_of"] == "2026-03-02T09:10:00Z"


def test_the_printable_export_stands_alone_names_its_instant_and_leaves_a_place_for_proofs(
    desk: tuple[Runtime, TestClient, dict[str, As]], clock: Clock
) -> None:
    runtime, client, users = desk
    ticket_id = a_ticket_with_a_past(runtime, users, clock)
    reader = Reader(client, "audrey")
    first = reader.get(f"/tickets/{ticket_id}/history.html", as_of="2026-03-02T09:10:00Z")
    clock.advance(minutes=30)
    again = reader.get(f"/tickets/{ticket_id}/history.html", as_of="2026-03-02T09:10:00Z")
    assert first.status_code == 200 and first.content == again.content
    document = first.text
    assert not re.search(r"<script|<link|<img|<iframe|\ssrc=|url\(|@import", document)
    assert not re.search(r'href="(?!#)', document)
    style = document.split("<style>", 1)[1].split("</style>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in first.headers["content-security-policy"]
    assert "default-src 'none'" in first.headers["content-security-policy"]
    shown = html.unescape(document)
    assert "Proofs: not yet available in this version." in shown
    events = api_events(users, ticket_id)
    assert "2026-03-02 09:10:00.000000 UTC" in shown
    assert f'data-last-position="{events[2]["position"]}"' in document
    assert [int(p) for p in re.findall(r'class="event" id="event-v\d+" data-position="(\d+)"', document)] == [
        e["position"] for e in events[:3]
    ]
    then = users["audrey"].get(f"/tickets/{ticket_id}", as_of="2026-03-02T09:10:00Z").json()
    assert then["assignee"] == "anna" and f"<td>{', '.join(then['tags'])}</td>" in shown
    assert "@media print" in style and "@page" in style


def test_the_customers_history_names_identities_tickets_notes_and_their_own_events(
    desk: tuple[Runtime, TestClient, dict[str, As]], clock: Clock
) -> None:
    runtime, client, users = desk
    ticket_id = a_ticket_with_a_past(runtime, users, clock)
    customer_id = str(runtime.helpdesk.ticket(UUID(ticket_id)).customer_id)
    anna = users["anna"]
    assert anna.post(f"/customers/{customer_id}/notes", {"text": "Волнуется, объяснять по шагам"}).is_success
    linked = anna.post(f"/customers/{customer_id}/identities", {"channel": "telegram", "handle": "435671190"})
    assert linked.is_success, linked.text
    clock.advance(minutes=1)
    second = {"channel": "vk", "customer": {"name": "Ольга Смирнова", "handle": "id100"}, "text": "И ещё вопрос"}
    other = users["vk-bot"].post("/tickets", {**second, "external_id": "vk-2"}).json()["id"]
    runtime.runner.catch_up()
    page = Reader(client, "audrey").page(f"/customers/{customer_id}/history")
    assert "<code>vk:id100</code>" in page and "<code>telegram:435671190</code>" in page
    assert "Волнуется, объяснять по шагам" in page
    for ticket in (ticket_id, other):
        assert f'<a href="/tickets/{ticket}/history">History</a>' in page
    assert re.search(rf'data-ticket="{ticket_id}">.*?status paused.*?2 Mar 2026 09:00:01', page, re.S)
    assert [kind for _, _, kind, _ in rows(page)] == ["CustomerRegistered", "CustomerNoteAdded", "IdentityLinked"]


def test_the_ticket_page_and_its_customer_card_lead_to_the_histories(
    desk: tuple[Runtime, TestClient, dict[str, As]], clock: Clock
) -> None:
    runtime, client, users = desk
    ticket_id = a_ticket_with_a_past(runtime, users, clock)
    customer_id = runtime.helpdesk.ticket(UUID(ticket_id)).customer_id
    page = Reader(client, "anna").page(f"/tickets/{ticket_id}")
    header = page.split('<header class="ticket-head">', 1)[1].split("</header>", 1)[0]
    assert f'<a class="history-link" href="/tickets/{ticket_id}/history">History</a>' in header
    card = page.split('id="customer-card"', 1)[1].split("</section>", 1)[0]
    assert f'<a href="/customers/{customer_id}/history">Customer history</a>' in card


def test_nothing_on_the_history_pages_changes_anything(
    desk: tuple[Runtime, TestClient, dict[str, As]], clock: Clock
) -> None:
    runtime, client, users = desk
    ticket_id = a_ticket_with_a_past(runtime, users, clock)
    customer_id = runtime.helpdesk.ticket(UUID(ticket_id)).customer_id
    for name in ("audrey", "anna"):
        reader = Reader(client, name)
        for path in (f"/tickets/{ticket_id}/history", f"/customers/{customer_id}/history"):
            main = reader.page(path).split('<main id="main">', 1)[1]
            assert 'method="post"' not in main and "formaction" not in main, (name, path)
            assert re.search(r'<form class="as-of-form" method="get"', main) or "customers" in path
    assert TestClient(client.app).get(f"/tickets/{ticket_id}/history", follow_redirects=False).status_code == 303


def test_a_delivery_error_that_echoes_the_bot_token_is_recorded_and_shown_without_it(
    tmp_path: Path, clock: Clock
) -> None:
    with recording_server() as provider:
        runtime = sqlite_runtime(tmp_path / "data", clock)
        with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
            for name, role in (("audrey", "auditor"), ("anna", "operator"), ("oleg", "operator")):
                runtime.helpdesk.register_user(name, role)
            runtime.helpdesk.set_password("audrey", PASSWORD)
            add_channels(client, admin_token(runtime), api_base=provider.url)
            headers = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
            taken = client.post("/api/v1/ingest/telegram/tg", content=raw("telegram_english.json"), headers=headers)
            ticket_id = UUID(taken.json()["messages"][0]["ticket_id"])
            runtime.helpdesk.reply(ticket_id, "Hello John", None, None, Context("anna"), None)
            runtime.runner.catch_up()
            echo = "Not Found: POST /bot123:ABC/sendMessage (also bot123%3AABC)"
            provider.script = [(404, {"ok": False, "error_code": 404, "description": echo})]
            assert runtime.ingest is not None and runtime.ingest.outbox.run_once() == 1
            failed = runtime.helpdesk.history(ticket_id)[-1]
            assert type(failed).__name__ == "ReplyDeliveryFailed"
            assert failed.error == "telegram 404: Not Found: POST /bot***/sendMessage (also bot***)"
            reader = Reader(client, "audrey")
            for suffix in ("", ".json", ".html"):
                shown = reader.get(f"/tickets/{ticket_id}/history{suffix}")
                assert shown.status_code == 200 and b"123:ABC" not in shown.content
                assert b"123%3AABC" not in shown.content


def test_times_typed_into_the_field_are_in_the_viewers_zone_and_links_carry_exact_instants(
    desk: tuple[Runtime, TestClient, dict[str, As]], clock: Clock
) -> None:
    runtime, client, users = desk
    ticket_id = a_ticket_with_a_past(runtime, users, clock)
    runtime.helpdesk.choose_preferences("audrey", None, "Europe/Moscow")
    reader = Reader(client, "audrey")
    local = reader.page(f"/tickets/{ticket_id}/history", as_of="2026-03-02 12:04")
    assert state(local)["assignee"] == "anna" and state(local)["tags"] == []
    assert 'name="as_of" value="2026-03-02 12:04:00"' in local
    event = api_events(users, ticket_id)[2]
    exact = datetime.fromisoformat(event["recorded_at"])
    link = re.search(rf'<a href="([^"]+)" data-step="3"', local).group(1)  # type: ignore[union-attr]
    assert f"as_of={exact.astimezone(UTC).isoformat(timespec='microseconds').replace('+00:00', 'Z')}" in link.replace("%3A", ":")
