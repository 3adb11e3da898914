"""Replay determinism: live projection == rebuilt projection == as-of fold, byte for byte."""

import json
from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from api.routes.reports import json_response
from domain.calendar import to_us
from domain.sla_policy import PolicySpec, SlaPolicy
from domain.stamp import Stamp
from projections import reports
from projections.analytics import FACT_BYTES, AnalyticsDb, AnalyticsProjection
from projections.analytics_schema import TABLES
from projections.analytics_view import open_view
from projections.records import EventRecord, record_from_event
from projections.reports import ReportQuery
from tests.unit.test_metrics_histories import START, WORKDAYS, histories, play

SPEC = PolicySpec.build(
    {"first_response": 30, "next_response": 60, "resolution": 240},
    {"tz": "Europe/Moscow", "weekly": {d: [["09:00", "18:00"]] for d in WORKDAYS},
     "holidays": []},
    {},
    1,
)  # fmt: skip


def renumbered(records: list[EventRecord], first: int) -> list[EventRecord]:
    return [replace(r, position=first + i) for i, r in enumerate(records)]


def with_policy(records: list[EventRecord], change_at: int) -> list[EventRecord]:
    """A policy defined before everything, and changed (stricter) part-way through."""
    before = START - timedelta(days=1)
    policy = SlaPolicy.define("std", SPEC, before, Stamp(before, before, "root"))
    result = [record_from_event(1, policy.collect_events()[0])]
    cut = min(change_at, len(records))
    result += renumbered(records[:cut], len(result) + 1)
    at = result[-1].recorded_at
    strict = PolicySpec.build({"first_response": 5, "resolution": 60}, None, {}, 1)
    policy.change(strict, at + timedelta(hours=2), Stamp(at, at, "root"))
    result.append(record_from_event(len(result) + 1, policy.collect_events()[0]))
    return result + renumbered(records[cut:], len(result) + 1)


def dump(db: AnalyticsDb) -> dict[str, list[str]]:
    cur = db.cursor()
    result = {}
    for table, columns in TABLES.items():
        select = ", ".join(f"epoch_us({c})" if kind == "TIMESTAMPTZ" else c for c, kind, _ in columns)
        result[table] = sorted(map(repr, cur.execute(f"SELECT {select} FROM {table}").fetchall()))
    return result


def report_bytes(db: AnalyticsDb, fold: bool) -> list[bytes]:
    q = ReportQuery(
        start=to_us(START - timedelta(days=2)), end=to_us(START + timedelta(days=60)), tz="Europe/Moscow"
    )
    out = []
    for build in (reports.summary, reports.operators, reports.daily):
        with open_view(db, q.start, q.end, None, force_fold=fold) as view:
            out.append(json_response({"position": view.position, "as_of": view.as_of, **build(view, q)}).body)
    for by in ("type", "tag", "channel"):
        with open_view(db, q.start, q.end, None, force_fold=fold) as view:
            out.append(json.dumps(reports.breakdown(view, q, by), sort_keys=True).encode())
    return out


@settings(max_examples=20, deadline=None)
@given(histories, st.integers(0, 60), st.lists(st.integers(1, 7), min_size=1, max_size=10))
def test_live_equals_rebuilt_equals_as_of(plan: list, change_at: int, batch_sizes: list[int]) -> None:
    records = with_policy(play(plan), change_at)
    db = AnalyticsDb(":memory:")
    projection = AnalyticsProjection(db, cache_bytes=2 * 10 * FACT_BYTES)
    done, i = 0, 0
    while done < len(records):
        size = batch_sizes[i % len(batch_sizes)]
        batch = records[max(0, done - 1) : done + size]  # overlaps: a redelivered event must be ignored
        projection.apply(batch, "log")
        done += size
        i += 1
    live_tables, live_reports = dump(db), report_bytes(db, fold=False)
    folded = report_bytes(db, fold=True)
    projection.reset()
    fresh = AnalyticsProjection(db)
    fresh.apply(records, "log")
    assert dump(db) == live_tables
    assert report_bytes(db, fold=False) == live_reports
    assert folded == live_reports
    db.close()
