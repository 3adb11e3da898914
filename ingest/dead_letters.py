"""The dead-letter store: authenticated payloads we could not (or did not) turn into messages.

Durable in the ingest database (a SQLite file in the data dir, or PostgreSQL), with the raw
body, the headers and the reason, so an admin can fix the cause and retry.

A provider retries what it was not answered 200 (and some retry anyway): one payload is one
letter, whatever the number of deliveries, which `deliveries` counts. A letter is known by its
channel and key: the provider's id of the delivery where the kind can read one
(`ChannelKind.dead_letter_key`: Telegram's update_id, the wamids of a WhatsApp notification), else
a sha256 of the kept body.

A letter never keeps a secret. It is kept only after its sender was verified, and a retry does
not verify again, so the secret that proved it is not needed: the Telegram secret-token header
is not kept, and neither is the `secret` inside a VK body. Letters kept by an earlier version
are cleaned when the store opens.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import uuid4

from ingest.registry import find, kinds
from projections.sql import Database
from projections.tracking import TrackingCursor, WorkSchema

BASELINE = (
    """CREATE TABLE IF NOT EXISTS dead_letters (
    id TEXT PRIMARY KEY, channel TEXT NOT NULL, kind TEXT NOT NULL, received_at TEXT NOT NULL,
    reason TEXT NOT NULL, headers TEXT NOT NULL, body BYTEA NOT NULL, status TEXT NOT NULL,
    retries INTEGER NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS dead_letters_status ON dead_letters (status, received_at)",
)
"""Version 1: the table as it was before letters had keys."""
KEPT_HEADERS = ("content-type", "user-agent", "x-hub-signature-256")
"""Headers worth keeping that hold no secret (a signature is a digest, not the key)."""
SECRET_BODY_FIELDS = {k.kind: k.secret_body_fields for k in kinds() if k.secret_body_fields}
"""Top-level fields of a JSON body, per channel kind, that carry the channel's shared secret."""


@dataclass(frozen=True)
class DeadLetter:
    id: str
    channel: str
    kind: str
    received_at: str
    reason: str
    headers: dict[str, str]
    body: bytes
    status: str
    retries: int
    deliveries: int

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "channel": self.channel,
            "kind": self.kind,
            "received_at": self.received_at,
            "reason": self.reason,
            "status": self.status,
            "retries": self.retries,
            "deliveries": self.deliveries,
            "body": self.body.decode("utf-8", errors="replace"),
        }


class DeadLetters:
    def __init__(self, db: Database) -> None:
        self.db = db
        with db.transaction() as cur:
            SCHEMA.upgrade(cur)
        self.scrub()

    def scrub(self) -> int:
        """Takes secrets out of letters an earlier version kept; returns how many it changed."""
        kinds = sorted(SECRET_BODY_FIELDS)
        rows = self.db.fetchall(
            "SELECT id, kind, headers, body FROM dead_letters WHERE headers LIKE '%secret%' "
            f"OR kind IN ({', '.join('?' for _ in kinds)})",
            kinds,
        )
        changed = []
        for letter_id, kind, headers, body in rows:
            kept, clean = json.dumps(kept_headers(json.loads(headers))), kept_body(kind, bytes(body))
            if kept != headers or clean != bytes(body):
                changed.append((kept, clean, letter_id))
        if changed:
            with self.db.transaction() as cur:
                for row in changed:
                    cur.execute("UPDATE dead_letters SET headers = ?, body = ? WHERE id = ?", row)
        return len(changed)

    def add(
        self, channel: str, kind: str, reason: str, body: bytes, headers: Mapping[str, str], at: datetime
    ) -> str:
        """The letter's id: a new letter, or the one this payload already has, counting one more
        delivery and keeping the latest reason (its status stays what an admin made it)."""
        key, kept, body = letter_key(kind, body), kept_headers(headers), kept_body(kind, body)
        row = (uuid4().hex, channel, kind, at.isoformat(), reason[:2000], json.dumps(kept), bytes(body), key)
        with self.db.transaction() as cur:
            found = cur.fetchall(
                f"INSERT INTO dead_letters ({COLUMNS}, letter_key) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'new', 0, 1, ?) ON CONFLICT (channel, letter_key) "
                "DO UPDATE SET deliveries = dead_letters.deliveries + 1, reason = excluded.reason "
                "RETURNING id",
                row,
            )
        return str(found[0][0])

    def get(self, letter_id: str) -> DeadLetter | None:
        rows = self.db.fetchall(f"SELECT {COLUMNS} FROM dead_letters WHERE id = ?", (letter_id,))
        return letter(rows[0]) if rows else None

    def list(self, status: str | None, limit: int, offset: int) -> tuple[list[DeadLetter], int]:
        where, params = ("WHERE status = ?", [status]) if status else ("", [])
        count = self.db.fetchall(f"SELECT COUNT(*) FROM dead_letters {where}", params)[0][0]
        rows = self.db.fetchall(
            f"SELECT {COLUMNS} FROM dead_letters {where} ORDER BY received_at, id LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [letter(r) for r in rows], int(count)

    def naming(self, channel: str, token: str, since: datetime) -> tuple[str, ...]:
        """Letters of a channel received since `since`, not yet recorded, whose reason names `token`
        (a provider's message id). The time bound keeps this to the index's recent rows: letters
        about other tools' messages pile up, and every delivery asks."""
        escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self.db.fetchall(
            "SELECT id FROM dead_letters WHERE status IN ('new', 'ignored') AND received_at >= ? "
            "AND channel = ? AND reason LIKE ? ESCAPE '\\' ORDER BY received_at, id",
            (since.isoformat(), channel, f"%{escaped}%"),
        )
        return tuple(row[0] for row in rows)

    def settle(self, letter_id: str, status: str, reason: str | None, body: bytes | None) -> None:
        letter = self.get(letter_id) if body is not None else None
        if letter is not None and body is not None:
            body = kept_body(letter.kind, body)
        with self.db.transaction() as cur:
            cur.execute(
                "UPDATE dead_letters SET status = ?, reason = COALESCE(?, reason), body = COALESCE(?, body), "
                "retries = retries + 1 WHERE id = ?",
                (status, reason, body, letter_id),
            )


COLUMNS = "id, channel, kind, received_at, reason, headers, body, status, retries, deliveries"


def letter(row: tuple[Any, ...]) -> DeadLetter:
    return DeadLetter(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        json.loads(row[5]),
        bytes(row[6]),
        row[7],
        int(row[8]),
        int(row[9]),
    )


def letter_key(kind: str, body: bytes) -> str:
    """The provider's name for this payload where the kind reads one, else a hash of what is kept
    (never of a secret the raw body carries)."""
    found = find(kind)
    named = found.dead_letter_key(body) if found is not None else None
    return named or "sha256:" + hashlib.sha256(kept_body(kind, body)).hexdigest()


def keyed(cur: TrackingCursor) -> None:
    """Version 2: each letter gets its key and a count of deliveries. Letters an earlier version
    kept once per retry keep apart: the oldest takes the key, each later one its key + #id."""
    cur.execute("ALTER TABLE dead_letters ADD COLUMN letter_key TEXT")
    cur.execute("ALTER TABLE dead_letters ADD COLUMN deliveries INTEGER NOT NULL DEFAULT 1")
    taken: set[tuple[str, str]] = set()
    rows = cur.fetchall("SELECT id, channel, kind, body FROM dead_letters ORDER BY received_at, id")
    for letter_id, channel, kind, body in rows:
        key = letter_key(kind, bytes(body))
        if (channel, key) in taken:
            key = f"{key}#{letter_id}"
        taken.add((channel, key))
        cur.execute("UPDATE dead_letters SET letter_key = ? WHERE id = ?", (key, letter_id))
    cur.execute("CREATE UNIQUE INDEX dead_letters_key ON dead_letters (channel, letter_key)")


SCHEMA = WorkSchema("dead_letters", BASELINE, (keyed,))


def kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower() in KEPT_HEADERS}


def kept_body(kind: str, body: bytes) -> bytes:
    """The body without the fields that carry the channel's secret (still the same JSON)."""
    fields = SECRET_BODY_FIELDS.get(kind, ())
    if not fields:
        return body
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return body
    if not isinstance(parsed, dict) or not any(f in parsed for f in fields):
        return body
    return json.dumps({k: v for k, v in parsed.items() if k not in fields}, ensure_ascii=False).encode()
