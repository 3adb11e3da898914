"""Keeps Python's cyclic garbage collector off the request path of a long-running server.

A full collection walks every tracked object while holding the interpreter. In the server that
is the imported libraries and, as it runs, the event library's aggregate cache and the analytics
projection's ticket cache: millions of objects, so every full pass stalled all requests by tens
to hundreds of milliseconds (seen as the HTTP p99). Objects that have lived a while are moved
into the collector's permanent generation, which it never walks; reference counting still frees
them. A cycle that becomes garbage after being frozen would stay until the next refresh, which
unfreezes and collects everything once every few hours.
"""

import asyncio
import contextlib
import gc
import time
from collections.abc import AsyncIterator

from api import malloc
from projections.collector import settle

SETTLE_SECONDS = 60.0
REFRESH_SECONDS = 6 * 3600.0


def refresh() -> None:
    """The rare full pass: frozen cycles that became garbage are reclaimed, the rest refrozen."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


async def keep(settle_seconds: float = SETTLE_SECONDS, refresh_seconds: float = REFRESH_SECONDS) -> None:
    last_refresh = time.monotonic()
    while True:
        await asyncio.sleep(settle_seconds)
        if time.monotonic() - last_refresh >= refresh_seconds:
            refresh()
            last_refresh = time.monotonic()
        else:
            settle()
        malloc.trim()


@contextlib.asynccontextmanager
async def kept() -> AsyncIterator[None]:
    """For a server's lifespan: everything alive after start-up is frozen at once, then kept so."""
    refresh()
    task = asyncio.create_task(keep())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        gc.unfreeze()  # the interpreter's last collection at exit finds them
