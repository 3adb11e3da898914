"""Keeps Python's cyclic garbage collector out of the way of batch folds.

A batch of events allocates millions of small objects (decoded states, records, facts, rows)
that all live until the batch ends or stay in a projection's cache, so collector passes during
it find nothing to free but walk the whole heap again and again: a fifth to a third of a
replay's time. Reference counting still frees everything as usual.
"""

import contextlib
import gc
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No collector passes inside; nested use is harmless (the outermost one re-enables)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextlib.contextmanager
def growing_heap() -> Iterator[Callable[[], None]]:
    """For a replay, whose projections' caches grow batch after batch: no automatic passes at
    all; the callable given, run between batches, collects only what that batch left young
    (short-lived cycles die there) and moves the survivors out of the collector's walks. The end
    puts them all back, so a cycle that became garbage meanwhile is found by the next full pass
    (in a server, its heap keeping freezes the survivors again)."""
    with paused():
        try:
            yield settle
        finally:
            gc.unfreeze()


def settle() -> None:
    gc.collect(1)
    gc.freeze()
