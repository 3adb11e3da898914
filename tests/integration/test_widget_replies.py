"""The widget pulls its visitor's conversation over HTTP: messages and replies, never notes, never
another visitor's; on SQLite and PostgreSQL."""

import hashlib
import hmac
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Runtime
from tests.integration.api_client import As, sign_up
from tests.support import Clock, assert_log_reads_as_the_library, postgres_runtime, sqlite_runtime

KEY = "pk_app_0123"
IDENTITY_SECRET = "whsec-identity-42"
ANN = "9f4c2e1a-visitor-ann"
BOB = "5b7d8c3e-visitor-bob"


@pytest.fixture(params=["sqlite", "postgres"])
def widget(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock) -> Iterator["Widget"]:
    if request.param == "sqlite":
        runtime = sqlite_runtime(tmp_path / "data", clock)
    else:
        runtime = postgres_runtime(request.getfixturevalue("postgres_db"), clock, data_dir=tmp_path / "data")
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        yield Widget(runtime, client, sign_up(runtime, client))
        assert_log_reads_as_the_library(runtime.helpdesk)


class Widget:
    """The app's widget and the desk's operators, both over HTTP."""

    def __init__(self, runtime: Runtime, client: TestClient, users: dict[str, As]) -> None:
        self.runtime, self.client = runtime, client
        self.anna, self.root = users["anna"], users["root"]
        self.channel("app", "widget", {"public_key": KEY})
        self.channel("signed", "widget", {"public_key": KEY, "identity_secret": IDENTITY_SECRET})
        self.channel("tg", "telegram", {"secret_token": "tg-secret"})

    def channel(self, name: str, kind: str, settings: dict[str, str]) -> None:
        response = self.root.post("/channels", {"name": name, "kind": kind, "settings": settings})
        assert response.status_code == 201, response.text

    def write(self, visitor: str, message_id: str, text: str, channel: str = "app", **headers: str) -> str:
        response = self.post(visitor, message_id, text, channel, **headers)
        assert response.status_code == 200, response.text
        return str(response.json()["messages"][0]["ticket_id"])

    def post(self, visitor: str, message_id: str, text: str, channel: str, **headers: str) -> Any:
        body = {"visitor_id": visitor, "name": "Анна", "message_id": message_id, "text": text}
        sent = {"X-Widget-Key": KEY, **{k.replace("_", "-"): v for k, v in headers.items()}}
        return self.client.post(f"/api/v1/ingest/widget/{channel}", json=body, headers=sent)

    def operator(self, ticket_id: str, action: str, body: dict[str, Any] | None = None) -> None:
        response = self.anna.post(f"/tickets/{ticket_id}/{action}", body)
        assert response.status_code == 200, response.text

    def pull(self, visitor: str, channel: str = "app", key: str = KEY, **extra: str) -> Any:
        paging = {k: extra.pop(k) for k in ("after", "before", "limit") if k in extra}
        params = {"visitor_id": visitor, **paging}
        headers = {"X-Widget-Key": key, **{k.replace("_", "-"): v for k, v in extra.items()}}
        return self.client.get(f"/api/v1/ingest/widget/{channel}/messages", params=params, headers=headers)

    def items(self, visitor: str, **extra: str) -> list[tuple[str, str, str | None]]:
        response = self.pull(visitor, **extra)
        assert response.status_code == 200, response.text
        return [(i["kind"], i["text"], i["author"]) for i in response.json()["data"]]


def signature(visitor: str, secret: str = IDENTITY_SECRET) -> str:
    return hmac.new(secret.encode(), visitor.encode(), hashlib.sha256).hexdigest()


def test_visitor_sees_messages_and_replies_never_notes_and_polls_for_news(
    widget: Widget, clock: Clock
) -> None:
    ticket = widget.write(ANN, "m-1", "Здравствуйте! Карта не работает 😢")
    clock.advance(minutes=2)
    widget.operator(ticket, "replies", {"text": "Проверяем, минуту 🙏"})
    widget.operator(ticket, "notes", {"text": "internal: fraud check first"})
    first = widget.pull(ANN)
    assert first.status_code == 200, first.text
    [message, reply] = first.json()["data"]
    assert message | {"sent_at": message["sent_at"][:16]} == {
        "id": f"{ticket}:1",
        "ticket_id": ticket,
        "kind": "message",
        "text": "Здравствуйте! Карта не работает 😢",
        "sent_at": "2026-03-02T09:00",
        "author": None,
        "message_id": "m-1",
    }
    assert (reply["kind"], reply["author"], reply["message_id"]) == ("reply", "anna", None)
    assert reply["text"] == "Проверяем, минуту 🙏" and reply["sent_at"].startswith("2026-03-02T09:02")
    cursor = first.json()["cursor"]
    assert widget.pull(ANN).json()["cursor"] == cursor  # the same items, the same cursor
    assert widget.items(ANN, after=cursor) == []

    clock.advance(minutes=1)
    widget.operator(ticket, "notes", {"text": "still internal"})
    widget.operator(ticket, "replies", {"text": "Карта разблокирована ✅"})
    news = widget.pull(ANN, after=cursor).json()
    assert [(i["kind"], i["text"]) for i in news["data"]] == [("reply", "Карта разблокирована ✅")]
    assert widget.items(ANN, after=news["cursor"]) == []
    widget.runtime.runner.catch_up()  # the ingest view sees the replies: still no job to send
    assert widget.runtime.ingest is not None and widget.runtime.ingest.outbox.run_once() == 0


def test_a_visitor_never_sees_another_visitors_conversation(widget: Widget) -> None:
    assert widget.items(BOB) == []
    ticket = widget.write(ANN, "m-1", "Ann's secret question")
    widget.operator(ticket, "replies", {"text": "Ann's answer"})
    assert widget.items(BOB) == []
    bobs = widget.write(BOB, "m-1", "Bob here")  # widgets number messages per visitor
    assert bobs != ticket and widget.write(BOB, "m-1", "Bob here") == bobs  # a retry stays a no-op
    assert widget.items(BOB) == [("message", "Bob here", None)]
    assert widget.pull(BOB).json()["data"][0]["message_id"] == "m-1"
    assert [text for _, text, _ in widget.items(ANN)] == ["Ann's secret question", "Ann's answer"]


def test_wrong_key_unknown_channel_and_short_visitor_id_are_refused(widget: Widget) -> None:
    widget.write(ANN, "m-1", "hello")
    wrong = widget.pull(ANN, key="pk_guess")
    assert (wrong.status_code, wrong.json()["error"]) == (401, "bad_signature")
    assert widget.pull(ANN, key="").status_code == 401
    for channel in ("nope", "tg"):
        missing = widget.pull(ANN, channel=channel)
        assert (missing.status_code, missing.json()["error"]) == (404, "channel_not_found")
    short = widget.pull("v-1")
    assert short.status_code == 400 and "at least 16 characters" in short.json()["detail"]
    assert widget.pull(ANN, after="not-a-cursor").status_code == 400


def test_with_an_identity_secret_the_visitor_id_must_be_signed(widget: Widget) -> None:
    widget.write("42", "m-1", "signed in as user 42", "signed", X_Widget_Visitor_Signature=signature("42"))
    missing = widget.pull("42", channel="signed")
    assert (missing.status_code, missing.json()["error"]) == (401, "bad_signature")
    forged = widget.pull("42", channel="signed", X_Widget_Visitor_Signature=signature("43"))
    assert forged.status_code == 401
    other_secret = signature("42", "another-secret")
    assert widget.pull("42", channel="signed", X_Widget_Visitor_Signature=other_secret).status_code == 401
    signed = widget.pull("42", channel="signed", X_Widget_Visitor_Signature=signature("42"))
    assert signed.status_code == 200, signed.text
    assert [i["text"] for i in signed.json()["data"]] == ["signed in as user 42"]


def test_with_an_identity_secret_nobody_writes_as_a_visitor_without_the_signature(widget: Widget) -> None:
    unsigned = widget.post("42", "m-1", "I am user 42, refund me", "signed")
    assert (unsigned.status_code, unsigned.json()["error"]) == (401, "bad_signature")
    forged = widget.post("42", "m-2", "me too", "signed", X_Widget_Visitor_Signature=signature("43"))
    assert forged.status_code == 401
    pulled = widget.pull("42", channel="signed", X_Widget_Visitor_Signature=signature("42"))
    assert pulled.json()["data"] == []
    widget.write("42", "m-3", "the real user 42", "signed", X_Widget_Visitor_Signature=signature("42"))
    pulled = widget.pull("42", channel="signed", X_Widget_Visitor_Signature=signature("42"))
    assert [i["text"] for i in pulled.json()["data"]] == ["the real user 42"]
    broken = widget.client.post(
        "/api/v1/ingest/widget/signed", content=b"{not json", headers={"X-Widget-Key": KEY}
    )
    assert broken.status_code == 400 and broken.json()["dead_letter"]


def test_a_long_conversation_opens_on_its_newest_page_and_polls_in_pages(widget: Widget) -> None:
    ticket = widget.write(ANN, "m-0", "question 0")
    for n in range(1, 5):
        widget.operator(ticket, "replies", {"text": f"answer {n - 1}"})
        widget.write(ANN, f"m-{n}", f"question {n}")
    opened = widget.pull(ANN, limit="3").json()
    assert [i["text"] for i in opened["data"]] == ["question 3", "answer 3", "question 4"]
    assert (opened["earlier"], opened["more"]) == (True, False)
    everything = widget.pull(ANN, limit="100").json()
    assert (len(everything["data"]), everything["earlier"]) == (9, False)
    assert everything["cursor"] == opened["cursor"]  # both end at the newest item
    back = widget.pull(ANN, before=opened["first"], limit="4").json()
    assert [i["text"] for i in back["data"]] == ["question 1", "answer 1", "question 2", "answer 2"]
    assert (back["earlier"], back["more"]) == (True, False)
    start = widget.pull(ANN, before=back["first"], limit="4").json()
    assert [i["text"] for i in start["data"]] == ["question 0", "answer 0"]
    assert start["earlier"] is False
    both = widget.pull(ANN, before=back["first"], after=opened["cursor"])
    assert both.status_code == 400 and "not both" in both.json()["detail"]

    widget.operator(ticket, "replies", {"text": "answer 4"})
    widget.write(ANN, "m-5", "question 5")
    widget.operator(ticket, "replies", {"text": "answer 5"})
    pages, cursor = [], opened["cursor"]
    while True:
        page = widget.pull(ANN, after=cursor, limit="2").json()
        pages.append([i["text"] for i in page["data"]])
        cursor = page["cursor"]
        if not page["more"]:
            break
    assert pages == [["answer 4", "question 5"], ["answer 5"]]


def test_resolved_reopened_and_new_tickets_all_appear_in_order(widget: Widget, clock: Clock) -> None:
    first = widget.write(ANN, "m-1", "one")
    widget.operator(first, "replies", {"text": "r-one"})
    widget.operator(first, "resolve", {"resolution": "solved"})
    clock.advance(hours=1)
    assert widget.write(ANN, "m-2", "two") == first  # within the window: reopened
    widget.operator(first, "replies", {"text": "r-two"})
    widget.operator(first, "resolve", {"resolution": "solved"})
    widget.operator(first, "reopen")
    widget.operator(first, "replies", {"text": "r-two-bis"})
    widget.operator(first, "resolve", {"resolution": "solved"})
    clock.advance(days=5)
    second = widget.write(ANN, "m-3", "three")
    assert second != first
    widget.operator(second, "replies", {"text": "r-three"})
    data = widget.pull(ANN).json()["data"]
    assert [(i["text"], i["ticket_id"]) for i in data] == [
        ("one", first),
        ("r-one", first),
        ("two", first),
        ("r-two", first),
        ("r-two-bis", first),
        ("three", second),
        ("r-three", second),
    ]
    assert [i["sent_at"] for i in data] == sorted(i["sent_at"] for i in data)


def test_the_route_is_in_the_openapi_document(widget: Widget) -> None:
    paths = widget.client.get("/openapi.json").json()["paths"]
    operation = paths["/api/v1/ingest/widget/{channel}/messages"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"visitor_id", "after", "x-widget-key"}


def test_a_merge_into_another_customers_ticket_shows_the_visitor_nothing_of_theirs(widget: Widget) -> None:
    ann = widget.write(ANN, "a-1", "Ann asks")
    bob = widget.write(BOB, "b-1", "Bob asks")
    widget.operator(bob, "replies", {"text": "answer for Bob"})
    widget.operator(ann, "merge", {"into": bob})
    assert widget.items(ANN) == [("message", "Ann asks", None)]
    assert [text for _, text, _ in widget.items(BOB)] == ["Bob asks", "answer for Bob"]
