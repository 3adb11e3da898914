"""Telling "the disk is full" apart from every other storage failure, whatever the engine.

A full disk is an operating condition, not a bug: writes wait for space (507 to clients, views
paused) and resume by themselves when it returns. The libraries report it in their own ways, and
the event library wraps the driver's error, so the whole chain of causes is looked at.
"""

import errno
import shutil
import sqlite3
from pathlib import Path

SQLITE_FULL = 13
POSTGRES_DISK_FULL = "53100"
NO_SPACE = (errno.ENOSPC, errno.EDQUOT)
MESSAGES = ("database or disk is full", "no space left on device", "disk full")


def is_disk_full(exc: BaseException | None) -> bool:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if says_disk_full(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def says_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in NO_SPACE:
        return True
    if isinstance(exc, sqlite3.Error) and getattr(exc, "sqlite_errorcode", None) == SQLITE_FULL:
        return True
    if getattr(exc, "sqlstate", None) == POSTGRES_DISK_FULL:  # psycopg.errors.DiskFull
        return True
    text = str(exc).lower()
    return any(message in text for message in MESSAGES)


def has_room(path: Path, needed: int) -> bool:
    """Whether the file system holding `path` has `needed` bytes free (False if it cannot tell)."""
    try:
        return shutil.disk_usage(path).free >= needed
    except OSError:
        return False
