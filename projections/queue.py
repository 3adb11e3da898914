"""The queue view: one row per ticket with what an operator filters and sorts the queue by.

`fold_ticket` and `fold_customer` are pure: state in, event in, state out. They read no clock,
so replaying the same events always gives the same rows.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from projections.records import EventRecord


@dataclass(frozen=True, slots=True)
class TicketRow:
    ticket_id: str
    channel: str
    customer_id: str
    subject: str | None
    status: str
    assignee: str | None
    tags: tuple[str, ...]
    type: str | None
    priority: str
    opened_at: datetime
    waiting_since: datetime | None
    updated_at: datetime
    resolution: str | None
    merged_into: str | None
    version: int
    position: int
    event_count: int


@dataclass(frozen=True, slots=True)
class CustomerRow:
    customer_id: str
    name: str
    identities: tuple[str, ...]
    version: int
    position: int


def fold_ticket(row: TicketRow | None, event: EventRecord) -> TicketRow | None:
    """Returns the row after `event`; None only while a ticket has not been opened."""
    d = event.data
    if event.type == "TicketOpened":
        return TicketRow(
            ticket_id=event.aggregate_id,
            channel=d["channel"],
            customer_id=str(d["customer_id"]),
            subject=d["subject"],
            status="open",
            assignee=None,
            tags=(),
            type=None,
            priority="normal",
            opened_at=event.occurred_at,
            waiting_since=event.occurred_at,
            updated_at=event.occurred_at,
            resolution=None,
            merged_into=None,
            version=event.version,
            position=event.position,
            event_count=1,
        )
    if row is None:
        return None
    row = replace(
        row,
        updated_at=event.occurred_at,
        version=event.version,
        position=event.position,
        event_count=row.event_count + 1,
    )
    match event.type:
        case "CustomerMessageReceived":
            return replace(row, waiting_since=row.waiting_since or event.occurred_at)
        case "ReplySent":
            return replace(row, waiting_since=None)
        case "TagsChanged":
            tags = (set(row.tags) | set(d["added"])) - set(d["removed"])
            return replace(row, tags=tuple(sorted(tags)))
        case "TypeSet":
            return replace(row, type=d["type"])
        case "PrioritySet":
            return replace(row, priority=d["priority"])
        case "Assigned":
            return replace(row, assignee=d["assignee"])
        case "Paused":
            return replace(row, status="paused")
        case "Resumed":
            return replace(row, status="open")
        case "Resolved":
            return replace(row, status="resolved", resolution=d["resolution"], waiting_since=None)
        case "Reopened":
            return replace(row, status="open", resolution=None)
        case "MergedInto":
            return replace(row, status="merged", merged_into=str(d["target_id"]), waiting_since=None)
        case _:
            return row


def fold_customer(row: CustomerRow | None, event: EventRecord) -> CustomerRow | None:
    d = event.data
    if event.type == "CustomerRegistered":
        return CustomerRow(
            event.aggregate_id, d["name"], tuple(d["identities"]), event.version, event.position
        )
    if row is None:
        return None
    identities = row.identities
    if event.type == "IdentityLinked":
        identities = (*identities, d["identity"])
    return replace(row, identities=identities, version=event.version, position=event.position)
