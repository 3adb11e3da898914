"""For random histories, the tickets behind any figure are exactly the ones it counted: the list
is as long as the report's figure, and its rows are those the metric definitions (DESIGN.md,
folded in Python by domain.metrics) put in the figure, with every report filter."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from domain.calendar import from_us, to_us, zone
from domain.metrics import TicketMetrics, outcome, ticket_metrics
from projections import drilldown, erlang, report_distribution, reports
from projections.analytics import AnalyticsDb, AnalyticsProjection, load_facts, load_policies
from projections.analytics_view import View, open_view
from projections.report_members import METRICS, OUTCOMES, ReportQuery
from tests.integration.test_analytics_replay import with_policy
from tests.unit.test_metrics_histories import START, histories, play

TZ = "Europe/Moscow"
FILTERS: list[dict[str, str]] = [
    {},
    {"operator": "anna"},
    {"operator": "boris", "clock": "calendar"},
    {"tag": "vip"},
    {"type": "question", "operator": "carl"},
    {"channel": "vk", "clock": "calendar"},
]
PAGE = 7
"""Small, so that lists of a few rows come in several pages too."""


def everything(view: View, q: ReportQuery, name: str) -> tuple[int, list[dict[str, Any]]]:
    """The figure's count and all its rows, page after page."""
    figure = drilldown.parse_figure(name)
    rows: list[dict[str, Any]] = []
    while True:
        page = drilldown.tickets(view, q, figure, PAGE, len(rows))
        rows += page["data"]
        if len(page["data"]) < PAGE:
            return page["count"], rows


def counted_figures(
    view: View, q: ReportQuery, hourly: list[dict[str, Any]]
) -> Iterator[tuple[str, int | None]]:
    """Every figure the reports show for `q`, with the count they show (None: a sum of values)."""
    summary = reports.summary(view, q)
    yield "received", summary["tickets_received"]
    yield "resolved", summary["tickets_resolved"]
    for metric in METRICS:
        yield metric, summary[metric]["count"]
        for result in OUTCOMES:
            yield f"sla:{metric}:{result}", summary["sla"][metric][result]
    yield "csi:like", summary["csi"]["likes"]
    yield "csi:dislike", summary["csi"]["dislikes"]
    for bucket in report_distribution.distribution(view, q)["data"]:
        yield bucket["figure"], bucket["count"]
    for by in reports.BREAKDOWN_BY:
        for share in reports.breakdown(view, q, by)["data"]:
            yield f"breakdown:{by}:{share['key'] or ''}", share["received"]
    for day in reports.daily(view, q)["data"]:
        for which in ("received", "resolved"):
            yield f"daily:{which}:{day['day']}", day[which]
    for cell in hourly:
        if cell["messages"] or (cell["weekday"], cell["hour"]) == (7, 3):
            yield f"arrivals:{cell['weekday']}:{cell['hour']}", None
    assigned = {r["operator"]: r["tickets_assigned"] for r in reports.operators(view, q)["data"]}
    yield "assigned", assigned.get(q.operator, 0) if q.operator else None


def inside(at: int | None, q: ReportQuery) -> bool:
    return at is not None and q.start <= at < q.end


def seconds(business: int | None, calendar: int | None, q: ReportQuery) -> float | None:
    us = business if q.clock == "business" else calendar
    return None if us is None else us / 1_000_000


def local(at: int, q: ReportQuery) -> Any:
    return from_us(at).astimezone(zone(q.tz))


def by_definition(m: TicketMetrics, q: ReportQuery, figure: drilldown.Figure, as_of: int) -> list[str]:
    """The rows of one ticket that DESIGN.md's definitions put behind `figure`, as ticket ids."""
    kind, args = figure.kind, figure.args
    mine = lambda person: q.operator in (None, person)  # noqa: E731
    if kind in ("received", "resolved", "resolution", "breakdown", "daily"):
        which = args[0] if kind == "daily" else kind
        opening = which in ("received", "breakdown")
        at, person = (m.opened, m.assignee) if opening else (m.resolved, m.resolver)
        counted = inside(at, q) and mine(person)
        if kind == "resolution":
            counted = counted and m.resolution_calendar_us is not None
        if kind == "breakdown":
            keys = {"type": {m.type}, "channel": {m.channel}, "tag": set(m.tags) or {None}}[args[0]]
            counted = counted and args[1] in keys
        if kind == "daily":
            counted = counted and local(at, q).date().isoformat() == args[1]  # type: ignore[arg-type]
        return [m.ticket_id] if counted else []
    if kind in ("first_response", "next_response", "frt"):
        waits = m.waits[1:] if kind == "next_response" else m.waits[:1]
        rows = [w for w in waits if w.status == "answered" and inside(w.end, q) and mine(w.operator)]
        if kind == "frt":
            lo, hi = args
            values = [seconds(w.business_us, w.calendar_us, q) or 0.0 for w in rows]
            rows = [w for w, v in zip(rows, values, strict=True) if lo <= v and (hi is None or v < hi)]
        return [m.ticket_id] * len(rows)
    if kind == "sla":
        metric, result = args
        items = [s for s in m.sla if s.metric == metric and outcome(s, as_of) == result and mine(s.operator)]
        return [m.ticket_id] * len(items) if inside(m.opened, q) else []
    if kind == "csi":
        return [m.ticket_id] * len(
            [r for r in m.ratings if r.score == args[0] and inside(r.at, q) and mine(r.operator)]
        )
    if kind == "arrivals":
        slots = {(local(at, q).isoweekday(), local(at, q).hour) for at, _ in m.messages if inside(at, q)}
        return [m.ticket_id] if args in slots and mine(m.assignee) else []
    assert kind == "assigned", kind
    return [m.ticket_id] if any(inside(a.start, q) and mine(a.assignee) for a in m.assignments) else []


def narrowed(m: TicketMetrics, q: ReportQuery) -> bool:
    """The filters read the ticket as it is now."""
    return q.channel in (None, m.channel) and q.type in (None, m.type) and (q.tag is None or q.tag in m.tags)


def folded(db: AnalyticsDb) -> list[TicketMetrics]:
    ids = [r[0] for r in db.cursor().execute("SELECT ticket_id FROM tickets ORDER BY 1").fetchall()]
    policies, _ = load_policies(db)
    found = (ticket_metrics(tid, facts, policies) for tid, facts in load_facts(db, ids).items())
    return [m for m in found if m is not None]


WORKED: list[tuple[int, str, Any, str, int]] = [
    (0, "note", None, "anna", 60), (0, "assign", "anna", "boris", 5), (0, "tag", "vip", "anna", 1),
    (0, "type", "question", "anna", 1), (0, "reply", None, "anna", 20), (0, "resolve", "solved", "anna", 10),
    (0, "rate", "like", "anna", 5), (0, "message", None, "anna", 60), (0, "assign", "boris", "anna", 5),
    (0, "reply", None, "boris", 90), (0, "resolve", "solved", "boris", 10),
    (0, "rate", "dislike", "boris", 5),
    (1, "note", None, "carl", 30), (1, "reply", None, "carl", 30), (1, "message", None, "carl", 30),
    (1, "pause_customer", None, "carl", 10), (2, "note", None, "anna", 100), (3, "note", None, "anna", 10),
    (3, "resolve", "spam", "anna", 5), (2, "assign", "carl", "anna", 1500),
]  # fmt: skip
"""A history that certainly has every kind of row: ratings both ways, a reopen, two operators on one
ticket, a pause, a ticket left waiting, spam resolved without a reply, and a first response of
exactly 30 minutes (a bucket's edge)."""


@settings(max_examples=25, deadline=None)
@given(histories, st.integers(0, 40), st.integers(0, 4 * 24))
@example(WORKED, 40, 0)
def test_the_tickets_behind_every_figure_are_exactly_those_it_counted(
    plan: list, change_at: int, hours: int
) -> None:
    db = AnalyticsDb(":memory:")
    AnalyticsProjection(db).apply(with_policy(play(plan), change_at), "log")
    metrics = folded(db)
    start = to_us(START + timedelta(hours=hours))
    for filters in FILTERS:
        q = ReportQuery(start=start, end=start + 9 * 86_400_000_000, tz=TZ, **filters)
        with open_view(db, q.start, q.end, None) as view:
            hourly = erlang.hourly(view, q, 300, 3600, 0.8)["data"]
            messages = {(c["weekday"], c["hour"]): c["messages"] for c in hourly}
            for name, shown in counted_figures(view, q, hourly):
                count, rows = everything(view, q, name)
                figure = drilldown.parse_figure(name)
                expected = sorted(
                    t for m in metrics if narrowed(m, q) for t in by_definition(m, q, figure, view.as_of)
                )
                assert sorted(r["ticket"] for r in rows) == expected, (name, filters)
                assert count == len(rows), (name, filters)
                if shown is not None:
                    assert count == shown, (name, filters)
                if figure.kind == "arrivals":
                    assert sum(r["value"] for r in rows) == messages[figure.args], name
    db.close()
