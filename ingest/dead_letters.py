"""The dead-letter store: authenticated payloads we could not (or did not) turn into messages.

Durable in the ingest database (a SQLite file in the data dir, or PostgreSQL), with the raw
body, the headers and the reason, so an admin can fix the cause and retry.

A letter never keeps a secret. It is kept only after its sender was verified, and a retry does
not verify again, so the secret that proved it is not needed: the Telegram secret-token header
is not kept, and neither is the `secret` inside a VK body. Letters kept by an earlier version
are cleaned when the store opens.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import uuid4

from ingest.registry import kinds
from projections.sql import Database

SCHEMA = """CREATE TABLE IF NOT EXISTS dead_letters (
    id TEXT PRIMARY KEY, channel TEXT NOT NULL, kind TEXT NOT NULL, received_at TEXT NOT NULL,
    reason TEXT NOT NULL, headers TEXT NOT NULL, body BYTEA NOT NULL, status TEXT NOT NULL,
    retries INTEGER NOT NULL)"""
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

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "channel": self.channel,
            "kind": self.kind,
            "received_at": self.received_at,
            "reason": self.reason,
            "status": self.status,
            "retries": self.retries,
            "body": self.body.decode("utf-8", errors="replace"),
        }


class DeadLetters:
    def __init__(self, db: Database) -> None:
        self.db = db
        with db.transaction() as cur:
            cur.execute(SCHEMA)
            cur.execute(
                "CREATE INDEX IF NOT EXISTS dead_letters_status ON dead_letters (status, received_at)"
            )
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
        kept, body = kept_headers(headers), kept_body(kind, body)
        letter_id = uuid4().hex
        with self.db.transaction() as cur:
            cur.execute(
                f"INSERT INTO dead_letters ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, 'new', 0)",
                (letter_id, channel, kind, at.isoformat(), reason[:2000], json.dumps(kept), bytes(body)),
            )
        return letter_id

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


COLUMNS = "id, channel, kind, received_at, reason, headers, body, status, retries"


def letter(row: tuple[Any, ...]) -> DeadLetter:
    return DeadLetter(
        row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), bytes(row[6]), row[7], int(row[8])
    )


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
