"""One bound on SQLite's memory for the whole process, whatever the number of connections.

Every thread of the server's worker pool opens its own connections (event store, queue, search,
ingest), and each connection's page cache grows as the files grow: a soak showed SQLite's heap
rising by 2 MiB a minute long after every other cache had reached its bound. SQLite's soft heap
limit is process-wide: past it, page caches recycle their pages instead of allocating new ones.
It is soft, so a statement that needs more still runs.
"""

import sqlite3

from projections.byte_budget import MIB


def limit_sqlite_heap(mib: float) -> int:
    """Sets the limit for every SQLite connection of this process; answers it in bytes."""
    con = sqlite3.connect(":memory:")
    try:
        con.execute(f"PRAGMA soft_heap_limit={int(mib * MIB)}")
        return int(con.execute("PRAGMA soft_heap_limit").fetchone()[0])
    finally:
        con.close()
