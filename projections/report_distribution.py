"""First response times in buckets: how many customers waited under 15 minutes, up to 30, … over
a day. The samples are the summary's first-response samples (projections/report_members.py), on
the report's clock, so the buckets add up to its `first_response.count`; each bucket's tickets are
the drill-down figure `frt:<lo>-<hi>`.
"""

from typing import Any

from projections import report_members as members
from projections.analytics_view import View
from projections.report_members import ReportQuery

BUCKETS: tuple[tuple[int, int | None], ...] = (
    (0, 15 * 60),
    (15 * 60, 30 * 60),
    (30 * 60, 60 * 60),
    (60 * 60, 4 * 3600),
    (4 * 3600, 8 * 3600),
    (8 * 3600, 24 * 3600),
    (24 * 3600, None),
)
"""[lo, hi) in seconds; None: no upper bound."""


def figure_name(lo: int, hi: int | None) -> str:
    """The drill-down figure of a bucket: `frt:900-1800`, `frt:86400-inf`."""
    return f"frt:{lo}-{'inf' if hi is None else hi}"


def distribution(view: View, q: ReportQuery) -> dict[str, Any]:
    m = members.responses(q, "first_response")
    selects, params = [], []
    for lo, hi in BUCKETS:
        clause, values = members.in_bucket(m.value, lo, hi)
        selects.append(f"count(*) FILTER (WHERE {clause})")
        params.extend(values)
    row = view.con.execute(
        f"SELECT {', '.join(selects)} FROM {m.source} {m.sql.where}", [*params, *m.sql.params]
    ).fetchall()[0]
    data = [
        {"lo_seconds": lo, "hi_seconds": hi, "count": int(n), "figure": figure_name(lo, hi)}
        for (lo, hi), n in zip(BUCKETS, row, strict=True)
    ]
    return {"clock": q.clock, "samples": sum(b["count"] for b in data), "data": data, "count": len(data)}
