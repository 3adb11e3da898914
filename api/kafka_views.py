"""The views a Kafka-fed projector keeps, in its own data directory.

The same files, names and projection classes as embedded mode (api/bootstrap.py), so that an
analyst or a test can open a Kafka-fed view exactly as they would open the embedded one.
"""

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from api.bootstrap import search_path, view_file
from api.data_dir import secure
from api.settings import Settings
from projections.analytics import AnalyticsDb, AnalyticsProjection
from projections.duckdb_snapshot import SNAPSHOT_NAME, Snapshotter, take_snapshot
from projections.queue_projection import QueueProjection
from projections.queue_store import QueueStore
from projections.runner import Projection
from projections.search_projection import SearchProjection
from projections.search_store import SearchDb
from projections.sql import Database, open_database

VIEWS = ("queue", "analytics", "search")
ANALYTICS_FILE = "analytics.duckdb"


def parse_views(text: str) -> tuple[str, ...]:
    """`all`, or names separated by commas; an unknown name is refused before anything opens."""
    if text.strip() == "all":
        return VIEWS
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    unknown = sorted(set(names) - set(VIEWS))
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"views are {', '.join(VIEWS)} or all; got {text!r}")
    return names


@dataclass
class KafkaViews:
    """The chosen views' projections, and the database that also keeps the Kafka offset hints."""

    db: Database
    projections: list[Projection] = field(default_factory=list)
    analytics: AnalyticsDb | None = None
    snapshot_path: Path | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)
    idle: list[Callable[[], None]] = field(default_factory=list)
    """For the feed to run while it idles (the analytics snapshot's time-driven refresh)."""

    def snapshot(self) -> int | None:
        """A fresh analysts' copy after a catch-up or rebuild: a one-shot run leaves one behind."""
        if self.analytics is None or self.snapshot_path is None:
            return None
        return take_snapshot(self.analytics, self.snapshot_path)

    def close(self) -> None:
        for close in reversed(self.closers):
            close()
        self.db.close()


def open_views(settings: Settings, names: Sequence[str]) -> KafkaViews:
    """The queue database is always opened: it holds the offset hints (`kafka_offsets`)."""
    secure(settings.data_dir)
    views = KafkaViews(open_database(settings.queue_target))
    try:
        for name in VIEWS:
            if name in names:
                OPENERS[name](settings, views)
    except BaseException:
        views.close()
        raise
    return views


def add_queue(_: Settings, views: KafkaViews) -> None:
    views.projections.append(QueueProjection(QueueStore(views.db)))


def add_analytics(settings: Settings, views: KafkaViews) -> None:
    """With the same periodic snapshot as embedded mode: DuckDB lets no other process read the file."""
    db = AnalyticsDb(view_file(settings, ANALYTICS_FILE))
    views.closers.append(db.close)
    projection = AnalyticsProjection(db)
    views.snapshot_path = view_file(settings, SNAPSHOT_NAME)
    snapshots = Snapshotter(db, views.snapshot_path)
    projection.after_commit.append(snapshots)
    views.idle.append(snapshots.tick)
    views.analytics = db
    views.projections.append(projection)


def add_search(settings: Settings, views: KafkaViews) -> None:
    db = SearchDb(search_path(settings))
    views.closers.append(db.close)
    views.projections.append(SearchProjection(db))


OPENERS: dict[str, Callable[[Settings, KafkaViews], None]] = {
    "queue": add_queue,
    "analytics": add_analytics,
    "search": add_search,
}
