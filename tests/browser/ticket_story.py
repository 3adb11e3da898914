"""What the ticket page's stories start from: tickets, messages and colleagues' actions made
through the API and a channel's webhook, as a channel adapter and the rest of the team make them."""

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import uuid4

import httpx2

from tests.browser.desk import Desk
from tests.fixtures.payloads import TG_SECRET

TG_CHANNEL = "support-tg"


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def open_ticket(
    desk: Desk, subject: str, text: str, handle: str | None = None, name: str = "Иван Петров"
) -> str:
    """A ticket opened by the channel adapter (service token) on a channel no provider sends
    from, once the queue lists it."""
    body = {
        "channel": "vk",
        "customer": {"name": name, "handle": handle or f"id{uuid4().hex[:8]}"},
        "subject": subject,
        "text": text,
        "external_id": f"vk-{uuid4().hex}",
    }
    with desk.api(desk.service_token) as api:
        opened = ok(api.post("/tickets", json=body), 201)
    with desk.api() as api:
        ok(api.get("/tickets", params={"min_position": opened["position"], "limit": 1}))  # queued
    return str(opened["id"])


def events(desk: Desk, ticket_id: str) -> list[dict[str, Any]]:
    with desk.api() as api:
        return list(ok(api.get(f"/tickets/{ticket_id}/events"))["data"])


def event_types(desk: Desk, ticket_id: str) -> list[str]:
    return [e["type"] for e in events(desk, ticket_id)]


def ticket(desk: Desk, ticket_id: str) -> dict[str, Any]:
    with desk.api() as api:
        return dict(ok(api.get(f"/tickets/{ticket_id}")))


def wait_for(check: Any, timeout: float = 10.0) -> Any:
    """Polls an API answer (not the page) until `check` gives something true."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


@dataclass
class HeldProvider:
    """Telegram's send API, answering from a script, but only once released: a delivery report
    is recorded at the time it comes, so a history told with earlier times must be told first."""

    url: str = ""
    script: list[tuple[int, Any]] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)


@contextmanager
def held_provider(*script: tuple[int, Any]) -> Iterator[HeldProvider]:
    provider = HeldProvider(script=list(script))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            provider.released.wait(60)
            status, answer = provider.script.pop(0) if provider.script else (200, {"ok": True, "result": {}})
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    provider.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield provider
    finally:
        provider.released.set()
        server.shutdown()
        server.server_close()


def add_telegram_channel(desk: Desk, api_base: str) -> None:
    settings = {
        "secret_token": TG_SECRET,
        "bot_token": "123:ABC",
        "api_base": api_base,
        "timeout_seconds": "90",
    }
    body = {"name": TG_CHANNEL, "kind": "telegram", "owner": "anna", "settings": settings}
    with desk.api() as api:
        ok(api.post("/channels", json=body), 201)


def telegram(desk: Desk, message_id: int, at: datetime, text: str = "", **extra: Any) -> str:
    """A private message from Мария through the real webhook; the id of the ticket it went to."""
    person = {"id": 435671190, "first_name": "Мария", "last_name": "Иванова"}
    message = {
        "message_id": message_id,
        "from": {**person, "is_bot": False},
        "chat": {**person, "type": "private"},
        "date": int(at.timestamp()),
        **({"text": text} if text else {}),
        **extra,
    }
    update = {"update_id": 900000000 + message_id, "message": message}
    answer = httpx2.post(
        f"{desk.base}/api/v1/ingest/telegram/{TG_CHANNEL}",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET},
        timeout=10,
    )
    return str(ok(answer)["messages"][0]["ticket_id"])


def as_someone(desk: Desk, ticket_id: str, action: str, actor: str, at: datetime, **body: Any) -> None:
    """A colleague's action at a given time: the admin token may say who and when (imports do)."""
    stamped = {**body, "actor": actor, "occurred_at": at.isoformat()}
    with desk.api() as api:
        ok(api.post(f"/tickets/{ticket_id}/{action}", json=stamped))


def a_whole_conversation(desk: Desk, provider: HeldProvider) -> str:
    """Мария's two hours with the bank: a statement attached, a colleague assigning, a reply, a
    note, a pause for the claims department, her answer resuming it, a reply that did not reach
    her, a new question of hers, under a policy with first and next response targets."""
    start = datetime.now(UTC) - timedelta(hours=2)
    at = lambda minutes: start + timedelta(minutes=minutes)  # noqa: E731
    policy = {
        "targets_minutes": {"first_response": 30, "next_response": 60},
        "effective_from": (start - timedelta(days=1)).isoformat(),
    }
    with desk.api() as api:
        defined = ok(api.put("/sla-policies/standard", json=policy))
        ok(api.get("/sla-policies", params={"min_position": defined["position"]}))  # the view has it
    document = {
        "file_name": "выписка.pdf",
        "mime_type": "application/pdf",
        "file_id": "BQAC-doc",
        "file_size": 20480,
    }
    ticket_id = telegram(
        desk, 1, at(0), caption="С карты списали 5 000 ₽, я их не тратила", document=document
    )
    as_someone(
        desk, ticket_id, "assign", "sofia", at(4), assignee="anna", comment="Постоянный клиент, проверь"
    )
    as_someone(
        desk, ticket_id, "replies", "anna", at(11), text="Мария, здравствуйте! Вижу списание, проверяю."
    )
    as_someone(
        desk,
        ticket_id,
        "notes",
        "anna",
        at(14),
        text="Похоже на двойное списание в терминале, нужен отдел претензий",
    )
    as_someone(desk, ticket_id, "pause", "anna", at(15), reason="waiting_department", department="claims")
    telegram(desk, 2, at(52), text="Есть новости? Мне деньги нужны к пятнице")
    as_someone(desk, ticket_id, "tags", "anna", at(55), add=["двойное списание", "vip"])
    as_someone(desk, ticket_id, "priority", "anna", at(56), priority="high")
    as_someone(
        desk,
        ticket_id,
        "replies",
        "anna",
        at(58),
        text="Претензия принята, деньги вернутся в течение 3 дней.",
    )
    telegram(desk, 3, at(100), text="А можно получить справку об этом?")
    provider.released.set()
    wait_for(lambda: {"ReplyDelivered", "ReplyDeliveryFailed"} <= set(event_types(desk, ticket_id)))
    her_earlier_self(desk, ticket(desk, ticket_id)["customer"]["id"], start - timedelta(days=3))
    return ticket_id


def her_earlier_self(desk: Desk, customer_id: str, at: datetime) -> None:
    """Мария wrote on VK three days before, as a customer of her own; a colleague merges that
    record into hers and notes how to talk to her. The knowledge base has an article to quote."""
    earlier = {
        "channel": "vk",
        "customer": {"name": "Мария Иванова", "handle": "id4356711"},
        "subject": "Не приходит SMS с кодом",
        "text": "Не приходит SMS с кодом для входа",
        "external_id": "vk-earlier-1",
        "occurred_at": at.isoformat(),
    }
    article = {
        "title": "Как оспорить списание",
        "body": "Клиент пишет заявление в приложении; отдел претензий отвечает за 3 рабочих дня.",
        "visibility": "public",
    }
    with desk.api() as api:
        old = ok(api.post("/tickets", json=earlier), 201)["id"]
        closed = {
            "resolution": "solved",
            "actor": "boris",
            "occurred_at": (at + timedelta(hours=1)).isoformat(),
        }
        ok(api.post(f"/tickets/{old}/resolve", json=closed))
        record = ok(api.get(f"/tickets/{old}"))["customer"]["id"]
        ok(api.post(f"/customers/{record}/merge", json={"into": customer_id, "actor": "sofia"}))
        ok(api.post("/kb/articles", json=article), 201)
        note = {"text": "Волнуется, объяснять по шагам", "actor": "sofia"}
        noted = ok(api.post(f"/customers/{customer_id}/notes", json=note))
        ok(api.get(f"/customers/{customer_id}", params={"min_position": noted["position"]}))
