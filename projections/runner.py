"""Keeps projections up to date with a source of events, on a background thread."""

import threading
from collections.abc import Callable, Collection, Sequence
from typing import Protocol

from projections import collector
from projections.disk_space import is_disk_full
from projections.failures import Failures
from projections.records import EventRecord


class Projection(Protocol):
    name: str

    def position(self, source: str) -> int: ...

    def apply(self, records: Sequence[EventRecord], source: str) -> int: ...

    def reset(self) -> None: ...


class Source(Protocol):
    name: str

    def read(self, after: int, limit: int) -> list[EventRecord]: ...

    def head(self) -> int: ...


class Runner:
    """Polls the source (SQLite cannot push), but a local command can wake it at once."""

    def __init__(
        self,
        source: Source,
        projections: Sequence[Projection],
        batch_size: int = 2000,
        idle_seconds: float = 0.25,
        coalesce_seconds: float = 0.005,
        idle: Sequence[Callable[[], None]] = (),
        failures: Failures | None = None,
    ) -> None:
        self.source = source
        self.projections = list(projections)
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self.coalesce_seconds = coalesce_seconds
        self._wake = threading.Event()
        self._urgent = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._known: int | None = None
        self.idle: list[Callable[[], None]] = list(idle)
        """Run on the runner's thread when a poll finds nothing new (time-driven upkeep of a view)."""
        self.name = ", ".join(p.name for p in self.projections)
        self.failures = failures if failures is not None else Failures()

    def position(self) -> int:
        """The position every projection has reached; remembered, as only this runner moves it."""
        if self._known is None or not self.running:
            self._known = min(p.position(self.source.name) for p in self.projections)
        return self._known

    def forget_position(self) -> None:
        """Another runner moved this one's projections; read their positions afresh."""
        self._known = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def step(self) -> int:
        """Reads one batch and applies it to every projection; returns how many records it read."""
        start = self.position()
        with collector.paused():
            records = self.source.read(start, self.batch_size)
            try:
                for projection in self.projections:
                    projection.apply(records, self.source.name)
            except BaseException:
                self._known = None
                raise
        if records:
            self._known = max(start, records[-1].position)
        return len(records)

    def catch_up(
        self, progress: Callable[[int], None] | None = None, between: Callable[[], None] | None = None
    ) -> int:
        total = 0
        while count := self.step():
            total += count
            if progress is not None:
                progress(total)
            if between is not None:
                between()
        return total

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        for projection in self.projections:
            projection.reset()
        self._known = None
        with collector.growing_heap() as settle:
            return self.catch_up(progress, settle)

    def wake(self) -> None:
        self._wake.set()

    def hurry(self) -> None:
        """A reader waits for what is new: apply it now, not at this runner's own pace."""
        self._urgent.set()
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="projections", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._urgent.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def catch_up_unless_full(self) -> None:
        """A full disk stops the views where they are, not the server: the loop retries."""
        try:
            self.catch_up()
        except Exception as exc:
            if not is_disk_full(exc):
                raise
            self.failures.failed(f"views {self.name}", exc)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                count = self.step()
            except Exception as exc:
                self.failures.failed(f"views {self.name}", exc)
                self._stop.wait(1.0)
                continue
            self.failures.recovered(f"views {self.name}")
            if count == 0:
                self._upkeep()
            if count < self.batch_size:
                self._wake.wait(self.idle_seconds)
                self._wake.clear()
                # Under load, commands wake the runner one by one; a pause lets a burst become
                # one batch (one transaction per view). A reader waiting for a position cuts it short.
                self._urgent.wait(self.coalesce_seconds)
                self._urgent.clear()

    def _upkeep(self) -> None:
        for hook in self.idle:
            try:
                hook()
            except Exception as exc:
                self.failures.failed(f"upkeep of {self.name}", exc)
            else:
                self.failures.recovered(f"upkeep of {self.name}")


REBUILD_BATCH = 50_000
"""Events per transaction during a replay: fewer, larger commits; there are no readers to wait."""


class Runners:
    """Runners that share a source but keep their own pace, behind the interface of one.

    A view that is costly per batch (DuckDB) follows at a slower cadence in bigger batches, so it
    does not tax every command, while the queue stays within milliseconds of the log.
    """

    def __init__(self, runners: Sequence[Runner], failures: Failures) -> None:
        """`failures`: the one record the runners were built with, so health sees every one."""
        if any(runner.failures is not failures for runner in runners):
            raise ValueError("Runners must share the failures they are reported under.")
        self.runners = list(runners)
        self.source = self.runners[0].source
        self.failures = failures

    @property
    def projections(self) -> list[Projection]:
        return [p for r in self.runners for p in r.projections]

    def set_batch_size(self, size: int) -> None:
        for runner in self.runners:
            runner.batch_size = size

    def position(self, views: Collection[str] = ()) -> int:
        """How far the named projections (all of them if none are named) have read."""
        return min(r.position() for r in self._serving(views))

    def _serving(self, views: Collection[str]) -> list[Runner]:
        return [r for r in self.runners if not views or any(p.name in views for p in r.projections)]

    def step(self) -> int:
        return max(r.step() for r in self.runners)

    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        return max(r.catch_up(progress) for r in self.runners)

    def catch_up_unless_full(self) -> None:
        for runner in self.runners:
            runner.catch_up_unless_full()

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """One pass over the log for every projection: a replay reads and decodes each event once."""
        batch = max(REBUILD_BATCH, *(r.batch_size for r in self.runners))
        together = Runner(self.source, self.projections, batch_size=batch)
        count = together.rebuild(progress)
        for runner in self.runners:
            runner.forget_position()
        return count

    def wake(self) -> None:
        for runner in self.runners:
            runner.wake()

    def hurry(self, views: Collection[str] = ()) -> None:
        for runner in self._serving(views):
            runner.hurry()

    def following(self, views: Collection[str] = ()) -> bool:
        """True when this process runs the named views, so their position is known without a query."""
        return all(runner.running for runner in self._serving(views))

    def start(self) -> None:
        for runner in self.runners:
            runner.start()

    def stop(self) -> None:
        for runner in self.runners:
            runner.stop()
