"""The queue view: one row per ticket with what an operator filters and sorts the queue by.

`fold_ticket` and `fold_customers` are pure: state in, event in, state out. They read no clock,
so replaying the same events always gives the same rows.

A ticket row keeps the customer id it was opened with (the event says so); a customer row knows
where a merge sent it (`merged_into`) and the record that finally survives a chain of merges
(`survivor_id`), so queries can show and filter tickets by the surviving customer.
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from domain.event_types import EventType
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
    survivor_id: str
    """The record this one's tickets now belong to: itself until it is merged."""
    merged_into: str | None = None


def fold_ticket(row: TicketRow | None, event: EventRecord) -> TicketRow | None:
    """Returns the row after `event`; None only while a ticket has not been opened."""
    d = event.data
    if event.type == EventType.TICKET_OPENED:
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
        case EventType.CUSTOMER_MESSAGE_RECEIVED:
            return replace(row, waiting_since=row.waiting_since or event.occurred_at)
        case EventType.REPLY_SENT:
            return replace(row, waiting_since=None)
        case EventType.TAGS_CHANGED:
            tags = (set(row.tags) | set(d["added"])) - set(d["removed"])
            return replace(row, tags=tuple(sorted(tags)))
        case EventType.TYPE_SET:
            return replace(row, type=d["type"])
        case EventType.PRIORITY_SET:
            return replace(row, priority=d["priority"])
        case EventType.ASSIGNED:
            return replace(row, assignee=d["assignee"])
        case EventType.PAUSED:
            return replace(row, status="paused")
        case EventType.RESUMED:
            return replace(row, status="open")
        case EventType.RESOLVED:
            return replace(row, status="resolved", resolution=d["resolution"], waiting_since=None)
        case EventType.REOPENED:
            return replace(row, status="open", resolution=None)
        case EventType.MERGED_INTO:
            return replace(row, status="merged", merged_into=str(d["target_id"]), waiting_since=None)
        case _:
            return row


def fold_customers(rows: Mapping[str, CustomerRow], event: EventRecord) -> list[CustomerRow]:
    """The customer rows `event` changes: its own record's, and on a merge those `repoint` moves.
    `rows` must hold the event's customer, a merge's target and every record whose survivor is
    a merge's source."""
    row = fold_customer(rows.get(event.aggregate_id), event)
    if row is None:
        return []
    if event.type == EventType.CUSTOMER_MERGED_INTO and row.merged_into is not None:
        return repoint(rows, row, row.merged_into)
    return [row]


def repoint(rows: Mapping[str, CustomerRow], merged: CustomerRow, target_id: str) -> list[CustomerRow]:
    """The merged record and every record that survived as it (merged into it before) now survive
    as the target's survivor: a chain A→B→C is resolved once, when it forms, never walked by a query."""
    target = rows.get(target_id)
    survivor = target.survivor_id if target is not None else target_id
    if survivor == merged.customer_id:
        return [merged]  # into one of its own records: the domain refuses it, the view ignores it
    key = merged.customer_id
    moved = [r for r in rows.values() if r.survivor_id == key and r.customer_id != key]
    return [replace(r, survivor_id=survivor) for r in (merged, *moved)]


def fold_customer(row: CustomerRow | None, event: EventRecord) -> CustomerRow | None:
    """One record's own row after `event`; `survivor_id` is settled by `fold_customers`."""
    d = event.data
    if event.type == EventType.CUSTOMER_REGISTERED:
        key = event.aggregate_id
        return CustomerRow(key, d["name"], tuple(d["identities"]), event.version, event.position, key)
    if row is None:
        return None
    row = replace(row, version=event.version, position=event.position)
    match event.type:
        case EventType.IDENTITY_LINKED:
            return replace(row, identities=(*row.identities, d["identity"]))
        case EventType.CUSTOMER_MERGE_RECEIVED:
            new = [i for i in d["identities"] if i not in row.identities]
            return replace(row, identities=(*row.identities, *new))
        case EventType.CUSTOMER_MERGED_INTO:
            return replace(row, merged_into=str(d["target_id"]))
        case _:
            return row
