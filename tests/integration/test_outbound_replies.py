"""Operators' replies reach each provider's send API (a local recording server), with retries."""

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Runtime
from application.command import Context
from domain.channel import Channel
from projections.queue_store import QueueFilter
from tests.fixtures.payloads import (
    TG_SECRET,
    WA_SECRET,
    Recorder,
    add_channels,
    admin_token,
    hub_signature,
    raw,
    recording_server,
)
from tests.support import Clock, sqlite_runtime, stamp


@pytest.fixture
def provider() -> Iterator[Recorder]:
    with recording_server() as recorder:
        yield recorder


@pytest.fixture
def served(tmp_path: Path, clock: Clock, provider: Recorder) -> Iterator[tuple[Runtime, TestClient]]:
    runtime = sqlite_runtime(tmp_path / "data", clock)
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        for name in ("anna", "oleg"):
            runtime.helpdesk.register_user(name, "operator")
        add_channels(client, admin_token(runtime), api_base=provider.url)
        yield runtime, client


def post(client: TestClient, kind: str, body: bytes) -> UUID:
    headers = {
        "telegram": {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET},
        "whatsapp": {"X-Hub-Signature-256": hub_signature(WA_SECRET, body)},
        "vk": {},
    }[kind]
    channel = {"telegram": "tg", "whatsapp": "wa", "vk": "vk"}[kind]
    response = client.post(f"/api/v1/ingest/{kind}/{channel}", content=body, headers=headers)
    assert response.status_code == 200, response.text
    ticket_id = response.json()["messages"][0]["ticket_id"] if kind != "vk" else None
    return UUID(ticket_id) if ticket_id else UUID(int=0)


def reply(runtime: Runtime, ticket_id: UUID, text: str) -> None:
    runtime.helpdesk.change(ticket_id, Context("anna"), None, lambda t, s: t.reply(text, s))
    runtime.runner.catch_up()


def event_types(runtime: Runtime, ticket_id: UUID) -> list[str]:
    return [type(e).__name__ for e in runtime.helpdesk.history(ticket_id)]


def test_telegram_reply_is_sent_once_and_recorded(
    served: tuple[Runtime, TestClient], provider: Recorder
) -> None:
    runtime, client = served
    ticket_id = post(client, "telegram", raw("telegram_message_ru.json"))
    reply(runtime, ticket_id, "Здравствуйте, Мария! Проверим 🙏")
    assert runtime.ingest is not None
    assert runtime.ingest.outbox.run_once() == 1
    assert runtime.ingest.outbox.run_once() == 0
    [sent] = provider.requests
    assert sent.path == "/bot123:ABC/sendMessage"
    assert sent.json() == {"chat_id": 435671190, "text": "Здравствуйте, Мария! Проверим 🙏"}
    delivered = runtime.helpdesk.history(ticket_id)[-1]
    assert type(delivered).__name__ == "ReplyDelivered"
    assert (delivered.reply_version, delivered.provider_message_id) == (3, "5001")
    runtime.runner.catch_up()
    assert [j["status"] for j in runtime.ingest.jobs.jobs(str(ticket_id))] == ["delivered"]


def test_whatsapp_retries_with_backoff_then_delivers(
    served: tuple[Runtime, TestClient], provider: Recorder, clock: Clock
) -> None:
    runtime, client = served
    assert runtime.ingest is not None
    ticket_id = post(client, "whatsapp", raw("whatsapp_text.json"))
    reply(runtime, ticket_id, "Your order ships today.")
    provider.script = [
        (500, {"error": {"message": "Service temporarily unavailable", "code": 2}}),
        (200, {"messaging_product": "whatsapp", "messages": [{"id": "wamid.OUT1"}]}),
    ]
    runtime.ingest.outbox.run_once()
    assert runtime.ingest.outbox.run_once() == 0  # not due before the backoff
    clock.advance(seconds=6)
    assert runtime.ingest.outbox.run_once() == 1
    first, second = provider.requests
    assert first.path == second.path == "/106540352242922/messages"
    assert second.headers["Authorization"] == "Bearer EAAG-test"
    assert second.json()["to"] == "16505551234" and second.json()["text"]["body"] == "Your order ships today."
    assert event_types(runtime, ticket_id)[-1] == "ReplyDelivered"


def test_vk_wall_comment_reply_and_permanent_failure(
    served: tuple[Runtime, TestClient], provider: Recorder
) -> None:
    runtime, client = served
    assert runtime.ingest is not None
    post(client, "vk", raw("vk_wall_reply_new.json"))
    post(client, "vk", raw("vk_message_new.json"))
    runtime.runner.catch_up()
    tickets = runtime.queue.query(QueueFilter(), 10, 0)[0]
    by_subject = {t["subject"]: UUID(t["id"]) for t in tickets}
    wall, dialog = by_subject["Comment under post -218765432_987"], by_subject[None]
    reply(runtime, wall, "Уже чиним, простите!")
    provider.script = [(200, {"response": {"comment_id": 4412}})]
    runtime.ingest.outbox.run_once()
    reply(runtime, dialog, "Попробуйте сбросить пароль")
    provider.script = [
        (200, {"error": {"error_code": 901, "error_msg": "Can't send messages for users without permission"}})
    ]
    runtime.ingest.outbox.run_once()

    comment, message = provider.requests
    assert comment.path == "/wall.createComment"
    form = {k: v[0] for k, v in parse_qs(comment.body.decode()).items()}
    assert form | {"guid": "-"} == {
        "access_token": "vk1.a.test",
        "v": "5.199",
        "message": "Уже чиним, простите!",
        "owner_id": "-218765432",
        "post_id": "987",
        "reply_to_comment": "4411",
        "from_group": "218765432",
        "guid": "-",
    }
    assert message.path == "/messages.send" and parse_qs(message.body.decode())["peer_id"] == ["51234567"]
    failed = runtime.helpdesk.history(dialog)[-1]
    assert type(failed).__name__ == "ReplyDeliveryFailed"
    assert failed.error == "vk 901: Can't send messages for users without permission" and failed.attempts == 1


def test_unreachable_provider_gives_up_after_max_attempts(
    served: tuple[Runtime, TestClient], clock: Clock
) -> None:
    runtime, client = served
    assert runtime.ingest is not None
    ticket_id = post(client, "telegram", raw("telegram_english.json"))
    channel = runtime.helpdesk.find(Channel.create_id("tg"))
    channel.change(None, {"api_base": "http://127.0.0.1:9"}, stamp())
    runtime.helpdesk.save(channel)
    reply(runtime, ticket_id, "Hello John")
    outbox = runtime.ingest.outbox
    outbox.max_attempts = 3
    for _ in range(3):
        outbox.run_once()
        clock.advance(minutes=1)
    failed = runtime.helpdesk.history(ticket_id)[-1]
    assert type(failed).__name__ == "ReplyDeliveryFailed" and failed.attempts == 3
    assert failed.error.startswith("connection:")
