"""Replays keep the cyclic collector out of their batches, yet leave no garbage cycle behind."""

import gc
import weakref
from collections.abc import Sequence

from projections import collector
from projections.records import EventRecord
from projections.runner import Runner
from tests.unit.test_heap import Node, cycle


class Log:
    """A source of numbered records, `total` of them."""

    name = "log"

    def __init__(self, total: int) -> None:
        self.total = total

    def read(self, after: int, limit: int) -> list[EventRecord]:
        return [record(p) for p in range(after + 1, min(self.total, after + limit) + 1)]

    def head(self) -> int:
        return self.total


def record(position: int) -> EventRecord:
    return EventRecord(position, "t", "Ticket", position, "NoteAdded", None, None, "a", {})  # type: ignore[arg-type]


class Folding:
    """Keeps every batch (a growing cache) and leaves one garbage cycle per batch."""

    name = "folding"

    def __init__(self) -> None:
        self.kept: list[Sequence[EventRecord]] = []
        self.dropped: list[weakref.ref[Node]] = []
        self.collector_on: list[bool] = []
        self.at = 0

    def position(self, source: str) -> int:
        return self.at

    def apply(self, records: Sequence[EventRecord], source: str) -> int:
        self.collector_on.append(gc.isenabled())
        self.kept.append(records)
        self.dropped.append(cycle())
        self.at = records[-1].position if records else self.at
        return len(records)

    def reset(self) -> None:
        self.kept, self.at = [], 0


def test_a_replay_runs_its_batches_without_collector_passes_and_leaves_it_as_it_was() -> None:
    view = Folding()
    assert Runner(Log(10), [view], batch_size=3).rebuild() == 10
    assert view.collector_on and not any(view.collector_on)
    assert [r.position for batch in view.kept for r in batch] == list(range(1, 11))
    *between_batches, after_last = view.dropped
    assert all(dead() is None for dead in between_batches)  # collected young, never frozen
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert after_last() is None


def test_a_live_step_pauses_the_collector_only_for_its_batch() -> None:
    view = Folding()
    runner = Runner(Log(4), [view], batch_size=10)
    assert runner.step() == 4
    assert view.collector_on == [False]
    assert gc.isenabled()


def test_pausing_nests_and_the_outermost_pause_reenables() -> None:
    with collector.paused():
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
