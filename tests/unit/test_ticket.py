"""The Ticket aggregate's rules, as an operator or customer would meet them."""

import copy
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import (
    AlreadyRatedError,
    EmptyTextError,
    InvalidMergeError,
    InvalidValueError,
    ReplyNotDeliveredError,
    TicketMergedError,
    TicketNotPausableError,
    TicketNotPausedError,
    TicketNotResolvedError,
    TicketResolvedError,
    TimeTravelError,
)
from domain.ticket import Ticket
from tests.support import new_ticket, stamp


def event_types(ticket: Ticket) -> list[str]:
    return [type(e).__name__ for e in ticket.collect_events()]


def test_opening_records_the_first_message_and_starts_the_wait() -> None:
    ticket = new_ticket()
    assert ticket.status == "open"
    assert ticket.waiting_since == stamp().occurred_at
    assert event_types(ticket) == ["TicketOpened"]


def test_a_reply_ends_the_wait_and_the_next_customer_message_starts_a_new_one() -> None:
    ticket = new_ticket()
    ticket.reply("Hello!", stamp(5))
    assert ticket.waiting_since is None
    ticket.receive_message("Still broken", "m-2", stamp(9))
    assert ticket.waiting_since == stamp(9).occurred_at


def test_a_note_does_not_end_the_wait() -> None:
    ticket = new_ticket()
    ticket.add_note("Customer is anxious", stamp(1))
    assert ticket.waiting_since == stamp().occurred_at


def test_customer_message_on_a_paused_ticket_resumes_it_first() -> None:
    ticket = new_ticket()
    ticket.pause("waiting_customer", None, stamp(1))
    ticket.collect_events()
    ticket.receive_message("Here is the photo", "m-2", stamp(30))
    assert ticket.status == "open"
    events = ticket.collect_events()
    assert [type(e).__name__ for e in events] == ["Resumed", "CustomerMessageReceived"]
    assert events[0].reason == "customer_replied"


def test_customer_message_on_a_resolved_ticket_reopens_it() -> None:
    ticket = new_ticket()
    ticket.resolve("solved", stamp(3))
    ticket.collect_events()
    ticket.receive_message("It happened again", "m-3", stamp(60))
    events = ticket.collect_events()
    assert [type(e).__name__ for e in events] == ["Reopened", "CustomerMessageReceived"]
    assert events[0].reason == "customer_replied"
    assert ticket.status == "open" and ticket.resolution is None


@pytest.mark.parametrize(
    "command",
    [
        lambda t: t.reply("hi", stamp(10)),
        lambda t: t.add_note("hi", stamp(10)),
        lambda t: t.assign("boris", None, stamp(10)),
        lambda t: t.pause("waiting_customer", None, stamp(10)),
    ],
    ids=["reply", "note", "assign", "pause"],
)
def test_work_on_a_resolved_ticket_is_refused(command) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket()
    ticket.resolve("solved", stamp(5))
    with pytest.raises((TicketResolvedError, TicketNotPausableError)):
        command(ticket)


def test_pause_only_an_open_unpaused_ticket_and_resume_only_a_paused_one() -> None:
    ticket = new_ticket()
    with pytest.raises(TicketNotPausedError):
        ticket.resume(stamp(1))
    ticket.pause("waiting_department", "Billing", stamp(2))
    with pytest.raises(TicketNotPausableError):
        ticket.pause("waiting_customer", None, stamp(3))
    ticket.resume(stamp(4))
    assert ticket.status == "open"


def test_waiting_for_a_department_names_the_department() -> None:
    with pytest.raises(InvalidValueError, match="department"):
        new_ticket().pause("waiting_department", "  ", stamp(1))


def test_one_rating_per_resolution() -> None:
    ticket = new_ticket()
    with pytest.raises(TicketNotResolvedError):
        ticket.rate("like", None, stamp(1))
    ticket.resolve("solved", stamp(2))
    ticket.rate("like", "thanks", stamp(3))
    with pytest.raises(AlreadyRatedError):
        ticket.rate("dislike", None, stamp(4))
    ticket.reopen(stamp(5))
    ticket.resolve("solved", stamp(6))
    ticket.rate("dislike", None, stamp(7))
    assert ticket.ratings == 2


def test_merge_records_both_sides_and_the_source_leaves_the_queue() -> None:
    source, target = new_ticket(), new_ticket()
    source.collect_events()
    target.collect_events()
    source.merge_into(target, stamp(5))
    assert source.status == "merged" and source.merged_into == target.id
    assert target.merged_from == (source.id,)
    assert [type(e).__name__ for e in target.collect_events()] == ["MergeReceived"]
    with pytest.raises(TicketMergedError):
        source.reply("hello?", stamp(6))


def test_merge_refuses_self_twice_merged_and_resolved_targets() -> None:
    a, b, c = new_ticket(), new_ticket(), new_ticket()
    with pytest.raises(InvalidMergeError, match="itself"):
        a.merge_into(a, stamp(1))
    a.merge_into(b, stamp(1))
    with pytest.raises(InvalidMergeError, match="already been merged"):
        a.merge_into(c, stamp(2))
    with pytest.raises(InvalidMergeError, match="merged"):
        c.merge_into(a, stamp(2))
    c.resolve("solved", stamp(3))
    with pytest.raises(InvalidMergeError, match="resolved"):
        b.merge_into(c, stamp(4))


def test_occurred_at_never_goes_backwards() -> None:
    ticket = new_ticket(minutes=10)
    with pytest.raises(TimeTravelError):
        ticket.reply("late", stamp(9))
    ticket.reply("same minute is fine", stamp(10))


def test_tags_are_normalised_and_only_real_changes_are_recorded() -> None:
    ticket = new_ticket()
    ticket.collect_events()
    ticket.change_tags([" VIP", "card"], [], stamp(1))
    ticket.change_tags(["vip"], ["missing"], stamp(2))
    assert ticket.tags == ("card", "vip")
    assert event_types(ticket) == ["TagsChanged"]
    with pytest.raises(InvalidValueError):
        ticket.change_tags(["a"], ["A"], stamp(3))


def test_bad_values_say_what_is_allowed() -> None:
    ticket = new_ticket()
    with pytest.raises(InvalidValueError, match="question, problem, incident"):
        ticket.set_type("complaint", stamp(1))
    with pytest.raises(EmptyTextError):
        ticket.reply("   ", stamp(1))
    with pytest.raises(InvalidValueError, match="resolution"):
        ticket.resolve("closed", stamp(1))


def test_request_ids_are_remembered_with_the_version_they_produced() -> None:
    ticket = Ticket.open(uuid4(), "vk", uuid4(), None, "hi", None, stamp(0, request_id="open-1"))
    ticket.reply("hello", stamp(1, request_id="reply-1"))
    assert ticket.request_versions == {"open-1": 1, "reply-1": 2}


def test_a_cached_copy_shares_no_mutable_state_with_the_original() -> None:
    ticket = new_ticket()
    ticket.add_note("first", stamp(1, request_id="k-1"))
    clone = copy.deepcopy(ticket)
    assert vars(clone) == vars(ticket)
    clone.add_note("only on the clone", stamp(2, request_id="k-2"))
    assert "k-2" not in ticket.request_versions
    assert ticket.version == 2 and len(ticket.collect_events()) == 2


WAMID = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI3QjVGRkY1RjI0QjA4MEVCQzAA"


def delivered_reply() -> Ticket:
    """A ticket whose reply (version 2) the provider accepted as WAMID."""
    ticket = new_ticket()
    ticket.reply("Your order ships today.", stamp(1))
    ticket.record_delivery(2, WAMID, stamp(1))
    ticket.collect_events()
    return ticket


def report(ticket: Ticket, status: str, minutes: float, error: str | None = None) -> None:
    ticket.report_reply_status(2, WAMID, status, stamp(minutes - 0.5).occurred_at, error, stamp(minutes))


def test_each_status_of_a_reply_is_recorded_once_whatever_the_order() -> None:
    ticket = delivered_reply()
    for status, minutes in [("read", 3), ("delivered", 4), ("read", 5), ("sent", 6), ("delivered", 7)]:
        report(ticket, status, minutes)
    events = ticket.collect_events()
    assert [(e.status, e.status_at) for e in events] == [
        ("read", stamp(2.5).occurred_at),
        ("delivered", stamp(3.5).occurred_at),
        ("sent", stamp(5.5).occurred_at),
    ]
    assert ticket.reply_statuses == {2: ("read", "delivered", "sent")}
    assert {e.provider_message_id for e in events} == {WAMID} and ticket.version == 6


def test_a_failed_status_keeps_the_providers_error_even_on_a_resolved_ticket() -> None:
    ticket = delivered_reply()
    ticket.resolve("solved", stamp(2))
    report(ticket, "failed", 3, "131026 Message undeliverable: not a WhatsApp number")
    [_, failed] = ticket.collect_events()
    assert (failed.status, failed.error) == ("failed", "131026 Message undeliverable: not a WhatsApp number")
    assert ticket.status == "resolved"


def test_a_status_needs_a_reply_the_provider_accepted_under_that_id() -> None:
    ticket = new_ticket()
    ticket.reply("Hello", stamp(1))
    with pytest.raises(ReplyNotDeliveredError):
        report(ticket, "sent", 2)
    ticket.record_delivery(2, "wamid.OTHER", stamp(2))
    with pytest.raises(ReplyNotDeliveredError):
        report(ticket, "sent", 3)
    with pytest.raises(InvalidValueError, match="sent, delivered, read, failed"):
        ticket.report_reply_status(2, "wamid.OTHER", "seen", stamp(3).occurred_at, None, stamp(3))


@given(st.lists(st.sampled_from(["sent", "delivered", "read", "failed"]), max_size=12))
def test_any_order_of_reports_records_the_distinct_statuses_in_arrival_order(reports: list[str]) -> None:
    ticket = delivered_reply()
    for minutes, status in enumerate(reports, start=2):
        report(ticket, status, minutes)
    recorded = [e.status for e in ticket.collect_events()]
    assert recorded == list(dict.fromkeys(reports))
    assert ticket.reply_statuses.get(2, ()) == tuple(recorded)
