"""Memory soak: a real server under a steady command rate; does its RSS level off?

    python bench/soak.py                            # 30 minutes at 200 requests/s (the issue's test)
    python bench/soak.py --minutes 8 --warmup 5     # shorter: compares minute 5 with minute 8
    python bench/soak.py --minutes 8 --env DESKSTREAM_HISTORY_CACHE_MB=16

Starts `deskstream serve` (embedded SQLite, its own temporary data dir), then 16 clients send a
desk's day (bench/workload.py: tickets opened by the adapter, assigned, answered, noted, tagged,
resolved, rated, read back) open loop at a fixed rate: request i is due at start + i/rate and its
latency counts from then, so a stall shows in the percentiles. The server's RSS is read from
/proc every few seconds. The ceiling is the issue's: RSS at the end within 10 % of RSS after the
warm-up (the first 5 minutes). After the load stops it idles a little and reads RSS once more.
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from bench.workload import Desk, create_users, free_port, rss_bytes, rss_parts, send, served  # noqa: E402

CEILING = 0.10
MIB = 2**20


@dataclass
class Run:
    """What the clients and the sampler saw, shared between their threads."""

    start: float
    end: float
    rate: int
    latencies: list[tuple[float, float]] = field(default_factory=list)  # (due, seconds)
    failures: dict[int, int] = field(default_factory=dict)
    rss: list[tuple[float, int]] = field(default_factory=list)  # (seconds since start, bytes)
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_slot: int = 0

    def slot(self) -> float | None:
        """When the next request is due, or None once the run is over."""
        with self.lock:
            due = self.start + self.next_slot / self.rate
            self.next_slot += 1
        return due if due < self.end else None


def client(run: Run, port: int, tokens: dict[str, str], name: str) -> None:
    desk = Desk(name)
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while (due := run.slot()) is not None:
        time.sleep(max(0.0, due - time.perf_counter()))
        ticket = desk.pick()
        step = ticket.next()
        assert step is not None
        status, body = send(con, step, ticket.path(step), tokens)
        took = time.perf_counter() - due
        with run.lock:
            run.latencies.append((due - run.start, took))
            if status >= 300:
                run.failures[status] = run.failures.get(status, 0) + 1
        answer = json.loads(body) if status < 300 and step.kind == "open" else None
        if step.kind == "open" and answer is None:
            continue  # not opened: try the opening again on its next turn
        desk.advance(ticket, answer)
    con.close()


def sampler(run: Run, pid: int, every: float, stop: threading.Event) -> None:
    last_minute = 0
    while not stop.wait(every):
        at = time.perf_counter() - run.start
        run.rss.append((at, rss_bytes(pid)))
        if int(at // 60) > last_minute:
            last_minute = int(at // 60)
            parts = rss_parts(pid)
            print(
                f"  minute {last_minute}: RSS {run.rss[-1][1] / MIB:.0f} MiB ({parts})",
                file=sys.stderr,
                flush=True,
            )


def rss_at(run: Run, seconds: float, window: float = 60.0) -> int:
    """The median of the samples in the minute up to that moment: one sample swings by tens of
    MiB as malloc trims, DuckDB checkpoints and a memo empties, so a single one is no value."""
    near = sorted(b for at, b in run.rss if seconds - window <= at <= seconds)
    if not near:
        return min(run.rss, key=lambda s: abs(s[0] - seconds))[1]
    return near[len(near) // 2]


def percentiles(latencies: list[float]) -> tuple[float, float]:
    if len(latencies) < 2:
        return (latencies[0] if latencies else 0.0,) * 2  # type: ignore[return-value]
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[49], cuts[98]


def report(run: Run, warmup: float, idle_rss: int | None, idle: float) -> bool:
    seconds = run.end - run.start
    at_warmup, at_end = rss_at(run, warmup), rss_at(run, seconds)
    growth = at_end / at_warmup - 1
    passed = growth <= CEILING
    all_ms = [took * 1000 for _, took in run.latencies]
    p50, p99 = percentiles(all_ms)
    _, early = percentiles([t * 1000 for due, t in run.latencies if due < warmup])
    _, late = percentiles([t * 1000 for due, t in run.latencies if due >= seconds - warmup])
    failed = sum(run.failures.values())
    idle_text = f", {idle_rss / MIB:.0f} MiB after {idle:.0f} s idle" if idle_rss else ""
    print(
        f"soak {seconds / 60:.1f} min at {run.rate}/s: {len(all_ms):,} requests "
        f"({len(all_ms) / seconds:.1f}/s), {failed} failed{' ' + str(run.failures) if failed else ''}; "
        f"RSS (median of the minute before) {at_warmup / MIB:.0f} MiB at {warmup / 60:g} min, "
        f"{at_end / MIB:.0f} MiB at end{idle_text}: "
        f"{growth:+.1%} (ceiling +{CEILING:.0%}) {'PASS' if passed else 'FAIL'}; "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms (first {warmup / 60:g} min {early:.1f}, "
        f"last {warmup / 60:g} min {late:.1f})"
    )
    return passed


def soak(opts: argparse.Namespace) -> bool:
    env = dict(item.split("=", 1) for item in opts.env)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        tokens = create_users(data)
        port = free_port()
        with served(data, port, env) as server:
            start = time.perf_counter() + 0.5
            run = Run(start, start + opts.minutes * 60, opts.rate)
            stop = threading.Event()
            watcher = threading.Thread(target=sampler, args=(run, server.pid, opts.sample, stop))
            watcher.start()
            clients = [
                threading.Thread(target=client, args=(run, port, tokens, f"c{n}"))
                for n in range(opts.clients)
            ]
            for t in clients:
                t.start()
            for t in clients:
                t.join()
            stop.set()
            watcher.join()
            idle_rss = None
            if opts.idle > 0:
                time.sleep(opts.idle)
                idle_rss = rss_bytes(server.pid)
        if opts.samples:
            Path(opts.samples).write_text("".join(f"{at:.1f},{rss}\n" for at, rss in run.rss))
        return report(run, min(opts.warmup * 60, run.end - run.start), idle_rss, opts.idle)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rate", type=int, default=200, help="requests per second, open loop")
    p.add_argument("--minutes", type=float, default=30.0)
    p.add_argument(
        "--warmup", type=float, default=5.0, help="minutes before the RSS the end is judged against"
    )
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--sample", type=float, default=5.0, help="seconds between RSS samples")
    p.add_argument("--idle", type=float, default=30.0, help="seconds idle after the load, then RSS again")
    p.add_argument("--env", action="append", default=[], help="KEY=VALUE for the server's environment")
    p.add_argument("--samples", help="write the RSS samples (seconds,bytes) to this CSV file")
    opts = p.parse_args()
    print(f"deskstream bench/soak.py on {os.cpu_count()} cores, Python {sys.version.split()[0]}", flush=True)
    sys.exit(0 if soak(opts) else 1)


if __name__ == "__main__":
    main()
