"""The provider corpus: payloads shaped as each provider documents them, and what must become of each.

Layout: `tests/fixtures/corpus/<kind>/<name>.json` (`.eml` for e-mail), each beside
`<name>.expect.json`, one of

    {"outcome": "message", "text": "<the ticket message, exactly>", "attachments": ["location"],
     "author": {"handle": "<the writer's provider id>", "name": "<their name>"}}
    {"outcome": "ignored", "dead_letter_reason": "ignored: pinned_message"}
    {"outcome": "status", "dead_letter_reason": "<reason>"}      (a delivery report)
    {"outcome": "handshake", "answer": "<the plain text the provider gets back>"}

(`attachments`, the kinds of the message's attachments in order, `author`, who wrote it in a
group conversation (null: the customer, in a one-to-one one), and a status's
`dead_letter_reason` are optional). Each case gets a channel of its own, `<kind>-<name>`, so that
the tickets and dead letters it leaves are its alone, however many cases share one server.

A kind's payloads reach deskstream through its `Door` in DOORS: the settings its channels get and
the real entry point that delivers one body (the webhook route, signed as the provider signs; for
e-mail, the SMTP server). A kind new to the corpus adds its door there.
"""

import json
import smtplib
import socket
import weakref
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Runtime
from ingest.smtp_server import smtp_controller
from tests.fixtures.payloads import TG_SECRET, VK_SECRET, WA_SECRET, WA_VERIFY, admin_token, hub_signature

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"
SIDECAR = ".expect.json"
OUTCOMES = ("message", "ignored", "status", "handshake")


@dataclass(frozen=True)
class Case:
    kind: str
    name: str
    body: bytes
    expect: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.kind}/{self.name}"

    @property
    def channel(self) -> str:
        return f"{self.kind}-{self.name}".lower().replace("_", "-")[:64]


def cases(root: Path = CORPUS) -> list[Case]:
    """Every payload of the corpus with its expectations; a payload without them is an error."""
    found = []
    for path in sorted(p for p in root.glob("*/*") if p.is_file() and not p.name.endswith(SIDECAR)):
        sidecar = path.with_name(path.stem + SIDECAR)
        if not sidecar.exists():
            raise FileNotFoundError(f"{path} has no {sidecar.name} saying what must become of it.")
        expect = json.loads(sidecar.read_text())
        if expect.get("outcome") not in OUTCOMES:
            raise ValueError(f"{sidecar}: outcome must be one of {', '.join(OUTCOMES)}.")
        found.append(Case(path.parent.name, path.stem, path.read_bytes(), expect))
    return found


@dataclass(frozen=True)
class Delivery:
    """What the provider got back: an HTTP status (a door that is not HTTP maps its own answer to
    one), the plain text of the answer, and its JSON when it is JSON."""

    status: int
    text: str
    body: dict[str, Any] | None


class Desk:
    """A served deskstream with an admin, on which each case adds its own channel."""

    def __init__(self, runtime: Runtime, client: TestClient) -> None:
        self.runtime, self.client = runtime, client
        self.token = admin_token(runtime)
        self.resources = ExitStack()  # what a door starts once per desk (an SMTP server)

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        response = self.client.request(method, f"/api/v1{path}", headers=headers, **kwargs)
        assert response.status_code < 300, response.text
        return response.json()

    def add_channel(self, case: Case) -> str:
        settings = DOORS[case.kind].settings(case.channel)
        body = {"name": case.channel, "kind": case.kind, "owner": None, "settings": settings}
        self.api("POST", "/channels", json=body)
        self.runtime.runner.catch_up()
        return case.channel

    def deliver(self, case: Case) -> Delivery:
        return DOORS[case.kind].deliver(self, case.channel, case.body)

    def tickets(self, channel: str) -> list[dict[str, Any]]:
        self.runtime.runner.catch_up()
        return list(self.api("GET", "/tickets", params={"channel": channel, "limit": 10})["data"])

    def texts(self, ticket_id: str) -> list[str]:
        return [item["text"] for item in self.api("GET", f"/tickets/{ticket_id}")["conversation"]]

    def authors(self, ticket_id: str) -> list[dict[str, str] | None]:
        return [item["author"] for item in self.api("GET", f"/tickets/{ticket_id}")["conversation"]]

    def attachment_kinds(self, ticket_id: str) -> list[list[str]]:
        events = self.runtime.helpdesk.history(UUID(ticket_id))
        messages = [e for e in events if type(e).__name__ in ("TicketOpened", "CustomerMessageReceived")]
        return [[a["kind"] for a in e.attachments or []] for e in messages]

    def letters(self, channel: str) -> list[dict[str, Any]]:
        letters = self.api("GET", "/ingest/dead-letters", params={"limit": 500})["data"]
        return [letter for letter in letters if letter["channel"] == channel]


@contextmanager
def served(runtime: Runtime) -> Iterator[Desk]:
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        desk = Desk(runtime, client)
        with desk.resources:
            yield desk


def webhook(desk: Desk, kind: str, channel: str, body: bytes, headers: dict[str, str]) -> Delivery:
    response = desk.client.post(f"/api/v1/ingest/{kind}/{channel}", content=body, headers=headers)
    is_json = response.headers.get("content-type", "").startswith("application/json")
    return Delivery(response.status_code, response.text, response.json() if is_json else None)


def telegram(desk: Desk, channel: str, body: bytes) -> Delivery:
    headers = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET, "Content-Type": "application/json"}
    return webhook(desk, "telegram", channel, body, headers)


def whatsapp(desk: Desk, channel: str, body: bytes) -> Delivery:
    headers = {"X-Hub-Signature-256": hub_signature(WA_SECRET, body), "Content-Type": "application/json"}
    return webhook(desk, "whatsapp", channel, body, headers)


def vk(desk: Desk, channel: str, body: bytes) -> Delivery:
    """VK signs with the `secret` inside the body: a fixture carries VK_SECRET and group_id 218765432."""
    return webhook(desk, "vk", channel, body, {"Content-Type": "application/json"})


SMTP_PORTS: "weakref.WeakKeyDictionary[Desk, int]" = weakref.WeakKeyDictionary()
"""The port of the desk's SMTP intake, started at its first mail and stopped with the desk."""
MAIL_DOMAIN = "bank.example"


def smtp_port(desk: Desk) -> int:
    if desk not in SMTP_PORTS:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        assert desk.runtime.ingest is not None
        controller = smtp_controller(desk.runtime.ingest, "127.0.0.1", port)
        controller.start()
        desk.resources.callback(controller.stop)
        SMTP_PORTS[desk] = port
    return SMTP_PORTS[desk]


def email(desk: Desk, channel: str, body: bytes) -> Delivery:
    """A fixture is a mail as delivered, CRLF or not: its first line `Return-Path: <…>` (as the
    delivering server wrote it) is the envelope sender it is sent with again over SMTP, which writes
    it back; without one, its From address. SMTP's answer maps to HTTP: 2xx 200, 4xx 503, 550 404."""
    wire = body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    first, _, rest = wire.partition(b"\r\n")
    if first.lower().startswith(b"return-path:"):
        envelope, wire = first.split(b":", 1)[1].strip().strip(b"<>").decode(), rest
    else:
        envelope = parseaddr(
            next(
                (
                    line.decode("latin-1")[5:]
                    for line in wire.split(b"\r\n")
                    if line.lower().startswith(b"from:")
                ),
                "",
            )
        )[1]
    try:
        with smtplib.SMTP("127.0.0.1", smtp_port(desk)) as smtp:
            smtp.sendmail(envelope, [f"{channel}@{MAIL_DOMAIN}"], wire)
    except smtplib.SMTPRecipientsRefused as exc:
        return Delivery(404, str(exc.recipients), None)
    except smtplib.SMTPResponseException as exc:
        return Delivery(503 if exc.smtp_code < 500 else 400, exc.smtp_error.decode(), None)
    return Delivery(200, "250 Message accepted", None)


@dataclass(frozen=True)
class Door:
    """`settings(channel name)`: what a channel of the kind is added with; `deliver(desk, channel
    name, body)`: one delivery of the body through the kind's real entry point."""

    settings: Callable[[str], dict[str, str]]
    deliver: Callable[[Desk, str, bytes], Delivery]


DOORS: dict[str, Door] = {
    "email": Door(lambda channel: {"address": f"{channel}@{MAIL_DOMAIN}", "smtp_port": "9"}, email),
    "telegram": Door(lambda _: {"secret_token": TG_SECRET, "bot_token": "123:ABC"}, telegram),
    "whatsapp": Door(
        lambda _: {
            "verify_token": WA_VERIFY,
            "app_secret": WA_SECRET,
            "access_token": "EAAG-test",
            "phone_number_id": "106540352242922",
        },
        whatsapp,
    ),
    "vk": Door(
        lambda _: {
            "confirmation": "a1b2c3d4",
            "secret": VK_SECRET,
            "group_id": "218765432",
            "access_token": "vk1.a.test",
        },
        vk,
    ),
}
