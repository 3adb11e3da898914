"""The Excel export's Tickets sheet: the report's ticket rows, with what each is about and who wrote.

The rows are `reports.tickets` (the same set, the same order); the subject comes from the
view's tickets, the customer's name from their registration in the events table, recorded by
the view's as-of time. An as-of view folded into memory has no events table, so the names are
always read from the live tables.
"""

from typing import Any

from domain.event_types import EventType
from projections.analytics import AnalyticsDb
from projections.analytics_view import View
from projections.reports import TICKET_COLUMNS, ReportQuery, tickets

EXPORT_COLUMNS = (TICKET_COLUMNS[0], "subject", "customer", "customer_id", *TICKET_COLUMNS[1:])
SUBJECTS = (
    "SELECT ticket_id, subject, customer_id FROM tickets WHERE ticket_id IN (SELECT unnest(?::VARCHAR[]))"
)
NAMES = """
SELECT aggregate_id, json_extract_string(data, '$.name') FROM events
WHERE aggregate_type = 'Customer' AND type = ?
    AND aggregate_id IN (SELECT unnest(?::VARCHAR[])) AND recorded_at <= make_timestamptz(?::BIGINT)
"""


def ticket_sheet(view: View, db: AnalyticsDb, q: ReportQuery) -> list[tuple[Any, ...]]:
    """One row per ticket of `reports.tickets`, in EXPORT_COLUMNS order."""
    rows = tickets(view, q)
    about = {r[0]: (r[1], r[2]) for r in view.con.execute(SUBJECTS, [[row[0] for row in rows]]).fetchall()}
    customers = sorted({customer for _, customer in about.values() if customer})
    names = dict(
        db.cursor().execute(NAMES, [EventType.CUSTOMER_REGISTERED, customers, view.as_of]).fetchall()
    )
    sheet = []
    for row in rows:
        subject, customer = about.get(row[0], (None, None))
        sheet.append((row[0], subject, names.get(customer), customer, *row[1:]))
    return sheet
