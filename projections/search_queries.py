"""Read-side queries on the search index: archive search, customer search, customer history."""

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from projections.queue_store import iso
from projections.search_store import (
    KIND_CODES,
    SearchDb,
    channel_tag_term,
    channel_term,
    customer_term,
    tag_term,
)
from projections.search_text import Fragment, fragments, fts_query, prefix_query, query_terms

NAME_WEIGHT = 0.5
# BM25 is computed for at most this many of the newest matching messages (about 1.5 µs each per
# word, on top of a fixed cost per word that grows with how many messages hold it), so that a
# word found in half of a million-message archive still answers in tens of milliseconds; rarer
# words rank exactly. The same window bounds the count: up to RANK_WINDOW it is exact, beyond it
# `count_exact` is false and `count` is RANK_WINDOW ("5,000+"): an exact total reads every match.
RANK_WINDOW = 5_000
# Below this many matches of the words, channel and tag filters are checked per match (two
# primary-key lookups each) instead of being MATCHed as terms (see `matching`).
JOIN_LIMIT = 10_000
CANONICAL = "(SELECT COALESCE(merged_into, customer_id) FROM search_customers WHERE customer_id = ?)"
HIT_COLUMNS = (
    "d.doc_id, d.kind, d.occurred_at, d.actor, d.text, d.snippet, d.article, t.ticket_id, t.channel, "
    "t.status, t.subject, t.tags, t.customer_id, c.name"
)
HIT_JOINS = (
    "JOIN search_tickets t ON t.tid = d.tid LEFT JOIN search_customers c ON c.customer_id = t.customer_id"
)


@dataclass(frozen=True, slots=True)
class SearchQuery:
    text: str = ""
    customer_id: str | None = None
    tags: Sequence[str] = ()
    channels: Sequence[str] = ()
    statuses: Sequence[str] = ()
    kinds: Sequence[str] = ()
    since: datetime | None = None
    until: datetime | None = None
    include_notes: bool = False
    limit: int = 20
    offset: int = 0


class Found(NamedTuple):
    hits: list[dict[str, Any]]
    count: int
    count_exact: bool


def search(db: SearchDb, q: SearchQuery) -> Found:
    """Best match first (BM25, name matches weigh less than text), newest first among equals."""
    stems = query_terms(q.text)
    with db.reading() as con:
        sql, params, order = matching(con, q, stems) if stems else listing(q)
        # The window's size comes with the page (a window function), so one statement does both.
        paged = f"SELECT doc_id, score, COUNT(*) OVER () FROM ({sql}) ORDER BY {order} LIMIT ? OFFSET ?"
        page = con.execute(paged, [*params, q.limit, q.offset]).fetchall()
        count = page[0][2] if page else con.execute(f"SELECT COUNT(*) FROM ({sql})", params).fetchone()[0]
        rows = {}
        if page:
            ids = [doc_id for doc_id, _, _ in page]
            found = con.execute(
                f"SELECT {HIT_COLUMNS} FROM search_docs d {HIT_JOINS} "
                f"WHERE d.doc_id IN ({', '.join('?' * len(ids))})",
                ids,
            ).fetchall()
            rows = {row[0]: row for row in found}
    hits = [hit((*rows[doc_id], score), stems) for doc_id, score, _ in page]
    return Found(hits, min(count, RANK_WINDOW), count <= RANK_WINDOW)


def matching(con: sqlite3.Connection, q: SearchQuery, stems: list[str]) -> tuple[str, list[Any], str]:
    """SQL for (doc id, BM25) of the newest RANK_WINDOW matches that pass the filters.

    Channel, customer and tags are terms of the `meta` column that can be ANDed into the MATCH
    (FTS5 skips through their lists instead of joining every match); the kind is the rowid
    modulo 4. Status and time need the document's ticket and time: only then are matches joined,
    one primary-key lookup each, until the window is full.
    """
    expression = fts_query(stems)
    if q.customer_id:
        row = con.execute(f"SELECT {CANONICAL}", (q.customer_id,)).fetchone()
        expression += f' AND "{customer_term(row[0] or q.customer_id)}"'
    clauses = [kind_clause(q)]
    params: list[Any] = []
    # Channel and tag terms are common (a fifth of all messages each): MATCHing them costs
    # bm25 a count of all their rows. When the words alone match few messages, checking those
    # few against the ticket is cheaper; results and scores are the same either way.
    few = bool(q.channels or q.tags) and matches_at_most(con, expression, JOIN_LIMIT)
    if few:
        if q.channels:
            clauses.append(f"t.channel IN ({', '.join('?' * len(q.channels))})")
            params.extend(q.channels)
        for tag in q.tags:
            clauses.append("EXISTS (SELECT 1 FROM search_ticket_tags g WHERE g.tag = ? AND g.tid = d.tid)")
            params.append(tag)
    else:
        expression += meta_filter(q.channels, q.tags)
    params.insert(0, expression)
    if q.statuses:
        clauses.append(f"t.status IN ({', '.join('?' * len(q.statuses))})")
        params.extend(q.statuses)
    time_window(q, clauses, params)
    joins = ""
    if q.statuses or q.since or q.until or few:
        joins = "JOIN search_docs d ON d.doc_id = f.rowid >> 2"
        if q.statuses or (few and q.channels):
            joins += " JOIN search_tickets t ON t.tid = d.tid"
    where = "".join(f" AND {c}" for c in clauses if c)
    sql = (
        f"SELECT f.rowid >> 2 AS doc_id, bm25(search_fts, 1.0, {NAME_WEIGHT}, 0.0) AS score "
        f"FROM search_fts f {joins} WHERE search_fts MATCH ?{where} "
        f"ORDER BY f.rowid DESC LIMIT {RANK_WINDOW + 1}"
    )
    return sql, params, "score, doc_id DESC"


def meta_filter(channels: Sequence[str], tags: Sequence[str]) -> str:
    """Channel and tags as MATCH terms; with both, the first tag goes as its pair with each channel."""
    rest = list(tags)
    if channels and rest:
        first = rest.pop(0)
        alternatives = [channel_tag_term(c, first) for c in channels]
    else:
        alternatives = [channel_term(c) for c in channels]
    clauses = [" OR ".join(f'"{a}"' for a in alternatives)] if alternatives else []
    clauses += [f'"{tag_term(tag)}"' for tag in rest]
    return "".join(f" AND ({clause})" for clause in clauses)


def matches_at_most(con: sqlite3.Connection, expression: str, limit: int) -> bool:
    """Whether `expression` matches at most `limit` rows (reads no more than limit + 1 rowids)."""
    sql = f"SELECT COUNT(*) FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH ? LIMIT {limit + 1})"
    return bool(con.execute(sql, (expression,)).fetchone()[0] <= limit)


def kind_clause(q: SearchQuery) -> str:
    kinds = [k for k in (q.kinds or KIND_CODES) if q.include_notes or k != "note"]
    if set(kinds) == set(KIND_CODES):
        return ""
    return f"f.rowid % 4 IN ({', '.join(str(KIND_CODES[k]) for k in kinds)})"


def listing(q: SearchQuery) -> tuple[str, list[Any], str]:
    """Without words: the newest RANK_WINDOW messages that pass the filters, by message time."""
    where, params = filters(q)
    sql = (
        "SELECT d.doc_id AS doc_id, 0.0 AS score, d.occurred_at AS at FROM search_docs d "
        f"JOIN search_tickets t ON t.tid = d.tid WHERE 1 = 1 {where} "
        f"ORDER BY d.occurred_at DESC, d.doc_id DESC LIMIT {RANK_WINDOW + 1}"
    )
    return sql, params, "at DESC, doc_id DESC"


def filters(q: SearchQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []

    def any_of(column: str, values: Sequence[str]) -> None:
        clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
        params.extend(values)

    if not q.include_notes:
        clauses.append("d.kind != 'note'")
    if q.kinds:
        any_of("d.kind", q.kinds)
    if q.customer_id:
        clauses.append(f"t.customer_id = COALESCE({CANONICAL}, ?)")
        params.extend([q.customer_id, q.customer_id])
    if q.channels:
        any_of("t.channel", q.channels)
    if q.statuses:
        any_of("t.status", q.statuses)
    for tag in q.tags:
        clauses.append("t.tid IN (SELECT tid FROM search_ticket_tags WHERE tag = ?)")
        params.append(tag)
    time_window(q, clauses, params)
    return "".join(f" AND {c}" for c in clauses), params


def time_window(q: SearchQuery, clauses: list[str], params: list[Any]) -> None:
    """`from` and `to` (half-open) on the message's own time."""
    if q.since:
        clauses.append("d.occurred_at >= ?")
        params.append(iso(q.since))
    if q.until:
        clauses.append("d.occurred_at < ?")
        params.append(iso(q.until))


def hit(row: Sequence[Any], stems: list[str]) -> dict[str, Any]:
    (doc_id, kind, at, actor, text, snippet, article, ticket_id, channel, status, subject, tags,
     customer_id, name, score) = row  # fmt: skip
    name_fragment = fragments(name or "", stems, width=200, limit=1)[0]
    return {
        "id": doc_id,
        "kind": kind,
        "occurred_at": at,
        "actor": actor,
        "score": round(-float(score), 6),
        "fragments": [fragment_json(f) for f in fragments(text, stems)],
        "snippet": snippet,
        "article": article,
        "ticket": {
            "id": ticket_id,
            "channel": channel,
            "status": status,
            "subject": subject,
            "tags": json.loads(tags),
        },
        "customer": {
            "id": customer_id,
            "name": name,
            "highlights": [list(h) for h in name_fragment.highlights],
        },
    }


def fragment_json(f: Fragment) -> dict[str, Any]:
    return {"text": f.text, "highlights": [list(h) for h in f.highlights], "html": f.html()}


def customers(db: SearchDb, text: str, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """Customers by name or channel handle, prefix-matched so a first few letters are enough."""
    match = prefix_query(text)
    columns = "c.customer_id, c.name, c.identities, c.registered_at, c.cid"
    active = "c.merged_into IS NULL"
    with db.reading() as con:
        if match:
            base = (
                "FROM search_customer_fts f JOIN search_customers c ON c.cid = f.rowid "
                f"WHERE search_customer_fts MATCH ? AND {active}"
            )
            rows = con.execute(
                f"SELECT {columns} {base} ORDER BY bm25(search_customer_fts), c.cid LIMIT ? OFFSET ?",
                (match, limit, offset),
            ).fetchall()
            count = con.execute(f"SELECT COUNT(*) {base}", (match,)).fetchone()[0]
        else:
            base = f"FROM search_customers c WHERE {active}"
            rows = con.execute(
                f"SELECT {columns} {base} ORDER BY c.name, c.cid LIMIT ? OFFSET ?", (limit, offset)
            ).fetchall()
            count = con.execute(f"SELECT COUNT(*) {base}").fetchone()[0]
        return [customer_json(con, row) for row in rows], count


def customer_json(con: sqlite3.Connection, row: Sequence[Any]) -> dict[str, Any]:
    customer_id, name, identities, registered_at, _ = row
    merged = con.execute(
        "SELECT customer_id, identities FROM search_customers WHERE merged_into = ? ORDER BY cid",
        (customer_id,),
    ).fetchall()
    tickets = con.execute(
        "SELECT COUNT(*) FROM search_tickets WHERE customer_id = ?", (customer_id,)
    ).fetchone()
    every = json.loads(identities) + [i for _, ids in merged for i in json.loads(ids)]
    return {
        "id": customer_id,
        "name": name,
        "identities": list(dict.fromkeys(every)),
        "merged_from": [m[0] for m in merged],
        "registered_at": registered_at,
        "tickets": tickets[0],
    }


def history(db: SearchDb, customer_id: str, include_notes: bool, limit: int, offset: int) -> dict[str, Any]:
    """Every ticket of the customer (including those of records merged into it), oldest message first."""
    kinds = "" if include_notes else " AND d.kind != 'note'"
    with db.reading() as con:
        found = con.execute(
            "SELECT COALESCE(merged_into, customer_id) FROM search_customers WHERE customer_id = ?",
            (customer_id,),
        ).fetchone()
        if found is None:
            return {}
        canonical = found[0]
        tickets = con.execute(
            "SELECT tid, ticket_id, channel, status, subject, tags, opened_at FROM search_tickets "
            "WHERE customer_id = ? ORDER BY opened_at, tid LIMIT ? OFFSET ?",
            (canonical, limit, offset),
        ).fetchall()
        count = con.execute(
            "SELECT COUNT(*) FROM search_tickets WHERE customer_id = ?", (canonical,)
        ).fetchone()
        data = []
        for tid, ticket_id, channel, status, subject, tags, opened_at in tickets:
            messages = con.execute(
                f"SELECT d.kind, d.occurred_at, d.actor, d.text FROM search_docs d WHERE d.tid = ?{kinds} "
                "ORDER BY d.occurred_at, d.doc_id",
                (tid,),
            ).fetchall()
            data.append(
                {
                    "id": ticket_id,
                    "channel": channel,
                    "status": status,
                    "subject": subject,
                    "tags": json.loads(tags),
                    "opened_at": opened_at,
                    "conversation": [
                        {"kind": k, "occurred_at": at, "actor": actor, "text": text}
                        for k, at, actor, text in messages
                    ],
                }
            )
    return {"customer_id": canonical, "data": data, "count": count[0]}
