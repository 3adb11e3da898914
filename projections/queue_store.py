"""Where the queue view lives: its tables, its tracked positions, and the queries on it.

Rows and the tracked position of the batch that produced them commit in one transaction, so a
crash mid-batch leaves the view exactly as it was after the previous batch.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from projections.queue import CustomerRow, TicketRow
from projections.sql import Cursor, Database

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS queue_tickets (
        ticket_id TEXT PRIMARY KEY, channel TEXT NOT NULL, customer_id TEXT NOT NULL,
        subject TEXT, status TEXT NOT NULL, assignee TEXT, tags TEXT NOT NULL, type TEXT,
        priority TEXT NOT NULL, opened_at TEXT NOT NULL, waiting_since TEXT,
        updated_at TEXT NOT NULL, resolution TEXT, merged_into TEXT,
        version BIGINT NOT NULL, position BIGINT NOT NULL, event_count BIGINT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS queue_tickets_order ON queue_tickets (status, waiting_since, opened_at)",
    "CREATE INDEX IF NOT EXISTS queue_tickets_customer ON queue_tickets (customer_id)",
    "CREATE INDEX IF NOT EXISTS queue_tickets_assignee ON queue_tickets (assignee)",
    """CREATE TABLE IF NOT EXISTS queue_ticket_tags (
        ticket_id TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (ticket_id, tag))""",
    "CREATE INDEX IF NOT EXISTS queue_ticket_tags_tag ON queue_ticket_tags (tag)",
    """CREATE TABLE IF NOT EXISTS queue_customers (
        customer_id TEXT PRIMARY KEY, name TEXT NOT NULL, identities TEXT NOT NULL,
        version BIGINT NOT NULL, position BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS queue_tracking (
        source TEXT PRIMARY KEY, position BIGINT NOT NULL)""",
]

TICKET_COLUMNS = (
    "ticket_id, channel, customer_id, subject, status, assignee, tags, type, priority, "
    "opened_at, waiting_since, updated_at, resolution, merged_into, version, position, event_count"
)
UPSERT_TICKET = (
    f"INSERT INTO queue_tickets ({TICKET_COLUMNS}) VALUES ({', '.join('?' * 17)}) "
    "ON CONFLICT (ticket_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in TICKET_COLUMNS.split(", ")[1:])
)
UPSERT_CUSTOMER = (
    "INSERT INTO queue_customers (customer_id, name, identities, version, position) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (customer_id) DO UPDATE SET name = excluded.name, "
    "identities = excluded.identities, version = excluded.version, position = excluded.position"
)


class TrackingConflictError(RuntimeError):
    """Another projector advanced this source first; the batch must not be applied twice."""


@dataclass(frozen=True, slots=True)
class QueueFilter:
    status: Sequence[str] = ()
    channel: Sequence[str] = ()
    assignee: str | None = None
    unassigned: bool = False
    tag: Sequence[str] = ()
    type: str | None = None
    priority: str | None = None
    customer_id: str | None = None


class QueueStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        with db.transaction() as cur:
            for statement in SCHEMA:
                cur.execute(statement)

    def positions(self) -> dict[str, int]:
        return dict(self.db.fetchall("SELECT source, position FROM queue_tracking"))  # type: ignore[arg-type]

    def tickets(self, ids: Iterable[str]) -> dict[str, TicketRow]:
        rows: dict[str, TicketRow] = {}
        for chunk in chunks(sorted(set(ids)), 500):
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT {TICKET_COLUMNS} FROM queue_tickets WHERE ticket_id IN ({marks})"
            for values in self.db.fetchall(sql, chunk):
                row = ticket_from_sql(values)
                rows[row.ticket_id] = row
        return rows

    def customers(self, ids: Iterable[str]) -> dict[str, CustomerRow]:
        rows: dict[str, CustomerRow] = {}
        for chunk in chunks(sorted(set(ids)), 500):
            marks = ", ".join("?" * len(chunk))
            sql = (
                "SELECT customer_id, name, identities, version, position FROM queue_customers "
                f"WHERE customer_id IN ({marks})"
            )
            for cid, name, identities, version, position in self.db.fetchall(sql, chunk):
                rows[cid] = CustomerRow(cid, name, tuple(json.loads(identities)), version, position)
        return rows

    def save(
        self,
        tickets: Sequence[TicketRow],
        customers: Sequence[CustomerRow],
        source: str,
        before: int,
        after: int,
    ) -> None:
        """Writes a batch and moves `source` from position `before` to `after`, atomically."""
        with self.db.transaction() as cur:
            advance(cur, source, before, after)
            cur.executemany(UPSERT_TICKET, [ticket_to_sql(t) for t in tickets])
            ids = [(t.ticket_id,) for t in tickets]
            cur.executemany("DELETE FROM queue_ticket_tags WHERE ticket_id = ?", ids)
            tags = [(t.ticket_id, tag) for t in tickets for tag in t.tags]
            cur.executemany("INSERT INTO queue_ticket_tags (ticket_id, tag) VALUES (?, ?)", tags)
            cur.executemany(UPSERT_CUSTOMER, [customer_to_sql(c) for c in customers])

    def reset(self) -> None:
        with self.db.transaction() as cur:
            for table in ("queue_tickets", "queue_ticket_tags", "queue_customers", "queue_tracking"):
                cur.execute(f"DELETE FROM {table}")

    def query(self, f: QueueFilter, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        """Oldest unanswered first: the customer who has waited longest is at the top."""
        where, params = filter_sql(f)
        columns = ", ".join(f"t.{c}" for c in TICKET_COLUMNS.split(", "))
        sql = (
            f"SELECT {columns}, c.name FROM queue_tickets t "
            f"LEFT JOIN queue_customers c ON c.customer_id = t.customer_id {where} "
            "ORDER BY t.waiting_since ASC NULLS LAST, t.opened_at ASC, t.ticket_id ASC "
            "LIMIT ? OFFSET ?"
        )
        with self.db.snapshot() as cur:
            rows = cur.fetchall(sql, [*params, limit, offset])
            count = cur.fetchall(f"SELECT COUNT(*) FROM queue_tickets t {where}", params)[0][0]
        return [ticket_json(ticket_from_sql(r[:17]), r[17]) for r in rows], count

    def customer(self, customer_id: str) -> dict[str, Any] | None:
        found = self.customers([customer_id]).get(customer_id)
        if found is None:
            return None
        return {"id": found.customer_id, "name": found.name, "identities": list(found.identities)}


def advance(cur: Cursor, source: str, before: int, after: int) -> None:
    if before == 0:
        inserted = cur.execute(
            "INSERT INTO queue_tracking (source, position) VALUES (?, ?) ON CONFLICT (source) DO NOTHING",
            (source, after),
        )
        if inserted == 1:
            return
    moved = cur.execute(
        "UPDATE queue_tracking SET position = ? WHERE source = ? AND position = ?", (after, source, before)
    )
    if moved != 1:
        raise TrackingConflictError(f"The queue view's position for {source} is no longer {before}.")


def filter_sql(f: QueueFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []

    def any_of(column: str, values: Sequence[str]) -> None:
        clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
        params.extend(values)

    any_of("t.status", f.status or ("open", "paused", "resolved"))
    if f.channel:
        any_of("t.channel", f.channel)
    if f.unassigned:
        clauses.append("t.assignee IS NULL")
    elif f.assignee:
        any_of("t.assignee", [f.assignee])
    for tag in f.tag:
        clauses.append(
            "EXISTS (SELECT 1 FROM queue_ticket_tags g WHERE g.ticket_id = t.ticket_id AND g.tag = ?)"
        )
        params.append(tag)
    for column, value in (("t.type", f.type), ("t.priority", f.priority), ("t.customer_id", f.customer_id)):
        if value:
            any_of(column, [value])
    return "WHERE " + " AND ".join(clauses), params


def ticket_to_sql(t: TicketRow) -> tuple[Any, ...]:
    return (
        t.ticket_id, t.channel, t.customer_id, t.subject, t.status, t.assignee, json.dumps(list(t.tags)),
        t.type, t.priority, iso(t.opened_at), iso(t.waiting_since), iso(t.updated_at), t.resolution,
        t.merged_into, t.version, t.position, t.event_count,
    )  # fmt: skip


def ticket_from_sql(v: Sequence[Any]) -> TicketRow:
    return TicketRow(
        ticket_id=v[0], channel=v[1], customer_id=v[2], subject=v[3], status=v[4], assignee=v[5],
        tags=tuple(json.loads(v[6])), type=v[7], priority=v[8], opened_at=parse_iso(v[9]),
        waiting_since=parse_iso(v[10]) if v[10] else None, updated_at=parse_iso(v[11]),
        resolution=v[12], merged_into=v[13], version=int(v[14]), position=int(v[15]),
        event_count=int(v[16]),
    )  # fmt: skip


def customer_to_sql(c: CustomerRow) -> tuple[Any, ...]:
    return (c.customer_id, c.name, json.dumps(list(c.identities)), c.version, c.position)


def ticket_json(t: TicketRow, customer_name: str | None) -> dict[str, Any]:
    return {
        "id": t.ticket_id,
        "channel": t.channel,
        "customer": {"id": t.customer_id, "name": customer_name},
        "subject": t.subject,
        "status": t.status,
        "assignee": t.assignee,
        "tags": list(t.tags),
        "type": t.type,
        "priority": t.priority,
        "opened_at": iso(t.opened_at),
        "waiting_since": iso(t.waiting_since),
        "updated_at": iso(t.updated_at),
        "resolution": t.resolution,
        "merged_into": t.merged_into,
        "version": t.version,
    }


def iso(value: datetime | None) -> str | None:
    """Fixed width UTC text, so that text order is time order in SQLite and PostgreSQL alike."""
    return None if value is None else value.astimezone(UTC).isoformat(timespec="microseconds")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
