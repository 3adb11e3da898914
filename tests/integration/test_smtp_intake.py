"""Real SMTP (smtplib → our aiosmtpd intake → ticket → reply → outbound SMTP captured) for what only
the wire shows: the envelope sender, threading on our own Message-IDs, bounces on the null sender,
the raw mail an admin reads back, and the outbound Subject's folding."""

import smtplib
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import hash_token, new_token
from api.bootstrap import Runtime
from application.command import Context
from ingest.mail.raw_store import RawMailStore
from projections.queue_store import QueueFilter
from tests.fixtures.payloads import admin_token
from tests.integration.test_smtp_roundtrip import SUPPORT, Capture, mail_desk
from tests.support import Clock

DATE = "Mon, 02 Mar 2026 08:40:00 +0300"


class Mail:
    """A served desk with its SMTP intake and a captured outbound SMTP server (SMTPUTF8 on)."""

    def __init__(self, runtime: Runtime, port: int, capture: Capture, client: TestClient) -> None:
        self.runtime, self.port, self.capture, self.client = runtime, port, capture, client
        self.admin = admin_token(runtime)
        self.operator = new_token()
        runtime.helpdesk.issue_token(hash_token(self.operator), "anna")

    def send(self, envelope: str, raw: bytes) -> None:
        with smtplib.SMTP("127.0.0.1", self.port) as smtp:
            smtp.sendmail(envelope, [SUPPORT], raw)

    def tickets(self) -> list[UUID]:
        self.runtime.runner.catch_up()
        return [UUID(row["id"]) for row in self.runtime.queue.query(QueueFilter(), 10, 0)[0]]

    def texts(self, ticket_id: UUID) -> list[str]:
        return [e.text for e in self.runtime.helpdesk.history(ticket_id) if hasattr(e, "text")]

    def reply(self, ticket_id: UUID, text: str) -> bytes:
        """An operator's reply, delivered by the outbox: the mail as the customer's server got it."""
        self.runtime.helpdesk.change(ticket_id, Context("anna"), None, lambda t, s: t.reply(text, s))
        self.runtime.runner.catch_up()
        self.runtime.ingest.outbox.run_once()  # type: ignore[union-attr]
        return self.capture.mails[-1][1]

    def get(self, path: str, token: str | None, **params: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.get(f"/api/v1{path}", params=params, headers=headers)


@pytest.fixture
def mail(tmp_path: Path, clock: Clock) -> Iterator[Mail]:
    with (
        mail_desk(tmp_path / "data", clock) as (runtime, port, capture),
        TestClient(create_app(runtime), raise_server_exceptions=False) as client,
    ):
        yield Mail(runtime, port, capture, client)


def plain(*headers: str, body: str) -> bytes:
    lines = [*headers, f"Date: {DATE}", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", ""]
    return ("\r\n".join(lines) + "\r\n" + body + "\r\n").encode()


def subject_lines(raw: bytes) -> list[str]:
    lines = raw.split(b"\r\n\r\n", 1)[0].decode("utf-8").split("\r\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("Subject:"))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith((" ", "\t"))), len(lines))
    return lines[start:end]


def test_mail_without_from_is_answered_at_its_smtp_envelope_sender(mail: Mail) -> None:
    mail.send(
        "form@shop.example.ru",
        plain(
            "To: support@bank.example",
            "Message-ID: <f1@shop.example.ru>",
            "Subject: Web form",
            body="Перезвоните мне, пожалуйста.",
        ),
    )
    [ticket_id] = mail.tickets()
    assert mail.texts(ticket_id) == ["Перезвоните мне, пожалуйста."]
    customer = mail.runtime.helpdesk.customer(mail.runtime.helpdesk.ticket(ticket_id).customer_id)
    assert "email:form@shop.example.ru" in customer.identities
    mail.reply(ticket_id, "Перезвоним сегодня.")
    [(recipients, _)] = mail.capture.mails
    assert recipients == ["form@shop.example.ru"]


def test_an_answer_linked_only_by_in_reply_to_our_reply_lands_in_that_ticket(mail: Mail) -> None:
    mail.send(
        "olga@example.ru",
        plain(
            "From: Olga <olga@example.ru>",
            "Message-ID: <q1@example.ru>",
            "Subject: Карта",
            body="Карта не работает.",
        ),
    )
    [ticket_id] = mail.tickets()
    sent = message_from_bytes(mail.reply(ticket_id, "Какой номер договора?"), policy=policy.default)
    assert sent["Message-ID"].startswith(f"<{ticket_id}.")
    answer = plain(
        "From: Olga <olga@example.ru>",
        "Message-ID: <q2@example.ru>",
        f"In-Reply-To: {sent['Message-ID']}",
        "Subject: номер",
        body="12-345",
    )
    mail.send("olga@example.ru", answer)
    mail.send("olga@example.ru", answer)  # an SMTP retry changes nothing
    assert mail.tickets() == [ticket_id]
    assert mail.texts(ticket_id)[-2:] == ["Какой номер договора?", "12-345"]


def test_someone_else_answering_our_reply_opens_their_own_ticket_not_the_customers(mail: Mail) -> None:
    mail.send(
        "olga@example.ru",
        plain("From: Olga <olga@example.ru>", "Message-ID: <q5@example.ru>", "Subject: Карта", body="Карта."),
    )
    [ticket_id] = mail.tickets()
    sent = message_from_bytes(mail.reply(ticket_id, "Какой номер договора?"), policy=policy.default)
    forged = plain(
        "From: Mallory <mallory@example.com>",
        "Message-ID: <m1@example.com>",
        f"In-Reply-To: {sent['Message-ID']}",
        f"Subject: Re: [#{ticket_id}] Карта",
        body="Смените мой адрес на mallory@example.com",
    )
    mail.send("mallory@example.com", forged)
    mail.send("mallory@example.com", forged)
    assert mail.texts(ticket_id) == ["Карта.", "Какой номер договора?"]
    [other] = [t for t in mail.tickets() if t != ticket_id]
    assert mail.texts(other) == ["Смените мой адрес на mallory@example.com"]


def test_a_bounce_on_the_null_sender_makes_no_ticket_and_one_dead_letter(mail: Mail) -> None:
    bounce = plain(
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.ru>",
        "To: support@bank.example",
        "Message-ID: <b1@mx.example.ru>",
        "Subject: Undelivered Mail Returned to Sender",
        body="Your message could not be delivered: 550 5.1.1 User unknown",
    )
    mail.send("", bounce)  # MAIL FROM:<>, as bounces come (RFC 5321 §4.5.5)
    assert mail.tickets() == []
    [letter] = mail.get("/ingest/dead-letters", mail.admin).json()["data"]
    assert (letter["kind"], letter["reason"]) == ("email", "ignored: bounce")
    assert letter["body"].startswith("Return-Path: <>\r\n")


def test_an_admin_reads_the_raw_mail_back_byte_for_byte_and_nobody_else_does(mail: Mail) -> None:
    raw = (
        b"From: \xce\xeb\xfc\xe3\xe0 <olga@example.ru>\r\nMessage-ID: <r1@example.ru>\r\n"
        b"Subject: \xd1\xf7\xe5\xf2\r\nContent-Type: text/plain\r\n\r\n"
        b"\xd2\xe5\xea\xf1\xf2 \xef\xe8\xf1\xfc\xec\xe0\r\n"
    )
    mail.send("olga@example.ru", raw)
    [ticket_id] = mail.tickets()
    assert mail.texts(ticket_id) == ["Текст письма"]
    assert mail.runtime.helpdesk.ticket(ticket_id).subject == "Счет"
    listed = mail.get("/ingest/raw-mail", mail.admin, message_id="<r1@example.ru>").json()
    [kept] = listed["data"]
    assert (listed["count"], kept["channel"], kept["message_id"]) == (1, "mail", "<r1@example.ru>")
    got = mail.get(f"/ingest/raw-mail/{kept['id']}", mail.admin)
    assert got.headers["content-type"].startswith("message/rfc822")
    assert got.content == b"Return-Path: <olga@example.ru>\r\n" + raw
    assert kept["size"] == len(got.content)
    for token, status in ((mail.operator, 403), (None, 401)):
        assert mail.get("/ingest/raw-mail", token, message_id="<r1@example.ru>").status_code == status
        assert mail.get(f"/ingest/raw-mail/{kept['id']}", token).status_code == status
    missing = mail.get(f"/ingest/raw-mail/{'0' * 64}", mail.admin)
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")


SUBJECTS = (
    "Двойное списание, верните деньги",
    "Двойное списание за заказ № 4711 от 1 марта, прошу вернуть деньги",
)
"""Sized so that the library alone folds the first right after "Subject:" in SMTPUTF8 mode, and long."""


@pytest.mark.parametrize("address", ["olga@example.ru", "ольга@пример.рф"])
@pytest.mark.parametrize("subject", SUBJECTS)
def test_a_cyrillic_reply_subject_is_not_folded_after_the_colon(
    mail: Mail, address: str, subject: str
) -> None:
    raw = (
        "\r\n".join(
            [
                f"From: Olga <{address}>",
                "Message-ID: <s1@example.ru>",
                f"Subject: {subject}",
                "Content-Type: text/plain; charset=utf-8",
                "",
                "Верните деньги.",
            ]
        )
        + "\r\n"
    ).encode()
    mail.send("olga@example.ru", raw)
    [ticket_id] = mail.tickets()
    out = mail.reply(ticket_id, "Вернём.")
    lines = subject_lines(out)
    assert lines[0] != "Subject:" and lines[0].startswith("Subject: Re: ")
    assert str(message_from_bytes(out, policy=policy.default)["Subject"]) == f"Re: {subject} [#{ticket_id}]"
    assert mail.capture.mails[-1][0] == [address]


def test_a_mail_that_could_not_be_stored_is_refused_for_now_so_the_sender_retries(mail: Mail) -> None:
    ingest = mail.runtime.ingest
    assert ingest is not None
    with ingest.db.transaction() as cur:
        cur.execute("DROP TABLE raw_mail")  # the raw store's write fails, as on a broken disk
    raw = plain("From: Olga <olga@example.ru>", "Message-ID: <t1@example.ru>", "Subject: x", body="Привет")
    with pytest.raises(smtplib.SMTPDataError) as refused:
        mail.send("olga@example.ru", raw)
    assert refused.value.smtp_code == 451  # temporary: a 5xx would make the sender bounce it for good
    assert mail.tickets() == []
    RawMailStore(ingest.db)  # the table is back, as after a restart
    mail.send("olga@example.ru", raw)
    [ticket_id] = mail.tickets()
    assert mail.texts(ticket_id) == ["Привет"]
