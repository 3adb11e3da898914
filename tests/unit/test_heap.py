"""The server's heap keeping: settled objects leave the collector's walks; a refresh reclaims cycles."""

import asyncio
import gc
import weakref
from collections.abc import Iterator

import pytest

from api import heap


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def cycle() -> weakref.ref[Node]:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    yield
    gc.unfreeze()


def test_settle_freezes_what_lives_and_collects_young_cycles_first() -> None:
    young = cycle()
    heap.settle()
    assert young() is None  # unreachable before the freeze: collected, not frozen
    assert gc.get_freeze_count() > 0


def test_a_cycle_that_dies_after_a_freeze_is_reclaimed_by_the_refresh() -> None:
    keep = [Node(), Node()]
    keep[0].other, keep[1].other = keep[1], keep[0]
    frozen = weakref.ref(keep[0])
    heap.settle()
    del keep
    gc.collect()
    assert frozen() is not None  # frozen: the collector no longer sees it
    heap.refresh()
    assert frozen() is None
    assert gc.get_freeze_count() > 0


def test_the_keeper_settles_on_its_period_and_thaws_when_the_server_stops() -> None:
    async def serve_briefly() -> int:
        async with heap.kept():
            gc.unfreeze()
            task = asyncio.create_task(heap.keep(settle_seconds=0.01))
            await asyncio.sleep(0.05)
            task.cancel()
            frozen_while_serving = gc.get_freeze_count()
        return frozen_while_serving

    assert asyncio.run(serve_briefly()) > 0
    assert gc.get_freeze_count() == 0
