"""The auditor's time travel over HTTP: the JSON and printable exports, the customer's history,
the links that lead to them, that nothing there changes anything, and no channel secret in them."""

import base64
import hashlib
import html
import re
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from application.command import Context
from tests.fixtures.payloads import TG_SECRET, add_channels, admin_token, raw, recording_server
from tests.integration.history_story import (
    PASSWORD,
    Desk,
    Reader,
    a_ticket_with_a_past,
    api_events,
    rows,
    served,
)
from tests.support import Clock, sqlite_runtime


@pytest.fixture
def desk(tmp_path: Path, clock: Clock) -> Iterator[Desk]:
    with served(tmp_path, clock) as started:
        yield started


def test_the_json_export_is_the_same_bytes_every_time_and_the_apis_events(desk: Desk, clock: Clock) -> None:
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
    desk: Desk, clock: Clock
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
    desk: Desk, clock: Clock
) -> None:
    runtime, client, users = desk
    ticket_id = a_ticket_with_a_past(runtime, users, clock)
    customer_id = str(runtime.helpdesk.ticket(UUID(ticket_id)).customer_id)
    anna = users["anna"]
    assert anna.post(f"/customers/{customer_id}/notes", {"text": "Волнуется, объяснять по шагам"}).is_success
    linked = anna.post(f"/customers/{customer_id}/identities", {"channel": "telegram", "handle": "435671190"})
    assert linked.is_success, linked.text
    clock.advance(minutes=1)
    second = {
        "channel": "vk",
        "customer": {"name": "Ольга Смирнова", "handle": "id100"},
        "text": "И ещё вопрос",
    }
    other = users["vk-bot"].post("/tickets", {**second, "external_id": "vk-2"}).json()["id"]
    runtime.runner.catch_up()
    page = Reader(client, "audrey").page(f"/customers/{customer_id}/history")
    assert "<code>vk:id100</code>" in page and "<code>telegram:435671190</code>" in page
    assert "Волнуется, объяснять по шагам" in page
    for ticket in (ticket_id, other):
        assert f'<a href="/tickets/{ticket}/history">History</a>' in page
    assert re.search(rf'data-ticket="{ticket_id}">.*?status paused.*?2 Mar 2026 09:00:01', page, re.S)
    assert [kind for _, _, kind, _ in rows(page)] == [
        "CustomerRegistered",
        "CustomerNoteAdded",
        "IdentityLinked",
    ]


def test_the_ticket_page_and_its_customer_card_lead_to_the_histories(desk: Desk, clock: Clock) -> None:
    runtime, client, users = desk
    ticket_id = a_ticket_with_a_past(runtime, users, clock)
    customer_id = runtime.helpdesk.ticket(UUID(ticket_id)).customer_id
    page = Reader(client, "anna").page(f"/tickets/{ticket_id}")
    header = page.split('<header class="ticket-head">', 1)[1].split("</header>", 1)[0]
    assert f'<a class="history-link" href="/tickets/{ticket_id}/history">History</a>' in header
    card = page.split('id="customer-card"', 1)[1].split("</section>", 1)[0]
    assert f'<a href="/customers/{customer_id}/history">Customer history</a>' in card


def test_nothing_on_the_history_pages_changes_anything(desk: Desk, clock: Clock) -> None:
    runtime, client, users = desk
    ticket_id = a_ticket_with_a_past(runtime, users, clock)
    customer_id = runtime.helpdesk.ticket(UUID(ticket_id)).customer_id
    for name in ("audrey", "anna"):
        reader = Reader(client, name)
        for path in (f"/tickets/{ticket_id}/history", f"/customers/{customer_id}/history"):
            main = reader.page(path).split('<main id="main">', 1)[1]
            assert 'method="post"' not in main and "formaction" not in main, (name, path)
            assert re.search(r'<form class="as-of-form" method="get"', main) or "customers" in path
    assert (
        TestClient(client.app).get(f"/tickets/{ticket_id}/history", follow_redirects=False).status_code == 303
    )


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
            taken = client.post(
                "/api/v1/ingest/telegram/tg", content=raw("telegram_english.json"), headers=headers
            )
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
