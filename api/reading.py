"""Read-your-writes: a query can ask to see the views at least at the position a command returned.

Waiting used to hold one of the server's worker threads for up to `min_position_timeout`, and any
caller could ask for a position the log will never reach: 48 such requests starved every reader.
Now a position past the log's head is refused at once, the wait is a coroutine that holds no
thread, and waiters are counted, so too many at once get a 503 instead of a queue.
"""

import asyncio
import time
from collections.abc import Collection
from typing import Annotated

from anyio import to_thread
from fastapi import Query

from api.auth import RuntimeDep
from api.bootstrap import Runtime
from api.errors import ApiError

POLL_SECONDS = 0.01
MIN_POSITION = (
    "Wait (up to a few seconds) until the views have applied this log position, e.g. the `position` "
    "a command returned. A position past the log's last event is refused with 422."
)
MinPosition = Annotated[int, Query(ge=0, le=2**62, description=MIN_POSITION)]


class Waiters:
    """How many readers are waiting now; one counter per process."""

    count = 0


async def views_at(runtime: Runtime, position: int, views: Collection[str]) -> None:
    """Returns once the named views reached `position`, or when the timeout runs out (the reader
    then gets what the views hold, with their position, as before)."""
    if not position or await known_position(runtime, views) >= position:
        return
    head = await to_thread.run_sync(runtime.helpdesk.recorder.max_notification_id)
    if position > (head or 0):
        raise ApiError(
            422,
            "position_ahead_of_log",
            f"min_position {position} is past the log's last event ({head or 0}).",
        )
    if Waiters.count >= runtime.settings.max_waiting_readers:
        raise ApiError(503, "too_many_waiters", "Too many readers are waiting for the views; retry shortly.")
    Waiters.count += 1
    try:
        await wait(runtime, position, views)
    finally:
        Waiters.count -= 1


async def wait(runtime: Runtime, position: int, views: Collection[str]) -> None:
    deadline = time.monotonic() + runtime.settings.min_position_timeout
    while time.monotonic() < deadline:
        runtime.runner.hurry(views)
        await asyncio.sleep(POLL_SECONDS)
        if await known_position(runtime, views) >= position:
            return


async def known_position(runtime: Runtime, views: Collection[str]) -> int:
    """Free when this process runs the views; a query (off the event loop) when another does."""
    if runtime.runner.following(views):
        return runtime.runner.position(views)
    return await to_thread.run_sync(runtime.runner.position, views)


class ViewsAt:
    """A dependency: `Depends(ViewsAt("queue"))` makes a route wait for those views first."""

    def __init__(self, *views: str) -> None:
        self.views = views

    async def __call__(self, runtime: RuntimeDep, min_position: MinPosition = 0) -> int:
        await views_at(runtime, min_position, self.views)
        return min_position
