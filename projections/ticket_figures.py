"""One ticket's figures as the report tables hold them: what the reports aggregate for it, read
with plain SQL, so the explain page can show its sum beside the very number the report counted."""

from typing import Any

from projections.analytics import AnalyticsDb


def report_figures(db: AnalyticsDb, ticket_id: str) -> dict[str, Any]:
    """{"waits": {seq: {"business": s, "calendar": s}}, "resolution": {...}} in seconds; a wait
    not answered, or a ticket not resolved, has None."""
    cur = db.cursor()
    waits = cur.execute(
        "SELECT seq, business_seconds, calendar_seconds FROM waits WHERE ticket_id = ? ORDER BY seq",
        [ticket_id],
    ).fetchall()
    resolution = cur.execute(
        "SELECT resolution_business_seconds, resolution_seconds FROM tickets WHERE ticket_id = ?", [ticket_id]
    ).fetchall()
    business, calendar = resolution[0] if resolution else (None, None)
    return {
        "waits": {seq: {"business": b, "calendar": c} for seq, b, c in waits},
        "resolution": {"business": business, "calendar": calendar},
    }
