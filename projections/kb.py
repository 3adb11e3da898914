"""The knowledge-base part of the search index: articles (full text) and snippets, and their queries.

Folded by the search projection in the same transaction as the archive, from Article and Snippet
events; usage of snippets and articles comes from the `snippet`/`article` fields of ReplySent.
"""

import json
import sqlite3
from datetime import datetime
from typing import Any

from domain.event_types import EventType
from domain.text_forms import identifier
from projections.queue_store import iso
from projections.records import EventRecord
from projections.search_store import SearchDb
from projections.search_text import fragments, fts_query, index_text, query_terms

ARTICLE_COLUMNS = "aid, article_id, title, body, category, tags, visibility, version, created_at, updated_at"


def fold_article(con: sqlite3.Connection, record: EventRecord) -> None:
    data, at = record.data, iso(record.occurred_at)
    tags = json.dumps(list(data["tags"]), ensure_ascii=False)
    old = con.execute(
        "SELECT aid, title, body, tags FROM kb_articles WHERE article_id = ?", (record.aggregate_id,)
    ).fetchone()
    if old is None:
        con.execute(
            f"INSERT INTO kb_articles ({ARTICLE_COLUMNS}, updated_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (record.position, record.aggregate_id, data["title"], data["body"], data["category"], tags,
             data["visibility"], record.version, at, at, record.actor),
        )  # fmt: skip
        aid = record.position
    else:
        aid = old[0]
        con.execute(
            "INSERT INTO kb_article_fts (kb_article_fts, rowid, title, body, tags) "
            "VALUES ('delete', ?, ?, ?, ?)",
            (aid, index_text(old[1]), index_text(old[2]), index_text(" ".join(json.loads(old[3])))),
        )
        con.execute(
            "UPDATE kb_articles SET title = ?, body = ?, category = ?, tags = ?, visibility = ?, "
            "version = ?, "
            "updated_at = ?, updated_by = ? WHERE aid = ?",
            (data["title"], data["body"], data["category"], tags, data["visibility"], record.version, at,
             record.actor, aid),
        )  # fmt: skip
    con.execute(
        "INSERT INTO kb_article_fts (rowid, title, body, tags) VALUES (?, ?, ?, ?)",
        (aid, index_text(data["title"]), index_text(data["body"]), index_text(" ".join(data["tags"]))),
    )


def fold_snippet(con: sqlite3.Connection, record: EventRecord) -> None:
    data, at = record.data, iso(record.occurred_at)
    if record.type == EventType.SNIPPET_CREATED:
        con.execute(
            "INSERT INTO kb_snippets (snippet_id, shortcut, title, body, category, archived, version, "
            "updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
            (record.aggregate_id, data["shortcut"], data["title"], data["body"], data["category"],
             record.version, at),
        )  # fmt: skip
    elif record.type == EventType.SNIPPET_EDITED:
        con.execute(
            "UPDATE kb_snippets SET title = ?, body = ?, category = ?, version = ?, updated_at = ? "
            "WHERE snippet_id = ?",
            (data["title"], data["body"], data["category"], record.version, at, record.aggregate_id),
        )
    elif record.type == EventType.SNIPPET_ARCHIVED:
        con.execute(
            "UPDATE kb_snippets SET archived = 1, version = ?, updated_at = ? WHERE snippet_id = ?",
            (record.version, at, record.aggregate_id),
        )


def articles(
    db: SearchDb, text: str, category: str | None, tag: str | None, public_only: bool, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Articles by word forms in title (weighs most), tags and body; newest first without a query."""
    stems = query_terms(text)
    clauses, params = [], []
    if public_only:
        clauses.append("a.visibility = 'public'")
    if category:
        clauses.append("a.category = ?")
        params.append(category)
    if tag:
        clauses.append("EXISTS (SELECT 1 FROM json_each(a.tags) WHERE value = ?)")
        params.append(identifier(tag))
    where = "".join(f" AND {c}" for c in clauses)
    if stems:
        base = (
            f"FROM kb_article_fts f JOIN kb_articles a ON a.aid = f.rowid WHERE kb_article_fts MATCH ?{where}"
        )
        params = [fts_query(stems), *params]
        order = "bm25(kb_article_fts, 3.0, 1.0, 2.0), a.aid DESC"
    else:
        base = f"FROM kb_articles a WHERE 1 = 1{where}"
        order = "a.updated_at DESC, a.aid DESC"
    columns = ", ".join(f"a.{c}" for c in ARTICLE_COLUMNS.split(", "))
    with db.reading() as con:
        rows = con.execute(
            f"SELECT {columns} {base} ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset]
        )
        data = [article_json(row, stems) for row in rows.fetchall()]
        count = con.execute(f"SELECT COUNT(*) {base}", params).fetchone()[0]
    return data, count


def article_json(row: tuple[Any, ...], stems: list[str]) -> dict[str, Any]:
    _, article_id, title, body, category, tags, visibility, version, created_at, updated_at = row
    found = fragments(body, stems, limit=2)
    return {
        "id": article_id,
        "title": title,
        "category": category,
        "tags": json.loads(tags),
        "visibility": visibility,
        "version": version,
        "created_at": created_at,
        "updated_at": updated_at,
        "fragments": [{"text": f.text, "html": f.html()} for f in found] if stems else [],
    }


def snippets(db: SearchDb, include_archived: bool) -> list[dict[str, Any]]:
    where = "" if include_archived else " WHERE archived = 0"
    with db.reading() as con:
        rows = con.execute(
            "SELECT snippet_id, shortcut, title, body, category, archived, version, updated_at "
            f"FROM kb_snippets{where} ORDER BY shortcut"
        ).fetchall()
    keys = ("id", "shortcut", "title", "body", "category", "archived", "version", "updated_at")
    return [dict(zip(keys, (*r[:5], bool(r[5]), *r[6:]), strict=True)) for r in rows]


def snippet_usage(
    db: SearchDb, since: datetime | None, until: datetime | None, limit: int
) -> list[dict[str, Any]]:
    """Snippets by how many replies used them in [since, until), most used first."""
    clauses, params = ["d.snippet IS NOT NULL"], []
    if since:
        clauses.append("d.occurred_at >= ?")
        params.append(iso(since))
    if until:
        clauses.append("d.occurred_at < ?")
        params.append(iso(until))
    sql = (
        "SELECT d.snippet, s.shortcut, s.title, COUNT(*) AS uses, COUNT(DISTINCT d.tid), "
        "COUNT(DISTINCT d.actor) FROM search_docs d LEFT JOIN kb_snippets s ON s.snippet_id = d.snippet "
        f"WHERE {' AND '.join(clauses)} "
        "GROUP BY d.snippet ORDER BY uses DESC, s.shortcut LIMIT ?"
    )
    with db.reading() as con:
        rows = con.execute(sql, [*params, limit]).fetchall()
    keys = ("id", "shortcut", "title", "uses", "tickets", "operators")
    return [dict(zip(keys, r, strict=True)) for r in rows]
