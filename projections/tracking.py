"""Where every view keeps its place in the log, and when it must start again from zero.

Each view (queue, search, ingest, analytics) tracks one position per source in its own
`<view>_tracking`-like table and writes it in the same transaction as its rows, so a crash
mid-batch leaves the view as it was after the previous batch. `advance` is a compare-and-set:
a position that moved since the batch read it means another projector applied it, and the
batch is refused with `TrackingConflictError` rather than applied twice.

A view's schema version sits in `<view>_schema`. When the code's version differs, the view's
tables (its tracking included) are dropped and re-created empty: the runner then sees position
zero and replays the log into it, so no column is ever left unfilled by a migration.

Tables that hold work instead of a fold (the ingest database's dead letters) cannot be replayed:
their `WorkSchema` keeps its version in `<name>_schema` the same way, but reaches a new version
by migrating the tables in place, one numbered step at a time.

The SQL is portable (`?` placeholders, ON CONFLICT): SQLite, PostgreSQL (through
projections.sql) and DuckDB all take it, each through a cursor that counts changed rows.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from projections.records import EventRecord

Params = Sequence[Any]


class TrackingCursor(Protocol):
    """What the kit needs of a view's transaction: statements that say how many rows changed."""

    def execute(self, sql: str, params: Params = ()) -> int: ...

    def fetchall(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]: ...


class TrackingConflictError(RuntimeError):
    """Another projector advanced this source first; the batch must not be applied twice."""


class DuckCursor:
    """A DuckDB connection as a TrackingCursor: DuckDB answers DML with its count as a row."""

    def __init__(self, con: Any) -> None:
        self.con = con

    def execute(self, sql: str, params: Params = ()) -> int:
        rows = self.con.execute(sql, list(params)).fetchall()
        return int(rows[0][0]) if rows and rows[0] and isinstance(rows[0][0], int) else 0

    def fetchall(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        return list(self.con.execute(sql, list(params)).fetchall())


def unseen(records: Sequence[EventRecord], after: int) -> list[EventRecord]:
    """Drops what was applied before and the duplicates at-least-once delivery brings."""
    fresh: list[EventRecord] = []
    last = after
    for record in records:
        if record.position > last:
            fresh.append(record)
            last = record.position
    return fresh


@dataclass(frozen=True)
class ViewSchema:
    """One view's tables, how to create them, and the version that says whether they still fit.

    `tables` are dropped when the version changes and emptied by `clear` (a rebuild); tables
    that hold work rather than a fold of events (the outbox's jobs) are not listed there."""

    view: str
    version: int
    tables: tuple[str, ...]
    statements: tuple[str, ...]
    tracking: str

    @property
    def version_table(self) -> str:
        return f"{self.view}_schema"

    def upgrade(self, cur: TrackingCursor) -> bool:
        """Creates the view; one made by another version is dropped first. True if it was."""
        cur.execute(f"CREATE TABLE IF NOT EXISTS {self.version_table} (version INTEGER NOT NULL)")
        rows = cur.fetchall(f"SELECT version FROM {self.version_table}")
        stale = not rows or int(rows[0][0]) != self.version
        if stale:
            for table in self.tables:
                cur.execute(f"DROP TABLE IF EXISTS {table}")
            cur.execute(f"DELETE FROM {self.version_table}")
            cur.execute(f"INSERT INTO {self.version_table} (version) VALUES (?)", (self.version,))
        for statement in self.statements:
            cur.execute(statement)
        return stale

    def stamp(self, cur: TrackingCursor, version: int) -> None:
        """Records the version of a view made before versions were kept in `<view>_schema`."""
        cur.execute(f"CREATE TABLE IF NOT EXISTS {self.version_table} (version INTEGER NOT NULL)")
        if not cur.fetchall(f"SELECT version FROM {self.version_table}"):
            cur.execute(f"INSERT INTO {self.version_table} (version) VALUES (?)", (version,))

    def clear(self, cur: TrackingCursor) -> None:
        for table in self.tables:
            cur.execute(f"DELETE FROM {table}")

    def positions(self, cur: TrackingCursor) -> dict[str, int]:
        return {str(s): int(p) for s, p in cur.fetchall(f"SELECT source, position FROM {self.tracking}")}

    def position(self, cur: TrackingCursor, source: str) -> int:
        rows = cur.fetchall(f"SELECT position FROM {self.tracking} WHERE source = ?", (source,))
        return int(rows[0][0]) if rows else 0

    def advance(self, cur: TrackingCursor, source: str, before: int, after: int) -> None:
        """Moves `source` from `before` to `after`, or raises if it is no longer at `before`."""
        moved = cur.execute(
            f"UPDATE {self.tracking} SET position = ? WHERE source = ? AND position = ?",
            (after, source, before),
        )
        if moved == 1:
            return
        if before == 0:
            inserted = cur.execute(
                f"INSERT INTO {self.tracking} (source, position) VALUES (?, ?) "
                "ON CONFLICT (source) DO NOTHING",
                (source, after),
            )
            if inserted == 1:
                return
        raise TrackingConflictError(f"The {self.view} view's position for {source} is no longer {before}.")


Step = Callable[[TrackingCursor], None]


@dataclass(frozen=True)
class WorkSchema:
    """Tables that hold work rather than a fold of events (the dead letters): no replay can refill
    them, so a new version is reached by migrating them in place, never by dropping them.

    `baseline` creates version 1 (and, run again, changes nothing); `steps[i]` takes version i + 1
    to i + 2. The version sits in `<name>_schema`, as a view's does. A table made before it was
    versioned is version 1. Each step runs once even with several processes starting together: the
    version row is moved first, as a compare-and-set, and only the process that moved it migrates
    (PostgreSQL holds the others on that row until the migration commits; SQLite has one writer)."""

    name: str
    baseline: tuple[str, ...]
    steps: tuple[Step, ...]

    @property
    def version(self) -> int:
        return 1 + len(self.steps)

    @property
    def version_table(self) -> str:
        return f"{self.name}_schema"

    def upgrade(self, cur: TrackingCursor) -> int:
        """Brings the tables to this version; returns the version they were at."""
        for statement in self.baseline:
            cur.execute(statement)
        cur.execute(f"CREATE TABLE IF NOT EXISTS {self.version_table} (version INTEGER NOT NULL)")
        rows = cur.fetchall(f"SELECT version FROM {self.version_table}")
        if not rows:
            cur.execute(f"INSERT INTO {self.version_table} (version) VALUES (1)")
        found = int(rows[0][0]) if rows else 1
        for version in range(found, self.version):
            moved = cur.execute(
                f"UPDATE {self.version_table} SET version = ? WHERE version = ?", (version + 1, version)
            )
            if moved:
                self.steps[version - 1](cur)
        return found
