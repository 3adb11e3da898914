"""The analytics and search projections give the log's results whatever order partitions arrive in.

A Kafka-fed projector applies each partition as its own source: one aggregate's events stay in
order, but the aggregates interleave anyhow. Here the orders are chosen, not left to the broker:
every ticket before any customer, article or SLA policy (a policy then re-governs tickets it
arrives after), the reverse, and round robin in small batches.
"""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from projections.analytics import AnalyticsDb, AnalyticsProjection
from projections.avro_records import is_published
from projections.local_log import LocalLog
from projections.records import EventRecord
from projections.search_projection import SearchProjection
from projections.search_store import SearchDb
from tests.integration.test_analytics_scenario import Desk, week
from tests.integration.test_kafka_views import (
    desk,
    embedded_views,
    more_history,
    report_texts,
    search_results,
)

__all__ = ["desk"]  # the fixture, shared with the Kafka test

Partitions = list[list[EventRecord]]
KINDS = ("Ticket", "Customer", "Article", "Snippet", "SlaPolicy")


def by_kind(records: list[EventRecord]) -> Partitions:
    return [[r for r in records if r.aggregate_type == kind] for kind in KINDS]


def feed_in_sequence(partitions: Partitions, batch: int) -> Iterator[tuple[str, list[EventRecord]]]:
    for number, records in enumerate(partitions):
        for start in range(0, len(records), batch):
            yield f"p:{number}", records[start : start + batch]


def round_robin(partitions: Partitions, batch: int) -> Iterator[tuple[str, list[EventRecord]]]:
    offsets = [0] * len(partitions)
    while any(o < len(p) for o, p in zip(offsets, partitions, strict=True)):
        for number, records in enumerate(partitions):
            if offsets[number] < len(records):
                yield f"p:{number}", records[offsets[number] : offsets[number] + batch]
                offsets[number] += batch


def by_aggregate(records: list[EventRecord], count: int = 3) -> Partitions:
    """As a keyed topic would: each aggregate in one partition, log order within a partition."""
    numbers: dict[str, int] = {}
    for record in records:
        numbers.setdefault(record.aggregate_id, len(numbers) % count)
    return [[r for r in records if numbers[r.aggregate_id] == n] for n in range(count)]


ORDERS: dict[str, Callable[[list[EventRecord]], Iterator[tuple[str, list[EventRecord]]]]] = {
    "tickets first, policies last": lambda rs: feed_in_sequence(by_kind(rs), 5),
    "policies and customers first": lambda rs: feed_in_sequence(by_kind(rs)[::-1], 5),
    "round robin by aggregate": lambda rs: round_robin(by_aggregate(rs), 3),
    "last partition first": lambda rs: feed_in_sequence(by_aggregate(rs)[::-1], 50),
}


@pytest.mark.parametrize("order", sorted(ORDERS))
def test_views_fed_partition_by_partition_equal_the_log_fed_ones(
    desk: Desk, tmp_path: Path, order: str
) -> None:
    week(desk)
    more_history(desk)
    expected = embedded_views(desk.runtime)
    records = [r for r in LocalLog(desk.runtime.helpdesk).read(0, 100_000) if is_published(r.aggregate_type)]
    analytics, search = AnalyticsDb(tmp_path / "a.duckdb"), SearchDb(tmp_path / "s.sqlite")
    try:
        projections = [AnalyticsProjection(analytics), SearchProjection(search)]
        for source, batch in ORDERS[order](records):
            for projection in projections:
                projection.apply(batch, source)
        ids = sorted(r[0] for r in search.connection().execute("SELECT customer_id FROM search_customers"))
        assert report_texts(analytics) == expected[0]
        assert search_results(search, ids) == expected[1]
    finally:
        analytics.close()
        search.close()
