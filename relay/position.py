"""Where the relay remembers how far it has published: one row per topic.

It lives in the event store's PostgreSQL database in scaled mode, or in a SQLite file beside
the event store in embedded mode. A row is written only after the broker acknowledged every
message up to that position, so a crash can repeat messages but never skip one.
"""

from projections.sql import Database

SCHEMA = "CREATE TABLE IF NOT EXISTS relay_positions (topic TEXT PRIMARY KEY, position BIGINT NOT NULL)"
UPSERT = (
    "INSERT INTO relay_positions (topic, position) VALUES (?, ?) "
    "ON CONFLICT (topic) DO UPDATE SET position = excluded.position"
)


class RelayPosition:
    def __init__(self, db: Database, topic: str) -> None:
        self.db = db
        self.topic = topic
        with db.transaction() as cur:
            cur.execute(SCHEMA)

    def load(self) -> int:
        rows = self.db.fetchall("SELECT position FROM relay_positions WHERE topic = ?", (self.topic,))
        return int(rows[0][0]) if rows else 0

    def save(self, position: int) -> None:
        with self.db.transaction() as cur:
            cur.execute(UPSERT, (self.topic, position))
