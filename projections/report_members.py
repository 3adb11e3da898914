"""Which rows each report figure counts: one definition, read by the count and by the list.

Membership follows DESIGN.md: received = opened in [from, to); resolved = final resolution in
it; response samples by reply time; ratings by rating time; SLA outcomes are those of the
tickets received in the window. A `Members` is such a set as SQL: the table it reads, the WHERE
clause with its parameters (built by `Sql` from the report's filters), and the columns naming
each row's ticket, operator, instant and value. projections/reports.py aggregates over it and
projections/drilldown.py lists it, so the tickets behind a figure are the rows its SQL counted.
"""

from dataclasses import dataclass
from typing import Any

METRICS = ("first_response", "next_response", "resolution")
OUTCOME = (
    "CASE WHEN s.late THEN 'breached' WHEN s.done THEN 'achieved' "
    "WHEN s.breach_at IS NOT NULL AND s.breach_at < make_timestamptz(?::BIGINT) THEN 'breached' "
    "ELSE 'pending' END"
)
"""An SLA row's outcome judged at the view's as-of time (the one parameter)."""
OUTCOMES = ("achieved", "breached", "pending")
CLOCKS = ("business", "calendar")  # business hours of the SLA calendar, or wall-clock time
BREAKDOWN = {"type": "t.type", "channel": "t.channel", "tag": "g.tag"}
TAGGED = "tickets t LEFT JOIN (SELECT ticket_id, unnest(tags) AS tag FROM tickets) g USING (ticket_id)"
"""One row per ticket and tag (a ticket without tags once, with tag NULL)."""


@dataclass(frozen=True, slots=True)
class ReportQuery:
    start: int
    end: int
    as_of: int | None = None
    operator: str | None = None
    channel: str | None = None
    type: str | None = None
    tag: str | None = None
    clock: str = "business"
    tz: str = "UTC"


class Sql:
    """Builds one statement's WHERE clause and its parameters side by side."""

    def __init__(self, q: ReportQuery, time_column: str, operator_column: str | None) -> None:
        self.clauses = [
            f"{time_column} >= make_timestamptz(?::BIGINT)",
            f"{time_column} < make_timestamptz(?::BIGINT)",
        ]
        self.params: list[Any] = [q.start, q.end]
        self.needs_tickets = (
            q.channel is not None
            or q.type is not None
            or q.tag is not None
            or (q.operator is not None and operator_column is not None and operator_column.startswith("t."))
        )
        """Whether a clause reads the tickets table (`t`)."""
        for column, value in (("t.channel", q.channel), ("t.type", q.type)):
            if value is not None:
                self.add(f"{column} = ?", value)
        if q.tag is not None:
            self.add("list_contains(t.tags, ?)", q.tag)
        if q.operator is not None and operator_column is not None:
            self.add(f"{operator_column} = ?", q.operator)

    def add(self, clause: str, *values: Any) -> None:
        """A clause with as many `?` as `values`, in order."""
        self.clauses.append(clause)
        self.params.extend(values)

    @property
    def where(self) -> str:
        return "WHERE " + " AND ".join(self.clauses)

    def source(self, table: str) -> str:
        """`table`, joined to the tickets only when a filter needs their columns: every row of a
        per-ticket table has its ticket's row, so the join drops nothing and only costs a scan."""
        return f"{table} JOIN tickets t USING (ticket_id)" if self.needs_tickets else table


@dataclass(frozen=True)
class Members:
    """The rows one figure is made of."""

    table: str
    sql: Sql
    ticket: str
    """The column of the row's ticket id."""
    operator: str
    """The column the row is attributed by: the per-operator key and the `operator` filter."""
    at: str
    """The column of the instant that puts the row in the period."""
    value: str = "NULL"
    """The column of the row's value in a statistic (seconds), or NULL for a plain count."""
    seq: str | None = None
    """Orders two rows of one ticket at one instant (a ticket's waits, its ratings)."""
    category: str | None = None
    """The column a breakdown groups by."""

    @property
    def source(self) -> str:
        """What the report's SQL reads: the table, joined to the tickets only where a filter needs it."""
        return self.table if self.table.startswith("tickets t") else self.sql.source(self.table)

    @property
    def with_tickets(self) -> str:
        """The same rows with their ticket's columns (`t`) beside them, for a list."""
        if self.table.startswith("tickets t"):
            return self.table
        return f"{self.table} JOIN tickets t USING (ticket_id)"


def received(q: ReportQuery) -> Members:
    return Members(
        "tickets t", Sql(q, "t.opened_at", "t.assignee"), "t.ticket_id", "t.assignee", "t.opened_at"
    )


def resolved(q: ReportQuery) -> Members:
    sql = Sql(q, "t.resolved_at", "t.resolver")
    return Members("tickets t", sql, "t.ticket_id", "t.resolver", "t.resolved_at")


def clocked(q: ReportQuery, business: str, calendar: str) -> str:
    return business if q.clock == "business" else calendar


def responses(q: ReportQuery, metric: str) -> Members:
    """The answered waits of one kind, by reply time: first_response or next_response samples."""
    sql = Sql(q, "w.ended_at", "w.operator")
    sql.add("w.kind = ?", "first" if metric == "first_response" else "next")
    sql.add("w.status = 'answered'")
    value = clocked(q, "w.business_seconds", "w.calendar_seconds")
    sql.add(f"{value} IS NOT NULL")
    return Members("waits w", sql, "w.ticket_id", "w.operator", "w.ended_at", value, "w.seq")


def resolutions(q: ReportQuery) -> Members:
    """Tickets resolved in the period with their resolution time (a merged one has none)."""
    sql = Sql(q, "t.resolved_at", "t.resolver")
    value = clocked(q, "t.resolution_business_seconds", "t.resolution_seconds")
    sql.add(f"{value} IS NOT NULL")
    return Members("tickets t", sql, "t.ticket_id", "t.resolver", "t.resolved_at", value)


def durations(q: ReportQuery, metric: str) -> Members:
    return resolutions(q) if metric == "resolution" else responses(q, metric)


def sla(q: ReportQuery) -> Members:
    """SLA rows (ticket × metric) of the tickets received in the period; value: time used."""
    sql = Sql(q, "s.opened_at", "s.operator")
    return Members("sla s", sql, "s.ticket_id", "s.operator", "s.opened_at", "s.elapsed_seconds")


def sla_outcome(q: ReportQuery, as_of: int, metric: str, outcome: str) -> Members:
    m = sla(q)
    m.sql.add("s.metric = ?", metric)
    m.sql.add(f"{OUTCOME} = ?", as_of, outcome)
    return m


def ratings(q: ReportQuery) -> Members:
    sql = Sql(q, "r.rated_at", "r.operator")
    return Members("ratings r", sql, "r.ticket_id", "r.operator", "r.rated_at", seq="r.seq")


def assignments(q: ReportQuery) -> Members:
    """Assignments begun in the period; an operator's figure counts each ticket once."""
    sql = Sql(q, "a.started_at", "a.assignee")
    return Members("assignments a", sql, "a.ticket_id", "a.assignee", "a.started_at", seq="a.seq")


def arrivals(q: ReportQuery) -> Members:
    """Customer messages (openings included) by when they were sent."""
    sql = Sql(q, "m.occurred_at", "t.assignee")
    return Members("messages m", sql, "m.ticket_id", "t.assignee", "m.occurred_at", seq="m.seq")


def breakdown(q: ReportQuery, by: str) -> Members:
    """The tickets received, one row per ticket and `by` key (a ticket with two tags twice)."""
    table = TAGGED if by == "tag" else "tickets t"
    sql = Sql(q, "t.opened_at", "t.assignee")
    return Members(table, sql, "t.ticket_id", "t.assignee", "t.opened_at", category=BREAKDOWN[by])


def local_day(column: str) -> str:
    """The calendar day of `column` in the time zone given as its parameter, as YYYY-MM-DD."""
    return f"strftime(CAST(timezone(?, {column}) AS DATE), '%Y-%m-%d')"


def local_slot(column: str) -> tuple[str, str]:
    """ISO weekday (1-7) and hour (0-23) of `column`, each in the time zone given as its parameter."""
    local = f"timezone(?, {column})"
    return f"isodow({local})", f"hour({local})"


def in_bucket(value: str, lo: int, hi: int | None) -> tuple[str, list[int]]:
    """`lo <= value < hi` seconds (no upper bound when `hi` is None), as a clause and its parameters."""
    if hi is None:
        return f"{value} >= ?", [lo]
    return f"{value} >= ? AND {value} < ?", [lo, hi]
