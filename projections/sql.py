"""A thin seam over the two SQL engines a read model can live in.

Embedded mode keeps views in a SQLite file beside the event store; scaled mode keeps them in
PostgreSQL so that several API processes read the same rows. SQL is written once with `?`
placeholders and portable syntax (ON CONFLICT upserts, NULLS LAST).
"""

import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

Params = Sequence[Any]


class Cursor(ABC):
    @abstractmethod
    def execute(self, sql: str, params: Params = ()) -> int:
        """Runs one statement; returns the number of rows it changed."""

    @abstractmethod
    def executemany(self, sql: str, rows: Sequence[Params]) -> None: ...

    @abstractmethod
    def fetchall(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]: ...


class Database(ABC):
    @abstractmethod
    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """Everything done through the cursor commits together, or not at all."""

    @contextmanager
    def snapshot(self) -> Iterator[Cursor]:
        """A consistent read; unlike `transaction` it need not wait for writers."""
        with self.transaction() as cur:
            yield cur

    def fetchall(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        with self.snapshot() as cur:
            return cur.fetchall(sql, params)

    @abstractmethod
    def close(self) -> None: ...


class SqliteCursor(Cursor):
    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    def execute(self, sql: str, params: Params = ()) -> int:
        return self.con.execute(sql, params).rowcount

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        self.con.executemany(sql, rows)

    def fetchall(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, params).fetchall()


class SqliteDatabase(Database):
    """One connection per thread; WAL lets readers go on while the projector writes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            self._local.con = con
            with self._lock:
                self._connections.append(con)
        return con

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        with self._begin("BEGIN IMMEDIATE") as cur:
            yield cur

    @contextmanager
    def snapshot(self) -> Iterator[Cursor]:
        with self._begin("BEGIN DEFERRED") as cur:
            yield cur

    @contextmanager
    def _begin(self, statement: str) -> Iterator[Cursor]:
        con = self._connection()
        con.execute(statement)
        try:
            yield SqliteCursor(con)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            for con in self._connections:
                con.close()
            self._connections.clear()
        self._local = threading.local()


class _PostgresCursor(Cursor):
    def __init__(self, cur: psycopg.Cursor[Any]) -> None:
        self.cur = cur

    def execute(self, sql: str, params: Params = ()) -> int:
        self.cur.execute(pg(sql), params)
        return self.cur.rowcount

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        if rows:
            self.cur.executemany(pg(sql), rows)

    def fetchall(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        self.cur.execute(pg(sql), params)
        return self.cur.fetchall()


class PostgresDatabase(Database):
    def __init__(self, url: str, max_size: int = 8) -> None:
        self.pool = ConnectionPool(url, min_size=1, max_size=max_size, open=True)

    @contextmanager
    def transaction(self) -> Iterator[Cursor]:
        with self.pool.connection() as con, con.transaction(), con.cursor() as cur:
            yield _PostgresCursor(cur)

    def close(self) -> None:
        self.pool.close()


def pg(sql: str) -> str:
    """Our SQL has no literal question marks, so `?` can stand for psycopg's `%s`."""
    return sql.replace("%", "%%").replace("?", "%s")


def open_database(target: str | Path) -> Database:
    text = str(target)
    if text.startswith(("postgresql://", "postgres://")):
        return PostgresDatabase(text)
    return SqliteDatabase(Path(text))
