"""The customer card beside a ticket: who they are on every channel, their other tickets, and what
colleagues noted about them. The same reads as `GET /api/v1/customers/{id}`."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from api.bootstrap import Runtime
from api.routes.customers import EVERY_STATUS
from domain.customer import Customer
from domain.event_types import EventType
from projections.queue_store import QueueFilter

SHOWN = 20


@dataclass(frozen=True, slots=True)
class Card:
    customer: Customer
    tickets: list[dict[str, Any]]
    """The customer's other tickets, newest waits first as the queue orders them."""
    count: int
    """Every ticket of the customer, this one included."""
    notes: list[dict[str, Any]]
    ticket_id: str


def card(runtime: Runtime, customer: Customer, ticket_id: UUID) -> Card:
    """`customer` is the survivor of any merges, as the ticket page names it."""
    tickets, count = runtime.queue.query(
        QueueFilter(status=EVERY_STATUS, customer_id=str(customer.id)), limit=SHOWN + 1, offset=0
    )
    notes = [
        {"text": e.text, "actor": e.actor, "occurred_at": e.occurred_at}
        for e in runtime.helpdesk.customer_history(customer.id)
        if type(e).__name__ == EventType.CUSTOMER_NOTE_ADDED
    ]
    others = [t for t in tickets if t["id"] != str(ticket_id)][:SHOWN]
    return Card(customer, others, count, notes, str(ticket_id))
