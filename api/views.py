"""Shapes of what the API returns for one ticket or customer, built from aggregates and events."""

from collections.abc import Mapping, Sequence
from typing import Any

from api.models import EventPublic
from domain.customer import Customer
from domain.event_types import EventType
from domain.ticket import Ticket
from projections.records import record_from_event

CONVERSATION = {
    EventType.TICKET_OPENED: "message",
    EventType.CUSTOMER_MESSAGE_RECEIVED: "message",
    EventType.REPLY_SENT: "reply",
    EventType.NOTE_ADDED: "note",
}


def ticket_detail(
    ticket: Ticket, events: Sequence[Any], customer: Customer, include_notes: bool
) -> dict[str, Any]:
    """`customer` is the one the ticket belongs to now, the survivor of any merges of the record
    it was opened with; that record's id stays visible as `recorded_id`, as in the queue."""
    return {
        "id": str(ticket.id),
        "version": ticket.version,
        "channel": ticket.channel,
        "customer": {"id": str(customer.id), "name": customer.name, "recorded_id": str(ticket.customer_id)},
        "subject": ticket.subject,
        "status": ticket.status,
        "assignee": ticket.assignee,
        "tags": list(ticket.tags),
        "type": ticket.type,
        "priority": ticket.priority,
        "resolution": ticket.resolution,
        "opened_at": ticket.opened_at.isoformat(),
        "waiting_since": ticket.waiting_since.isoformat() if ticket.waiting_since else None,
        "merged_into": str(ticket.merged_into) if ticket.merged_into else None,
        "merged_from": [str(s) for s in ticket.merged_from],
        "conversation": conversation(events, include_notes),
    }


def conversation(events: Sequence[Any], include_notes: bool) -> list[dict[str, Any]]:
    """The messages, replies and (for staff) internal notes, in the order they happened."""
    items = []
    for event in events:
        kind = CONVERSATION.get(type(event).__name__)
        if kind is None or (kind == "note" and not include_notes):
            continue
        items.append(
            {
                "kind": kind,
                "text": event.text,
                "actor": event.actor,
                "occurred_at": event.occurred_at.isoformat(),
                "author": getattr(event, "author", None),  # a group conversation's writer
            }
        )
    return items


def author_label(author: Mapping[str, Any] | None) -> str:
    """A group conversation's writer as people read it: "Ольга Смирнова (51230023)", or the
    provider's id alone when no name was known. Empty for a message without an author."""
    if not author:
        return ""
    name, handle = str(author.get("name") or ""), str(author.get("handle") or "")
    return f"{name} ({handle})" if name and handle else name or handle


def event_public(position: int, event: Any) -> EventPublic:
    record = record_from_event(position, event)
    return EventPublic(
        position=record.position,
        version=record.version,
        type=record.type,
        occurred_at=record.occurred_at,
        recorded_at=record.recorded_at,
        actor=record.actor,
        data=dict(record.data),
    )
