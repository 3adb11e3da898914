"""Analytics, search and queue fed from a 4-partition topic equal the views fed from the log.

The history goes through the HTTP API into an embedded runtime, the real relay publishes it to a
real broker (tansu), and `deskstream project --source kafka --views all` projects it into a
separate data directory. Each partition is applied as its own source, so events of different
aggregates (policies, customers, tickets, articles) arrive in another order than in the log.
"""

import functools
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from api.bootstrap import Runtime, search_path, view_file
from api.cli import main
from api.kafka_views import ANALYTICS_FILE
from api.routes.reports import iso, json_text
from api.settings import Settings
from domain.calendar import to_us
from projections import erlang, reports
from projections.analytics import AnalyticsDb
from projections.analytics_view import View, open_view
from projections.duckdb_snapshot import SNAPSHOT_NAME
from projections.kafka_source import source_name
from projections.kb import articles
from projections.queue_store import QueueStore
from projections.reports import ReportQuery
from projections.search_queries import SearchQuery, customers, history, search
from projections.search_store import SearchDb
from projections.sql import open_database
from tests.fixtures.kafka import create_topic
from tests.integration.test_analytics_scenario import STD, Desk, scenario_desk, week
from tests.integration.test_kafka_projection import snapshot
from tests.integration.test_relay import relay_for

PARTITIONS = 4
STRICTER = {
    **STD,
    "targets_minutes": {"first_response": 30, "next_response": 60, "resolution": 240},
    "effective_from": "2026-03-11T03:00:00+03:00",  # an offset: the topic carries times in UTC
}
MARCH = ReportQuery(
    start=to_us(datetime(2026, 3, 1, tzinfo=UTC)), end=to_us(datetime(2026, 4, 1, tzinfo=UTC))
)


def breakdown(view: View, q: ReportQuery, by: str) -> dict[str, Any]:
    return reports.breakdown(view, q, by)


Report = Callable[[View, ReportQuery], dict[str, Any]]
REPORTS: dict[str, Report] = {
    "summary": reports.summary,
    "operators": reports.operators,
    "daily": reports.daily,
    "hourly": lambda view, q: erlang.hourly(view, q, 300.0, 3600.0, 0.8),
    **{f"breakdown:{by}": functools.partial(breakdown, by=by) for by in ("type", "tag", "channel")},
}
SEARCHES = [
    SearchQuery(text="card", include_notes=True),
    SearchQuery(text="Petrov", include_notes=True),
    SearchQuery(text="help", include_notes=True, limit=100),
    SearchQuery(text="refund", tags=["billing"], include_notes=True),
    SearchQuery(include_notes=True, limit=100),
    SearchQuery(statuses=["merged", "resolved"], include_notes=True, limit=100),
]


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    with scenario_desk(tmp_path / "embedded") as d:
        yield d


def open_on(d: Desk, channel: str, handle: str, name: str, text: str, subject: str | None = None) -> str:
    body = {
        "channel": channel,
        "customer": {"handle": handle, "name": name},
        "text": text,
        "subject": subject,
    }
    return str(d.call("bot", "POST", "/tickets", body)["id"])


def customer_of(d: Desk, ticket: str) -> str:
    return str(d.runtime.helpdesk.ticket(uuid.UUID(ticket)).customer_id)


def more_history(d: Desk) -> None:
    """Other channels, tags, a customer merge, a ticket merge, the KB, and a policy change that
    governs tickets opened before it was made (the analytics re-fold them)."""
    card = open_on(d.at("2026-03-12T07:00"), "telegram", "77", "Pyotr Petrov", "My card is blocked", "Card")
    d.at("2026-03-12T07:05").act("sue", card, "tags", {"add": ["card", "vip"]})
    d.at("2026-03-12T07:06").act("sue", card, "type", {"type": "problem"})
    d.at("2026-03-12T07:07").act("sue", card, "priority", {"priority": "high"})
    d.at("2026-03-12T07:08").act("anna", card, "notes", {"text": "card team knows"})
    d.at("2026-03-12T07:20").act("anna", card, "replies", {"text": "Unblocked your card"})
    mail = open_on(d.at("2026-03-12T08:00"), "email", "petrov@example.com", "P. Petrov", "Refund please")
    d.at("2026-03-12T08:01").act("sue", mail, "tags", {"add": ["billing"]})
    twice = open_on(d.at("2026-03-12T08:10"), "email", "petrov@example.com", "P. Petrov", "Refund again?")
    d.at("2026-03-12T08:20").act("boris", twice, "merge", {"into": mail})
    d.at("2026-03-12T08:30").act("boris", mail, "replies", {"text": "Refund sent"})
    d.at("2026-03-12T08:40").act("boris", mail, "resolve", {"resolution": "solved"})
    d.at("2026-03-12T08:45").act("bot", mail, "rating", {"score": "like"})
    d.at("2026-03-12T09:20").call("sue", "POST", f"/customers/{customer_of(d, mail)}/merge",
                                  {"into": customer_of(d, card)})  # fmt: skip
    d.at("2026-03-12T09:30").act("anna", card, "pause", {"reason": "waiting_customer"})
    d.at("2026-03-12T10:00").act("bot", card, "messages", {"text": "still blocked"})
    article = {
        "title": "Blocked card",
        "body": "How to unblock a card",
        "tags": ["card"],
        "visibility": "public",
    }
    written = d.at("2026-03-12T10:10").call("root", "POST", "/kb/articles", article)
    d.at("2026-03-12T10:20").call("root", "PUT", f"/kb/articles/{written['id']}",
                                  {**article, "body": "Unblocking a card, step by step"})  # fmt: skip
    snippet = {"shortcut": "hi", "title": "Greeting", "body": "Hello {{customer_name}}"}
    d.at("2026-03-12T10:30").call("root", "POST", "/snippets", snippet)
    d.at("2026-03-12T11:00").call("root", "PUT", "/sla-policies/std", STRICTER)
    d.at("2026-03-12T11:30").act("anna", card, "replies", {"text": "Try the card now"})


def project(settings: Settings, monkeypatch: pytest.MonkeyPatch, *flags: str) -> None:
    """The command an operator runs: `deskstream project --source kafka --views all`."""
    monkeypatch.delenv("DESKSTREAM_POSTGRES_URL", raising=False)
    monkeypatch.setenv("DESKSTREAM_KAFKA_BOOTSTRAP", settings.kafka_bootstrap or "")
    monkeypatch.setenv("DESKSTREAM_KAFKA_TOPIC", settings.kafka_topic)
    argv = ["--data", str(settings.data_dir), "project", "--source", "kafka", "--views", "all", *flags]
    assert main([*argv, "--batch-size", "7"]) == 0


def event_rows(db: AnalyticsDb) -> dict[int, tuple[Any, ...]]:
    """The fact table as an analyst reads it, by log position."""
    rows = db.cursor().execute("SELECT position, aggregate_type, type, actor, data FROM events").fetchall()
    return {row[0]: tuple(row[1:]) for row in rows}


def report_texts(db: AnalyticsDb) -> dict[str, str]:
    """Each report's JSON as the API serves it, at the default as-of and at an earlier one."""
    texts = {}
    for as_of in (None, to_us(datetime(2026, 3, 11, 10, tzinfo=UTC))):
        for tz in ("UTC", "Europe/Moscow"):
            q = ReportQuery(MARCH.start, MARCH.end, as_of=as_of, tz=tz)
            for name, build in REPORTS.items():
                with open_view(db, q.start, q.end, q.as_of) as view:
                    stamp = {"as_of": iso(view.as_of), "position": view.position}
                    texts[f"{name}@{as_of}/{tz}"] = json_text(
                        {**stamp, "from": iso(q.start), "to": iso(q.end), **build(view, q)}
                    )
    return texts


def search_results(db: SearchDb, customer_ids: list[str]) -> list[Any]:
    found: list[Any] = [search(db, q) for q in SEARCHES]
    found += [customers(db, text, 20, 0) for text in ("petrov", "77", "a")]
    found += [history(db, c, True, 50, 0) for c in customer_ids]
    found += [articles(db, text, None, None, False, 20, 0) for text in ("card", "")]
    return found


def views_of(settings: Settings) -> tuple[dict[str, str], list[Any], Any]:
    analytics, search_db = AnalyticsDb(view_file(settings, ANALYTICS_FILE)), SearchDb(search_path(settings))
    queue_db = open_database(settings.queue_target)
    try:
        customer_ids = [
            r[0] for r in search_db.connection().execute("SELECT customer_id FROM search_customers")
        ]
        return (
            report_texts(analytics),
            search_results(search_db, sorted(customer_ids)),
            snapshot(QueueStore(queue_db)),
        )
    finally:
        analytics.close()
        search_db.close()
        queue_db.close()


def embedded_views(runtime: Runtime) -> tuple[dict[str, str], list[Any], Any]:
    runtime.runner.catch_up()
    assert runtime.analytics is not None
    ids = [r[0] for r in runtime.search.connection().execute("SELECT customer_id FROM search_customers")]
    return (
        report_texts(runtime.analytics),
        search_results(runtime.search, sorted(ids)),
        snapshot(runtime.queue),
    )


def test_kafka_fed_analytics_search_and_queue_equal_the_log_fed_ones(
    desk: Desk, kafka_bootstrap: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    week(desk)
    more_history(desk)
    topic = f"deskstream-views-{uuid.uuid4().hex[:12]}"
    create_topic(kafka_bootstrap, topic, partitions=PARTITIONS)
    relay_for(desk.runtime, kafka_bootstrap, topic, batch_size=11).catch_up()
    expected = embedded_views(desk.runtime)
    settings = Settings(data_dir=tmp_path / "projector", kafka_bootstrap=kafka_bootstrap, kafka_topic=topic)

    project(settings, monkeypatch, "--once")
    fed = AnalyticsDb(view_file(settings, ANALYTICS_FILE))
    try:
        facts = event_rows(fed)
    finally:
        fed.close()
    assert desk.runtime.analytics is not None
    logged = event_rows(desk.runtime.analytics)
    assert facts == {position: logged[position] for position in facts}  # the topic's events, row for row
    assert any(row[1] == "PolicyVersionAdded" or row[0] == "SlaPolicy" for row in facts.values())
    reports_, found, queue = views_of(settings)
    assert reports_ == expected[0]
    assert found == expected[1]
    assert queue == expected[2]
    assert view_file(settings, SNAPSHOT_NAME).exists(), "a one-shot run leaves an analysts' copy"
    assert '"sla"' in reports_["summary@None/UTC"] and '"pending"' in reports_["summary@None/UTC"]

    project(settings, monkeypatch, "--rebuild")
    assert views_of(settings) == expected


def test_the_projector_tracks_each_partition_of_each_view(
    desk: Desk, kafka_bootstrap: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    week(desk)
    topic = f"deskstream-views-{uuid.uuid4().hex[:12]}"
    create_topic(kafka_bootstrap, topic, partitions=PARTITIONS)
    relay_for(desk.runtime, kafka_bootstrap, topic).catch_up()
    settings = Settings(data_dir=tmp_path / "projector", kafka_bootstrap=kafka_bootstrap, kafka_topic=topic)
    project(settings, monkeypatch, "--once")
    analytics = AnalyticsDb(view_file(settings, ANALYTICS_FILE))
    try:
        tracked = {r[0] for r in analytics.cursor().execute("SELECT source FROM tracking").fetchall()}
    finally:
        analytics.close()
    assert tracked <= {source_name(topic, p) for p in range(PARTITIONS)} and len(tracked) > 1
