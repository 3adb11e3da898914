"""Reports join the tickets table only when a filter reads it: with or without the join, the same
figures (every per-ticket row has its ticket's row)."""

import json

import pytest
from hypothesis import given, settings

from domain.calendar import to_us
from projections import erlang, reports
from projections.analytics import AnalyticsDb, AnalyticsProjection
from projections.analytics_view import open_view
from projections.reports import ReportQuery, Sql
from tests.integration.test_analytics_replay import with_policy
from tests.unit.test_metrics_histories import START, histories, play

FILTERS = [
    {},
    {"operator": "anna"},
    {"channel": "vk"},
    {"type": "question"},
    {"tag": "vip"},
    {"operator": "boris", "tag": "bug"},
]


def everything(db: AnalyticsDb, filters: dict[str, str]) -> str:
    q = ReportQuery(start=to_us(START) - 86_400_000_000, end=to_us(START) + 60 * 86_400_000_000, **filters)
    with open_view(db, q.start, q.end, None) as view:
        out = [
            reports.summary(view, q),
            reports.operators(view, q),
            reports.daily(view, q),
            erlang.hourly(view, q, 300, 3600, 0.8),
            *(reports.breakdown(view, q, by) for by in reports.BREAKDOWN),
        ]
    return json.dumps(out, sort_keys=True)


@settings(max_examples=15, deadline=None)
@given(histories)
def test_the_join_changes_no_figure(plan: list) -> None:
    db = AnalyticsDb(":memory:")
    AnalyticsProjection(db).apply(with_policy(play(plan), 5), "log")
    plain = [everything(db, f) for f in FILTERS]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Sql, "source", lambda self, table: f"{table} JOIN tickets t USING (ticket_id)")
        joined = [everything(db, f) for f in FILTERS]
    assert plain == joined
    db.close()
