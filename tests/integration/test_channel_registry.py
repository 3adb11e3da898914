"""The channel registry: each kind is declared once, checked when it is imported, and everything
that varies by kind (routes, enum, settings, replies) follows from it."""

import importlib.util
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus
from uuid import UUID

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Runtime
from application.channels import add_channel
from application.command import Context
from domain.channel import Channel
from ingest import registry
from ingest.channel_kind import ChannelKind, HttpReplies, Replies, register
from projections.queue_store import QueueFilter
from tests.fixtures.payloads import HERE, MENTIONS_SECRET, Recorder, add_channels, hub_signature, raw
from tests.fixtures.payloads import recording_server as provider_stub
from tests.integration.api_client import As, sign_up
from tests.support import Clock, sqlite_runtime, stamp

REPLY = "We are on it, thank you for waiting"
WEBHOOK_OPERATIONS = {
    (
        "/api/v1/ingest/telegram/{channel}",
        "post",
        "telegram_api_v1_ingest_telegram__channel__post",
        "Telegram",
    ),
    (
        "/api/v1/ingest/whatsapp/{channel}",
        "get",
        "whatsapp_verify_api_v1_ingest_whatsapp__channel__get",
        "Whatsapp Verify",
    ),
    (
        "/api/v1/ingest/whatsapp/{channel}",
        "post",
        "whatsapp_api_v1_ingest_whatsapp__channel__post",
        "Whatsapp",
    ),
    ("/api/v1/ingest/vk/{channel}", "post", "vk_api_v1_ingest_vk__channel__post", "Vk"),
    ("/api/v1/ingest/widget/{channel}", "post", "widget_api_v1_ingest_widget__channel__post", "Widget"),
    (
        "/api/v1/ingest/widget/{channel}/messages",
        "get",
        "widget_messages_api_v1_ingest_widget__channel__messages_get",
        "Widget Messages",
    ),
    (
        "/api/v1/ingest/mentions/{channel}",
        "post",
        "mentions_api_v1_ingest_mentions__channel__post",
        "Mentions",
    ),
}
"""The webhook operations as they were written out by hand before the registry made them: each is
still there with its operation id and summary (clients generated from the document keep working)."""


def fixtures_of(kind: str) -> list[Path]:
    return sorted(p for p in HERE.iterdir() if p.is_file() and p.name.startswith(f"{kind}_"))


def settings_for(kind: ChannelKind, **extra: str) -> dict[str, str]:
    """A value for each required setting (shaped like an address, so e-mail can use it too)."""
    return {key: f"{kind.kind}-{key}@desk.example" for key in kind.required_settings} | extra


def a_message(kind: ChannelKind, config: Channel) -> bytes:
    """The kind's first payload fixture that carries a customer's message."""
    return next(p.read_bytes() for p in fixtures_of(kind.kind) if kind.parse(config, p.read_bytes()).messages)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MailStub:
    def __init__(self) -> None:
        self.mails: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(envelope.original_content or envelope.content)
        return "250 OK"


@pytest.fixture
def provider() -> Iterator[Recorder]:
    with provider_stub() as recorder:
        yield recorder


@pytest.fixture
def mail_stub() -> Iterator[tuple[MailStub, int]]:
    stub, port = MailStub(), free_port()
    controller = Controller(stub, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield stub, port
    finally:
        controller.stop()


@pytest.fixture
def desk(tmp_path: Path, clock: Clock) -> Iterator[Runtime]:
    runtime = sqlite_runtime(tmp_path / "data", clock)
    runtime.helpdesk.register_user("anna", "operator")
    yield runtime
    runtime.close()


@pytest.fixture
def served(tmp_path: Path, clock: Clock, provider: Recorder) -> Iterator[tuple[Runtime, dict[str, As]]]:
    runtime = sqlite_runtime(tmp_path / "data", clock)
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        users = sign_up(runtime, client)
        add_channels(client, users["root"].token, api_base=provider.url)
        yield runtime, users


def reply(runtime: Runtime, ticket_id: UUID, text: str = REPLY) -> None:
    runtime.helpdesk.change(ticket_id, Context("anna"), None, lambda t, s: t.reply(text, s))
    runtime.runner.catch_up()


def last_event(runtime: Runtime, ticket_id: UUID) -> Any:
    return runtime.helpdesk.history(ticket_id)[-1]


def take_in(runtime: Runtime, name: str, kind: ChannelKind, body: bytes) -> UUID:
    """The kind's payload through intake as a verified webhook would go (the signature is the kind's
    own test's business)."""
    assert runtime.ingest is not None
    config = runtime.ingest.service.channel(name, kind.kind)
    outcome = runtime.ingest.service.process(config, kind, body, dead=pytest.fail)
    assert outcome.status == 200, outcome.body
    return UUID(outcome.body["messages"][0]["ticket_id"])


@pytest.mark.parametrize("kind", registry.kinds(), ids=registry.names())
def test_every_registered_kind_has_payload_fixtures_that_it_reads(kind: ChannelKind) -> None:
    files = fixtures_of(kind.kind)
    assert files, f"tests/fixtures/payloads has no {kind.kind}_*.json (or .eml) payload"
    config = Channel.add(f"{kind.kind}-line", kind.kind, None, settings_for(kind), stamp())
    parsed = [kind.parse(config, path.read_bytes()) for path in files]
    assert any(p.messages or p.mentions for p in parsed), "no fixture carries a customer's message"


def test_every_payload_fixture_names_a_registered_kind() -> None:
    """A kind module that forgot `@register` is silently absent; its fixtures say it should exist."""
    payloads = [p for p in HERE.iterdir() if p.is_file() and p.suffix in (".json", ".eml")]
    sent = list((HERE / "sent").glob("*.json"))
    named = {p.name.split("_", 1)[0] for p in payloads} | {p.stem for p in sent}
    unknown = sorted(name for name in named if registry.find(name) is None)
    assert not unknown, f"fixtures for kinds nobody registered (a missing @register?): {unknown}"


SENDABLE = [k for k in registry.kinds() if k.replies is Replies.PUSHED]


@pytest.mark.parametrize("kind", SENDABLE, ids=[k.kind for k in SENDABLE])
def test_a_reply_on_every_sendable_kind_reaches_the_providers_stub(
    kind: ChannelKind, desk: Runtime, provider: Recorder, mail_stub: tuple[MailStub, int]
) -> None:
    mails, smtp_port = mail_stub
    settings = settings_for(kind, api_base=provider.url, smtp_host="127.0.0.1", smtp_port=str(smtp_port))
    name = f"{kind.kind}-line"  # a channel's name is not its kind
    add_channel(desk.helpdesk, name, kind.kind, None, settings, Context("root"), kind.required_settings)
    desk.runner.catch_up()
    ticket_id = take_in(desk, name, kind, a_message(kind, desk.helpdesk.find(Channel.create_id(name))))
    if isinstance(kind, HttpReplies):
        answer = HERE / "sent" / f"{kind.kind}.json"
        assert answer.exists(), (
            f"tests/fixtures/payloads/sent/{kind.kind}.json: the provider's answer to a send"
        )
        provider.default = (200, json.loads(answer.read_bytes()))
    reply(desk, ticket_id)
    assert desk.ingest is not None and desk.ingest.outbox.run_once() == 1
    assert type(last_event(desk, ticket_id)).__name__ == "ReplyDelivered"
    sent = [unquote_plus(r.body.decode()) for r in provider.requests] + [m.decode() for m in mails.mails]
    assert len(sent) == 1 and REPLY in sent[0]


def test_a_ticket_opened_through_post_tickets_on_a_named_telegram_channel_gets_its_reply_delivered(
    served: tuple[Runtime, dict[str, As]], provider: Recorder
) -> None:
    runtime, users = served
    settings = {"secret_token": "s", "bot_token": "77:XYZ", "api_base": provider.url}
    added = users["root"].post("/channels", {"name": "support-tg", "kind": "telegram", "settings": settings})
    assert added.status_code == 201, added.text
    customer = {"name": "Мария", "handle": "435671190"}
    opened = users["vk-bot"].post("/tickets", {"channel": "support-tg", "customer": customer, "text": "SMS?"})
    assert opened.status_code == 201, opened.text
    ticket = runtime.helpdesk.ticket(UUID(opened.json()["id"]))
    assert runtime.helpdesk.customer(ticket.customer_id).identities == ("telegram:435671190",)
    reply(runtime, ticket.id)
    assert runtime.ingest is not None and runtime.ingest.outbox.run_once() == 1
    [sent] = provider.requests
    assert sent.path == "/bot77:XYZ/sendMessage" and sent.json() == {"chat_id": 435671190, "text": REPLY}
    assert type(last_event(runtime, ticket.id)).__name__ == "ReplyDelivered"
    webhook = take_in(runtime, "tg", registry.kind_of("telegram"), raw("telegram_message_ru.json"))
    assert runtime.helpdesk.ticket(webhook).customer_id == ticket.customer_id  # one person, either door


def test_a_channel_name_nobody_configured_names_its_customers_and_leaves_replies_to_its_client(
    served: tuple[Runtime, dict[str, As]],
) -> None:
    runtime, users = served
    customer = {"name": "Ivan", "handle": "id1"}
    opened = users["vk-bot"].post(
        "/tickets", {"channel": "phone", "customer": customer, "text": "Card blocked"}
    )
    ticket = runtime.helpdesk.ticket(UUID(opened.json()["id"]))
    assert runtime.helpdesk.customer(ticket.customer_id).identities == ("phone:id1",)
    reply(runtime, ticket.id)
    assert runtime.ingest is not None and runtime.ingest.outbox.run_once() == 0
    assert runtime.ingest.jobs.jobs(str(ticket.id)) == []
    assert type(last_event(runtime, ticket.id)).__name__ == "ReplySent"


def test_a_reply_on_a_mention_ticket_records_that_mentions_cannot_send(
    served: tuple[Runtime, dict[str, As]], provider: Recorder
) -> None:
    runtime, users = served
    body = raw("mentions_review.json")
    headers = {"X-Signature-256": hub_signature(MENTIONS_SECRET, body)}
    captured = users["root"].client.post("/api/v1/ingest/mentions/press", content=body, headers=headers)
    mention_id = captured.json()["mentions"][0]["id"]
    triaged = users["root"].post(f"/mentions/{mention_id}/triage", {"decision": "reply", "tags": []})
    assert triaged.status_code == 200, triaged.text
    runtime.runner.catch_up()
    [ticket_id] = [UUID(t["id"]) for t in runtime.queue.query(QueueFilter(), 10, 0)[0]]
    reply(runtime, ticket_id)
    assert runtime.ingest is not None and runtime.ingest.outbox.run_once() == 1
    failed = last_event(runtime, ticket_id)
    assert type(failed).__name__ == "ReplyDeliveryFailed" and failed.attempts == 1
    assert failed.error.startswith(
        "A mentions channel cannot send replies: mentions are answered on the site"
    )
    assert provider.requests == []


def test_a_reply_on_a_channel_of_a_kind_this_deskstream_does_not_know_records_why(desk: Runtime) -> None:
    desk.helpdesk.save(Channel.add("fax-line", "fax", None, {}, stamp()))  # e.g. a kind since removed
    desk.runner.catch_up()
    opened = desk.helpdesk.open_ticket("fax-line", "Ivan", "+7 900", None, "Hello", None, Context("anna"))
    reply(desk, opened.id)
    assert desk.ingest is not None and desk.ingest.outbox.run_once() == 1
    failed = last_event(desk, opened.id)
    assert type(failed).__name__ == "ReplyDeliveryFailed"
    assert failed.error == "This deskstream has no channel kind 'fax', so the reply cannot be sent."


def test_a_widget_reply_is_pulled_by_the_widget_so_no_delivery_is_tried_or_failed(desk: Runtime) -> None:
    widget = registry.kind_of("widget")
    add_channel(desk.helpdesk, "app", "widget", None, settings_for(widget), Context("root"), ("public_key",))
    desk.runner.catch_up()
    ticket_id = take_in(desk, "app", widget, raw("widget_message.json"))
    reply(desk, ticket_id)
    assert desk.ingest is not None and desk.ingest.outbox.run_once() == 0
    assert type(last_event(desk, ticket_id)).__name__ == "ReplySent"


@pytest.mark.parametrize("kind", registry.kinds(), ids=registry.names())
def test_a_channel_without_its_kinds_required_settings_is_refused_naming_them(
    kind: ChannelKind, served: tuple[Runtime, dict[str, As]]
) -> None:
    _, users = served
    response = users["root"].post("/channels", {"name": f"{kind.kind}-2", "kind": kind.kind, "settings": {}})
    assert response.status_code == 422, response.text
    assert (
        response.json()["detail"]
        == f"A {kind.kind} channel needs the settings: {', '.join(kind.required_settings)}."
    )


def test_the_openapi_made_from_the_registry_lists_the_same_webhook_operations(desk: Runtime) -> None:
    spec = create_app(desk).openapi()
    found = {
        (path, method, op["operationId"], op["summary"])
        for path, ops in spec["paths"].items()
        if path.startswith("/api/v1/ingest/")
        and not any(staff in path for staff in ("dead-letters", "raw-mail"))
        for method, op in ops.items()
    }
    assert found >= WEBHOOK_OPERATIONS
    for path, method, _, summary in found - WEBHOOK_OPERATIONS:  # a kind added since: made alike
        kind = registry.kind_of(path.split("/")[4])
        assert kind.webhook is not None and path == f"/api/v1/ingest/{kind.kind}/{{channel}}"
        title = kind.kind.replace("_", " ").title()
        assert (method, summary) in {("post", title), ("get", f"{title} Verify")}
    kinds = spec["components"]["schemas"]["ChannelCreate"]["properties"]["kind"]["enum"]
    assert kinds == list(registry.names())
    assert {"email", "mentions", "telegram", "vk", "whatsapp", "widget"} <= set(kinds)


class Complete(ChannelKind):
    """Everything a kind declares, for the tests below to leave one part out."""

    required_settings = ()
    replies = Replies.PUSHED
    reports_statuses = False
    forged_status = 401
    acknowledgement = None
    webhook = None


def test_a_kind_that_cannot_send_its_replies_fails_to_register() -> None:
    with pytest.raises(TypeError, match=r"abstract method.* send"):

        @register
        class Half(Complete):
            kind = "half"

            def verify(self, channel: Channel, body: bytes, headers: Any) -> None: ...

            def parse(self, channel: Channel, body: bytes) -> Any: ...

    assert registry.find("half") is None


def test_a_kind_that_does_not_say_whether_it_reports_statuses_fails_to_register(tmp_path: Path) -> None:
    module = tmp_path / "silent_kind.py"
    module.write_text(
        "from ingest.channel_kind import NoReplies, register\n\n"
        "@register\n"
        "class Silent(NoReplies):\n"
        "    kind = 'silent'\n    required_settings = ()\n    no_replies = 'it is a test'\n"
        "    forged_status = 401\n    acknowledgement = None\n    webhook = None\n"
        "    def verify(self, channel, body, headers): ...\n"
        "    def parse(self, channel, body): ...\n"
    )
    spec = importlib.util.spec_from_file_location("silent_kind", module)
    assert spec is not None and spec.loader is not None
    with pytest.raises(TypeError, match="Silent does not declare: reports_statuses"):
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
    assert registry.find("silent") is None


def test_a_kind_that_sends_no_replies_without_saying_why_fails_to_register() -> None:
    with pytest.raises(TypeError, match="no_replies must say why"):

        @register
        class Mute(Complete):
            kind = "mute"
            replies = Replies.NONE

            def verify(self, channel: Channel, body: bytes, headers: Any) -> None: ...

            def parse(self, channel: Channel, body: bytes) -> Any: ...

            def send(self, channel: Channel, thread: Any, text: str, reply_key: str) -> None: ...

    assert registry.find("mute") is None
