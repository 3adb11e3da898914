"""Consistent copies of the analytics DuckDB for analysts.

DuckDB lets one process hold the file for writing, and while it does no other process may open
it, not even read-only. So the process that projects writes a snapshot beside it (every
`every` log positions) — a complete DuckDB file whose `tracking` table says which log position
and record time it includes — and `deskstream analytics snapshot --to FILE` copies the newest
one when the service is running, or takes a fresh one when it is not.
"""

import os
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from projections.analytics import AnalyticsDb
from projections.analytics_secrets import holds_secrets

SNAPSHOT_NAME = "analytics-snapshot.duckdb"


def take_snapshot(db: AnalyticsDb, target: Path) -> int:
    """Copies every table into `target` atomically (temp file, then rename); returns its position."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(target.name + ".tmp")
    leftovers = (temp, temp.with_name(temp.name + ".wal"))
    for leftover in leftovers:
        leftover.unlink(missing_ok=True)
    try:
        with db.transaction() as cur:
            source = cur.execute("SELECT current_database()").fetchall()[0][0]
            cur.execute(f"ATTACH '{temp}' AS snapshot_target")
            try:
                cur.execute(f'COPY FROM DATABASE "{source}" TO snapshot_target')
                position = cur.execute("SELECT coalesce(max(position), 0) FROM tracking").fetchall()[0][0]
            finally:
                cur.commit()
                cur.execute("DETACH snapshot_target")
                cur.begin()
    except BaseException:
        for leftover in leftovers:  # a half copy must not keep a full disk full
            leftover.unlink(missing_ok=True)
        raise
    os.replace(temp, target)
    return int(position)


def replace_if_leaky(db: AnalyticsDb, target: Path) -> bool:
    """At start: a snapshot an earlier version wrote may hold channel secrets; a fresh one, taken
    from the scrubbed database, replaces it at once (not at the first commit: a quiet service
    would keep serving the old file to analysts)."""
    if not holds_secrets(Path(target)):
        return False
    take_snapshot(db, Path(target))
    return True


class Snapshotter:
    """An after-commit hook of the analytics projection: a fresh snapshot every `every` positions,
    or `interval` seconds after the last one when anything is new (the first commit takes one at
    once), but no sooner than `share`⁻¹ times as long as the last one took after it.

    A snapshot copies the whole file (seconds per million events), so during a replay or a
    catch-up a snapshot every 100,000 positions would cost more than the projection itself
    (quadratically: each copy is bigger). The pause keeps snapshots under ~`share` of the
    projector's time. The interval keeps a quiet service's copy fresh: `tick`, run while the
    projector idles, takes the one a commit found too early. While the projection is more than
    `every` positions behind the log's `head` (a replay, a catch-up after downtime) it takes none:
    such a copy would hold less than the previous one.
    """

    def __init__(
        self,
        db: AnalyticsDb,
        target: Path,
        every: int = 100_000,
        share: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
        head: Callable[[], int] | None = None,
        interval: float = 60.0,
    ) -> None:
        self.db, self.target, self.every, self.share, self.clock = db, target, every, share, clock
        self.head, self.interval = head, interval
        self.last = 0
        self.seen = 0
        self.taken_at = float("-inf")
        self.next_time = float("-inf")

    def __call__(self, position: int) -> None:
        self.seen = max(self.seen, position)
        self.tick()

    def tick(self) -> None:
        if self.due():
            started = self.clock()
            self.last = take_snapshot(self.db, self.target)
            took = self.clock() - started
            self.taken_at = started
            self.next_time = started + took + took / self.share

    def due(self) -> bool:
        now = self.clock()
        if self.seen <= self.last or now < self.next_time:
            return False
        if self.head is not None and self.head() - self.seen > self.every:
            return False
        return self.seen - self.last >= self.every or now - self.taken_at >= self.interval


def snapshot_position(path: Path) -> int | None:
    """The log position a snapshot file holds (None for one with no tracked source)."""
    found = duckdb.connect(str(path), read_only=True)
    try:
        position: int | None = found.execute("SELECT max(position) FROM tracking").fetchall()[0][0]
        return position
    finally:
        found.close()
