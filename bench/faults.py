"""Reliability harness: kill -9 under load, a full disk, and schemathesis over the whole API.

    python bench/faults.py                                    # about 5 minutes, prints one line
    python bench/faults.py --kills 4 --clients 4 --max-examples 10 --skip schema

1. Crashes: K clients work tickets through their lives (bench/workload.py) with an
   Idempotency-Key (and the provider's id) on every write, retrying each until the server
   acknowledges it; meanwhile the server is killed with SIGKILL at random moments and restarted.
   Then: every acknowledged write must be in the ticket's events exactly once (`lost`,
   `duplicated`); the API's ticket must agree with its events and with the queue view, and the
   queue view must equal its rebuild by `deskstream replay` (`mismatches`).
2. Disk full (needs permission to mount a tmpfs; otherwise says why it was skipped): the data dir
   on a small tmpfs, filled up; writes must get 507 (never another 5xx), reads 200; then space
   is freed and writes must succeed again without a restart, and nothing acknowledged be lost.
3. Schemathesis (the `bench` extra) against /openapi.json with every role's token, checking
   for 5xx and for responses that do not match the declared schema and status codes.
The ceiling is zero for every count.
"""

import argparse
import http.client
import json
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from bench.faults_disk import disk_full  # noqa: E402
from bench.faults_schema import schema_cases  # noqa: E402
from bench.faults_verify import (  # noqa: E402
    Acks,
    Server,
    check_history,
    check_replay,
    check_views_against_api,
)
from bench.workload import Desk, Step, create_users, free_port, send  # noqa: E402


def until_acknowledged(port: int, step: Step, path: str, tokens: dict[str, str]) -> tuple[int, bytes]:
    """The same request (same key) again and again until the server answers below 500."""
    while True:
        con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            status, body = send(con, step, path, tokens)
            if status < 500:
                return status, body
        except (OSError, http.client.HTTPException):
            pass
        finally:
            con.close()
        time.sleep(0.2)


def crash_client(port: int, tokens: dict[str, str], name: str, acks: Acks, stop: threading.Event) -> None:
    desk = Desk(name, in_hand=3)
    while not stop.is_set():
        ticket = desk.pick()
        step = ticket.next()
        assert step is not None
        status, body = until_acknowledged(port, step, ticket.path(step), tokens)
        if status >= 300:
            with acks.lock:
                acks.refused[f"{step.kind} {status}"] += 1
            if step.kind == "open":
                continue
        elif step.method == "POST":
            with acks.lock:
                acks.writes.append((ticket, step))
        desk.advance(ticket, json.loads(body) if step.kind == "open" and status < 300 else None)


def crashes(opts: argparse.Namespace, data: Path, tokens: dict[str, str]) -> dict[str, int]:
    server = Server(data, free_port())
    server.start()
    acks, stop = Acks(), threading.Event()
    clients = [
        threading.Thread(target=crash_client, args=(server.port, tokens, f"k{n}", acks, stop))
        for n in range(opts.clients)
    ]
    for t in clients:
        t.start()
    rng = random.Random(opts.seed)
    for _ in range(opts.kills):
        time.sleep(rng.uniform(0.5, 2 * opts.kill_every))
        server.kill()
        server.start()
    time.sleep(opts.kill_every)
    stop.set()
    for t in clients:
        t.join()
    counts = check_history(server.port, tokens, acks)
    counts["mismatches"] += check_views_against_api(server.port, tokens, data, acks)
    server.stop()
    counts["mismatches"] += check_replay(data)
    counts.update(kills=opts.kills, commands=len(acks.writes), refused=sum(acks.refused.values()))
    if acks.refused:
        print(f"  refused after retries: {dict(acks.refused)}", file=sys.stderr)
    return counts


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kills", type=int, default=12)
    p.add_argument("--kill-every", type=float, default=3.0, help="mean seconds between kills")
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--disk-mb", type=int, default=24, help="size of the tmpfs that fills up")
    p.add_argument("--max-examples", type=int, default=5, help="schemathesis cases per operation")
    p.add_argument("--roles", default="operator,supervisor,auditor,service,admin")
    p.add_argument("--skip", default="", help="comma-separated: crash, disk, schema")
    p.add_argument("--seed", type=int, default=12)
    opts = p.parse_args()
    skip = set(filter(None, opts.skip.split(",")))
    figures: dict[str, int] = {}
    notes: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if "crash" not in skip:
            data = tmp / "crash-data"
            figures.update(crashes(opts, data, create_users(data)))
            print(f"  crash: {figures}", file=sys.stderr, flush=True)
        for part, run in (("disk", disk_full), ("schema", schema_cases)):
            if part in skip:
                continue
            result = run(opts, tmp)
            print(f"  {part}: {result}", file=sys.stderr, flush=True)
            if isinstance(result, str):
                notes.append(f"{part} skipped: {result}")
            else:
                figures.update(result)
    counted = ("lost", "duplicated", "mismatches", "5xx", "schema_violations")
    line = " ".join(f"{k}={figures[k]}" for k in counted if k in figures)
    rest = " ".join(f"{k}={v}" for k, v in figures.items() if k not in counted)
    failed = any(figures.get(k, 0) for k in figures if k not in ("kills", "commands", "cases"))
    print(
        f"{line} {rest}{' (' + '; '.join(notes) + ')' if notes else ''} "
        f"in {time.perf_counter() - started:.0f} s: {'FAIL' if failed else 'PASS'} (ceiling 0 each)"
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
