"""How the background loops report a failure they keep retrying: once, not once per retry.

The projection runners and the outbox retry a failed pass every second. Logging each retry buried the first,
useful report under a traceback a second; a full disk, which stops every view at once, is one line
for all of them, and another when they advance again.
"""

import logging
import threading

from projections.disk_space import is_disk_full

log = logging.getLogger("projections")
DISK_FULL = "the disk is full"


class Failures:
    """What each loop is failing with now, shared by the loops of one process. The end of a
    failure is a warning too: it is what the reader of the first line waits for."""

    def __init__(self) -> None:
        self._current: dict[str, str] = {}
        self._lock = threading.Lock()

    def failed(self, who: str, exc: BaseException) -> None:
        full = is_disk_full(exc)
        summary = DISK_FULL if full else f"{type(exc).__name__}: {exc}"
        with self._lock:
            if self._current.get(who) == summary:
                return
            others_full = DISK_FULL in self._current.values()
            self._current[who] = summary
        if not full:
            log.error("%s failed; retrying every second until it works: %s", who, summary, exc_info=exc)
        elif not others_full:
            log.warning(
                "%s: the views are read-only and stop advancing (replies to send wait too), reads "
                "go on; all of it catches up by itself when there is room again",
                DISK_FULL,
            )

    def recovered(self, who: str) -> None:
        with self._lock:
            summary = self._current.pop(who, None)
            if summary is None:
                return
            still_full = DISK_FULL in self._current.values()
        if summary != DISK_FULL:
            log.warning("%s works again (it failed with %s)", who, summary)
        elif not still_full:
            log.warning("there is room on the disk again: the views are catching up")

    @property
    def disk_full(self) -> bool:
        with self._lock:
            return DISK_FULL in self._current.values()
