"""The event store's configuration, and the one query the library does not offer."""

from pathlib import Path
from urllib.parse import unquote, urlparse
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Recorder
from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder
from psycopg import sql

from api.settings import Settings
from projections.byte_budget import MIB, ByteBudgetCache

CACHE_SIZE = "20000"
"""Only switches the event library's cache on: the composition root swaps in `aggregate_cache`."""
AGGREGATE_BYTES = 4096
EVENT_BYTES = 160
"""A ticket as cached, measured (sys.getsizeof, deep) on the seeded desk: 4.6 kB at 8-12 events,
plus an Idempotency-Key and a version per event that carried one."""


def store_env(settings: Settings) -> dict[str, str]:
    """eventsourcing's environment for SQLite (embedded) or PostgreSQL (scaled)."""
    common = {"AGGREGATE_CACHE_MAXSIZE": CACHE_SIZE, **settings.extra_env}
    if settings.postgres_url:
        return {**postgres_env(settings.postgres_url), **common}
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = Path(settings.data_dir) / "events.sqlite"
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(path),
        "SQLITE_LOCK_TIMEOUT": "30",
        **common,
    }


def aggregate_cache(settings: Settings) -> ByteBudgetCache[UUID, Aggregate]:
    """The aggregates in hand, bounded by bytes: a long ticket weighs more than a new one."""
    return ByteBudgetCache(int(settings.aggregate_cache_mb * MIB), aggregate_bytes)


def aggregate_bytes(aggregate: Aggregate) -> int:
    return AGGREGATE_BYTES + EVENT_BYTES * aggregate.version


def postgres_env(url: str) -> dict[str, str]:
    parts = urlparse(url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/") or "postgres",
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
    }


def event_positions(recorder: Recorder, aggregate_id: UUID) -> dict[int, int]:
    """{version: log position} of one aggregate's events, for audits and idempotent replies."""
    if isinstance(recorder, SQLiteAggregateRecorder):
        statement = (
            f"SELECT originator_version, rowid FROM {recorder.events_table_name} WHERE originator_id = ?"
        )
        with recorder.datastore.transaction(commit=False) as cur:
            cur.execute(statement, (aggregate_id.hex,))
            return {row[0]: row[1] for row in cur.fetchall()}
    if isinstance(recorder, PostgresAggregateRecorder):
        schema = recorder.datastore.schema
        table = sql.Identifier(*([schema] if schema else []), recorder.events_table_name)
        query = sql.SQL("SELECT originator_version, notification_id FROM {} WHERE originator_id = %s").format(
            table
        )
        with recorder.datastore.transaction(commit=False) as cur:
            cur.execute(query, (aggregate_id,))
            return {row["originator_version"]: row["notification_id"] for row in cur.fetchall()}
    raise TypeError(f"No position lookup for {type(recorder).__name__}")
