"""The queue projection: folds a batch of events into the queue view and tracks the position."""

from collections.abc import Sequence

from domain.event_types import EventType
from projections.queue import CustomerRow, TicketRow, fold_customers, fold_ticket
from projections.queue_store import QueueStore
from projections.records import EventRecord
from projections.tracking import unseen


class QueueProjection:
    name = "queue"

    def __init__(self, store: QueueStore) -> None:
        self.store = store

    def position(self, source: str) -> int:
        return self.store.positions().get(source, 0)

    def apply(self, records: Sequence[EventRecord], source: str) -> int:
        """Applies the records after this source's tracked position; returns how many."""
        before = self.position(source)
        fresh = unseen(records, before)
        if not fresh:
            return 0
        tickets = self.store.tickets(r.aggregate_id for r in fresh if r.aggregate_type == "Ticket")
        customers = self.customers_for(fresh)
        changed_tickets: dict[str, TicketRow] = {}
        changed_customers: dict[str, CustomerRow] = {}
        for record in fresh:
            key = record.aggregate_id
            match record.aggregate_type:
                case "Ticket":
                    ticket = fold_ticket(tickets.get(key), record)
                    if ticket is not None:
                        tickets[key] = changed_tickets[key] = ticket
                case "Customer":
                    for customer in fold_customers(customers, record):
                        customers[customer.customer_id] = changed_customers[customer.customer_id] = customer
                case _:
                    pass  # only the tracked position moves
        self.store.save(
            list(changed_tickets.values()),
            list(changed_customers.values()),
            source,
            before,
            fresh[-1].position,
        )
        return len(fresh)

    def customers_for(self, records: Sequence[EventRecord]) -> dict[str, CustomerRow]:
        """The rows the batch's customer events fold into: their own, their merge targets', and
        those of records merged before into a record this batch merges (they move with it)."""
        own = {r.aggregate_id for r in records if r.aggregate_type == "Customer"}
        merges = [r for r in records if r.type == EventType.CUSTOMER_MERGED_INTO]
        targets = {str(r.data["target_id"]) for r in merges}
        rows = self.store.customers(own | targets)
        rows.update(self.store.customers_surviving_as({r.aggregate_id for r in merges}))
        return rows

    def reset(self) -> None:
        self.store.reset()
