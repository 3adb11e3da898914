"""A runner with nothing to read runs its idle upkeep, and a failing hook does not stop it."""

import threading

from projections.runner import Runner
from tests.unit.test_collector import Folding, Log


def test_idle_hooks_run_while_nothing_is_new_and_survive_a_failure() -> None:
    calls: list[int] = []
    twice = threading.Event()

    def hook() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a snapshot failed")
        twice.set()

    runner = Runner(Log(3), [Folding()], idle_seconds=0.01)
    runner.idle.append(hook)
    runner.start()
    try:
        assert twice.wait(5), "the hook ran again after failing"
        assert runner.position() == 3  # it read what there was before idling
    finally:
        runner.stop()
