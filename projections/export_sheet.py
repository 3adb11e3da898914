"""The Excel export's Tickets sheet: one row per ticket opened or resolved in the window, with what
it is about, who wrote, its metrics and its SLA outcomes.

The same set, order and figures as `reports.tickets`, plus subject and customer, but read in
three plain statements joined here: the tickets, their worst next-response waits, their SLA
outcomes. `reports.tickets` asks for those per ticket in correlated subqueries, which DuckDB
cannot fit in the 32 MiB it is given once a month holds a few thousand tickets (the demo's
November: out of memory). The customer's name comes from their registration in the events
table, recorded by the view's as-of time; an as-of view folded into memory has no events table,
so names are always read from the live tables.
"""

from typing import Any

from domain.event_types import EventType
from projections.analytics import AnalyticsDb
from projections.analytics_view import View
from projections.reports import METRICS, OUTCOME, TICKET_COLUMNS, ReportQuery, Sql

EXPORT_COLUMNS = (TICKET_COLUMNS[0], "subject", "customer", "customer_id", *TICKET_COLUMNS[1:])
TICKETS = """
SELECT t.ticket_id, t.subject, t.customer_id, t.channel, t.type, t.priority,
    array_to_string(t.tags, ', ') AS tags, t.status, t.resolution, t.assignee, t.resolver,
    epoch_us(t.opened_at), epoch_us(t.first_reply_at), epoch_us(t.resolved_at),
    t.first_response_business_seconds, t.first_response_seconds, t.resolution_business_seconds,
    t.resolution_seconds, t.reopens, t.rating, t.policy_name, t.policy_version
FROM tickets t {where} ORDER BY t.opened_at, t.ticket_id
"""
IDS = "(SELECT unnest(?::VARCHAR[]))"
WORST_NEXT = (
    f"SELECT ticket_id, max(business_seconds) FROM waits WHERE kind = 'next' AND ticket_id IN {IDS} "
    "GROUP BY ticket_id"
)
OUTCOMES = f"SELECT s.ticket_id, s.metric, {OUTCOME} FROM sla s WHERE s.ticket_id IN {IDS}"
NAMES = f"""
SELECT aggregate_id, json_extract_string(data, '$.name') FROM events
WHERE aggregate_type = 'Customer' AND type = ? AND aggregate_id IN {IDS}
    AND recorded_at <= make_timestamptz(?::BIGINT)
"""


def ticket_sheet(view: View, db: AnalyticsDb, q: ReportQuery) -> list[tuple[Any, ...]]:
    """One row per ticket, in EXPORT_COLUMNS order."""
    where, params = opened_or_resolved(q)
    rows = view.con.execute(TICKETS.format(where=where), params).fetchall()
    ids = [row[0] for row in rows]
    worst = dict(view.con.execute(WORST_NEXT, [ids]).fetchall())
    outcomes = {(t, m): o for t, m, o in view.con.execute(OUTCOMES, [view.as_of, ids]).fetchall()}
    customers = sorted({row[2] for row in rows if row[2]})
    names = dict(
        db.cursor().execute(NAMES, [EventType.CUSTOMER_REGISTERED, customers, view.as_of]).fetchall()
    )
    return [
        (row[0], row[1], names.get(row[2]), *row[2:16], worst.get(row[0]), *row[16:],
         *(outcomes.get((row[0], m)) for m in METRICS))
        for row in rows
    ]  # fmt: skip


def opened_or_resolved(q: ReportQuery) -> tuple[str, list[Any]]:
    """The WHERE of `reports.tickets`: opened or finally resolved in the window, and the filters."""
    sql = Sql(q, "t.opened_at", "t.assignee")
    opened = " AND ".join(sql.clauses[:2])
    resolved = opened.replace("t.opened_at", "t.resolved_at")
    where = "WHERE " + " AND ".join([f"(({opened}) OR ({resolved}))", *sql.clauses[2:]])
    return where, [q.start, q.end, q.start, q.end, *sql.params[2:]]
