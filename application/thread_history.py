"""What a customer may see of their thread on one channel: their messages and our replies, never notes.

Read from the event store, not a view: the in-app widget polls for replies, and a view would show
them only after its next batch. The thread's tickets come from its Conversation's events (the
aggregate's state keeps only the last few), and only the customer's own tickets on that channel
are shown, because a merge may have moved the thread onto somebody else's ticket.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from application.customers import MERGE_HOPS
from application.desk import Desk
from domain.conversation import Conversation
from domain.customer import Customer
from domain.event_types import EventType
from domain.ticket import Ticket

VISIBLE = {
    EventType.TICKET_OPENED: "message",
    EventType.CUSTOMER_MESSAGE_RECEIVED: "message",
    EventType.REPLY_SENT: "reply",
}
ITEM_KINDS = ("message", "reply")


@dataclass(frozen=True, slots=True)
class ThreadItem:
    ticket_id: UUID
    version: int
    position: int
    kind: str  # message (the customer's) | reply (an operator's)
    text: str
    sent_at: datetime
    author: str | None  # None for the customer, else the operator who replied
    message_id: str | None  # the customer's own id for the message, as their client sent it


def thread_items(
    ticket_id: UUID, events: Iterable[Any], positions: Mapping[int, int], after: int
) -> list[ThreadItem]:
    """Events with no known position were stored after the positions were read: the next read has them."""
    items = []
    for event in events:
        kind = VISIBLE.get(type(event).__name__)
        position = positions.get(event.originator_version)
        if kind is None or position is None or position <= after:
            continue
        customer = kind == "message"
        items.append(
            ThreadItem(
                ticket_id=ticket_id,
                version=event.originator_version,
                position=position,
                kind=kind,
                text=event.text,
                sent_at=event.occurred_at,
                author=None if customer else event.actor,
                message_id=event.external_id if customer else None,
            )
        )
    return items


def thread_history(
    helpdesk: Desk, channel: str, thread: str, customer_identities: tuple[str, ...], after: int
) -> list[ThreadItem]:
    """The items stored after log position `after`, in the order they were stored."""
    customers = {c for i in customer_identities for c in customer_records(helpdesk, i)}
    items: list[ThreadItem] = []
    for ticket in thread_tickets(helpdesk, channel, thread):
        if ticket.channel == channel and ticket.customer_id in customers:
            items += ticket_items(helpdesk, ticket.id, after)
    return sorted(items, key=lambda item: item.position)


def customer_records(helpdesk: Desk, customer_identity: str) -> set[UUID]:
    """The identity's own record and those it was merged into: a ticket keeps the customer id it
    was opened with, so tickets from before a merge carry the old one and later ones the survivor's."""
    records: set[UUID] = set()
    customer_id: UUID | None = Customer.create_id(customer_identity)
    for _ in range(MERGE_HOPS):
        found = helpdesk.find(customer_id) if customer_id is not None else None
        if not isinstance(found, Customer) or found.id in records:
            break
        records.add(found.id)
        customer_id = found.merged_into
    return records


def thread_tickets(helpdesk: Desk, channel: str, thread: str) -> list[Ticket]:
    """Every ticket the thread went to, and where each was merged (operators answer on the target)."""
    found: dict[UUID, Ticket] = {}
    for ticket_id in thread_ticket_ids(helpdesk, channel, thread):
        next_id: UUID | None = ticket_id
        for _ in range(MERGE_HOPS):
            ticket = helpdesk.find(next_id) if next_id is not None else None
            if not isinstance(ticket, Ticket) or ticket.id in found:
                break
            found[ticket.id] = ticket
            next_id = ticket.merged_into
    return list(found.values())


def thread_ticket_ids(helpdesk: Desk, channel: str, thread: str) -> list[UUID]:
    """From the Conversation's events: its state keeps only the last few tickets."""
    events: Iterable[Any] = helpdesk.events.get(Conversation.create_id(channel, thread))
    return list(dict.fromkeys(event.ticket_id for event in events))


def ticket_items(helpdesk: Desk, ticket_id: UUID, after: int) -> list[ThreadItem]:
    """Reads only the events stored after `after`, so a poll that finds nothing new decodes nothing."""
    positions = helpdesk.positions(ticket_id)
    newer = [version for version, position in positions.items() if position > after]
    if not newer:
        return []
    events = helpdesk.events.get(ticket_id, gt=min(newer) - 1)
    return thread_items(ticket_id, events, positions, after)
