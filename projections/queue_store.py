"""Where the queue view lives: its tables, its tracked positions, and the queries on it.

Rows and the tracked position of the batch that produced them commit in one transaction, so a
crash mid-batch leaves the view exactly as it was after the previous batch.

Ticket rows keep the customer id they were opened with; queries show and filter them by the
customer that survived merges (`queue_customers.survivor_id`).
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from projections.queue import CustomerRow, TicketRow
from projections.sql import Cursor, Database, SqliteDatabase
from projections.tracking import ViewSchema

SCHEMA_VERSION = 2
"""Bumped when a column or table changes that only a replay can fill (2: merges on customer rows;
no version row is 1). An older view is dropped and re-created empty once, so the runner replays into it."""
WAITING_KEY = "COALESCE(t.waiting_since, '9999-12-31')"
"""The customer's waiting time as a sort key: the longest-waiting first, then those nobody waits
on (answered, resolved). The same order as `waiting_since ASC NULLS LAST`, which no index serves."""
QUEUE_ORDER = f"{WAITING_KEY}, t.opened_at, t.ticket_id"
ORDER_INDEX = "(COALESCE(waiting_since, '9999-12-31')), opened_at, ticket_id, status"
"""Indexes in queue order (whole, per channel, per assignee) end with the status, so the queue's
page is read in order from the index alone and stops at its last row, on 100k tickets as on 10."""
TABLES = ("queue_tickets", "queue_ticket_tags", "queue_customers", "queue_tracking")
SCHEMA = [
    """CREATE TABLE IF NOT EXISTS queue_tickets (
        ticket_id TEXT PRIMARY KEY, channel TEXT NOT NULL, customer_id TEXT NOT NULL,
        subject TEXT, status TEXT NOT NULL, assignee TEXT, tags TEXT NOT NULL, type TEXT,
        priority TEXT NOT NULL, opened_at TEXT NOT NULL, waiting_since TEXT,
        updated_at TEXT NOT NULL, resolution TEXT, merged_into TEXT,
        version BIGINT NOT NULL, position BIGINT NOT NULL, event_count BIGINT NOT NULL)""",
    "DROP INDEX IF EXISTS queue_tickets_order",
    "DROP INDEX IF EXISTS queue_tickets_assignee",
    f"CREATE INDEX IF NOT EXISTS queue_tickets_waiting ON queue_tickets ({ORDER_INDEX})",
    f"CREATE INDEX IF NOT EXISTS queue_tickets_channel_waiting ON queue_tickets (channel, {ORDER_INDEX})",
    f"CREATE INDEX IF NOT EXISTS queue_tickets_assignee_waiting ON queue_tickets (assignee, {ORDER_INDEX})",
    "CREATE INDEX IF NOT EXISTS queue_tickets_status_channel ON queue_tickets (status, channel)",
    "CREATE INDEX IF NOT EXISTS queue_tickets_customer ON queue_tickets (customer_id)",
    """CREATE TABLE IF NOT EXISTS queue_ticket_tags (
        ticket_id TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (ticket_id, tag))""",
    "CREATE INDEX IF NOT EXISTS queue_ticket_tags_tag ON queue_ticket_tags (tag)",
    """CREATE TABLE IF NOT EXISTS queue_customers (
        customer_id TEXT PRIMARY KEY, name TEXT NOT NULL, identities TEXT NOT NULL,
        version BIGINT NOT NULL, position BIGINT NOT NULL, survivor_id TEXT NOT NULL, merged_into TEXT)""",
    "CREATE INDEX IF NOT EXISTS queue_customers_survivor ON queue_customers (survivor_id)",
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
CUSTOMER_COLUMNS = "customer_id, name, identities, version, position, survivor_id, merged_into"
UPSERT_CUSTOMER = (
    f"INSERT INTO queue_customers ({CUSTOMER_COLUMNS}) VALUES ({', '.join('?' * 7)}) "
    "ON CONFLICT (customer_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in CUSTOMER_COLUMNS.split(", ")[1:])
)
LISTING = (
    "SELECT " + ", ".join(f"t.{c}" for c in TICKET_COLUMNS.split(", ")) + ", c.survivor_id, "
    "COALESCE(s.name, c.name) FROM ({page}) p JOIN queue_tickets t ON t.ticket_id = p.ticket_id "
    "LEFT JOIN queue_customers c ON c.customer_id = t.customer_id "
    "LEFT JOIN queue_customers s ON s.customer_id = c.survivor_id "
    f"ORDER BY {QUEUE_ORDER}"
)
"""One page of ticket rows with the customer they belong to now (the survivor of their recorded
customer): the page is chosen from the ticket table alone, and only its rows are joined."""
PAGE = f"SELECT t.ticket_id FROM queue_tickets t {{where}} ORDER BY {QUEUE_ORDER} LIMIT ? OFFSET ?"
SURVIVOR = "(SELECT s.survivor_id FROM queue_customers s WHERE s.customer_id = ?)"
"""Like search's CANONICAL: the record a customer id now stands for (NULL if the view lacks it)."""
VIEW = ViewSchema("queue", SCHEMA_VERSION, TABLES, tuple(SCHEMA), "queue_tracking")


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
        self.guided = isinstance(db, SqliteDatabase)
        """SQLite plans without statistics: it is kept off the status index (see filter_sql)."""
        with db.transaction() as cur:
            VIEW.upgrade(cur)

    def positions(self) -> dict[str, int]:
        with self.db.snapshot() as cur:
            return VIEW.positions(cur)

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
        return self._customers_where("customer_id", ids)

    def customers_surviving_as(self, survivor_ids: Iterable[str]) -> dict[str, CustomerRow]:
        """The records whose tickets now belong to one of `survivor_ids` (those included)."""
        return self._customers_where("survivor_id", survivor_ids)

    def _customers_where(self, column: str, values: Iterable[str]) -> dict[str, CustomerRow]:
        rows: dict[str, CustomerRow] = {}
        for chunk in chunks(sorted(set(values)), 500):
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT {CUSTOMER_COLUMNS} FROM queue_customers WHERE {column} IN ({marks})"
            for values_ in self.db.fetchall(sql, chunk):
                row = customer_from_sql(values_)
                rows[row.customer_id] = row
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
            VIEW.advance(cur, source, before, after)
            cur.executemany(UPSERT_TICKET, [ticket_to_sql(t) for t in tickets])
            ids = [(t.ticket_id,) for t in tickets]
            cur.executemany("DELETE FROM queue_ticket_tags WHERE ticket_id = ?", ids)
            tags = [(t.ticket_id, tag) for t in tickets for tag in t.tags]
            cur.executemany("INSERT INTO queue_ticket_tags (ticket_id, tag) VALUES (?, ?)", tags)
            cur.executemany(UPSERT_CUSTOMER, [customer_to_sql(c) for c in customers])

    def reset(self) -> None:
        with self.db.transaction() as cur:
            VIEW.clear(cur)

    def query(self, f: QueueFilter, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        """Oldest unanswered first: the customer who has waited longest is at the top. A customer
        filter means the surviving customer: its tickets and those of every record merged into it."""
        with self.db.snapshot() as cur:
            rows = page_rows(cur, f, limit, offset, self.guided)
            where, params = filter_sql(f, merged_records(cur, f.customer_id) if f.customer_id else ())
            count = cur.fetchall(f"SELECT COUNT(*) FROM queue_tickets t {where}", params)[0][0]
        return rows, count

    def page(self, f: QueueFilter, limit: int, offset: int) -> tuple[list[dict[str, Any]], bool]:
        """`query`'s rows without the count, and whether more follow: a count reads every matching
        index entry (80k open tickets: ~10 ms), a page only its own rows."""
        with self.db.snapshot() as cur:
            rows = page_rows(cur, f, limit + 1, offset, self.guided)
        return rows[:limit], len(rows) > limit

    def customer(self, customer_id: str) -> dict[str, Any] | None:
        """The record as the view holds it, with the survivor its tickets now belong to."""
        found = self.customers([customer_id]).get(customer_id)
        if found is None:
            return None
        return {
            "id": found.customer_id,
            "name": found.name,
            "identities": list(found.identities),
            "merged_into": found.merged_into,
            "survivor_id": found.survivor_id,
        }

    def merged_from(self, customer_id: str) -> list[str]:
        """Every record merged into this one, directly or along a chain (none if it was merged away)."""
        sql = "SELECT customer_id FROM queue_customers WHERE survivor_id = ? AND customer_id != ?"
        return sorted(r[0] for r in self.db.fetchall(sql, (customer_id, customer_id)))


def page_rows(cur: Cursor, f: QueueFilter, limit: int, offset: int, guided: bool) -> list[dict[str, Any]]:
    customer_ids = merged_records(cur, f.customer_id) if f.customer_id else ()
    where, params = filter_sql(f, customer_ids, in_order=guided)
    rows = cur.fetchall(LISTING.format(page=PAGE.format(where=where)), [*params, limit, offset])
    return [ticket_json(ticket_from_sql(r[:17]), r[17], r[18]) for r in rows]


def merged_records(cur: Cursor, customer_id: str) -> list[str]:
    """The id asked for, its survivor and every record surviving as that one: a merged-away id
    stands for its survivor, as in search. An id the view does not know stands for itself."""
    rows = cur.fetchall(
        f"SELECT customer_id FROM queue_customers WHERE survivor_id = {SURVIVOR}", (customer_id,)
    )
    return sorted({customer_id, *(r[0] for r in rows)})


def filter_sql(
    f: QueueFilter, customer_ids: Sequence[str] = (), in_order: bool = False
) -> tuple[str, list[Any]]:
    """`customer_ids` stands in for `f.customer_id`: the records it was resolved to. `in_order`
    keeps SQLite off the status index: a status matches most rows, and walking an index in queue
    order, stopping after the page, is far cheaper than sorting every open ticket (0.4 against
    700 ms on 80k). SQLite, with no statistics, would take the index; PostgreSQL knows better from
    its own, and is misled by the expression. A count wants that index."""
    clauses: list[str] = []
    params: list[Any] = []

    def any_of(column: str, values: Sequence[str]) -> None:
        clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
        params.extend(values)

    any_of("t.status || ''" if in_order else "t.status", f.status or ("open", "paused", "resolved"))
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
    for column, value in (("t.type", f.type), ("t.priority", f.priority)):
        if value:
            any_of(column, [value])
    if f.customer_id:
        any_of("t.customer_id", customer_ids or [f.customer_id])
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
    identities = json.dumps(list(c.identities))
    return (c.customer_id, c.name, identities, c.version, c.position, c.survivor_id, c.merged_into)


def customer_from_sql(v: Sequence[Any]) -> CustomerRow:
    cid, name, identities, version, position, survivor_id, merged_into = v
    return CustomerRow(
        cid, name, tuple(json.loads(identities)), int(version), int(position), survivor_id, merged_into
    )


def ticket_json(t: TicketRow, survivor_id: str | None, customer_name: str | None) -> dict[str, Any]:
    """`customer` is the customer the ticket belongs to now (after merges); `recorded_id` the one
    it was opened with, as its events say."""
    return {
        "id": t.ticket_id,
        "channel": t.channel,
        "customer": {"id": survivor_id or t.customer_id, "name": customer_name, "recorded_id": t.customer_id},
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
