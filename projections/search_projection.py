"""The archive search projection: folds ticket and customer events into the FTS5 index.

Every message, reply and internal note is one document whose id is its event's log position, so
a rebuild from position zero produces the same rows, ids and therefore the same ranking.
"""

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from projections.kb import fold_article, fold_snippet
from projections.queue_projection import unseen
from projections.queue_store import iso as fixed_width
from projections.records import EventRecord
from projections.search_store import SearchDb, advance
from projections.search_text import index_text, name_text

DOC_KINDS = {
    "TicketOpened": "message",
    "CustomerMessageReceived": "message",
    "ReplySent": "reply",
    "NoteAdded": "note",
}
STATUS_AFTER = {
    "Paused": "paused",
    "Resumed": "open",
    "Resolved": "resolved",
    "Reopened": "open",
    "MergedInto": "merged",
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
    tags_changed: bool = False

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
    fts: list[tuple[int, str, str]] = field(default_factory=list)

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
            found = TicketState(*row[:7], json.loads(row[7]), *row[8:])  # type: ignore[misc]
            self.tickets[ticket_id] = found
        return found

    def customer(self, customer_id: str) -> tuple[str, str]:
        """The customer a record now belongs to (after merges) and the index terms of its name."""
        found = self.names.get(customer_id)
        if found is None:
            row = self.con.execute(
                "SELECT COALESCE(c.merged_into, c.customer_id), COALESCE(t.name, c.name) "
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
            "INSERT INTO search_docs (doc_id, tid, kind, occurred_at, actor, text, snippet, article) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            self.docs,
        )
        con.executemany("INSERT INTO search_fts (rowid, body, name) VALUES (?, ?, ?)", self.fts)
        changed = list(self.tickets.values())
        con.executemany(UPSERT_TICKET, [t.row() for t in changed])
        retagged = [t for t in changed if t.tags_changed]
        con.executemany("DELETE FROM search_ticket_tags WHERE tid = ?", [(t.tid,) for t in retagged])
        con.executemany(
            "INSERT INTO search_ticket_tags (tag, tid) VALUES (?, ?)",
            [(tag, t.tid) for t in retagged for tag in t.tags],
        )
        self.tickets.clear()
        self.names.clear()
        self.docs.clear()
        self.fts.clear()


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
            advance(con, source, before, fresh[-1].position)
            batch = Batch(con)
            for record in fresh:
                if record.aggregate_type == "Ticket":
                    fold_ticket(batch, record)
                elif record.aggregate_type == "Customer":
                    fold_customer(batch, record)
                elif record.aggregate_type == "Article":
                    fold_article(con, record)
                elif record.aggregate_type == "Snippet":
                    fold_snippet(con, record)
            batch.flush()
        return len(fresh)

    def reset(self) -> None:
        self.db.reset()


def fold_ticket(batch: Batch, record: EventRecord) -> None:
    data, at = record.data, iso(record)
    if record.type == "TicketOpened":
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
        if record.type == "TicketOpened" and ticket.subject:
            text = f"{ticket.subject}\n{text}"
        snippet, article = data.get("snippet"), data.get("article")
        batch.docs.append((record.position, ticket.tid, kind, at, record.actor, text, snippet, article))
        batch.fts.append((record.position, index_text(text), batch.customer(ticket.customer_id)[1]))
    elif record.type == "TagsChanged":
        removed = set(data["removed"])
        ticket.tags = sorted((set(ticket.tags) | set(data["added"])) - removed)
        ticket.tags_changed = True
    elif record.type == "Assigned":
        ticket.assignee = data["assignee"]
    elif record.type in STATUS_AFTER:
        ticket.status = STATUS_AFTER[record.type]


def fold_customer(batch: Batch, record: EventRecord) -> None:
    data, con = record.data, batch.con
    if record.type == "CustomerRegistered":
        identities = list(data["identities"])
        con.execute(
            "INSERT INTO search_customers (cid, customer_id, name, identities, registered_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (record.position, record.aggregate_id, data["name"], json.dumps(identities), iso(record)),
        )
        index_customer(con, record.position, data["name"], identities, delete=None)
    elif record.type == "IdentityLinked":
        row = con.execute(
            "SELECT cid, name, identities FROM search_customers WHERE customer_id = ?", (record.aggregate_id,)
        ).fetchone()
        if row is None:
            return
        old = json.loads(row[2])
        new = [*old, data["identity"]]
        con.execute("UPDATE search_customers SET identities = ? WHERE cid = ?", (json.dumps(new), row[0]))
        index_customer(con, row[0], row[1], new, delete=old)
    elif record.type == "CustomerMergedInto":
        batch.flush()
        merge_customers(con, record.aggregate_id, data["target_id"])


def merge_customers(con: sqlite3.Connection, source: str, target: str) -> None:
    """The source's tickets (and those of customers merged into it) now belong to the target."""
    names = dict(
        con.execute(
            "SELECT customer_id, name FROM search_customers WHERE customer_id IN (?, ?)", (source, target)
        ).fetchall()
    )
    old_name, new_name = index_text(names.get(source, "")), index_text(names.get(target, ""))
    docs = con.execute(
        "SELECT d.doc_id, d.text FROM search_docs d JOIN search_tickets t ON t.tid = d.tid "
        "WHERE t.customer_id = ?",
        (source,),
    ).fetchall()
    for doc_id, text in docs:
        body = index_text(text)
        con.execute(
            "INSERT INTO search_fts (search_fts, rowid, body, name) VALUES ('delete', ?, ?, ?)",
            (doc_id, body, old_name),
        )
        con.execute("INSERT INTO search_fts (rowid, body, name) VALUES (?, ?, ?)", (doc_id, body, new_name))
    con.execute("UPDATE search_tickets SET customer_id = ? WHERE customer_id = ?", (target, source))
    con.execute(
        "UPDATE search_customers SET merged_into = ? WHERE customer_id = ? OR merged_into = ?",
        (target, source, source),
    )


def index_customer(
    con: sqlite3.Connection, cid: int, name: str, identities: list[str], delete: list[str] | None
) -> None:
    handles = " ".join(i.split(":", 1)[-1] for i in identities)
    if delete is not None:
        old = " ".join(i.split(":", 1)[-1] for i in delete)
        con.execute(
            "INSERT INTO search_customer_fts (search_customer_fts, rowid, name, identities) "
            "VALUES ('delete', ?, ?, ?)",
            (cid, name_text(name), name_text(old)),
        )
    con.execute(
        "INSERT INTO search_customer_fts (rowid, name, identities) VALUES (?, ?, ?)",
        (cid, name_text(name), name_text(handles)),
    )


def iso(record: EventRecord) -> str:
    return fixed_width(record.occurred_at) or ""
