"""A real SMTP round trip: smtplib → our aiosmtpd intake → ticket → reply → outbound SMTP captured."""

import smtplib
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from aiosmtpd.controller import Controller

from api.bootstrap import Runtime
from application.channels import add_channel
from application.command import Context
from ingest.smtp_server import smtp_controller
from projections.queue_store import QueueFilter
from tests.support import T0, Clock, sqlite_runtime

SUPPORT = "support@bank.example"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Capture:
    def __init__(self) -> None:
        self.mails: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 OK"


@contextmanager
def mail_desk(data: Path, clock: Clock) -> Iterator[tuple[Runtime, int, Capture]]:
    """A desk with channel `mail` (owner anna) for SUPPORT: (runtime, our SMTP intake's port, the
    outbound SMTP server's capture, which speaks SMTPUTF8 as real servers do)."""
    capture, out_port, in_port = Capture(), free_port(), free_port()
    outbound = Controller(capture, hostname="127.0.0.1", port=out_port, enable_SMTPUTF8=True)
    outbound.start()
    runtime = sqlite_runtime(data, clock)
    runtime.helpdesk.register_user("anna", "operator")
    settings = {"address": SUPPORT, "smtp_host": "127.0.0.1", "smtp_port": str(out_port)}
    add_channel(runtime.helpdesk, "mail", "email", "anna", settings, Context("root"))
    runtime.runner.catch_up()
    assert runtime.ingest is not None
    inbound = smtp_controller(runtime.ingest, "127.0.0.1", in_port)
    inbound.start()
    try:
        yield runtime, in_port, capture
    finally:
        inbound.stop()
        outbound.stop()
        runtime.close()


@pytest.fixture
def mail(tmp_path: Path, clock: Clock) -> Iterator[tuple[Runtime, int, Capture]]:
    with mail_desk(tmp_path / "data", clock) as desk:
        yield desk


def customer_mail(message_id: str, subject: str, html: str, **headers: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Ольга Смирнова <olga@example.ru>"
    mail["To"] = SUPPORT
    mail["Subject"] = subject
    mail["Message-ID"] = message_id
    mail["Date"] = format_datetime(T0)
    for key, value in headers.items():
        mail[key.replace("_", "-")] = value
    mail.set_content(html, subtype="html")
    return mail


def test_mail_round_trip_with_threading(mail: tuple[Runtime, int, Capture]) -> None:
    runtime, port, capture = mail
    first = customer_mail(
        "<q1@example.ru>", "Списали деньги дважды", "<p>Здравствуйте!</p><p>Списали <b>дважды</b></p>"
    )
    first.add_attachment(b"%PDF-1.4 fake", maintype="application", subtype="pdf", filename="чек.pdf")
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.send_message(first)
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            smtp.send_message(customer_mail("<x@example.ru>", "spam", "x"), to_addrs=["nobody@bank.example"])
    assert b"=?utf-8?" in first.as_bytes()  # the subject really went out RFC 2047-encoded

    runtime.runner.catch_up()
    [row] = runtime.queue.query(QueueFilter(), 10, 0)[0]
    ticket_id = UUID(row["id"])
    ticket = runtime.helpdesk.ticket(ticket_id)
    assert (ticket.subject, ticket.assignee) == ("Списали деньги дважды", "anna")
    opened = runtime.helpdesk.history(ticket_id)[0]
    assert opened.text == "Здравствуйте!\nСписали дважды"
    assert opened.attachments == [
        {"kind": "file", "id": None, "name": "чек.pdf", "mime_type": "application/pdf", "size": 13}
    ]

    runtime.helpdesk.change(
        ticket_id, Context("anna"), None, lambda t, s: t.reply("Вернём в течение дня.", s)
    )
    runtime.runner.catch_up()
    runtime.ingest.outbox.run_once()  # type: ignore[union-attr]
    [(recipients, raw_reply)] = capture.mails
    sent = message_from_bytes(raw_reply, policy=policy.default)
    assert recipients == ["olga@example.ru"]
    assert sent["In-Reply-To"] == "<q1@example.ru>" and sent["References"] == "<q1@example.ru>"
    assert str(sent["Subject"]) == f"Re: Списали деньги дважды [#{ticket_id}]"
    assert sent.get_content().strip() == "Вернём в течение дня."
    assert type(runtime.helpdesk.history(ticket_id)[-1]).__name__ == "ReplyDelivered"

    answer = customer_mail(
        "<q2@example.ru>",
        str(sent["Subject"]).replace("Re:", "RE: Re:"),
        "<div>Спасибо, жду</div>",
        In_Reply_To=sent["Message-ID"],
        References=f"<q1@example.ru> {sent['Message-ID']}",
    )
    token_only = customer_mail("<q3@example.ru>", f"ещё вопрос [#{ticket_id}]", "<p>И ещё</p>")
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.send_message(answer)
        smtp.send_message(answer)  # a duplicate delivery changes nothing
        smtp.send_message(token_only)
    texts = [getattr(e, "text", None) for e in runtime.helpdesk.history(ticket_id)]
    assert [t for t in texts if t in ("Спасибо, жду", "И ещё")] == ["Спасибо, жду", "И ещё"]
