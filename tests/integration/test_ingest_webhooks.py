"""Provider webhooks end to end: real-format payloads in, tickets threaded, forgeries refused."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Runtime
from tests.fixtures.payloads import (
    MENTIONS_SECRET,
    TG_SECRET,
    VK_SECRET,
    WA_SECRET,
    WA_VERIFY,
    WIDGET_KEY,
    add_channels,
    admin_token,
    dumps,
    hub_signature,
    payload,
    raw,
)
from tests.support import Clock, postgres_runtime, sqlite_runtime


@pytest.fixture
def desk(tmp_path: Path, clock: Clock) -> Iterator["Desk"]:
    runtime = sqlite_runtime(tmp_path / "data", clock)
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        yield Desk(runtime, client)


class Desk:
    def __init__(self, runtime: Runtime, client: TestClient) -> None:
        self.runtime, self.client = runtime, client
        for name in ("anna", "oleg"):
            runtime.helpdesk.register_user(name, "operator")
        self.token = admin_token(runtime)
        add_channels(client, self.token)

    def telegram(self, body: bytes, secret: str = TG_SECRET) -> Any:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret, "Content-Type": "application/json"}
        return self.client.post("/api/v1/ingest/telegram/tg", content=body, headers=headers)

    def whatsapp(self, body: bytes, secret: str = WA_SECRET) -> Any:
        headers = {"X-Hub-Signature-256": hub_signature(secret, body), "Content-Type": "application/json"}
        return self.client.post("/api/v1/ingest/whatsapp/wa", content=body, headers=headers)

    def vk(self, body: bytes) -> Any:
        return self.client.post("/api/v1/ingest/vk/vk", content=body)

    def get(self, path: str, **params: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        return self.client.get(f"/api/v1{path}", params=params, headers=headers)

    def post(self, path: str, json: Any = None) -> Any:
        return self.client.post(
            f"/api/v1{path}", json=json, headers={"Authorization": f"Bearer {self.token}"}
        )

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        return self.get(f"/tickets/{ticket_id}").json()

    def dead_letters(self) -> list[dict[str, Any]]:
        return self.get("/ingest/dead-letters").json()["data"]


def only_ticket(response: Any) -> str:
    assert response.status_code == 200, response.text
    messages = response.json()["messages"]
    assert len(messages) == 1
    return str(messages[0]["ticket_id"])


def test_telegram_thread_with_photo_document_edit_and_duplicate(desk: Desk) -> None:
    first = only_ticket(desk.telegram(raw("telegram_message_ru.json")))
    assert only_ticket(desk.telegram(raw("telegram_photo.json"))) == first
    assert only_ticket(desk.telegram(raw("telegram_document.json"))) == first
    assert only_ticket(desk.telegram(raw("telegram_edited.json"))) == first
    again = desk.telegram(raw("telegram_message_ru.json"))
    assert again.json()["messages"][0]["outcome"] == "duplicate"

    ticket = desk.ticket(first)
    assert ticket["channel"] == "tg" and ticket["assignee"] == "anna"
    assert ticket["customer"]["name"] == "Мария Иванова"
    texts = [m["text"] for m in ticket["conversation"]]
    assert texts == [
        "Здравствуйте! Не приходит SMS с кодом 😢",
        "Вот скриншот ошибки",
        "[document: выписка.pdf]",
        "[edited] Здравствуйте! Не приходит SMS с кодом на номер +7 900 ***",
    ]
    events = desk.runtime.helpdesk.history(UUID(first))
    photo = events[2]
    assert photo.attachments == [
        {"kind": "photo", "id": "AgACAgIAAxkBAAIBsmQ-large", "name": None, "mime_type": None, "size": 58213}
    ]
    assert ticket["opened_at"] == "2026-03-02T08:55:00+00:00"


def test_other_customer_gets_own_ticket_and_unsupported_update_is_kept(desk: Desk) -> None:
    maria = only_ticket(desk.telegram(raw("telegram_message_ru.json")))
    john = only_ticket(desk.telegram(raw("telegram_english.json")))
    assert maria != john
    response = desk.telegram(raw("telegram_callback_query.json"))
    assert response.status_code == 200
    [letter] = desk.dead_letters()
    assert "callback_query" in letter["reason"] and letter["status"] == "new"


def test_forged_webhooks_are_refused_and_record_nothing(desk: Desk) -> None:
    assert desk.telegram(raw("telegram_message_ru.json"), secret="wrong").status_code == 401
    assert desk.whatsapp(raw("whatsapp_text.json"), secret="wrong").status_code == 403
    forged = payload("vk_message_new.json") | {"secret": "guess"}
    assert desk.vk(dumps(forged)).status_code == 403
    unsigned = desk.client.post("/api/v1/ingest/mentions/press", content=raw("mentions_review.json"))
    assert unsigned.status_code == 401
    assert desk.client.post("/api/v1/ingest/widget/widget", json={"x": 1}).status_code == 401
    assert desk.client.post("/api/v1/ingest/telegram/nope", content=b"{}").status_code == 404
    assert desk.runtime.helpdesk.recorder.max_notification_id() == 9  # users, tokens and channels only
    assert desk.dead_letters() == []


def test_oversized_body_is_refused_before_any_work(desk: Desk) -> None:
    """A body over 1 MB is answered 413 with a JSON reason, stored nowhere, kept in no dead letter."""
    before = desk.runtime.helpdesk.recorder.max_notification_id()
    response = desk.telegram(b'{"update_id": 1, "pad": "' + b"x" * 1_000_001 + b'"}')
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert desk.runtime.helpdesk.recorder.max_notification_id() == before
    assert desk.dead_letters() == []


def test_whatsapp_verification_messages_statuses_and_reactions(desk: Desk) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": WA_VERIFY, "hub.challenge": "1158201444"}
    verified = desk.client.get("/api/v1/ingest/whatsapp/wa", params=query)
    assert verified.status_code == 200 and verified.text == "1158201444"
    wrong = desk.client.get("/api/v1/ingest/whatsapp/wa", params=query | {"hub.verify_token": "x"})
    assert wrong.status_code == 403

    first = only_ticket(desk.whatsapp(raw("whatsapp_text.json")))
    assert only_ticket(desk.whatsapp(raw("whatsapp_image.json"))) == first
    status = desk.whatsapp(raw("whatsapp_status.json"))  # on a message deskstream did not send
    assert status.status_code == 200 and status.json()["messages"] == status.json()["statuses"] == []
    assert desk.whatsapp(raw("whatsapp_reaction.json")).status_code == 200
    ticket = desk.ticket(first)
    assert ticket["assignee"] == "oleg" and ticket["customer"]["name"] == "Sheena Nelson"
    assert [m["text"] for m in ticket["conversation"]] == [
        "Hello! Where is my order #5521? 📦",
        "Коробка пришла мятая",
    ]
    assert sorted(d["reason"] for d in desk.dead_letters()) == [
        "ignored: reaction",
        "status for a message deskstream did not send (another tool's?): "
        "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA (delivered)",
    ]


def test_vk_confirmation_dialog_and_wall_comment(desk: Desk) -> None:
    confirmed = desk.vk(raw("vk_confirmation.json"))
    assert confirmed.status_code == 200 and confirmed.text == "a1b2c3d4"
    other_group = desk.vk(dumps({"type": "confirmation", "group_id": 1}))
    assert other_group.status_code == 403

    dialog = desk.vk(raw("vk_message_new.json"))
    assert dialog.status_code == 200 and dialog.text == "ok"
    comment = desk.vk(raw("vk_wall_reply_new.json"))
    assert comment.text == "ok"
    assert desk.vk(raw("vk_group_join.json")).text == "ok"
    desk.runtime.runner.catch_up()
    tickets = desk.get("/tickets", channel="vk").json()["data"]
    subjects = sorted(str(t["subject"]) for t in tickets)
    assert subjects == ["Comment under post -218765432_987", "None"]
    assert len(desk.dead_letters()) == 1


def test_malformed_payload_is_dead_lettered_and_retried_after_the_fix(desk: Desk) -> None:
    broken = payload("whatsapp_text.json")
    del broken["entry"][0]["changes"][0]["value"]["messages"][0]["text"]
    response = desk.whatsapp(dumps(broken))
    assert response.status_code == 400
    [letter] = desk.dead_letters()
    assert letter["reason"] == "text must be an object." and letter["body"] == dumps(broken).decode()

    still_broken = desk.post(f"/ingest/dead-letters/{letter['id']}/retry")
    assert still_broken.status_code == 400
    fixed = desk.post(
        f"/ingest/dead-letters/{letter['id']}/retry", {"body": raw("whatsapp_text.json").decode()}
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["messages"][0]["outcome"] == "opened"
    assert [d["status"] for d in desk.dead_letters()] == ["retried"]
    assert desk.whatsapp(b"{not json").status_code == 400


def test_resolved_ticket_reopens_within_window_then_new_ticket_after(desk: Desk, clock: Clock) -> None:
    first = only_ticket(desk.telegram(raw("telegram_message_ru.json")))
    helpdesk = desk.runtime.helpdesk
    from application.command import Context

    helpdesk.change(UUID(first), Context("anna"), None, lambda t, s: t.resolve("solved", s))
    later = payload("telegram_english.json")
    later["message"] |= {"from": payload("telegram_message_ru.json")["message"]["from"]}
    later["message"]["chat"] = payload("telegram_message_ru.json")["message"]["chat"]
    later["message"]["date"] = int(clock.now.timestamp()) + 3600
    clock.advance(hours=2)
    assert only_ticket(desk.telegram(dumps(later))) == first
    assert desk.ticket(first)["status"] == "open"

    helpdesk.change(UUID(first), Context("anna"), None, lambda t, s: t.resolve("solved", s))
    clock.advance(days=5)
    late = later | {
        "update_id": 1,
        "message": later["message"] | {"message_id": 9000, "date": int(clock.now.timestamp())},
    }
    second = only_ticket(desk.telegram(dumps(late)))
    assert second != first and desk.ticket(second)["status"] == "open"


def test_widget_and_out_of_order_delivery(desk: Desk) -> None:
    headers = {"X-Widget-Key": WIDGET_KEY}
    newer = {
        "visitor_id": "v-1",
        "name": "Ann",
        "message_id": "m2",
        "text": "second",
        "sent_at": "2026-03-02T08:59:00Z",
    }
    older = newer | {"message_id": "m1", "text": "first", "sent_at": "2026-03-02T08:58:00Z"}
    a = desk.client.post("/api/v1/ingest/widget/widget", json=newer, headers=headers)
    b = desk.client.post("/api/v1/ingest/widget/widget", json=older, headers=headers)
    assert only_ticket(a) == only_ticket(b)
    conversation = desk.ticket(only_ticket(a))["conversation"]
    assert [(m["text"], m["occurred_at"][11:16]) for m in conversation] == [
        ("second", "08:59"),
        ("first", "08:59"),
    ]


def concurrent_messages(runtime: Runtime) -> tuple[set[str], int]:
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        desk = Desk(runtime, client)
        bodies = []
        for n in range(12):
            body = payload("telegram_message_ru.json")
            body["update_id"] += n
            body["message"]["message_id"] += n
            bodies.append(dumps(body))
        with ThreadPoolExecutor(6) as pool:
            responses = list(pool.map(desk.telegram, bodies + bodies))
        tickets = {only_ticket(r) for r in responses}
        events = runtime.helpdesk.history(UUID(next(iter(tickets))))
        return tickets, sum(type(e).__name__ in ("TicketOpened", "CustomerMessageReceived") for e in events)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_messages_arriving_together_open_one_ticket(
    backend: str, tmp_path: Path, clock: Clock, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        runtime = sqlite_runtime(tmp_path / "data", clock)
    else:
        runtime = postgres_runtime(request.getfixturevalue("postgres_db"), clock)
    tickets, messages = concurrent_messages(runtime)  # the client's lifespan closes the runtime
    assert len(tickets) == 1 and messages == 12


def test_mentions_signed_queue(desk: Desk) -> None:
    body = raw("mentions_review.json")
    headers = {"X-Signature-256": hub_signature(MENTIONS_SECRET, body)}
    response = desk.client.post("/api/v1/ingest/mentions/press", content=body, headers=headers)
    assert response.status_code == 200, response.text
    desk.runtime.runner.catch_up()
    queue = desk.get("/mentions", status="new").json()
    assert queue["count"] == 1 and queue["data"][0]["rating"] == 1.0
    assert VK_SECRET not in str(desk.get("/channels").json())
