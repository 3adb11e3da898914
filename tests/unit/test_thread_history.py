"""What a widget visitor is shown of a ticket's events, and the polling cursor."""

import hashlib
import hmac

import pytest

from application.thread_history import thread_items
from ingest.contract import BadSignature, Malformed
from ingest.widget_conversation import check_visitor, decode_cursor, encode_cursor
from tests.support import new_ticket, stamp

VISITOR = "0f9e8d7c6b5a4f3e"


def events_and_positions() -> tuple[list[object], dict[int, int]]:
    ticket = new_ticket()
    ticket.assign("anna", None, stamp(1))
    ticket.reply("Hello 👋", stamp(2, actor="anna"))
    ticket.add_note("internal only", stamp(3, actor="anna"))
    ticket.receive_message("Спасибо!", "m-2", stamp(4))
    ticket.resolve("solved", stamp(5, actor="anna"))
    events = list(ticket.collect_events())
    return events, {event.originator_version: 100 + event.originator_version for event in events}


def test_messages_and_replies_are_shown_notes_and_housekeeping_are_not() -> None:
    events, positions = events_and_positions()
    items = thread_items(events[0].originator_id, events, positions, after=0)
    assert [(i.kind, i.text, i.author, i.message_id, i.version, i.position) for i in items] == [
        ("message", "My card is blocked", None, None, 1, 101),
        ("reply", "Hello 👋", "anna", None, 3, 103),
        ("message", "Спасибо!", None, "m-2", 5, 105),
    ]
    assert items[1].sent_at == stamp(2).occurred_at


def test_only_what_was_stored_after_the_cursor_and_has_a_known_position() -> None:
    events, positions = events_and_positions()
    ticket_id = events[0].originator_id
    assert [i.version for i in thread_items(ticket_id, events, positions, after=103)] == [5]
    del positions[5]  # stored after the positions were read: the next poll gets it
    assert [i.version for i in thread_items(ticket_id, events, positions, after=0)] == [1, 3]


def test_the_cursor_is_deterministic_and_round_trips() -> None:
    assert encode_cursor(42) == encode_cursor(42) != encode_cursor(43)
    assert decode_cursor(encode_cursor(42)) == 42
    assert decode_cursor(None) == decode_cursor("") == 0
    for bad in ("42", "p42", encode_cursor(1) + "=", "c D E", "%%%", "cC0x"):
        with pytest.raises(Malformed):
            decode_cursor(bad)


def test_visitor_ids_are_signed_with_the_identity_secret_or_long_enough() -> None:
    check_visitor("", VISITOR, "")
    with pytest.raises(Malformed, match="at least 16"):
        check_visitor("", "v-1", "")
    signed = hmac.new(b"s3cret", b"42", hashlib.sha256).hexdigest()
    check_visitor("s3cret", "42", signed)
    check_visitor("s3cret", "42", signed.upper())
    for wrong in ("", signed[:-1], hmac.new(b"other", b"42", hashlib.sha256).hexdigest()):
        with pytest.raises(BadSignature):
            check_visitor("s3cret", "42", wrong)
