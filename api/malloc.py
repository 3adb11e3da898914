"""The C allocator's share of a long-running server's memory.

glibc gives each thread that allocates its own arena (up to eight per core), and an arena keeps
the pages of what was freed in it. The server's threads (uvicorn's worker pool, the projection
runners, DuckDB's and SQLite's own) each filled one, so RSS kept rising by tens of MiB long after
every cache had reached its bound. Two arenas hold it level, at no measurable cost to throughput
here; `trim` hands back to the system what the arenas hold free.
"""

import ctypes
import ctypes.util
import logging
import os

log = logging.getLogger(__name__)

M_ARENA_MAX = -8
ARENAS = 2


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


LIBC = _libc()


def limit_arenas() -> None:
    """For the process's entry point, before any thread starts; MALLOC_ARENA_MAX still decides."""
    if LIBC is None or "MALLOC_ARENA_MAX" in os.environ:
        return
    if not LIBC.mallopt(M_ARENA_MAX, ARENAS):
        log.warning("the C library refused to limit its arenas; memory may grow with threads")


def trim() -> None:
    """Returns the allocator's free pages to the system (glibc only; elsewhere nothing to do)."""
    if LIBC is not None:
        LIBC.malloc_trim(0)
