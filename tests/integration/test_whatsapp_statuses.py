"""WhatsApp status notifications on our replies: sent, delivered, read, failed, each recorded once.

A reply goes out through the outbox to a local recording server standing in for the Cloud API,
which answers with a wamid; signed status notifications about that wamid then land on the ticket
as ReplyStatusReported events, on SQLite and on PostgreSQL.
"""

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Runtime
from application.command import Context
from projections.queue_store import QueueFilter
from tests.fixtures.payloads import (
    WA_SECRET,
    Recorder,
    add_channels,
    admin_token,
    hub_signature,
    payload,
    raw,
    recording_server,
    wa_status,
    wa_statuses,
)
from tests.support import Clock, assert_log_reads_as_the_library, postgres_runtime, sqlite_runtime

WAMID = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI3QjVGRkY1RjI0QjA4MEVCQzAA"
FAILED_WAMID = payload("whatsapp_status_failed.json")["entry"][0]["changes"][0]["value"]["statuses"][0]["id"]
SENT, DELIVERED, READ = 1772442001, 1772442003, 1772442060


class Desk:
    """The served API, the provider stand-in, and what a test does with them."""

    def __init__(self, runtime: Runtime, client: TestClient, provider: Recorder) -> None:
        self.runtime, self.client, self.provider = runtime, client, provider
        for name in ("anna", "oleg"):
            runtime.helpdesk.register_user(name, "operator")
        self.token = admin_token(runtime)
        add_channels(client, self.token, api_base=provider.url)

    def whatsapp(self, body: bytes) -> Any:
        headers = {"X-Hub-Signature-256": hub_signature(WA_SECRET, body), "Content-Type": "application/json"}
        return self.client.post("/api/v1/ingest/whatsapp/wa", content=body, headers=headers)

    def replied(self, wamid: str) -> UUID:
        """A customer writes, an operator answers, the Cloud API accepts the answer as `wamid`."""
        response = self.whatsapp(raw("whatsapp_text.json"))
        ticket_id = UUID(response.json()["messages"][0]["ticket_id"])
        reply = "Your order ships today."
        self.runtime.helpdesk.change(ticket_id, Context("oleg"), None, lambda t, s: t.reply(reply, s))
        self.runtime.runner.catch_up()
        self.provider.script = [(200, {"messaging_product": "whatsapp", "messages": [{"id": wamid}]})]
        assert self.runtime.ingest is not None and self.runtime.ingest.outbox.run_once() == 1
        return ticket_id

    def reports(self, ticket_id: UUID) -> list[dict[str, Any]]:
        """The ReplyStatusReported events in the ticket's history, as the API shows them."""
        headers = {"Authorization": f"Bearer {self.token}"}
        events = self.client.get(f"/api/v1/tickets/{ticket_id}/events", headers=headers).json()["data"]
        return [e["data"] for e in events if e["type"] == "ReplyStatusReported"]

    def dead_letters(self) -> list[dict[str, Any]]:
        headers = {"Authorization": f"Bearer {self.token}"}
        return self.client.get("/api/v1/ingest/dead-letters", headers=headers).json()["data"]

    def events(self) -> int:
        return self.runtime.helpdesk.recorder.max_notification_id() or 0


@pytest.fixture
def provider() -> Iterator[Recorder]:
    with recording_server() as recorder:
        yield recorder


@pytest.fixture(params=["sqlite", "postgres"])
def desk(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock, provider: Recorder) -> Iterator[Desk]:
    if request.param == "sqlite":
        runtime = sqlite_runtime(tmp_path / "data", clock)
    else:
        runtime = postgres_runtime(request.getfixturevalue("postgres_db"), clock, data_dir=tmp_path / "data")
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        yield Desk(runtime, client, provider)
        assert_log_reads_as_the_library(runtime.helpdesk)  # status_at is a time inside the event


def at(seconds: int) -> str:
    """The provider's time as the API writes it."""
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def test_sent_delivered_read_are_recorded_once_each(desk: Desk) -> None:
    ticket_id = desk.replied(WAMID)  # the view has not caught up: the outbox kept the wamid itself
    for status, seconds in [
        ("sent", SENT),
        ("delivered", DELIVERED),
        ("delivered", DELIVERED),
        ("read", READ),
    ]:
        response = desk.whatsapp(wa_statuses(wa_status(WAMID, status, seconds)))
        assert response.status_code == 200, response.text
        [answer] = response.json()["statuses"]
        assert answer["ticket_id"] == str(ticket_id) and answer["status"] == status
    assert desk.reports(ticket_id) == [
        {
            "reply_version": 3,
            "provider_message_id": WAMID,
            "status": status,
            "status_at": at(seconds),
            "error": None,
        }
        for status, seconds in [("sent", SENT), ("delivered", DELIVERED), ("read", READ)]
    ]
    assert desk.dead_letters() == []
    desk.runtime.runner.catch_up()  # queue, search, analytics and the ingest view fold them too
    [row] = desk.runtime.queue.query(QueueFilter(channel=["wa"]), 10, 0)[0]
    assert row["version"] == desk.runtime.helpdesk.ticket(ticket_id).version == 7


def test_out_of_order_and_batched_reports_record_each_status_once(desk: Desk) -> None:
    ticket_id = desk.replied(WAMID)
    assert desk.whatsapp(wa_statuses(wa_status(WAMID, "read", READ))).status_code == 200
    batch = wa_statuses(wa_status(WAMID, "delivered", DELIVERED), wa_status(WAMID, "read", READ))
    assert desk.whatsapp(batch).status_code == 200
    before = desk.events()
    assert desk.whatsapp(batch).status_code == 200  # Meta retries the whole notification
    assert desk.events() == before
    assert desk.whatsapp(wa_statuses(wa_status(WAMID, "sent", SENT))).status_code == 200
    reports = desk.reports(ticket_id)
    assert [(r["status"], r["status_at"]) for r in reports] == [
        ("read", at(READ)),
        ("delivered", at(DELIVERED)),
        ("sent", at(SENT)),
    ]


def test_a_failed_status_is_recorded_with_metas_error(desk: Desk) -> None:
    ticket_id = desk.replied(FAILED_WAMID)
    assert desk.whatsapp(wa_statuses(wa_status(FAILED_WAMID, "sent", SENT))).status_code == 200
    response = desk.whatsapp(raw("whatsapp_status_failed.json"))
    assert response.status_code == 200, response.text
    sent, failed = desk.reports(ticket_id)
    assert sent["status"] == "sent" and sent["error"] is None
    assert failed["status"] == "failed" and failed["status_at"] == at(1772442012)
    assert failed["error"] == (
        "131026 Message undeliverable: Unable to deliver message. "
        "The recipient's phone number is not a WhatsApp number."
    )


def test_a_status_for_a_message_we_did_not_send_is_dead_lettered_with_200(desk: Desk) -> None:
    desk.replied(WAMID)
    before = desk.events()
    response = desk.whatsapp(raw("whatsapp_status.json"))  # a wamid another tool sent
    assert response.status_code == 200, response.text
    assert response.json()["statuses"] == [] and response.json()["dead_letter"]
    [letter] = desk.dead_letters()
    assert letter["reason"] == (
        "status for a message deskstream did not send (another tool's?): "
        "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA (delivered)"
    )
    assert desk.events() == before


def test_a_malformed_status_is_refused_and_dead_lettered(desk: Desk) -> None:
    ticket_id = desk.replied(WAMID)
    before = desk.events()
    body = wa_statuses(wa_status(WAMID, "delivered", DELIVERED) | {"status": 2})
    response = desk.whatsapp(body)
    assert response.status_code == 400
    assert response.json()["detail"] == "statuses[].status must be a non-empty string."
    [letter] = desk.dead_letters()
    assert (
        letter["reason"] == "statuses[].status must be a non-empty string."
        and letter["body"] == body.decode()
    )
    assert desk.events() == before and desk.reports(ticket_id) == []


def test_a_report_that_beat_the_delivery_record_is_recorded_once_the_outbox_keeps_the_id(desk: Desk) -> None:
    """The narrow race: Meta's "sent" before the outbox kept the wamid. It waits as a dead letter,
    and the outbox retries it as soon as it has kept the id: no admin needed."""
    early = desk.whatsapp(wa_statuses(wa_status(WAMID, "sent", SENT)))
    assert early.status_code == 200 and early.json()["statuses"] == []
    other = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI3QjVGRkY1RjI0QjA4MEVCQzAB"
    desk.whatsapp(wa_statuses(wa_status(other, "sent", SENT)))  # another tool's message
    assert [d["status"] for d in desk.dead_letters()] == ["new", "new"]
    ticket_id = desk.replied(WAMID)
    assert [r["status"] for r in desk.reports(ticket_id)] == ["sent"]
    by_id = {other in d["reason"]: d for d in desk.dead_letters()}
    assert (by_id[False]["status"], by_id[True]["status"]) == ("retried", "new")
    headers = {"Authorization": f"Bearer {desk.token}"}
    letter = by_id[False]
    again = desk.client.post(f"/api/v1/ingest/dead-letters/{letter['id']}/retry", headers=headers)
    assert again.status_code == 200, again.text
    assert [r["status"] for r in desk.reports(ticket_id)] == ["sent"]  # the admin's retry adds nothing


def test_a_report_whose_lookup_just_missed_the_outbox_is_recorded_by_the_second_look(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other interleaving: the outbox keeps the wamid (and finds no letter to retry) right
    after the service looked it up and before it wrote the letter; its second look finds it."""
    ticket_id = desk.replied(WAMID)
    assert desk.runtime.ingest is not None
    sent = desk.runtime.ingest.service.sent
    lookups: list[str] = []
    real = sent.sent_reply

    def missed_once(channel: str, provider_message_id: str) -> tuple[str, int] | None:
        lookups.append(provider_message_id)
        return None if len(lookups) == 1 else real(channel, provider_message_id)

    monkeypatch.setattr(sent, "sent_reply", missed_once)
    answer = desk.whatsapp(wa_statuses(wa_status(WAMID, "delivered", DELIVERED)))
    assert answer.status_code == 200, answer.text
    assert [r["status"] for r in desk.reports(ticket_id)] == ["delivered"]
    assert [d["status"] for d in desk.dead_letters()] == ["retried"]


def test_an_ingest_view_from_before_statuses_is_replayed_to_know_sent_ids(
    tmp_path: Path, clock: Clock, provider: Recorder
) -> None:
    """An ingest.sqlite written before outbox_sent existed is cleared once and refilled from the log."""
    runtime = sqlite_runtime(tmp_path / "data", clock)
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        ticket_id = Desk(runtime, client, provider).replied(WAMID)  # the app's shutdown closes it
    with sqlite3.connect(tmp_path / "data" / "ingest.sqlite") as con:
        con.execute("DROP TABLE outbox_sent")
        con.execute("DROP TABLE ingest_schema")
    con.close()

    again = sqlite_runtime(tmp_path / "data", clock)
    try:
        assert again.ingest is not None
        assert again.ingest.jobs.sent_reply("wa", WAMID) is None
        again.runner.catch_up()
        assert again.ingest.jobs.sent_reply("wa", WAMID) == (str(ticket_id), 3)
        assert [j["status"] for j in again.ingest.jobs.jobs(str(ticket_id))] == ["delivered"]
        assert again.ingest.outbox.run_once() == 0  # nothing is sent twice
    finally:
        again.close()
