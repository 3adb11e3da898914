"""The composition root: every entry point's objects are built here, from Settings, and nowhere else.

`serve` and the commands that need the views (`replay`, `project`, `analytics snapshot`) call
`build`; commands that only read or append events (`token`, `ticket`, `channel add`) call
`open_helpdesk`; `smtp` calls `open_intake`; `relay` calls `open_helpdesk` and `build_relay` (whose
helper process opens its store with `open_helpdesk` too); `project --source kafka` calls
`open_kafka_views` and `open_feed`. Each object gets its collaborators through its constructor:
where two need each other (intake wakes the runners, the outbox tells intake of a delivery), the
one built first is handed to the other as a callback.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from api.clock import system_clock
from api.data_dir import secure
from api.settings import Settings, SettingsError
from api.sqlite_heap import limit_sqlite_heap
from api.store import aggregate_cache, event_positions, store_env
from api.token_cache import TokenCache
from api.view_files import ANALYTICS_FILE, search_path, view_file
from api.web.sessions import Sessions, session_key
from application.helpdesk import Helpdesk
from ingest.runtime import IngestRuntime, build_ingest, open_ingest_store
from projections.analytics import AnalyticsDb, AnalyticsProjection
from projections.byte_budget import MIB
from projections.duckdb_snapshot import SNAPSHOT_NAME, Snapshotter, replace_if_leaky
from projections.failures import Failures
from projections.local_log import LocalLog
from projections.queue_projection import QueueProjection
from projections.queue_store import QueueStore
from projections.runner import Runner, Runners
from projections.search_projection import SearchProjection
from projections.search_store import SearchDb
from projections.sql import Database, open_database

if TYPE_CHECKING:  # only scaled mode needs the Kafka client: imported where it is built
    from api.kafka_views import KafkaViews
    from projections.kafka_source import KafkaFeed
    from relay.relay import Relay

__all__ = [
    "Background",
    "Runtime",
    "build",
    "build_relay",
    "open_feed",
    "open_helpdesk",
    "open_intake",
    "open_kafka_views",
    "search_path",
    "view_file",
]


class Background(Protocol):
    """A service that runs beside the API in the same process, e.g. the Kafka relay."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


@dataclass
class Runtime:
    settings: Settings
    helpdesk: Helpdesk
    queue: QueueStore
    runner: Runners
    queue_db: Database
    search: SearchDb
    ingest: IngestRuntime | None = None
    analytics: AnalyticsDb | None = None
    tokens: TokenCache = field(default_factory=TokenCache)
    sessions: Sessions | None = None
    background: list[Background] = field(default_factory=list)

    def start(self) -> None:
        """Catches the views up before serving, then follows the log in the background; on a
        full disk it serves the views as they are, and they follow once there is room."""
        if self.settings.run_projections:
            self.runner.catch_up_unless_full()
            self.runner.start()
            if self.ingest is not None:
                self.ingest.start()
        for service in self.background:
            service.start()

    def close(self) -> None:
        for service in self.background:
            service.stop()
        self.runner.stop()
        if self.ingest is not None:
            self.ingest.close()
        self.queue_db.close()
        if self.analytics is not None:
            self.analytics.close()
        self.search.close()
        self.helpdesk.close()


VIEWS_PACE = 0.05
"""Seconds the queue, intake and search views wait to gather a burst of events into one batch.
Each batch costs a transaction per view; under a burst of webhooks, batching per command took
a third of the server's time. A reader asking for `min_position` cuts the wait short."""


def open_helpdesk(settings: Settings, clock: Callable[[], datetime] = system_clock) -> Helpdesk:
    """The event store alone, with the aggregates in hand bounded by bytes: what CLI commands
    use beside a running server (views are its), the relay and its helper process."""
    return Helpdesk(
        store_env(settings), clock=clock, positions=event_positions, cache=aggregate_cache(settings)
    )


def ingest_target(settings: Settings) -> str | Path:
    """The PostgreSQL URL in scaled mode, else a SQLite file in the data dir."""
    return settings.postgres_url or settings.data_dir / "ingest.sqlite"


def build(settings: Settings, clock: Callable[[], datetime] = system_clock) -> Runtime:
    secure(settings.data_dir)
    limit_sqlite_heap(settings.sqlite_memory_mb)
    helpdesk = open_helpdesk(settings, clock)
    queue_db = open_database(settings.queue_target)
    queue = QueueStore(queue_db)
    ingest_store = open_ingest_store(ingest_target(settings))
    analytics = AnalyticsDb(view_file(settings, ANALYTICS_FILE), settings.duckdb_memory_mb)
    search = SearchDb(search_path(settings))
    log = LocalLog(helpdesk)
    replace_if_leaky(analytics, view_file(settings, SNAPSHOT_NAME))
    snapshots = Snapshotter(analytics, view_file(settings, SNAPSHOT_NAME), head=log.head)
    analytics_projection = AnalyticsProjection(
        analytics, int(settings.history_cache_mb * MIB), after_commit=[snapshots]
    )
    failures = Failures()
    views = Runner(
        log,
        [QueueProjection(queue), ingest_store, SearchProjection(search)],
        coalesce_seconds=VIEWS_PACE,
        failures=failures,
    )
    analytics_runner = Runner(
        log,
        [analytics_projection],
        coalesce_seconds=settings.analytics_pace,
        idle=[snapshots.tick],
        failures=failures,
    )
    runner = Runners([views, analytics_runner], failures)
    ingest = build_ingest(helpdesk, ingest_store, wake=runner.wake, failures=failures)
    background: list[Background] = []
    if settings.kafka_bootstrap:
        from relay.service import RelayService  # only scaled mode needs the Kafka client

        background.append(RelayService(lambda: build_relay(settings, helpdesk)))
    runtime = Runtime(
        settings,
        helpdesk,
        queue,
        runner,
        queue_db,
        search,
        ingest=ingest,
        analytics=analytics,
        background=background,
    )
    runtime.sessions = Sessions(
        helpdesk,
        runtime.tokens,
        session_key(settings.session_key, settings.data_dir),
        settings.session_idle_minutes * 60,
        clock=lambda: clock().timestamp(),
    )
    secure(settings.data_dir)
    return runtime


def open_intake(settings: Settings) -> tuple[Helpdesk, IngestRuntime]:
    """For `deskstream smtp`: intake with its view caught up, so the mail addresses are known."""
    helpdesk = open_helpdesk(settings)
    try:
        store = open_ingest_store(ingest_target(settings))
    except BaseException:
        helpdesk.close()
        raise
    runner = Runner(LocalLog(helpdesk), [store])
    ingest = build_ingest(helpdesk, store, wake=runner.wake, failures=runner.failures)
    try:
        runner.catch_up()
    except BaseException:
        ingest.close()
        helpdesk.close()
        raise
    return helpdesk, ingest


def kafka_bootstrap(settings: Settings) -> str:
    if not settings.kafka_bootstrap:
        raise SettingsError(
            ["DESKSTREAM_KAFKA_BOOTSTRAP is not set; scaled mode needs the broker (host:port)."]
        )
    return settings.kafka_bootstrap


def build_relay(
    settings: Settings, app: Helpdesk, batch_size: int = 5000, helper_process: bool = True
) -> "tuple[Relay, Database]":
    """With `helper_process`, a second process reads and encodes the log (two cores, twice as fast)."""
    from relay.position import RelayPosition
    from relay.reader import InlineReader, ProcessReader
    from relay.relay import Relay

    bootstrap = kafka_bootstrap(settings)
    db = open_database(settings.relay_target)
    reader = (
        ProcessReader(settings, batch_size, open_helpdesk)
        if helper_process
        else InlineReader(app, batch_size)
    )
    relay = Relay(
        app,
        RelayPosition(db, settings.kafka_topic),
        bootstrap,
        settings.kafka_topic,
        partitions=settings.kafka_partitions,
        batch_size=batch_size,
        reader=reader,
    )
    return relay, db


def open_kafka_views(settings: Settings, names: Sequence[str]) -> "KafkaViews":
    """The chosen views of a Kafka-fed projector. The queue database is always opened: it holds
    the offset hints (`kafka_offsets`)."""
    from api.kafka_views import KafkaViews

    secure(settings.data_dir)
    db = open_database(settings.queue_target)
    closers: list[Callable[[], None]] = []
    try:
        queue = [QueueProjection(QueueStore(db))] if "queue" in names else []
        analytics = kafka_analytics(settings, closers) if "analytics" in names else None
        search = [kafka_search(settings, closers)] if "search" in names else []
    except BaseException:
        for close in reversed(closers):
            close()
        db.close()
        raise
    if analytics is None:
        return KafkaViews(db, [*queue, *search], closers=closers)
    projection, snapshot_path, snapshots = analytics
    return KafkaViews(
        db,
        [*queue, projection, *search],
        analytics=projection.db,
        snapshot_path=snapshot_path,
        closers=closers,
        idle=[snapshots.tick],
    )


def kafka_analytics(
    settings: Settings, closers: list[Callable[[], None]]
) -> tuple[AnalyticsProjection, Path, Snapshotter]:
    """With the same periodic snapshot as embedded mode: DuckDB lets no other process read the file."""
    db = AnalyticsDb(view_file(settings, ANALYTICS_FILE))
    closers.append(db.close)
    snapshot_path = view_file(settings, SNAPSHOT_NAME)
    snapshots = Snapshotter(db, snapshot_path)
    return AnalyticsProjection(db, after_commit=[snapshots]), snapshot_path, snapshots


def kafka_search(settings: Settings, closers: list[Callable[[], None]]) -> SearchProjection:
    db = SearchDb(search_path(settings))
    closers.append(db.close)
    return SearchProjection(db)


def open_feed(settings: Settings, views: "KafkaViews", batch_size: int) -> "KafkaFeed":
    """The topic's consumer, feeding `views`, with their idle upkeep and their offset hints."""
    from projections.kafka_source import KafkaFeed, OffsetHints

    return KafkaFeed(
        kafka_bootstrap(settings),
        settings.kafka_topic,
        views.projections,
        batch_size=batch_size,
        hints=OffsetHints(views.db),
        idle=views.idle,
    )
