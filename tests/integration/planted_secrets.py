"""Distinctive secrets planted in a channel of every kind, and the helpers that look for them
in answers, files and tables (tests/integration/test_security_secrets.py)."""

import io
import json
import stat
import time
import zipfile
from pathlib import Path
from typing import Any
from uuid import UUID

import duckdb

from api.auth import hash_token
from api.bootstrap import Runtime
from domain.channel import Channel
from domain.users import ApiToken, User
from projections.analytics_schema import data_json
from tests.fixtures.payloads import dumps, payload
from tests.integration.api_client import As

SECRETS = {
    "telegram": {"secret_token": "SEKRET-tg-header-1", "bot_token": "SEKRET-tg-bot-2"},
    "whatsapp": {
        "verify_token": "SEKRET-wa-verify-3",
        "app_secret": "SEKRET-wa-app-4",
        "access_token": "SEKRET-wa-access-5",
    },
    "vk": {
        "confirmation": "SEKRET-vk-confirm-6",
        "secret": "SEKRET-vk-shared-7",
        "access_token": "SEKRET-vk-8",
    },
    "email": {"smtp_password": "SEKRET-smtp-9"},
    "widget": {"identity_secret": "SEKRET-widget-10"},
    "mentions": {"secret": "SEKRET-mentions-11"},
}


PLAIN = {
    "telegram": {"api_base": "http://127.0.0.1:9"},
    "whatsapp": {"phone_number_id": "106540352242922", "api_base": "http://127.0.0.1:9"},
    "vk": {"group_id": "218765432", "api_base": "http://127.0.0.1:9"},
    "email": {"address": "help@example.com", "smtp_user": "help"},
    "widget": {"public_key": "pk_public_widget"},
    "mentions": {},
}


EVERY_SECRET = [value for settings in SECRETS.values() for value in settings.values()]


WINDOW = {"from": "2026-03-01T00:00:00Z", "to": "2026-03-03T00:00:00Z"}


ARTICLE = {"title": "Cards", "body": "Call us", "visibility": "public"}


VIEW_FILES = {"events.sqlite", "queue.sqlite", "ingest.sqlite", "search.sqlite", "analytics.duckdb"}


def channel_name(kind: str) -> str:
    return f"sec-{kind}"


def add_secret_channels(root: As) -> None:
    for kind in SECRETS:
        settings = {**SECRETS[kind], **PLAIN[kind]}
        body = {"name": channel_name(kind), "kind": kind, "settings": settings}
        assert root.post("/channels", body).status_code == 201


def runtime_of(someone: As) -> Runtime:
    return someone.client.app.state.runtime  # type: ignore[attr-defined, no-any-return]


def caught_up(runtime: Runtime) -> None:
    """Every view has applied everything in the log (the projector runs beside the test)."""
    head = runtime.helpdesk.recorder.max_notification_id() or 0
    deadline = time.monotonic() + 20
    while runtime.runner.position() < head:
        assert time.monotonic() < deadline, "views did not catch up"
        time.sleep(0.02)


def leaks(content: bytes) -> list[str]:
    """The planted secrets found in a response body (an .xlsx is unzipped first)."""
    texts = [content]
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            texts = [book.read(name) for name in book.namelist()]
    return [s for s in EVERY_SECRET if any(s.encode() in text for text in texts)]


def table_leaks(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The planted secrets found in any row of any table of a DuckDB database."""
    found = []
    for (table,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall():
        for row in con.execute(f'SELECT * FROM "{table}"').fetchall():
            found += [s for s in EVERY_SECRET if s in repr(row)]
    return found


def open_ticket(desk: dict[str, As]) -> str:
    body = {"channel": "vk", "customer": {"name": "Ivan", "handle": "id1"}, "text": "Card blocked"}
    response = desk["vk-bot"].post("/tickets", body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def other_ids(desk: dict[str, As]) -> dict[str, UUID]:
    """Ids anyone can compute or learn that belong to aggregates other than tickets."""
    runtime = runtime_of(desk["anna"])
    token = next(t for t in runtime.helpdesk.events.get(ApiToken.create_id(hash_token(desk["anna"].token))))
    return {
        "channel": Channel.create_id(channel_name("telegram")),
        "user": User.create_id("anna"),
        "token": token.originator_id,
    }


def every_get(desk: dict[str, As]) -> list[tuple[str, str, dict[str, Any], dict[str, str]]]:
    """(route template, path, query, headers) for every GET route of the API, with real ids."""
    ticket = open_ticket(desk)
    anna = desk["anna"]
    anna.post(f"/tickets/{ticket}/notes", {"text": "internal"})
    customer = anna.get(f"/tickets/{ticket}").json()["customer"]["id"]
    article = anna.post("/kb/articles", ARTICLE).json()["id"]
    anna.post("/snippets", {"shortcut": "hi", "title": "Hi", "body": "Hello {{customer_name}}"})
    channel, user = other_ids(desk)["channel"], other_ids(desk)["user"]
    verify = {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "42"}
    widget = {"X-Widget-Key": PLAIN["widget"]["public_key"]}
    return [
        ("/tickets", "/tickets", {}, {}),
        ("/tickets/{ticket_id}", f"/tickets/{ticket}", {}, {}),
        ("/tickets/{ticket_id}", f"/tickets/{ticket}", {"as_of": "2030-01-01T00:00:00Z"}, {}),
        ("/tickets/{ticket_id}", f"/tickets/{channel}", {"as_of": "2030-01-01T00:00:00Z"}, {}),
        ("/tickets/{ticket_id}/events", f"/tickets/{ticket}/events", {}, {}),
        ("/tickets/{ticket_id}/events", f"/tickets/{channel}/events", {}, {}),
        ("/tickets/{ticket_id}/events", f"/tickets/{user}/events", {}, {}),
        ("/tickets/{ticket_id}/explain", f"/tickets/{ticket}/explain", {}, {}),
        ("/tickets/{ticket_id}/explain", f"/tickets/{channel}/explain", {}, {}),
        ("/customers", "/customers", {"q": "iv"}, {}),
        ("/customers/{customer_id}", f"/customers/{customer}", {}, {}),
        ("/customers/{customer_id}/history", f"/customers/{customer}/history", {}, {}),
        ("/search", "/search", {"q": "card"}, {}),
        ("/kb/articles", "/kb/articles", {}, {}),
        ("/kb/articles/{article_id}", f"/kb/articles/{article}", {}, {}),
        ("/snippets", "/snippets", {}, {}),
        ("/snippets/{ref}/preview", "/snippets/hi/preview", {"ticket": ticket}, {}),
        ("/reports/snippets", "/reports/snippets", WINDOW, {}),
        ("/channels", "/channels", {}, {}),
        ("/mentions", "/mentions", {}, {}),
        ("/reports/mentions", "/reports/mentions", WINDOW, {}),
        ("/ingest/whatsapp/{channel}", f"/ingest/whatsapp/{channel_name('whatsapp')}", verify, {}),
        (
            "/ingest/widget/{channel}/messages",
            f"/ingest/widget/{channel_name('widget')}/messages",
            {"visitor_id": "v1"},
            widget,
        ),
        ("/ingest/dead-letters", "/ingest/dead-letters", {}, {}),
        ("/ingest/raw-mail", "/ingest/raw-mail", {"message_id": "<q1@example.ru>"}, {}),
        ("/ingest/raw-mail/{raw_id}", f"/ingest/raw-mail/{'0' * 64}", {}, {}),
        *[(f"/reports/{name}", f"/reports/{name}", WINDOW, {}) for name in ("summary", "operators", "daily")],
        ("/reports/breakdown", "/reports/breakdown", {**WINDOW, "by": "channel"}, {}),
        ("/reports/hourly", "/reports/hourly", WINDOW, {}),
        ("/reports/sla-compare", "/reports/sla-compare", WINDOW, {}),
        ("/reports/distribution", "/reports/distribution", WINDOW, {}),
        ("/reports/tickets", "/reports/tickets", {**WINDOW, "figure": "received"}, {}),
        ("/reports/export.xlsx", "/reports/export.xlsx", WINDOW, {}),
        ("/reports/qa-sample", "/reports/qa-sample", {"month": "2026-03"}, {}),
        ("/qa/checklist", "/qa/checklist", {}, {}),
        ("/qa/reviews", "/qa/reviews", {"month": "2026-03"}, {}),
        ("/qa/reviews/{month}/{ticket_id}", f"/qa/reviews/2026-03/{ticket}", {}, {}),
        ("/qa/report", "/qa/report", {"month": "2026-03"}, {}),
        ("/sla-policies", "/sla-policies", {}, {}),
    ]


def dead_letters_with_secrets(desk: dict[str, As]) -> None:
    """A Telegram update we cannot read (sent with its secret header) and a VK event we do not
    handle (with the VK secret in its body): both are kept as dead letters."""
    client = desk["root"].client
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRETS["telegram"]["secret_token"]}
    tg = client.post(f"/api/v1/ingest/telegram/{channel_name('telegram')}", content=b"[1]", headers=headers)
    assert "dead_letter" in tg.json(), tg.text
    join = {**payload("vk_group_join.json"), "secret": SECRETS["vk"]["secret"]}
    vk = client.post(f"/api/v1/ingest/vk/{channel_name('vk')}", content=dumps(join))
    assert vk.status_code == 200, vk.text
    letters = desk["root"].get("/ingest/dead-letters").json()["data"]
    assert sorted(letter["kind"] for letter in letters) == ["telegram", "vk"]


def plant_old_secrets(data: Path) -> None:
    """What a version before issue 12 wrote: channel settings in clear in `events.data`."""
    con = duckdb.connect(str(data / "analytics.duckdb"))
    rows = con.execute("SELECT position, data FROM events WHERE type = 'ChannelAdded'").fetchall()
    assert rows
    for position, text in rows:
        stored = json.loads(text)
        kind = stored["kind"]
        stored["settings"] = {**stored["settings"], **SECRETS[kind]}
        con.execute("UPDATE events SET data = ? WHERE position = ?", [data_json(stored), position])
    con.close()


def modes(data: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(data.stat().st_mode)}
    for path in data.rglob("*"):
        found[str(path.relative_to(data))] = stat.S_IMODE(path.stat().st_mode)
    return found
