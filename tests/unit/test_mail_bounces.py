"""Bounces and automatic answers are kept as dead letters, never tickets (ingest/mail/automatic.py)."""

import pytest

from domain.channel import Channel
from ingest import registry
from ingest.contract import Parsed
from tests.support import stamp

CHANNEL = Channel.add("mail", "email", None, {"address": "support@bank.example"}, stamp())
BOUNCE, AUTO = "ignored: bounce", "ignored: auto-submitted"


def mail(*headers: str, body: str = "Hello", envelope: str | None = "olga@example.ru") -> bytes:
    top = [] if envelope is None else [f"Return-Path: <{envelope}>"]
    lines = [*top, "To: support@bank.example", "Message-ID: <m1@example.ru>", *headers, "", body]
    return "\r\n".join(lines).encode()


def parse(raw: bytes) -> Parsed:
    return registry.kind_of("email").parse(CHANNEL, raw)


def test_a_delivery_status_report_is_a_bounce_whatever_else_it_says() -> None:
    report = mail(
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.ru>",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
        "Auto-Submitted: auto-replied",
        body="--b\r\nContent-Type: text/plain\r\n\r\nFailed.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.ru\r\n\r\nFinal-Recipient: rfc822; x@example.ru\r\nAction: failed\r\n"
        "Status: 5.1.1\r\n--b--\r\n",
        envelope="",
    )
    assert parse(report) == Parsed(unsupported=BOUNCE)


def multipart(subtype: str, part: str, *headers: str) -> bytes:
    """A multipart mail of one part (`part`: its content type) from gateway@example.ru."""
    body = f"--b\r\nContent-Type: {part}\r\n\r\nAction: failed\r\n--b--\r\n"
    return mail(
        "From: gateway@example.ru", f'Content-Type: multipart/{subtype}; boundary="b"', *headers, body=body
    )


def test_a_delivery_status_part_inside_other_multipart_mail_is_a_bounce() -> None:
    assert parse(multipart("mixed", "message/delivery-status")) == Parsed(unsupported=BOUNCE)


def test_a_read_receipt_report_is_an_automatic_answer_not_a_bounce() -> None:
    receipt = multipart("report; report-type=disposition-notification", "message/disposition-notification")
    assert parse(receipt) == Parsed(unsupported=AUTO)


@pytest.mark.parametrize(
    ("sender", "envelope"),
    [
        ("MAILER-DAEMON@mx.example.ru", "olga@example.ru"),
        ("Postmaster <postmaster@mail.example.ru>", "olga@example.ru"),
        ("Olga <olga@example.ru>", "MAILER-DAEMON"),
        ("Olga <olga@example.ru>", "postmaster@example.ru"),
    ],
)
def test_mail_from_a_mailer_daemon_or_postmaster_in_from_or_envelope_is_a_bounce(
    sender: str, envelope: str
) -> None:
    assert parse(mail(f"From: {sender}", envelope=envelope)) == Parsed(unsupported=BOUNCE)


def test_the_null_envelope_sender_is_a_bounce_unless_the_mail_says_it_is_an_automatic_answer() -> None:
    assert parse(mail("From: Olga <olga@example.ru>", envelope="")) == Parsed(unsupported=BOUNCE)
    vacation = mail("From: Olga <olga@example.ru>", "Auto-Submitted: auto-replied", envelope="")
    assert parse(vacation) == Parsed(unsupported=AUTO)


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: auto-replied",
        "Auto-Submitted: auto-generated",
        "Auto-Submitted: auto-notified; owner-email=x@example.ru",
        "Precedence: bulk",
        "Precedence: junk",
        "Precedence: List",
        "X-Autoreply: yes",
        "X-Autorespond: vacation",
    ],
)
def test_automatic_answers_and_bulk_mail_are_ignored_as_auto_submitted(header: str) -> None:
    assert parse(mail("From: Olga <olga@example.ru>", header)) == Parsed(unsupported=AUTO)


@pytest.mark.parametrize(
    "header", ["Auto-Submitted: no", "Auto-Submitted: No (a person wrote this)", "Precedence: first-class"]
)
def test_mail_a_person_wrote_is_a_message(header: str) -> None:
    [message] = parse(mail("From: Olga <olga@example.ru>", header)).messages
    assert (message.handle, message.text) == ("olga@example.ru", "Hello")


def test_mail_not_delivered_by_our_server_has_no_envelope_and_is_not_taken_for_a_bounce() -> None:
    [message] = parse(mail("From: Olga <olga@example.ru>", envelope=None)).messages
    assert message.handle == "olga@example.ru"
