"""The data directory is private to the service's user: 0700, and every file in it 0600.

It holds the event log (with channel secrets until they move out of it), customers' messages
and the views. The CLI sets a umask of 0o077 at start, so every file the store, SQLite (-wal,
-shm) or DuckDB (.wal) creates later is private too; `secure` tightens a directory an earlier
version made world-readable, and whatever was created in it before the umask applied.
"""

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600


def private_umask() -> None:
    """For the process's entry point: new files 0600, new directories 0700."""
    os.umask(PRIVATE_UMASK)


def secure(data_dir: Path) -> None:
    """Creates the directory 0700 if missing; tightens it and everything under it."""
    data_dir.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    tighten(data_dir, DIR_MODE)
    for root, dirs, files in os.walk(data_dir):
        for name in dirs:
            tighten(Path(root) / name, DIR_MODE)
        for name in files:
            tighten(Path(root) / name, FILE_MODE)


def tighten(path: Path, mode: int) -> None:
    """Takes group and other permissions away (never adds any); a file gone meanwhile is fine,
    and one owned by another user is logged, not fatal (the service still starts)."""
    try:
        current = stat.S_IMODE(path.lstat().st_mode)
        if path.is_symlink() or (current & ~mode) == 0:
            return
        path.chmod(current & mode)
    except FileNotFoundError:
        return
    except PermissionError:
        log.warning("%s is not ours to make private (mode %o expected); fix it by hand", path, mode)
