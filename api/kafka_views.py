"""The views a Kafka-fed projector keeps, in its own data directory; the composition root
(api/bootstrap.py `open_kafka_views`) opens them.

The same files, names and projection classes as embedded mode, so that an analyst or a test can
open a Kafka-fed view exactly as they would open the embedded one.
"""

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from api.view_files import ANALYTICS_FILE
from projections.analytics import AnalyticsDb
from projections.duckdb_snapshot import take_snapshot
from projections.runner import Projection
from projections.sql import Database

__all__ = ["ANALYTICS_FILE", "VIEWS", "KafkaViews", "parse_views"]

VIEWS = ("queue", "analytics", "search")


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
