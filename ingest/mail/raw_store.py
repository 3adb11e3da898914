"""Every mail as it came over SMTP, byte for byte, in the ingest database: nothing of it is lost.

Decoding picks a charset, HTML becomes text, quoted history and signatures come off the ticket
text; the raw message is what an admin goes back to when any of that went wrong. It is kept before
intake runs, keyed by its SHA-256 (a redelivery of the same bytes keeps one copy) and found by the
Message-ID the ticket event carries as its external id (`GET /api/v1/ingest/raw-mail?message_id=…`,
then `GET /api/v1/ingest/raw-mail/{id}`, admins only).

It stays out of the event log and so out of the analysts' DuckDB tables and Kafka: headers carry
other recipients, the relays' addresses and the whole quoted thread, which a ticket event does not.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from projections.sql import Database

SCHEMA = """CREATE TABLE IF NOT EXISTS raw_mail (
    id TEXT NOT NULL, channel TEXT NOT NULL, message_id TEXT NOT NULL, received_at TEXT NOT NULL,
    size BIGINT NOT NULL, body BYTEA NOT NULL, PRIMARY KEY (id, channel))"""
INDEX = "CREATE INDEX IF NOT EXISTS raw_mail_message_id ON raw_mail (message_id, received_at)"
LISTED = 100
"""At most this many copies are listed for one Message-ID (each is one distinct delivery)."""


@dataclass(frozen=True)
class RawMail:
    id: str
    channel: str
    message_id: str
    received_at: str
    size: int

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "channel": self.channel,
            "message_id": self.message_id,
            "received_at": self.received_at,
            "size": self.size,
        }


class RawMailStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        with db.transaction() as cur:
            cur.execute(SCHEMA)
            cur.execute(INDEX)

    def keep(self, channel: str, message_id: str, body: bytes, at: datetime) -> str:
        """Keeps the mail (once per channel and content); returns its id, the SHA-256 of the bytes."""
        raw_id = hashlib.sha256(body).hexdigest()
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO raw_mail (id, channel, message_id, received_at, size, body) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id, channel) DO NOTHING",
                (raw_id, channel, message_id[:1000], at.isoformat(), len(body), bytes(body)),
            )
        return raw_id

    def body(self, raw_id: str) -> bytes | None:
        rows = self.db.fetchall("SELECT body FROM raw_mail WHERE id = ? LIMIT 1", (raw_id,))
        return bytes(rows[0][0]) if rows else None

    def with_message_id(self, message_id: str) -> list[RawMail]:
        rows = self.db.fetchall(
            "SELECT id, channel, message_id, received_at, size FROM raw_mail WHERE message_id = ? "
            "ORDER BY received_at, id, channel LIMIT ?",
            (message_id, LISTED),
        )
        return [RawMail(r[0], r[1], r[2], r[3], int(r[4])) for r in rows]
