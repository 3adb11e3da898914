"""Secrets out of analytics files an earlier version wrote.

Records have carried masked channel settings since issue 12, but a DuckDB file (or a snapshot of
it) made before then holds `ChannelAdded`/`ChannelChanged` settings in clear in `events.data`.
Masking those rows in place is not enough: DuckDB keeps the replaced values in the file's free
blocks, so a file that held a secret is copied afresh (as a snapshot is) and the copy replaces it.
"""

import json
import os
from pathlib import Path
from typing import Any

import duckdb

from projections.analytics_schema import data_json
from projections.records import masked

CHANNEL_ROWS = "SELECT position, data FROM events WHERE aggregate_type = 'Channel'"


def leaky_rows(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    """(position, masked data) of each row whose data still holds a secret in clear."""
    found = []
    for position, data in con.execute(CHANNEL_ROWS).fetchall():
        stored: dict[str, Any] = json.loads(data)
        clean = masked("Channel", stored)
        if clean != stored:
            found.append((int(position), data_json(clean)))
    return found


def scrub(con: duckdb.DuckDBPyConnection) -> int:
    """Masks the secrets of every leaky row; returns how many rows it changed."""
    rows = leaky_rows(con)
    if rows:
        con.begin()
        con.executemany("UPDATE events SET data = ? WHERE position = ?", [(d, p) for p, d in rows])
        con.commit()
    return len(rows)


def rewritten(con: duckdb.DuckDBPyConnection, path: str) -> duckdb.DuckDBPyConnection:
    """Copies the open database at `path` into a fresh file that replaces it; returns the new
    connection. The old file's free blocks (where replaced values linger) are gone with it."""
    target = Path(path)
    temp = target.with_name(target.name + ".rewrite")
    for leftover in (temp, temp.with_name(temp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    source = con.execute("SELECT current_database()").fetchall()[0][0]
    con.execute(f"ATTACH '{temp}' AS rewrite_target")
    con.execute(f'COPY FROM DATABASE "{source}" TO rewrite_target')
    con.execute("DETACH rewrite_target")
    con.close()
    os.replace(temp, target)
    target.with_name(target.name + ".wal").unlink(missing_ok=True)
    return duckdb.connect(path)


def holds_secrets(path: Path) -> bool:
    """Whether a DuckDB file (an analysts' snapshot) still has a secret in clear."""
    if not path.exists():
        return False
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'events'")
        return bool(tables.fetchall()[0][0]) and bool(leaky_rows(con))
    finally:
        con.close()
