"""Keeps projections up to date with a source of events, on a background thread."""

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from projections.records import EventRecord

log = logging.getLogger(__name__)


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
    ) -> None:
        self.source = source
        self.projections = list(projections)
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self.coalesce_seconds = coalesce_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._progress = threading.Condition()
        self._thread: threading.Thread | None = None

    def position(self) -> int:
        return min(p.position(self.source.name) for p in self.projections)

    def step(self) -> int:
        """Reads one batch and applies it to every projection; returns how many records it read."""
        records = self.source.read(self.position(), self.batch_size)
        for projection in self.projections:
            projection.apply(records, self.source.name)
        if records:
            with self._progress:
                self._progress.notify_all()
        return len(records)

    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        total = 0
        while count := self.step():
            total += count
            if progress is not None:
                progress(total)
        return total

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        for projection in self.projections:
            projection.reset()
        return self.catch_up(progress)

    def wake(self) -> None:
        self._wake.set()

    def wait_for(self, position: int, timeout: float) -> bool:
        """True once every projection has applied `position` (read-your-writes)."""
        deadline = time.monotonic() + timeout
        with self._progress:
            while self.position() < position:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.wake()
                self._progress.wait(min(remaining, 0.05))
        return True

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="projections", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                count = self.step()
            except Exception:
                log.exception("projection batch failed; retrying after a pause")
                self._stop.wait(1.0)
                continue
            if count < self.batch_size:
                self._wake.wait(self.idle_seconds)
                self._wake.clear()
                # Under load, commands wake the runner one by one; a short pause lets a burst
                # become one batch (one transaction per view) instead of one per command.
                self._stop.wait(self.coalesce_seconds)
