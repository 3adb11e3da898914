"""Report queries: plain SQL over the analytic tables, in one place.

Which rows each figure counts (its membership: received = opened in [from, to), resolved = final
resolution in it, response samples by reply time, ratings by rating time, SLA outcomes of the
tickets received in the window judged at the view's as-of time) is defined once, in
projections/report_members.py; the drill-down lists the same rows. Durations are aggregated as
integer microseconds (exact sums; quantile_cont interpolates linearly between closest ranks),
so the same events always give the same floats.
"""

from datetime import date, timedelta
from typing import Any

import duckdb

from domain.calendar import from_us, zone
from projections import report_members as members
from projections.analytics_view import View
from projections.report_members import BREAKDOWN as BREAKDOWN
from projections.report_members import CLOCKS as CLOCKS
from projections.report_members import METRICS, OUTCOME, Members, ReportQuery, Sql


def grouped(
    con: duckdb.DuckDBPyConnection, select: str, source: str, sql: Sql, key: str | None, pre: list[Any] = ()
) -> dict[Any, tuple[Any, ...]]:
    """Runs `select` per operator (`key`) or once for everyone (key None)."""
    head = f"{key} AS k, " if key else "NULL AS k, "
    tail = " GROUP BY ALL" if key else ""
    rows = con.execute(
        f"SELECT {head}{select} FROM {source} {sql.where}{tail}", [*pre, *sql.params]
    ).fetchall()
    return {r[0]: r[1:] for r in rows if not key or r[0] is not None}


def stats_sql(column: str) -> str:
    us = f"CAST(round({column} * 1000000) AS BIGINT)"
    return f"count({us}), avg({us}), quantile_cont({us}, 0.5), quantile_cont({us}, 0.9)"


def durations(view: View, q: ReportQuery, key: str | None, kind: str) -> dict[Any, dict[str, Any]]:
    m = members.durations(q, kind)
    rows = grouped(view.con, stats_sql(m.value), m.source, m.sql, key and m.operator)
    return {k: stats(v) for k, v in rows.items()}


def stats(row: tuple[Any, ...]) -> dict[str, Any]:
    count, avg, median, p90 = row
    return {
        "count": int(count),
        "avg_seconds": None if avg is None else avg / 1_000_000,
        "median_seconds": None if median is None else median / 1_000_000,
        "p90_seconds": None if p90 is None else p90 / 1_000_000,
    }


def empty_stats() -> dict[str, Any]:
    return {"count": 0, "avg_seconds": None, "median_seconds": None, "p90_seconds": None}


def sla(view: View, q: ReportQuery, key: str | None) -> dict[Any, dict[str, Any]]:
    judged = members.sla(q)
    select = f"s.metric, {OUTCOME} AS outcome, count(*)"
    head = f"{judged.operator} AS k, " if key else "NULL AS k, "
    rows = view.con.execute(
        f"SELECT {head}{select} FROM {judged.source} {judged.sql.where} GROUP BY ALL",
        [view.as_of, *judged.sql.params],
    ).fetchall()
    result: dict[Any, dict[str, Any]] = {}
    for k, metric, outcome, count in rows:
        if key and k is None:
            continue
        counts = result.setdefault(k, {m: {} for m in METRICS})[metric]
        counts[outcome] = int(count)
    return {k: {m: sla_figures(c) for m, c in v.items()} for k, v in result.items()}


def sla_figures(counts: dict[str, int]) -> dict[str, Any]:
    achieved, breached = counts.get("achieved", 0), counts.get("breached", 0)
    judged = achieved + breached
    return {
        "achieved": achieved,
        "breached": breached,
        "pending": counts.get("pending", 0),
        "achieved_pct": achieved / judged * 100 if judged else None,
    }


def csi(view: View, q: ReportQuery, key: str | None) -> dict[Any, dict[str, Any]]:
    m = members.ratings(q)
    select = "count(*) FILTER (WHERE r.score = 'like'), count(*) FILTER (WHERE r.score = 'dislike')"
    rows = grouped(view.con, select, m.source, m.sql, key and m.operator)
    return {k: csi_figures(int(v[0]), int(v[1])) for k, v in rows.items()}


def csi_figures(likes: int, dislikes: int) -> dict[str, Any]:
    rated = likes + dislikes
    return {"likes": likes, "dislikes": dislikes, "csi_pct": likes / rated * 100 if rated else None}


def counted(view: View, m: Members, key: str | None) -> dict[Any, int]:
    rows = grouped(view.con, "count(*)", m.source, m.sql, key and m.operator)
    return {k: int(v[0]) for k, v in rows.items()}


def assigned(view: View, q: ReportQuery) -> dict[Any, int]:
    m = members.assignments(q)
    rows = grouped(view.con, f"count(DISTINCT {m.ticket})", m.source, m.sql, m.operator)
    return {k: int(v[0]) for k, v in rows.items()}


def figures(view: View, q: ReportQuery, key: str | None) -> dict[Any, dict[str, Any]]:
    """The summary's fields, for everyone (key None) or per operator."""
    parts = {
        "tickets_received": counted(view, members.received(q), key),
        "tickets_resolved": counted(view, members.resolved(q), key),
        "first_response": durations(view, q, key, "first_response"),
        "next_response": durations(view, q, key, "next_response"),
        "resolution": durations(view, q, key, "resolution"),
        "sla": sla(view, q, key),
        "csi": csi(view, q, key),
    }
    keys = {k for part in parts.values() for k in part} if key else {None}
    defaults = empty_figures()
    return {k: {name: parts[name].get(k, defaults[name]) for name in parts} for k in keys}


def empty_figures() -> dict[str, Any]:
    return {
        "tickets_received": 0,
        "tickets_resolved": 0,
        "first_response": empty_stats(),
        "next_response": empty_stats(),
        "resolution": empty_stats(),
        "sla": {m: sla_figures({}) for m in METRICS},
        "csi": csi_figures(0, 0),
    }


def summary(view: View, q: ReportQuery) -> dict[str, Any]:
    return figures(view, q, None)[None]


def operators(view: View, q: ReportQuery) -> dict[str, Any]:
    per = figures(view, q, "operator")
    tickets = assigned(view, q)
    names = sorted(set(per) | set(tickets))
    if q.operator is not None:
        names = [n for n in names if n == q.operator]
    data = []
    for name in names:
        row = per.get(name) or empty_figures()
        data.append({"operator": name, **row, "tickets_assigned": tickets.get(name, 0)})
    return {"data": data, "count": len(data)}


def daily(view: View, q: ReportQuery) -> dict[str, Any]:
    """Received and resolved per calendar day in the time zone `q.tz`, every day listed."""
    found: dict[str, dict[str, int]] = {}
    for name, m in (("received", members.received(q)), ("resolved", members.resolved(q))):
        rows = view.con.execute(
            f"SELECT {members.local_day(m.at)} AS d, count(*) FROM {m.source} {m.sql.where} GROUP BY d",
            [q.tz, *m.sql.params],
        ).fetchall()
        for d, n in rows:
            found.setdefault(d, {})[name] = int(n)
    data = [
        {
            "day": d,
            "received": found.get(d, {}).get("received", 0),
            "resolved": found.get(d, {}).get("resolved", 0),
        }
        for d in local_days(q)
    ]
    return {"data": data, "count": len(data)}


def local_days(q: ReportQuery) -> list[str]:
    first = local_day(q.tz, q.start)
    last = local_day(q.tz, max(q.start, q.end - 1))
    days = []
    while first <= last:
        days.append(first.isoformat())
        first += timedelta(days=1)
    return days


BREAKDOWN_BY = ("type", "tag", "channel")  # the order the API lists them in


def breakdown(view: View, q: ReportQuery, by: str) -> dict[str, Any]:
    """Tickets received (and of them, resolved by the as-of time) per type, channel or tag, with
    each key's share of the tickets received; a ticket with two tags counts under both."""
    m = members.breakdown(q, by)
    total = counted(view, members.received(q), None).get(None, 0)
    rows = view.con.execute(
        f"SELECT {m.category} AS k, count(*), count(*) FILTER (WHERE t.status = 'resolved') "
        f"FROM {m.source} {m.sql.where} GROUP BY k ORDER BY k NULLS LAST",
        m.sql.params,
    ).fetchall()
    data = [
        {"key": k, "received": int(n), "resolved": int(r), "share_pct": n / total * 100 if total else None}
        for k, n, r in rows
    ]
    return {"by": by, "tickets_received": total, "data": data, "count": len(data)}


def local_day(tz: str, at: int) -> date:
    return from_us(at).astimezone(zone(tz)).date()


TICKET_SHEET = """
SELECT t.ticket_id, t.channel, t.type, t.priority, array_to_string(t.tags, ', ') AS tags, t.status,
    t.resolution, t.assignee, t.resolver, epoch_us(t.opened_at), epoch_us(t.first_reply_at),
    epoch_us(t.resolved_at), t.first_response_business_seconds, t.first_response_seconds,
    (SELECT max(w.business_seconds) FROM waits w WHERE w.ticket_id = t.ticket_id AND w.kind = 'next'),
    t.resolution_business_seconds, t.resolution_seconds, t.reopens, t.rating, t.policy_name,
    t.policy_version,
    {outcomes}
FROM tickets t {where} ORDER BY t.opened_at, t.ticket_id
"""
TICKET_COLUMNS = (
    "ticket", "channel", "type", "priority", "tags", "status", "resolution", "assignee", "resolver",
    "opened_at", "first_reply_at", "resolved_at", "first_response_business_s", "first_response_calendar_s",
    "next_response_worst_business_s", "resolution_business_s", "resolution_calendar_s", "reopens", "rating",
    "sla_policy", "sla_policy_version", "sla_first_response", "sla_next_response", "sla_resolution",
)  # fmt: skip


def tickets(view: View, q: ReportQuery) -> list[tuple[Any, ...]]:
    """One row per ticket opened or resolved in the window, with its metrics and SLA outcomes."""
    outcomes = ", ".join(
        f"(SELECT {OUTCOME} FROM sla s WHERE s.ticket_id = t.ticket_id AND s.metric = '{m}')" for m in METRICS
    )
    sql = Sql(q, "t.opened_at", "t.assignee")
    opened = " AND ".join(sql.clauses[:2])
    resolved = opened.replace("t.opened_at", "t.resolved_at")
    rest = sql.clauses[2:]
    where = "WHERE " + " AND ".join([f"(({opened}) OR ({resolved}))", *rest])
    params = [*([view.as_of] * len(METRICS)), q.start, q.end, q.start, q.end, *sql.params[2:]]
    return view.con.execute(TICKET_SHEET.format(outcomes=outcomes, where=where), params).fetchall()


def qa_population(view: View, start: int, end: int) -> list[tuple[str, str]]:
    rows = view.con.execute(
        "SELECT ticket_id, coalesce(resolver, '') FROM tickets WHERE status = 'resolved' "
        "AND resolved_at >= make_timestamptz(?::BIGINT) AND resolved_at < make_timestamptz(?::BIGINT) "
        "ORDER BY ticket_id",
        [start, end],
    ).fetchall()
    return [(r[0], r[1]) for r in rows]
