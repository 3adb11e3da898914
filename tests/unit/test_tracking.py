"""The projection kit: every view tracks its position with one compare-and-set, on every engine
it lives in, and a view whose schema version changed is dropped and replayed to what a rebuild
from zero gives."""

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.outbox_jobs import OutboxJobs
from ingest.store import VIEW as INGEST
from ingest.store import IngestProjection
from projections.analytics import AnalyticsDb, AnalyticsProjection
from projections.analytics_schema import VIEW as ANALYTICS
from projections.duckdb_snapshot import snapshot_position, take_snapshot
from projections.queue_projection import QueueProjection
from projections.queue_store import VIEW as QUEUE
from projections.queue_store import QueueStore
from projections.records import EventRecord
from projections.search_projection import SearchProjection
from projections.search_store import VIEW as SEARCH
from projections.search_store import SearchDb
from projections.sql import PostgresDatabase, SqliteDatabase
from projections.tracking import DuckCursor, TrackingConflictError, TrackingCursor, ViewSchema, unseen
from tests.integration.test_analytics_replay import with_policy
from tests.unit.test_metrics_histories import histories, play

PLAN = [(0, "reply", None, "anna", 0), (1, "reply", None, "anna", 30), (0, "reply", None, "anna", 20),
        (2, "pause_customer", None, "boris", 5), (0, "resolve", "solved", "anna", 90),
        (1, "pause_customer", None, "boris", 600), (2, "reply", None, "carl", 1)]  # fmt: skip
Transactions = Callable[[], AbstractContextManager[TrackingCursor]]


def records() -> list[EventRecord]:
    return with_policy(play(PLAN), 4)


VIEWS = ["queue-sqlite", "ingest-sqlite", "search-sqlite", "analytics-duckdb", "queue-postgres"]


@pytest.fixture(params=VIEWS)
def view(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ViewSchema, Transactions]]:
    """One real view's schema, and transactions on the engine it lives in."""
    name, engine = request.param.split("-")
    schema = {"queue": QUEUE, "ingest": INGEST, "search": SEARCH, "analytics": ANALYTICS}[name]
    if engine == "duckdb":
        con = duckdb.connect()

        @contextmanager
        def duck() -> Iterator[TrackingCursor]:
            con.begin()
            try:
                yield DuckCursor(con)
            except BaseException:
                con.rollback()
                raise
            con.commit()

        yield schema, duck
        con.close()
        return
    db = (
        PostgresDatabase(request.getfixturevalue("postgres_db"))
        if engine == "postgres"
        else SqliteDatabase(tmp_path / "view.sqlite")
    )
    yield schema, db.transaction
    db.close()


def test_a_batch_another_projector_applied_first_is_refused(view: tuple[ViewSchema, Transactions]) -> None:
    schema, transaction = view
    with transaction() as cur:
        schema.upgrade(cur)
    with transaction() as cur:
        schema.advance(cur, "log", 0, 5)
    for before, after in ((0, 3), (4, 9)):
        with pytest.raises(TrackingConflictError, match=f"no longer {before}"), transaction() as cur:
            schema.advance(cur, "log", before, after)
    with transaction() as cur:
        schema.advance(cur, "log", 5, 9)
        schema.advance(cur, "kafka", 0, 2)
    with transaction() as cur:
        assert schema.positions(cur) == {"log": 9, "kafka": 2}
        assert schema.position(cur, "log") == 9
        assert schema.position(cur, "other") == 0


def test_a_refused_batch_leaves_the_position_where_the_winner_put_it(
    view: tuple[ViewSchema, Transactions],
) -> None:
    schema, transaction = view
    with transaction() as cur:
        schema.upgrade(cur)
        schema.advance(cur, "log", 0, 7)
    with pytest.raises(TrackingConflictError), transaction() as cur:
        schema.advance(cur, "log", 3, 8)
    with transaction() as cur:
        assert schema.position(cur, "log") == 7


def test_redelivered_and_already_applied_records_are_not_folded_again() -> None:
    batch = records()
    again = [*batch[2:5], *batch[:3], *batch[4:]]
    assert [r.position for r in unseen(again, 1)] == [r.position for r in batch[2:]]


def queue_rows(store: QueueStore) -> list[tuple[Any, ...]]:
    return store.db.fetchall("SELECT * FROM queue_tickets ORDER BY ticket_id")


def test_a_queue_view_of_another_version_is_dropped_and_replayed_to_a_rebuild(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "queue.sqlite")
    QueueProjection(QueueStore(db)).apply(records(), "log")
    with db.transaction() as cur:
        cur.execute("UPDATE queue_schema SET version = 1")
        cur.execute("UPDATE queue_tickets SET status = 'stale'")
    again = QueueProjection(QueueStore(db))
    assert again.position("log") == 0 and queue_rows(again.store) == []
    assert again.apply(records(), "log") == len(records())
    rebuilt = QueueStore(SqliteDatabase(tmp_path / "rebuilt.sqlite"))
    QueueProjection(rebuilt).apply(records(), "log")
    assert queue_rows(again.store) == queue_rows(rebuilt) != []


def search_rows(db: SearchDb) -> list[tuple[Any, ...]]:
    with db.reading() as con:
        return [
            *con.execute("SELECT * FROM search_tickets ORDER BY tid").fetchall(),
            *con.execute("SELECT * FROM search_docs ORDER BY doc_id").fetchall(),
        ]


def test_a_search_index_of_another_version_is_dropped_and_replayed_to_a_rebuild(tmp_path: Path) -> None:
    db = SearchDb(tmp_path / "search.sqlite")
    SearchProjection(db).apply(records(), "log")
    expected = search_rows(db)
    with db.writing() as con:
        con.execute("UPDATE search_schema SET version = 5")
    db.close()
    again = SearchDb(tmp_path / "search.sqlite")
    assert search_rows(again) == [] and again.positions() == {}
    SearchProjection(again).apply(records(), "log")
    assert search_rows(again) == expected != []


def test_a_search_index_from_before_search_schema_is_kept_not_rebuilt(tmp_path: Path) -> None:
    """Such an index kept its version in PRAGMA user_version: the same version means no replay."""
    db = SearchDb(tmp_path / "search.sqlite")
    SearchProjection(db).apply(records(), "log")
    expected, positions = search_rows(db), db.positions()
    db.close()
    with sqlite3.connect(tmp_path / "search.sqlite") as con:
        con.execute("DROP TABLE search_schema")
        con.execute(f"PRAGMA user_version = {SEARCH.version}")
    con.close()
    again = SearchDb(tmp_path / "search.sqlite")
    assert search_rows(again) == expected and again.positions() == positions


def analytics_rows(db: AnalyticsDb) -> list[tuple[Any, ...]]:
    cur = db.cursor()
    return [
        *cur.execute("SELECT * FROM tickets ORDER BY ticket_id").fetchall(),
        *cur.execute("SELECT * FROM sla ORDER BY ALL").fetchall(),
    ]


def test_old_tickets_get_opened_at_when_the_analytics_schema_changes(tmp_path: Path) -> None:
    db = AnalyticsDb(tmp_path / "a.duckdb")
    AnalyticsProjection(db).apply(records(), "log")
    cur = db.cursor()
    cur.execute("UPDATE sla SET opened_at = NULL")  # as an ALTER TABLE … ADD COLUMN left them
    cur.execute("UPDATE analytics_schema SET version = 1")
    db.close()
    again = AnalyticsDb(tmp_path / "a.duckdb")
    projection = AnalyticsProjection(again)
    assert projection.position("log") == 0
    projection.apply(records(), "log")
    nulls = again.cursor().execute("SELECT count(*), count(opened_at) FROM sla").fetchall()
    assert nulls[0][0] > 0 and nulls[0][0] == nulls[0][1]
    rebuilt = AnalyticsDb(tmp_path / "rebuilt.duckdb")
    AnalyticsProjection(rebuilt).apply(records(), "log")
    assert analytics_rows(again) == analytics_rows(rebuilt)
    again.close()
    rebuilt.close()


def test_an_analytics_file_from_before_analytics_schema_with_opened_at_is_kept(tmp_path: Path) -> None:
    db = AnalyticsDb(tmp_path / "a.duckdb")
    AnalyticsProjection(db).apply(records(), "log")
    expected = analytics_rows(db)
    db.cursor().execute("DROP TABLE analytics_schema")
    db.close()
    again = AnalyticsDb(tmp_path / "a.duckdb")
    assert AnalyticsProjection(again).position("log") == records()[-1].position
    assert analytics_rows(again) == expected
    again.close()


def test_an_analysts_snapshot_says_which_log_position_it_holds(tmp_path: Path) -> None:
    db = AnalyticsDb(tmp_path / "a.duckdb")
    AnalyticsProjection(db).apply(records(), "log")
    assert take_snapshot(db, tmp_path / "copy.duckdb") == records()[-1].position
    db.close()
    assert snapshot_position(tmp_path / "copy.duckdb") == records()[-1].position


def ingest_records() -> list[EventRecord]:
    """A Telegram channel, a ticket on it, and an operator's reply to be sent."""
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    settings = {"bot_token": "***"}
    channel = {"name": "tg", "kind": "telegram", "owner": None, "settings": settings}
    ticket = {"channel": "tg", "customer_id": "c1", "text": "hi"}
    return [
        EventRecord(1, "ch1", "Channel", 1, "ChannelAdded", at, at, "root", channel),
        EventRecord(2, "t1", "Ticket", 1, "TicketOpened", at, at, "bot", ticket),
        EventRecord(3, "t1", "Ticket", 2, "ReplySent", at, at, "anna", {"text": "hello"}),
    ]


def test_a_reply_waiting_to_be_sent_survives_a_change_of_the_ingest_views_version(tmp_path: Path) -> None:
    """The outbox's jobs are work, not a fold: dropping and replaying the view neither loses a
    job still to send nor brings back one the outbox already settled."""
    db = SqliteDatabase(tmp_path / "ingest.sqlite")
    jobs = OutboxJobs(db)
    IngestProjection(db, jobs).apply(ingest_records(), "log")
    [job] = jobs.due_jobs(datetime(2026, 3, 3, tzinfo=UTC))
    jobs.reschedule(job, 2, datetime(2026, 3, 2, 10, 0, tzinfo=UTC), "timeout")
    with db.transaction() as cur:
        cur.execute("UPDATE ingest_schema SET version = 1")
    view = IngestProjection(db, OutboxJobs(db))
    assert view.position("log") == 0 and view.channels() == []
    view.apply(ingest_records(), "log")
    waiting = [(j["status"], j["attempts"], j["last_error"]) for j in jobs.jobs("t1")]
    assert waiting == [("pending", 2, "timeout")]
    assert [c["name"] for c in view.channels()] == ["tg"]
    jobs.settle(job, "delivered")
    view.reset()
    view.apply(ingest_records(), "log")
    assert [j["status"] for j in jobs.jobs("t1")] == ["delivered"]
    db.close()


@settings(max_examples=25, deadline=None)
@given(plan=histories, cut=st.integers(0, 60))
def test_any_history_replayed_after_a_schema_change_equals_a_rebuild(
    plan: list[tuple[int, str, Any, str, int]], cut: int
) -> None:
    """Whatever was folded before the version changed (all of it, part of it), the dropped view
    replays to the very rows a fresh rebuild writes."""
    batch = play(plan)
    db = SqliteDatabase(Path(":memory:"))
    QueueProjection(QueueStore(db)).apply(batch[:cut], "log")
    with db.transaction() as cur:
        cur.execute("UPDATE queue_schema SET version = 1")
        cur.execute("UPDATE queue_tickets SET channel = 'stale', subject = 'stale'")
    again = QueueProjection(QueueStore(db))
    assert again.position("log") == 0
    for start in range(0, len(batch), 7):
        again.apply(batch[: start + 7], "log")
    rebuilt = SqliteDatabase(Path(":memory:"))
    QueueProjection(QueueStore(rebuilt)).apply(batch, "log")
    assert queue_rows(again.store) == queue_rows(QueueStore(rebuilt))
    db.close()
    rebuilt.close()
