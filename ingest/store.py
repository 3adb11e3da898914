"""The ingest view: channels and the mention queue, folded from the event log.

One projection, one transaction per batch with its tracked position, like the queue view. It
also feeds the outbox's work queue (ingest/outbox_jobs.py) in the same transaction: a ReplySent
on a ticket of a channel whose kind queues replies adds a job, and ReplyDelivered /
ReplyDeliveryFailed settle it. The queue is not part of the view: a rebuild leaves it alone.
"""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from domain.channel import redacted
from domain.event_types import EventType
from ingest.outbox_jobs import OutboxJobs, iso
from ingest.registry import queues_replies
from projections.records import EventRecord
from projections.sql import Cursor, Database
from projections.tracking import ViewSchema, unseen

SCHEMA_VERSION = 2
"""Bumped when a table is added that only a replay can fill (2: outbox_sent; no version row is 1).
A file or database of another version has its view dropped once, so the runner replays into it."""
SCHEMA = [
    """CREATE TABLE IF NOT EXISTS ingest_channels (
        name TEXT PRIMARY KEY, channel_id TEXT NOT NULL, kind TEXT NOT NULL, owner TEXT,
        settings TEXT NOT NULL,
        added_at TEXT NOT NULL, position BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS ingest_mentions (
        mention_id TEXT PRIMARY KEY, channel TEXT NOT NULL, source TEXT NOT NULL, url TEXT NOT NULL,
        author TEXT NOT NULL, text TEXT NOT NULL, published_at TEXT NOT NULL, rating DOUBLE PRECISION,
        place TEXT, status TEXT NOT NULL, category TEXT, tags TEXT NOT NULL, ticket_id TEXT,
        answered_on_site INTEGER NOT NULL, captured_at TEXT NOT NULL, triaged_at TEXT,
        triaged_by TEXT, position BIGINT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS ingest_mentions_status ON ingest_mentions (status, captured_at)",
    """CREATE TABLE IF NOT EXISTS outbox_tickets (ticket_id TEXT PRIMARY KEY, channel TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS ingest_tracking (source TEXT PRIMARY KEY, position BIGINT NOT NULL)""",
]
TABLES = ("ingest_channels", "ingest_mentions", "outbox_tickets", "ingest_tracking")
"""The folded view, dropped on a version change (the outbox's jobs are work, and stay)."""
VIEW = ViewSchema("ingest", SCHEMA_VERSION, TABLES, tuple(SCHEMA), "ingest_tracking")
MENTION_COLUMNS = (
    "mention_id, channel, source, url, author, text, published_at, rating, place, status, category, "
    "tags, ticket_id, answered_on_site, captured_at, triaged_at, triaged_by"
)


class IngestProjection:
    name = "ingest"

    def __init__(self, db: Database, jobs: OutboxJobs) -> None:
        self.db, self.jobs = db, jobs
        with db.transaction() as cur:
            VIEW.upgrade(cur)

    def position(self, source: str) -> int:
        with self.db.snapshot() as cur:
            return VIEW.position(cur, source)

    def apply(self, records: Sequence[EventRecord], source: str) -> int:
        with self.db.transaction() as cur:
            before = VIEW.position(cur, source)
            fresh = unseen(records, before)
            for record in fresh:
                self.fold(cur, record)
            if fresh:
                VIEW.advance(cur, source, before, fresh[-1].position)
        return len(fresh)

    def fold(self, cur: Cursor, r: EventRecord) -> None:
        d = r.data
        match r.aggregate_type, r.type:
            case "Channel", EventType.CHANNEL_ADDED:
                cur.execute(
                    "INSERT INTO ingest_channels (name, channel_id, kind, owner, settings, added_at, "
                    "position) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
                    (
                        d["name"],
                        r.aggregate_id,
                        d["kind"],
                        d["owner"],
                        settings_json(d),
                        iso(r.occurred_at),
                        r.position,
                    ),
                )
            case "Channel", EventType.CHANNEL_CHANGED:
                cur.execute(
                    "UPDATE ingest_channels SET owner = ?, settings = ?, position = ? WHERE channel_id = ?",
                    (d["owner"], settings_json(d), r.position, r.aggregate_id),
                )
            case "Mention", EventType.MENTION_CAPTURED:
                values = (
                    r.aggregate_id, d["channel"], d["source"], d["url"], d["author"], d["text"],
                    iso(d["published_at"]), d["rating"], d["place"], "new", None, "[]", None, 0,
                    iso(r.recorded_at), None, None, r.position,
                )  # fmt: skip
                cur.execute(
                    f"INSERT INTO ingest_mentions ({MENTION_COLUMNS}, position) VALUES "
                    f"({', '.join('?' * 18)}) ON CONFLICT (mention_id) DO NOTHING",
                    values,
                )
            case "Mention", EventType.MENTION_TRIAGED:
                cur.execute(
                    "UPDATE ingest_mentions SET status = ?, category = ?, tags = ?, ticket_id = ?, "
                    "triaged_at = ?, triaged_by = ?, position = ? WHERE mention_id = ?",
                    (
                        d["decision"], d["category"], json.dumps(d["tags"]), d["ticket_id"],
                        iso(r.occurred_at), r.actor, r.position, r.aggregate_id,
                    ),
                )  # fmt: skip
            case "Mention", EventType.MENTION_ANSWERED_ON_SITE:
                cur.execute(
                    "UPDATE ingest_mentions SET answered_on_site = 1, position = ? WHERE mention_id = ?",
                    (r.position, r.aggregate_id),
                )
            case "Ticket", EventType.TICKET_OPENED:
                found = cur.fetchall("SELECT kind FROM ingest_channels WHERE name = ?", (d["channel"],))
                if found and queues_replies(found[0][0]):
                    cur.execute(
                        "INSERT INTO outbox_tickets (ticket_id, channel) VALUES (?, ?) "
                        "ON CONFLICT (ticket_id) DO NOTHING",
                        (r.aggregate_id, d["channel"]),
                    )
            case "Ticket", EventType.REPLY_SENT:
                found = cur.fetchall(
                    "SELECT channel FROM outbox_tickets WHERE ticket_id = ?", (r.aggregate_id,)
                )
                if found:
                    self.jobs.enqueue(cur, r.aggregate_id, r.version, found[0][0], r.recorded_at, r.position)
            case "Ticket", EventType.REPLY_DELIVERED | EventType.REPLY_DELIVERY_FAILED:
                status = "delivered" if r.type == EventType.REPLY_DELIVERED else "failed"
                self.jobs.settled(cur, r.aggregate_id, d["reply_version"], status, d.get("error"))
                if d.get("provider_message_id"):
                    self.jobs.remember_sent(
                        cur, d["channel"], d["provider_message_id"], r.aggregate_id, d["reply_version"]
                    )
            case _:
                pass  # every other event only moves the tracked position

    def reset(self) -> None:
        """Jobs and sent ids stay: events settle them anyway, and nothing is ever sent twice."""
        with self.db.transaction() as cur:
            VIEW.clear(cur)

    # Queries for the API.

    def channels(self) -> list[dict[str, Any]]:
        rows = self.db.fetchall(
            "SELECT name, kind, owner, settings, added_at FROM ingest_channels ORDER BY name"
        )
        return [
            {"name": n, "kind": k, "owner": o, "settings": json.loads(s), "added_at": a}
            for n, k, o, s, a in rows
        ]

    def mentions(self, status: str | None, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        where, params = ("WHERE status = ?", [status]) if status else ("", [])
        count = self.db.fetchall(f"SELECT COUNT(*) FROM ingest_mentions {where}", params)[0][0]
        rows = self.db.fetchall(
            f"SELECT {MENTION_COLUMNS} FROM ingest_mentions {where} ORDER BY captured_at, mention_id "
            "LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        keys = MENTION_COLUMNS.split(", ")
        result = []
        for row in rows:
            item = dict(zip(keys, row, strict=True))
            item["id"] = item.pop("mention_id")
            item["tags"] = json.loads(item["tags"])
            item["answered_on_site"] = bool(item["answered_on_site"])
            result.append(item)
        return result, int(count)

    def mention_report(self, start: datetime | None, end: datetime | None) -> list[dict[str, Any]]:
        """Marketing mentions counted by category, source and day of publication."""
        clauses, params = ["status = 'marketing'"], []
        if start:
            clauses.append("published_at >= ?")
            params.append(iso(start))
        if end:
            clauses.append("published_at < ?")
            params.append(iso(end))
        rows = self.db.fetchall(
            "SELECT category, source, SUBSTR(published_at, 1, 10) AS day, COUNT(*) FROM ingest_mentions "
            f"WHERE {' AND '.join(clauses)} GROUP BY category, source, day ORDER BY day, category, source",
            params,
        )
        return [{"category": c, "source": s, "day": d, "count": int(n)} for c, s, d, n in rows]


def settings_json(d: Any) -> str:
    return json.dumps(redacted(dict(d["settings"])), sort_keys=True)
