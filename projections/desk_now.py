"""The desk right now, for the dashboard's live strip: tickets open, customers waiting for an
answer, and tickets whose SLA target runs out within the hour.

Open and waiting are read from the queue view (the inbox's own table, exact the moment an event
is folded); the deadlines from the analytics view's `sla.breach_at`, the instant each target not
met yet runs out if the ticket stays as it is (projections/sla_due.py reads the same column for
the inbox's badges). Both take the report filters, applied to the ticket as it is now.
"""

from dataclasses import dataclass

from projections.analytics import AnalyticsDb
from projections.queue_counts import ACTIVE
from projections.queue_store import QueueFilter, filter_sql
from projections.report_members import ReportQuery, Sql
from projections.sql import Database

HOUR_US = 3600 * 1_000_000


@dataclass(frozen=True, slots=True)
class DeskNow:
    open: int
    """Open or paused: the inbox's default list."""
    waiting: int
    """Open with a customer waiting for an answer."""
    breaching: int
    """Open, with a response or resolution target running out within the hour."""


def queue_filter(q: ReportQuery, statuses: tuple[str, ...]) -> QueueFilter:
    return QueueFilter(
        status=statuses,
        channel=(q.channel,) if q.channel else (),
        assignee=q.operator,
        tag=(q.tag,) if q.tag else (),
        type=q.type,
    )


def open_and_waiting(db: Database, q: ReportQuery) -> tuple[int, int]:
    where, params = filter_sql(queue_filter(q, ACTIVE))
    waiting = "SUM(CASE WHEN t.status = 'open' AND t.waiting_since IS NOT NULL THEN 1 ELSE 0 END)"
    rows = db.fetchall(f"SELECT COUNT(*), {waiting} FROM queue_tickets t {where}", params)
    total, waited = rows[0]
    return int(total or 0), int(waited or 0)


def breaching_within(db: AnalyticsDb, q: ReportQuery, now: int, within: int = HOUR_US) -> int:
    """Open tickets with a target not met whose deadline falls in [now, now + within)."""
    window = ReportQuery(now, now + within, operator=q.operator, channel=q.channel, type=q.type, tag=q.tag)
    sql = Sql(window, "s.breach_at", "t.assignee")
    sql.add("NOT s.done")
    sql.add("t.status = 'open'")
    rows = (
        db.cursor()
        .execute(
            f"SELECT count(DISTINCT s.ticket_id) FROM sla s JOIN tickets t USING (ticket_id) {sql.where}",
            sql.params,
        )
        .fetchall()
    )
    return int(rows[0][0])


def desk_now(queue: Database, analytics: AnalyticsDb | None, q: ReportQuery, now: int) -> DeskNow:
    total, waiting = open_and_waiting(queue, q)
    breaching = breaching_within(analytics, q, now) if analytics is not None else 0
    return DeskNow(total, waiting, breaching)
