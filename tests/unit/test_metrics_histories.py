"""Random but valid ticket histories for hypothesis: commands on real Ticket aggregates, in time
order, turned into EventRecords exactly as the local log would deliver them."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from hypothesis import strategies as st

from domain.errors import DomainError
from domain.stamp import Stamp
from domain.ticket import Ticket
from projections.records import EventRecord, record_from_event

START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
OPERATORS = ("anna", "boris", "carl")
WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
Command = Callable[[Ticket, Stamp], None]

COMMANDS: list[tuple[str, Callable[[Any], Command]]] = [
    ("reply", lambda _: lambda t, s: t.reply("ok", s)),
    ("message", lambda _: lambda t, s: t.receive_message("hi", None, s)),
    ("note", lambda _: lambda t, s: t.add_note("n", s)),
    ("pause_customer", lambda _: lambda t, s: t.pause("waiting_customer", None, s)),
    ("pause_department", lambda _: lambda t, s: t.pause("waiting_department", "billing", s)),
    ("resume", lambda _: lambda t, s: t.resume(s)),
    ("resolve", lambda r: lambda t, s: t.resolve(r, s)),
    ("reopen", lambda _: lambda t, s: t.reopen(s)),
    ("assign", lambda who: lambda t, s: t.assign(who, None, s)),
    ("rate", lambda score: lambda t, s: t.rate(score, None, s)),
    ("type", lambda kind: lambda t, s: t.set_type(kind, s)),
    ("tag", lambda tag: lambda t, s: t.change_tags([tag], [], s)),
]
ARGUMENTS = {
    "resolve": st.sampled_from(["solved", "spam", "no_reply_needed"]),
    "assign": st.sampled_from(OPERATORS),
    "rate": st.sampled_from(["like", "dislike"]),
    "type": st.sampled_from(["question", "problem"]),
    "tag": st.sampled_from(["vip", "bug"]),
}


@st.composite
def steps(draw: st.DrawFn) -> tuple[int, str, Any, str, int]:
    """(ticket index, command, argument, actor, minutes later)."""
    name = draw(st.sampled_from([c for c, _ in COMMANDS]))
    argument = draw(ARGUMENTS[name]) if name in ARGUMENTS else None
    return (
        draw(st.integers(0, 3)),
        name,
        argument,
        draw(st.sampled_from(OPERATORS)),
        draw(st.integers(0, 26 * 60)),
    )


histories = st.lists(steps(), min_size=1, max_size=40)


def play(plan: list[tuple[int, str, Any, str, int]]) -> list[EventRecord]:
    """Opens tickets as they are first mentioned; skips commands the ticket refuses."""
    factories = dict(COMMANDS)
    tickets: dict[int, Ticket] = {}
    records: list[EventRecord] = []
    now = START
    for index, name, argument, actor, minutes in plan:
        now += timedelta(minutes=minutes)
        stamp = Stamp(now, now, actor)
        ticket = tickets.get(index)
        if ticket is None:
            ticket = tickets[index] = Ticket.open(
                UUID(int=index + 1), "vk", UUID(int=100 + index), None, "hello", None, Stamp(now, now, "bot")
            )
        else:
            try:
                factories[name](argument)(ticket, stamp)
            except DomainError:
                continue
        for event in ticket.collect_events():
            records.append(record_from_event(len(records) + 1, event))
    return records
