"""The composition root: builds the application, its read models and their runner."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from api.settings import Settings
from api.store import event_positions, store_env
from domain.helpdesk import Helpdesk
from projections.analytics import AnalyticsDb, AnalyticsProjection
from projections.duckdb_snapshot import SNAPSHOT_NAME, Snapshotter
from projections.local_log import LocalLog
from projections.queue_projection import QueueProjection
from projections.queue_store import QueueStore
from projections.runner import Runner
from projections.sql import Database, open_database


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    helpdesk: Helpdesk
    queue: QueueStore
    runner: Runner
    queue_db: Database
    analytics: AnalyticsDb | None = None

    def start(self) -> None:
        """Catches the views up before serving, then follows the log in the background."""
        self.runner.catch_up()
        if self.settings.run_projections:
            self.runner.start()

    def close(self) -> None:
        self.runner.stop()
        self.queue_db.close()
        if self.analytics is not None:
            self.analytics.close()
        self.helpdesk.close()


def build(settings: Settings, clock: Callable[[], datetime] = system_clock) -> Runtime:
    helpdesk = Helpdesk(store_env(settings), clock=clock, positions=event_positions)
    queue_db = open_database(settings.queue_target)
    queue = QueueStore(queue_db)
    analytics = AnalyticsDb(settings.data_dir / "analytics.duckdb")
    analytics_projection = AnalyticsProjection(analytics)
    analytics_projection.after_commit.append(Snapshotter(analytics, settings.data_dir / SNAPSHOT_NAME))
    runner = Runner(LocalLog(helpdesk), [QueueProjection(queue), analytics_projection])
    return Runtime(settings, helpdesk, queue, runner, queue_db, analytics)
