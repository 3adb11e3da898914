"""The archive search projection: folds ticket and customer events into the FTS5 index.

Every message, reply and internal note is one document whose id is its event's log position, so
a rebuild from position zero produces the same rows, ids and therefore the same ranking.
"""

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from domain.event_types import EventType
from projections.kb import fold_article, fold_snippet
from projections.queue_store import iso as fixed_width
from projections.records import EventRecord
from projections.search_store import VIEW, SearchDb, fts_rowid, meta_text
from projections.search_text import index_text, name_text
from projections.sql import SqliteCursor
from projections.tracking import unseen

DOC_KINDS = {
    EventType.TICKET_OPENED: "message",
    EventType.CUSTOMER_MESSAGE_RECEIVED: "message",
    EventType.REPLY_SENT: "reply",
    EventType.NOTE_ADDED: "note",
}
STATUS_AFTER = {
    EventType.PAUSED: "paused",
    EventType.RESUMED: "open",
    EventType.RESOLVED: "resolved",
    EventType.REOPENED: "open",
    EventType.MERGED_INTO: "merged",
}
UPSERT_TICKET = (
    "INSERT INTO search_tickets (tid, ticket_id, customer_id, channel, status, assignee, subject, tags, "
    "opened_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tid) DO UPDATE SET "
    "customer_id = excluded.customer_id, status = excluded.status, assignee = excluded.assignee, "
    "tags = excluded.tags, updated_at = excluded.updated_at"
)


@dataclass(slots=True)
class TicketState:
    tid: int
    ticket_id: str
    customer_id: str
    channel: str
    status: str
    assignee: str | None
    subject: str | None
    tags: list[str]
    opened_at: str
    updated_at: str
    stored_tags: tuple[str, ...] = ()  # the tags search_ticket_tags holds for it before this batch
    stored: bool = False  # written by an earlier batch (it may have documents in the index)

    def meta(self, tags: Iterable[str] | None = None) -> str:
        return meta_text(self.channel, self.customer_id, self.tags if tags is None else tags)

    def row(self) -> tuple[Any, ...]:
        return (
            self.tid, self.ticket_id, self.customer_id, self.channel, self.status, self.assignee,
            self.subject, json.dumps(self.tags, ensure_ascii=False), self.opened_at, self.updated_at,
        )  # fmt: skip


@dataclass
class Batch:
    """What one batch writes: rows are buffered and written in bulk, in log order."""

    con: sqlite3.Connection
    tickets: dict[str, TicketState] = field(default_factory=dict)
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # customer -> (canonical, name terms)
    docs: list[tuple[Any, ...]] = field(default_factory=list)
    fts: list[tuple[int, str, str, TicketState]] = field(default_factory=list)  # meta terms at flush
    customers: list[tuple[Any, ...]] = field(default_factory=list)
    customer_fts: list[tuple[int, str, str]] = field(default_factory=list)

    def ticket(self, ticket_id: str) -> TicketState | None:
        found = self.tickets.get(ticket_id)
        if found is None:
            row = self.con.execute(
                "SELECT tid, ticket_id, customer_id, channel, status, assignee, subject, tags, opened_at, "
                "updated_at FROM search_tickets WHERE ticket_id = ?",
                (ticket_id,),
            ).fetchone()
            if row is None:
                return None
            tags = json.loads(row[7])
            found = TicketState(*row[:7], tags, *row[8:], tuple(tags), True)  # type: ignore[misc]
            self.tickets[ticket_id] = found
        return found

    def customer(self, customer_id: str) -> tuple[str, str]:
        """The customer a record now belongs to (after merges) and the index terms of its name.

        A customer not registered yet (fed from Kafka, its events may come from another partition
        after its tickets') has no name terms; its registration adds them (`name_known_customer`).
        """
        found = self.names.get(customer_id)
        if found is None:
            row = self.con.execute(
                "SELECT COALESCE(c.merged_into, c.customer_id), "
                "CASE WHEN c.merged_into IS NULL THEN c.name ELSE COALESCE(t.name, '') END "
                "FROM search_customers c LEFT JOIN search_customers t ON t.customer_id = c.merged_into "
                "WHERE c.customer_id = ?",
                (customer_id,),
            ).fetchone()
            found = (row[0], index_text(row[1])) if row else (customer_id, "")
            self.names[customer_id] = found
        return found

    def flush(self) -> None:
        con = self.con
        con.executemany(
            "INSERT INTO search_customers (cid, customer_id, name, identities, registered_at) "
            "VALUES (?, ?, ?, ?, ?)",
            self.customers,
        )
        con.executemany(
            "INSERT INTO search_customer_fts (rowid, name, identities) VALUES (?, ?, ?)", self.customer_fts
        )
        changed = list(self.tickets.values())
        # Before this batch's documents are stored: a retagged ticket's index rows are rewritten
        # for the documents indexed earlier only (this batch's are indexed below, once).
        for ticket in changed:
            if ticket.stored and set(ticket.stored_tags) != set(ticket.tags):
                reindex_ticket(self, ticket)
        con.executemany(
            "INSERT INTO search_docs (doc_id, tid, kind, occurred_at, actor, text, snippet, article) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            self.docs,
        )
        # A document's filter terms are its ticket's as they stand at the end of the batch, so a
        # ticket opened and tagged in one batch is written once.
        metas = {ticket.tid: ticket.meta() for ticket in changed}
        con.executemany(
            "INSERT INTO search_fts (rowid, body, name, meta) VALUES (?, ?, ?, ?)",
            [(rowid, body, name, metas[ticket.tid]) for rowid, body, name, ticket in self.fts],
        )
        con.executemany(UPSERT_TICKET, [t.row() for t in changed])
        # Only the difference is written, by primary key (tag, tid): a DELETE by tid alone would
        # scan the whole table, once per retagged ticket.
        con.executemany(
            "DELETE FROM search_ticket_tags WHERE tag = ? AND tid = ?",
            [(tag, t.tid) for t in changed for tag in set(t.stored_tags).difference(t.tags)],
        )
        con.executemany(
            "INSERT INTO search_ticket_tags (tag, tid) VALUES (?, ?)",
            [(tag, t.tid) for t in changed for tag in set(t.tags).difference(t.stored_tags)],
        )
        self.tickets.clear()
        self.names.clear()
        self.docs.clear()
        self.fts.clear()
        self.customers.clear()
        self.customer_fts.clear()


class SearchProjection:
    name = "search"

    def __init__(self, db: SearchDb) -> None:
        self.db = db

    def position(self, source: str) -> int:
        return self.db.positions().get(source, 0)

    def apply(self, records: Sequence[EventRecord], source: str) -> int:
        before = self.position(source)
        fresh = unseen(records, before)
        if not fresh:
            return 0
        with self.db.writing() as con:
            VIEW.advance(SqliteCursor(con), source, before, fresh[-1].position)
            batch = Batch(con)
            for record in fresh:
                match record.aggregate_type:
                    case "Ticket":
                        fold_ticket(batch, record)
                    case "Customer":
                        fold_customer(batch, record)
                    case "Article":
                        fold_article(con, record)
                    case "Snippet":
                        fold_snippet(con, record)
                    case _:
                        pass  # only the tracked position moves
            batch.flush()
        return len(fresh)

    def reset(self) -> None:
        self.db.reset()


def fold_ticket(batch: Batch, record: EventRecord) -> None:
    data, at = record.data, iso(record)
    if record.type == EventType.TICKET_OPENED:
        customer_id, _ = batch.customer(data["customer_id"])
        subject = data.get("subject")
        batch.tickets[record.aggregate_id] = TicketState(
            record.position, record.aggregate_id, customer_id, data["channel"], "open", None, subject,
            [], at, at,
        )  # fmt: skip
    ticket = batch.ticket(record.aggregate_id)
    if ticket is None:
        return
    ticket.updated_at = at
    kind = DOC_KINDS.get(record.type)
    if kind is not None:
        text = data["text"]
        if record.type == EventType.TICKET_OPENED and ticket.subject:
            text = f"{ticket.subject}\n{text}"
        snippet, article = data.get("snippet"), data.get("article")
        batch.docs.append((record.position, ticket.tid, kind, at, record.actor, text, snippet, article))
        batch.fts.append(
            (
                fts_rowid(record.position, kind),
                index_text(text),
                batch.customer(ticket.customer_id)[1],
                ticket,
            )
        )
    elif record.type == EventType.TAGS_CHANGED:
        removed = set(data["removed"])
        ticket.tags = sorted((set(ticket.tags) | set(data["added"])) - removed)
    elif record.type == EventType.ASSIGNED:
        ticket.assignee = data["assignee"]
    elif record.type in STATUS_AFTER:
        ticket.status = STATUS_AFTER[record.type]


def fold_customer(batch: Batch, record: EventRecord) -> None:
    data, con = record.data, batch.con
    if record.type == EventType.CUSTOMER_REGISTERED:
        # Buffered like the documents; `Batch.customer` finds it in `names` until the flush.
        identities, name = list(data["identities"]), data["name"]
        batch.customers.append(
            (record.position, record.aggregate_id, name, json.dumps(identities), iso(record))
        )
        batch.customer_fts.append((record.position, name_text(name), name_text(handles(identities))))
        batch.names[record.aggregate_id] = (record.aggregate_id, index_text(name))
        name_known_customer(batch, record.aggregate_id, name)
    elif record.type == EventType.IDENTITY_LINKED:
        batch.flush()
        row = con.execute(
            "SELECT cid, name, identities FROM search_customers WHERE customer_id = ?", (record.aggregate_id,)
        ).fetchone()
        if row is None:
            return
        old = json.loads(row[2])
        new = [*old, data["identity"]]
        con.execute("UPDATE search_customers SET identities = ? WHERE cid = ?", (json.dumps(new), row[0]))
        index_customer(con, row[0], row[1], new, delete=old)
    elif record.type == EventType.CUSTOMER_MERGED_INTO:
        batch.flush()
        merge_customers(con, record.aggregate_id, data["target_id"])


def reindex_ticket(batch: Batch, ticket: TicketState) -> None:
    """Rewrites the index rows of a ticket's earlier documents after its tags changed (their filter
    terms hold the tags). A contentless table deletes by the old terms, so they are recomputed."""
    con, name = batch.con, batch.customer(ticket.customer_id)[1]
    old_meta, new_meta = ticket.meta(ticket.stored_tags), ticket.meta()
    for doc_id, kind, text in con.execute(
        "SELECT doc_id, kind, text FROM search_docs WHERE tid = ?", (ticket.tid,)
    ).fetchall():
        body, rowid = index_text(text), fts_rowid(doc_id, kind)
        con.execute(
            "INSERT INTO search_fts (search_fts, rowid, body, name, meta) VALUES ('delete', ?, ?, ?, ?)",
            (rowid, body, name, old_meta),
        )
        con.execute(
            "INSERT INTO search_fts (rowid, body, name, meta) VALUES (?, ?, ?, ?)",
            (rowid, body, name, new_meta),
        )


def name_known_customer(batch: Batch, customer_id: str, name: str) -> None:
    """Gives the name terms to documents indexed before their customer was registered.

    The log registers a customer before its first ticket, so in embedded mode there are none.
    Fed from Kafka, a ticket's partition may be applied before its customer's.
    """
    con = batch.con
    if con.execute("SELECT 1 FROM search_tickets WHERE customer_id = ? LIMIT 1", (customer_id,)).fetchone():
        batch.flush()
        reindex_customer_docs(con, customer_id, customer_id, "", index_text(name))


def canonical(con: sqlite3.Connection, customer_id: str) -> str:
    """The record a customer was merged into, or itself. In log order a merge target is never
    merged yet; fed from Kafka, a later merge of the target may have been applied first."""
    row = con.execute(
        "SELECT merged_into FROM search_customers WHERE customer_id = ?", (customer_id,)
    ).fetchone()
    return row[0] if row and row[0] else customer_id


def merge_customers(con: sqlite3.Connection, source: str, target: str) -> None:
    """The source's tickets (and those of customers merged into it) now belong to the target."""
    target = canonical(con, target)
    names = dict(
        con.execute(
            "SELECT customer_id, name FROM search_customers WHERE customer_id IN (?, ?)", (source, target)
        ).fetchall()
    )
    old_name, new_name = index_text(names.get(source, "")), index_text(names.get(target, ""))
    reindex_customer_docs(con, source, target, old_name, new_name)
    con.execute("UPDATE search_tickets SET customer_id = ? WHERE customer_id = ?", (target, source))
    con.execute(
        "UPDATE search_customers SET merged_into = ? WHERE customer_id = ? OR merged_into = ?",
        (target, source, source),
    )


def reindex_customer_docs(
    con: sqlite3.Connection, source: str, target: str, old_name: str, new_name: str
) -> None:
    """Rewrites the index rows of `source`'s tickets' documents with `target`'s name and id terms
    (a contentless table deletes by the old terms, so both are given)."""
    docs = con.execute(
        "SELECT d.doc_id, d.kind, d.text, t.channel, t.tags FROM search_docs d "
        "JOIN search_tickets t ON t.tid = d.tid WHERE t.customer_id = ?",
        (source,),
    ).fetchall()
    for doc_id, kind, text, channel, tags in docs:
        body, rowid, tags = index_text(text), fts_rowid(doc_id, kind), json.loads(tags)
        con.execute(
            "INSERT INTO search_fts (search_fts, rowid, body, name, meta) VALUES ('delete', ?, ?, ?, ?)",
            (rowid, body, old_name, meta_text(channel, source, tags)),
        )
        con.execute(
            "INSERT INTO search_fts (rowid, body, name, meta) VALUES (?, ?, ?, ?)",
            (rowid, body, new_name, meta_text(channel, target, tags)),
        )


def index_customer(
    con: sqlite3.Connection, cid: int, name: str, identities: list[str], delete: list[str]
) -> None:
    con.execute(
        "INSERT INTO search_customer_fts (search_customer_fts, rowid, name, identities) "
        "VALUES ('delete', ?, ?, ?)",
        (cid, name_text(name), name_text(handles(delete))),
    )
    con.execute(
        "INSERT INTO search_customer_fts (rowid, name, identities) VALUES (?, ?, ?)",
        (cid, name_text(name), name_text(handles(identities))),
    )


def handles(identities: list[str]) -> str:
    return " ".join(i.split(":", 1)[-1] for i in identities)


def iso(record: EventRecord) -> str:
    at = record.occurred_at
    # The same text as queue_store.iso, without its time-zone conversion when already in UTC.
    return at.isoformat(timespec="microseconds") if at.tzinfo is UTC else fixed_width(at) or ""
