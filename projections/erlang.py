"""Hourly load and Erlang C staffing: how many operators each hour of the week needs.

Arrivals are customer messages (openings included) per weekday and hour in the team's time
zone, averaged over how often that hour occurs in the window. Erlang C (M/M/N) then gives the
fewest operators with which at least `service_level` of arrivals are answered within
`target_seconds`, given an average handling time of `aht_seconds`.
"""

import math
from datetime import timedelta
from typing import Any

from domain.calendar import from_us, zone
from projections.analytics_view import View
from projections.report_members import ReportQuery, arrivals, local_slot

MAX_AGENTS = 1000


def erlang_c(agents: int, traffic: float) -> float:
    """Probability an arrival has to wait, via the Erlang B recursion (stable for large N)."""
    if agents <= traffic:
        return 1.0
    b = 1.0
    for n in range(1, agents + 1):
        b = traffic * b / (n + traffic * b)
    return agents * b / (agents - traffic * (1 - b))


def service_level(agents: int, rate_per_hour: float, aht: float, target: float) -> float:
    traffic = rate_per_hour * aht / 3600
    if traffic == 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    return 1 - erlang_c(agents, traffic) * math.exp(-(agents - traffic) * target / aht)


def agents_needed(rate_per_hour: float, aht: float, target: float, level: float) -> int:
    if rate_per_hour <= 0:
        return 0
    agents = max(1, math.floor(rate_per_hour * aht / 3600) + 1)
    while agents < MAX_AGENTS and service_level(agents, rate_per_hour, aht, target) < level:
        agents += 1
    return agents


def slot_occurrences(q: ReportQuery) -> dict[tuple[int, int], int]:
    """How many times each (ISO weekday, hour) occurs in [start, end) in the time zone."""
    counts: dict[tuple[int, int], int] = {}
    tz = zone(q.tz)
    at = from_us(q.start).replace(minute=0, second=0, microsecond=0)
    end = from_us(q.end)
    while at < end:
        local = at.astimezone(tz)
        key = (local.isoweekday(), local.hour)
        counts[key] = counts.get(key, 0) + 1
        at += timedelta(hours=1)
    return counts


def hourly(view: View, q: ReportQuery, aht: float, target: float, level: float) -> dict[str, Any]:
    m = arrivals(q)
    weekday, hour = local_slot(m.at)
    rows = view.con.execute(
        f"SELECT {weekday} AS d, {hour} AS h, count(*) FROM {m.source} {m.sql.where} GROUP BY d, h",
        [q.tz, q.tz, *m.sql.params],
    ).fetchall()
    found = {(int(d), int(h)): int(n) for d, h, n in rows}
    occurrences = slot_occurrences(q)
    data = []
    for day in range(1, 8):
        for hour in range(24):
            messages, times = found.get((day, hour), 0), occurrences.get((day, hour), 0)
            rate = messages / times if times else 0.0
            agents = agents_needed(rate, aht, target, level)
            data.append({
                "weekday": day, "hour": hour, "messages": messages, "occurrences": times,
                "arrivals_per_hour": rate, "agents": agents,
                "service_level": service_level(agents, rate, aht, target),
            })  # fmt: skip
    parameters = {"aht_seconds": aht, "target_seconds": target, "service_level": level, "tz": q.tz}
    return {"parameters": parameters, "data": data, "count": len(data)}
