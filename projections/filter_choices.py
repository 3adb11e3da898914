"""The values a report's filters can take, read from the analytic tables: a page offers them."""

import duckdb


def assignees(con: duckdb.DuckDBPyConnection, limit: int) -> list[str]:
    """Whoever a ticket is assigned to: what the hourly report's `operator` filter compares."""
    rows = con.execute(
        "SELECT DISTINCT assignee FROM tickets WHERE assignee IS NOT NULL ORDER BY assignee LIMIT ?", [limit]
    ).fetchall()
    return [str(row[0]) for row in rows]


def channels(con: duckdb.DuckDBPyConnection, limit: int) -> list[str]:
    """The channels tickets came in on: configured ones, and those an import brought."""
    rows = con.execute("SELECT DISTINCT channel FROM tickets ORDER BY channel LIMIT ?", [limit]).fetchall()
    return [str(row[0]) for row in rows if row[0] is not None]
