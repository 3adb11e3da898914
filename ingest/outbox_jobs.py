"""The outbox's work queue: replies waiting to be sent, and the provider ids of those that were.

This is work, not a view: rows are added by the ingest view's fold (a ReplySent on a ticket of a
channel whose kind queues replies) and settled both by the outbox as it sends and by the
ReplyDelivered / ReplyDeliveryFailed events the view folds later. So a view rebuild or a view
schema change leaves these tables alone: a replay re-creates no job that was already settled,
and nothing is ever sent twice. Jobs are keyed by (ticket, reply version).

`outbox_sent` maps the provider's id of each delivered reply back to it, so that a status report
(WhatsApp's sent / delivered / read / failed) finds its ticket in one indexed lookup.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ingest.registry import reports_statuses
from projections.sql import Cursor, Database

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS outbox_jobs (
        job_id TEXT PRIMARY KEY, ticket_id TEXT NOT NULL, reply_version BIGINT NOT NULL,
        channel TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, due_at TEXT NOT NULL,
        last_error TEXT, position BIGINT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS outbox_jobs_due ON outbox_jobs (status, due_at)",
    """CREATE TABLE IF NOT EXISTS outbox_sent (
        channel TEXT NOT NULL, provider_message_id TEXT NOT NULL, ticket_id TEXT NOT NULL,
        reply_version BIGINT NOT NULL, PRIMARY KEY (channel, provider_message_id))""",
)


@dataclass(frozen=True)
class Job:
    job_id: str
    ticket_id: str
    reply_version: int
    channel: str
    attempts: int


class OutboxJobs:
    """The queue in the ingest database (SQLite file or PostgreSQL), beside the ingest view."""

    def __init__(self, db: Database) -> None:
        self.db = db
        with db.transaction() as cur:
            for statement in SCHEMA:
                cur.execute(statement)

    def due_jobs(self, now: datetime, limit: int = 50) -> list[Job]:
        rows = self.db.fetchall(
            "SELECT job_id, ticket_id, reply_version, channel, attempts FROM outbox_jobs "
            "WHERE status = 'pending' AND due_at <= ? ORDER BY due_at LIMIT ?",
            (iso(now), limit),
        )
        return [Job(r[0], r[1], int(r[2]), r[3], int(r[4])) for r in rows]

    def reschedule(self, job: Job, attempts: int, due_at: datetime, error: str) -> None:
        with self.db.transaction() as cur:
            cur.execute(
                "UPDATE outbox_jobs SET attempts = ?, due_at = ?, last_error = ? "
                "WHERE job_id = ? AND status = 'pending'",
                (attempts, iso(due_at), error[:2000], job.job_id),
            )

    def settle(
        self, job: Job, status: str, error: str | None = None, provider_message_id: str | None = None
    ) -> None:
        """The sent id is kept at once, not when the view gets to ReplyDelivered: the provider's
        first status report may arrive within the second."""
        with self.db.transaction() as cur:
            cur.execute(
                "UPDATE outbox_jobs SET status = ?, last_error = ? WHERE job_id = ?",
                (status, error, job.job_id),
            )
            if provider_message_id:
                self.remember_sent(cur, job.channel, provider_message_id, job.ticket_id, job.reply_version)

    def sent_reply(self, channel: str, provider_message_id: str) -> tuple[str, int] | None:
        """(ticket id, reply version) of the reply the provider knows by this id, if we sent it."""
        rows = self.db.fetchall(
            "SELECT ticket_id, reply_version FROM outbox_sent WHERE channel = ? AND provider_message_id = ?",
            (channel, provider_message_id),
        )
        return (rows[0][0], int(rows[0][1])) if rows else None

    def jobs(self, ticket_id: str) -> list[dict[str, Any]]:
        rows = self.db.fetchall(
            "SELECT job_id, reply_version, channel, status, attempts, due_at, last_error FROM outbox_jobs "
            "WHERE ticket_id = ? ORDER BY reply_version",
            (ticket_id,),
        )
        keys = ("job_id", "reply_version", "channel", "status", "attempts", "due_at", "last_error")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    # What the ingest view's fold writes, in its own transaction (`cur`).

    def enqueue(
        self, cur: Cursor, ticket_id: str, reply_version: int, channel: str, due_at: Any, position: int
    ) -> None:
        """A reply to send, unless it is queued (or settled) already: a replay adds nothing."""
        cur.execute(
            "INSERT INTO outbox_jobs (job_id, ticket_id, reply_version, channel, status, "
            "attempts, due_at, last_error, position) "
            "VALUES (?, ?, ?, ?, 'pending', 0, ?, NULL, ?) "
            "ON CONFLICT (job_id) DO NOTHING",
            (job_id(ticket_id, reply_version), ticket_id, reply_version, channel, iso(due_at), position),
        )

    def settled(
        self, cur: Cursor, ticket_id: str, reply_version: int, status: str, error: str | None
    ) -> None:
        cur.execute(
            "UPDATE outbox_jobs SET status = ?, last_error = ? WHERE job_id = ?",
            (status, error, job_id(ticket_id, reply_version)),
        )

    def remember_sent(
        self, cur: Cursor, channel: str, provider_message_id: str, ticket_id: str, version: int
    ) -> None:
        """Only for kinds whose provider reports statuses (unique per channel): other ids may repeat
        within a channel (Telegram's message ids count per chat), and nothing would ever look them up.
        The kind is the ingest view's (`ingest_channels`, in the same database)."""
        found = cur.fetchall("SELECT kind FROM ingest_channels WHERE name = ?", (channel,))
        if found and reports_statuses(found[0][0]):
            cur.execute(
                "INSERT INTO outbox_sent (channel, provider_message_id, ticket_id, reply_version) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (channel, provider_message_id) DO NOTHING",
                (channel, provider_message_id, ticket_id, version),
            )


def job_id(ticket_id: str, version: int) -> str:
    return f"{ticket_id}:{version}"


def iso(value: Any) -> str:
    """UTC ISO text sorts in time order, so SQL can compare it on either engine."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(UTC).isoformat()
