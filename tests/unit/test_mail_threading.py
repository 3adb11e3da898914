"""Which ticket and thread a mail belongs to, and who it is from (ingest/kinds/email.py)."""

import json
from uuid import UUID

import pytest

from application.intake import Inbound
from domain.channel import Channel
from ingest import registry
from ingest.contract import Malformed
from ingest.kinds.email import message_key
from tests.support import stamp

CHANNEL = Channel.add("mail", "email", None, {"address": "support@bank.example"}, stamp())
TICKET = UUID("6f1c2a9e-4b7d-4e21-9c3a-0d5e8f7a1b24")
OTHER = UUID("0b7e1c9a-3f1d-4c2b-9a7e-2d5f8c1e4a6b")


def mail(
    *headers: str, body: str = "Да, номер договора 12-345.", sender: str | None = "Olga <olga@example.ru>"
) -> bytes:
    lines = ["Return-Path: <olga@example.ru>", *([f"From: {sender}"] if sender else []), *headers]
    lines += ["Content-Type: text/plain; charset=utf-8", "", body]
    return "\r\n".join(lines).encode()


def inbound(raw: bytes) -> Inbound:
    [message] = registry.kind_of("email").parse(CHANNEL, raw).messages
    return message


def test_an_answer_linked_only_by_in_reply_to_our_reply_names_that_ticket() -> None:
    message = inbound(mail("Message-ID: <a1@example.ru>", f"In-Reply-To: <{TICKET}.4@bank.example>"))
    assert message.ticket_hint == TICKET
    assert message.thread == f"mail:olga@example.ru:ticket:{TICKET}"


def test_every_answer_to_our_replies_on_one_ticket_shares_one_thread() -> None:
    threads = {
        inbound(mail(f"Message-ID: <a{v}@example.ru>", f"In-Reply-To: <{TICKET}.{v}@Bank.Example>")).thread
        for v in (2, 5, 9)
    }
    assert threads == {f"mail:olga@example.ru:ticket:{TICKET}"}


def test_references_keep_the_customers_root_and_the_last_of_our_ids_names_the_ticket() -> None:
    message = inbound(
        mail(
            "Message-ID: <a3@example.ru>",
            f"References: <q1@example.ru> <{OTHER}.2@bank.example>\r\n <{TICKET}.4@bank.example>",
            "In-Reply-To: <someone-else@example.ru>",
        )
    )
    assert message.thread == "mail:olga@example.ru:<q1@example.ru>"
    assert message.ticket_hint == TICKET


def test_in_reply_to_comes_before_references_and_the_subject_token() -> None:
    message = inbound(
        mail(
            "Message-ID: <a4@example.ru>",
            f"Subject: Re: card [#{OTHER}]",
            f"References: <{OTHER}.1@bank.example>",
            f"In-Reply-To: <{TICKET}.3@bank.example>",
        )
    )
    assert message.ticket_hint == TICKET


def test_ids_of_another_domain_or_shape_name_no_ticket_and_the_subject_token_still_does() -> None:
    foreign = inbound(mail("Message-ID: <a5@example.ru>", f"In-Reply-To: <{TICKET}.4@other.example>"))
    assert foreign.ticket_hint is None
    assert foreign.thread == f"mail:olga@example.ru:<{TICKET}.4@other.example>"
    shaped = inbound(mail("Message-ID: <a6@example.ru>", f"In-Reply-To: <{TICKET}@bank.example>"))
    assert shaped.ticket_hint is None
    token = inbound(mail("Message-ID: <a7@example.ru>", f"Subject: ещё вопрос [#{TICKET}]"))
    assert token.ticket_hint == TICKET


def test_a_mail_without_links_roots_its_own_thread() -> None:
    message = inbound(mail("Message-ID: <root@example.ru>"))
    assert (message.thread, message.external_id, message.ticket_hint) == (
        "mail:olga@example.ru:<root@example.ru>",
        "<root@example.ru>",
        None,
    )


def test_a_mail_without_message_id_is_known_by_its_bytes_as_the_raw_store_files_it() -> None:
    raw = mail()
    assert inbound(raw).external_id == message_key(raw)
    assert message_key(raw).endswith("@no-message-id>")
    assert message_key(mail("Message-ID: <x@example.ru>")) == "<x@example.ru>"


def test_without_from_the_envelope_sender_is_answered() -> None:
    message = inbound(mail("Message-ID: <e1@example.ru>", sender=None))
    assert (message.handle, message.name) == ("olga@example.ru", "")


@pytest.mark.parametrize("sender", ["Olga Smirnova", "<>", "undisclosed-recipients:;", "olga at example.ru"])
def test_a_from_with_no_usable_address_gives_way_to_the_envelope_keeping_the_name(sender: str) -> None:
    message = inbound(mail("Message-ID: <e2@example.ru>", sender=sender))
    assert message.handle == "olga@example.ru"
    if sender == "Olga Smirnova":
        assert message.name == "Olga Smirnova"


def test_a_usable_from_wins_over_the_envelope_and_is_lower_cased() -> None:
    raw = mail("Message-ID: <e3@example.ru>", sender="=?utf-8?b?0J7Qu9GM0LPQsA==?= <Olga.S@Example.RU>")
    message = inbound(raw.replace(b"Return-Path: <olga@example.ru>", b"Return-Path: <bounces@list.example>"))
    assert (message.handle, message.name) == ("olga.s@example.ru", "Ольга")


def test_no_from_and_no_envelope_is_malformed() -> None:
    raw = mail("Message-ID: <e4@example.ru>", sender=None).replace(b"Return-Path: <olga@example.ru>\r\n", b"")
    with pytest.raises(Malformed, match="no sender address"):
        registry.kind_of("email").parse(CHANNEL, raw)


def test_8bit_bytes_in_ids_and_names_become_storable_text() -> None:
    raw = (
        b"Return-Path: <olga@example.ru>\r\nFrom: \xce\xeb\xfc\xe3\xe0 <olga@example.ru>\r\n"
        b"Message-ID: <\xe8\xe4-1@example.ru>\r\nSubject: \xd1\xf7\xe5\xf2\r\n"
        b"Content-Type: text/plain; charset=windows-1251\r\n\r\n\xd2\xe5\xea\xf1\xf2\r\n"
    )
    message = inbound(raw)
    assert (message.name, message.subject, message.text) == ("Ольга", "Счет", "Текст")
    message.external_id.encode("utf-8")


def test_stripped_history_is_kept_whole_as_full_text_metadata() -> None:
    body = (
        "Спасибо!\r\n\r\nOn Mon, 2 Mar 2026 at 10:00, Support <support@bank.example> wrote:\r\n> Вернули.\r\n"
    )
    message = inbound(mail("Message-ID: <f1@example.ru>", body=body))
    assert message.text == "Спасибо!"
    [full] = message.attachments
    expected = "Спасибо!\n\nOn Mon, 2 Mar 2026 at 10:00, Support <support@bank.example> wrote:\n> Вернули."
    assert full == {
        "kind": "full_text",
        "id": None,
        "name": "full_text.txt",
        "mime_type": "text/plain",
        "size": len(expected.encode()),
        "payload": json.dumps({"text": expected}, ensure_ascii=False, separators=(",", ":")),
    }


def test_a_mail_with_nothing_stripped_carries_no_full_text() -> None:
    assert inbound(mail("Message-ID: <f2@example.ru>", body="Line\r\n\r\n\r\nLine 2  \r\n")).attachments == []


def test_a_mail_that_is_one_file_is_named_by_it() -> None:
    raw = (
        b"Return-Path: <olga@example.ru>\r\nFrom: olga@example.ru\r\nMessage-ID: <p1@example.ru>\r\n"
        b"Content-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="=?utf-8?b?0YfQtdC6LnBkZg==?="\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n"
    )
    message = inbound(raw)
    assert message.text == "[file: чек.pdf]"
    assert message.attachments == [
        {"kind": "file", "id": None, "name": "чек.pdf", "mime_type": "application/pdf", "size": 9}
    ]
