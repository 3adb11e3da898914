"""Which tables a report reads: the live ones, or a private as-of copy folded from the facts.

Reports are plain SQL over the per-ticket tables. For `as_of` at or after the last recorded
event the live tables are exact (pending/breached is judged in SQL against `as_of`). For an
earlier `as_of`, the tickets with an event in the report's window are re-folded from their
events recorded by then, with the policies recorded by then, into an in-memory DuckDB holding
the same tables, and the very same SQL runs there.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb

from domain.metrics import ticket_metrics
from projections.analytics import AnalyticsDb, load_facts, load_policies, write
from projections.analytics_schema import SCHEMA, TICKET_TABLES, empty_tables, ticket_rows


@dataclass(frozen=True, slots=True)
class View:
    con: duckdb.DuckDBPyConnection
    as_of: int
    """Epoch microseconds: the instant pending/breached is judged at."""
    position: int
    """The last log position the view includes."""
    live: bool


def head(db: AnalyticsDb) -> tuple[int, int]:
    """(position, greatest record time in µs) the live tables have reached."""
    rows = db.cursor().execute("SELECT max(position), epoch_us(max(recorded_at)) FROM tracking").fetchall()
    position, recorded = rows[0]
    return int(position or 0), int(recorded or 0)


@contextmanager
def open_view(
    db: AnalyticsDb, start: int, end: int, as_of: int | None, force_fold: bool = False
) -> Iterator[View]:
    position, recorded = head(db)
    if as_of is None:
        as_of = recorded
    if as_of >= recorded and not force_fold:
        yield View(db.cursor(), as_of, position, live=True)
        return
    con = duckdb.connect(":memory:")
    try:
        yield View(con, as_of, fold_into(db, con, start, end, as_of), live=False)
    finally:
        con.close()


def fold_into(db: AnalyticsDb, con: duckdb.DuckDBPyConnection, start: int, end: int, as_of: int) -> int:
    """Fills `con` with the window's tickets as recorded by `as_of`; returns the position reached."""
    for statement in SCHEMA:
        if "VIEW" not in statement:
            con.execute(statement)
    cur = db.cursor()
    ids = [
        r[0]
        for r in cur.execute(
            "SELECT DISTINCT aggregate_id FROM events WHERE aggregate_type = 'Ticket' "
            "AND occurred_at >= make_timestamptz(?::BIGINT) AND occurred_at < make_timestamptz(?::BIGINT) "
            "AND recorded_at <= make_timestamptz(?::BIGINT)",
            [start, end, as_of],
        ).fetchall()
    ]
    policies, _ = load_policies(db, until=as_of)
    tables = empty_tables()
    for ticket_id, facts in sorted(load_facts(db, ids, until=as_of).items()):
        metrics = ticket_metrics(ticket_id, facts, policies)
        if metrics is not None:
            ticket_rows(tables, metrics)
    for name in TICKET_TABLES:
        write(con, name, tables[name])
    found = cur.execute(
        "SELECT max(position) FROM events WHERE recorded_at <= make_timestamptz(?::BIGINT)", [as_of]
    ).fetchall()
    return int(found[0][0] or 0)
