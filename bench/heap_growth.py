"""Where a serving process's memory grows: tracemalloc snapshots diffed while commands arrive.

    python bench/heap_growth.py --minutes 4 --rate 100 --env DESKSTREAM_HISTORY_CACHE_MB=8

Runs the real app (the same `create_app(build(settings))` as `deskstream serve`) under uvicorn in
this process, traced by tracemalloc, and the same clients as bench/soak.py in threads beside it.
Prints, for the second half of the run against the end of the first minute, the lines whose
allocations grew most, the Python heap traced, and RSS: RSS growing while the traced heap stays
flat points at native memory (SQLite, DuckDB, the allocator), not at Python objects.
"""

import argparse
import ctypes
import os
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from bench.soak import Run, client  # noqa: E402
from bench.workload import create_users, free_port, rss_bytes, wait_healthy  # noqa: E402

MIB = 2**20
NOT_THE_SERVER = [tracemalloc.Filter(False, "*/bench/*"), tracemalloc.Filter(False, tracemalloc.__file__)]


class MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def native(runtime: Any) -> str:
    """Memory tracemalloc cannot see (glibc's heap, SQLite's page caches, DuckDB's buffers, Arrow's
    pool) and the caches that hold Python objects, by entries and estimated bytes."""
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2
    info = libc.mallinfo2()
    sqlite = ctypes.CDLL("libsqlite3.so.0")
    used, peak = ctypes.c_int64(), ctypes.c_int64()
    sqlite.sqlite3_status64(0, ctypes.byref(used), ctypes.byref(peak), 0)
    duck = (
        runtime.analytics.cursor().execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchall()
    )
    aggregates = runtime.helpdesk.repository.cache
    history = next(p for r in runtime.runner.runners for p in r.projections if p.name == "analytics")
    return (
        f"RSS {rss_bytes(os.getpid()) / MIB:.0f}; malloc in use {info.uordblks / MIB:.0f}, "
        f"kept free {info.fordblks / MIB:.0f}, mmapped {info.hblkhd / MIB:.0f}; "
        f"SQLite {used.value / MIB:.0f}; DuckDB {int(duck[0][0] or 0) / MIB:.0f}; "
        f"Arrow {pa.total_allocated_bytes() / MIB:.0f}; Python blocks {sys.getallocatedblocks():,}; "
        f"aggregate cache {aggregates.count:,} {aggregates.size / MIB:.0f} MiB; "
        f"history cache {history.cache.count:,} tickets {history.cache.size / MIB:.0f} MiB (all MiB)"
    )


def serve_here(data: Path, port: int) -> Any:
    import uvicorn

    from api.app import create_app
    from api.bootstrap import build
    from api.settings import Settings

    settings = Settings.from_env(data_dir=data, port=port, access_log=False)
    runtime = build(settings)
    config = uvicorn.Config(create_app(runtime), port=port, log_level="warning", access_log=False)
    threading.Thread(target=uvicorn.Server(config).run, daemon=True).start()
    return runtime


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rate", type=int, default=100)
    p.add_argument("--minutes", type=float, default=4.0)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument(
        "--trace", type=int, default=0, help="also diff tracemalloc snapshots: show this many lines"
    )
    p.add_argument(
        "--baseline", type=int, default=1, help="the minute whose snapshot the end is diffed against"
    )
    p.add_argument("--env", action="append", default=[], help="KEY=VALUE set before the app is built")
    opts = p.parse_args()
    os.environ.update(dict(item.split("=", 1) for item in opts.env))
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        tokens = create_users(data)
        port = free_port()
        if opts.trace:
            tracemalloc.start(4)
        runtime = serve_here(data, port)
        wait_healthy(port, None)
        start = time.perf_counter() + 0.2
        run = Run(start, start + opts.minutes * 60, opts.rate)
        clients = [
            threading.Thread(target=client, args=(run, port, tokens, f"c{n}")) for n in range(opts.clients)
        ]
        for t in clients:
            t.start()
        first = None
        for minute in range(1, int(opts.minutes) + 1):
            time.sleep(max(0.0, start + 60 * minute - time.perf_counter()))
            print(f"minute {minute} ({len(run.latencies):,} requests): {native(runtime)}", flush=True)
            if opts.trace and first is None and minute >= opts.baseline:
                first = tracemalloc.take_snapshot().filter_traces(NOT_THE_SERVER)
        for t in clients:
            t.join()
        time.sleep(10)
        print(f"idle 10 s: {native(runtime)}", flush=True)
        if first is not None:
            last = tracemalloc.take_snapshot().filter_traces(NOT_THE_SERVER)
            for stat in last.compare_to(first, "traceback")[: opts.trace]:
                frames = " ← ".join(f"{Path(f.filename).name}:{f.lineno}" for f in reversed(stat.traceback))
                print(f"  {stat.size_diff / 1024:+10.0f} KiB {stat.count_diff:+9,} blocks  {frames}")
        sys.stdout.flush()
        os._exit(0)  # the server thread is a daemon; its lifespan's close is not what is measured


if __name__ == "__main__":
    main()
