"""The composition root: builds the application, its read models and their runner."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from api.clock import system_clock
from api.data_dir import secure
from api.settings import Settings
from api.store import aggregate_cache, event_positions, store_env
from api.token_cache import TokenCache
from application.helpdesk import Helpdesk
from ingest.runtime import IngestRuntime, build_ingest
from projections.analytics import AnalyticsDb, AnalyticsProjection
from projections.byte_budget import MIB
from projections.duckdb_snapshot import SNAPSHOT_NAME, Snapshotter, replace_if_leaky
from projections.local_log import LocalLog
from projections.queue_projection import QueueProjection
from projections.queue_store import QueueStore
from projections.runner import Runner, Runners
from projections.search_projection import SearchProjection
from projections.search_store import SearchDb
from projections.sql import Database, open_database


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
    """The event store alone: what CLI commands use beside a running server (views are its)."""
    helpdesk = Helpdesk(store_env(settings), clock=clock, positions=event_positions)
    helpdesk.repository.cache = aggregate_cache(settings)
    return helpdesk


def build(settings: Settings, clock: Callable[[], datetime] = system_clock) -> Runtime:
    secure(settings.data_dir)
    helpdesk = open_helpdesk(settings, clock)
    queue_db = open_database(settings.queue_target)
    queue = QueueStore(queue_db)
    ingest = build_ingest(settings.postgres_url or settings.data_dir / "ingest.sqlite", helpdesk)
    analytics = AnalyticsDb(view_file(settings, "analytics.duckdb"), settings.duckdb_memory_mb)
    analytics_projection = AnalyticsProjection(analytics, int(settings.history_cache_mb * MIB))
    search = SearchDb(search_path(settings))
    log = LocalLog(helpdesk)
    replace_if_leaky(analytics, view_file(settings, SNAPSHOT_NAME))
    snapshots = Snapshotter(analytics, view_file(settings, SNAPSHOT_NAME), head=log.head)
    analytics_projection.after_commit.append(snapshots)
    views = Runner(
        log, [QueueProjection(queue), ingest.store, SearchProjection(search)], coalesce_seconds=VIEWS_PACE
    )
    analytics_runner = Runner(log, [analytics_projection], coalesce_seconds=settings.analytics_pace)
    analytics_runner.idle.append(snapshots.tick)
    runner = Runners([views, analytics_runner])
    ingest.service.wake = runner.wake
    ingest.outbox.failures = runner.failures
    runtime = Runtime(settings, helpdesk, queue, runner, queue_db, search, ingest=ingest, analytics=analytics)
    if settings.kafka_bootstrap:
        from relay.service import RelayService  # only scaled mode needs the Kafka client

        runtime.background.append(RelayService(settings, helpdesk))
    secure(settings.data_dir)
    return runtime


def view_file(settings: Settings, name: str) -> Path:
    """Where a view kept in a local file lives: the data dir, even in PostgreSQL mode (FTS5 is
    SQLite's, the analytic tables DuckDB's).

    In PostgreSQL mode the name carries a digest of the database URL, so that two event stores
    never share a view file (its tracked position belongs to one log).
    """
    if settings.postgres_url is None:
        return settings.data_dir / name
    digest = hashlib.sha256(settings.postgres_url.encode()).hexdigest()[:12]
    path = Path(name)
    return settings.data_dir / f"{path.stem}-{digest}{path.suffix}"


def search_path(settings: Settings) -> Path:
    return view_file(settings, "search.sqlite")
