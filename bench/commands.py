"""Commands/s through the application layer (SQLite, PostgreSQL), and HTTP latency at a fixed rate.

    python bench/commands.py                      # both parts, SQLite; PostgreSQL if reachable
    python bench/commands.py --commands 20000 --rate 200 --seconds 15

The application part first times the event library alone (load from its cache, one event, save:
what the target was set against), then runs the real use cases (load, guard, append, save) with no HTTP and no
projection thread. The HTTP part starts `deskstream serve` as a real process and sends a fixed
request rate from concurrent clients (open loop: a slow answer does not slow the senders), so the
percentiles include queueing.
"""

import argparse
import http.client
import json
import os
import queue
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import httpx2
import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.bootstrap import Runtime, build
from api.settings import Settings
from application.command import Context
from tests.e2e.server import deskstream, served

BOT, ANNA = Context("vk-bot"), Context("anna")


class Note(Aggregate):
    """The bare library's own loop, for scale: the target was set against it ("~2,000/s here")."""

    def __init__(self) -> None:
        self.count = 0

    @event("Noted")
    def note(self, text: str) -> None:
        self.count += 1


def bare_library(folder: Path, commands: int) -> None:
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(folder / "bare.sqlite"),
        "AGGREGATE_CACHE_MAXSIZE": "1000",
    }
    app: Application[UUID] = Application(env=env)
    ids = []
    for _ in range(200):
        note = Note()
        app.save(note)
        ids.append(note.id)
    started = time.perf_counter()
    for n in range(commands):
        note = app.repository.get(ids[n % len(ids)])
        note.note("checked the card")
        app.save(note)
    seconds = time.perf_counter() - started
    app.close()
    print(f"bare lib.  {commands:>7,} commands in {seconds:5.2f} s = {commands / seconds:8,.0f} commands/s")


def app_layer(make: Callable[[], Runtime], commands: int, label: str) -> None:
    runtime = make()
    tickets = [
        runtime.helpdesk.open_ticket("vk", f"C{n}", f"id{n}", None, "Help", None, BOT).id for n in range(200)
    ]
    actions = [
        lambda t, s: t.add_note("checked the card", s),
        lambda t, s: t.reply("Unblocked, please try again", s),
        lambda t, s: (
            t.change_tags(["card"], [], s) if "card" not in t.tags else t.change_tags([], ["card"], s)
        ),
    ]
    started = time.perf_counter()
    for n in range(commands):
        runtime.helpdesk.change(tickets[n % len(tickets)], ANNA, None, actions[n % len(actions)])
    seconds = time.perf_counter() - started
    runtime.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        f"{label:<11} {commands:>7,} commands in {seconds:5.2f} s = {commands / seconds:8,.0f} commands/s"
        f"   (process max RSS {peak / 2**20:.0f} MiB)"
    )


def http_latency(rate: int, seconds: float, clients: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        token = deskstream(data, "token", "create", "--name", "vk-bot", "--role", "service").strip()
        deskstream(data, "token", "create", "--name", "anna", "--role", "operator")
        with served(data) as base:
            latencies = fire(base, token, rate, seconds, clients)
    latencies.sort()
    p = statistics.quantiles(latencies, n=100, method="inclusive")
    print(
        f"HTTP        {len(latencies):>7,} requests at {rate} req/s, {clients} clients: "
        f"p50 {p[49] * 1000:.1f} ms, p90 {p[89] * 1000:.1f} ms, p99 {p[98] * 1000:.1f} ms, "
        f"max {latencies[-1] * 1000:.1f} ms"
    )


def fire(base: str, token: str, rate: int, seconds: float, clients: int) -> list[float]:
    """Open loop: request i is due at start + i/rate; latency is measured from when it was due."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx2.Client(base_url=f"{base}/api/v1", headers=headers) as c:
        tickets = [
            c.post("/tickets", json={"channel": "vk", "customer": {"handle": f"id{n}"}, "text": "Hi"}).json()[
                "id"
            ]
            for n in range(50)
        ]
    due: queue.Queue[tuple[float, int] | None] = queue.Queue()
    latencies: list[float] = []
    errors: list[int] = []

    def worker() -> None:
        """http.client rather than httpx: the senders share the two cores with the server."""
        host, port = base.removeprefix("http://").split(":")
        con = http.client.HTTPConnection(host, int(port), timeout=10)
        json_headers = {**headers, "Content-Type": "application/json"}
        while (item := due.get()) is not None:
            at, n = item
            time.sleep(max(0.0, at - time.perf_counter()))
            ticket = tickets[n % len(tickets)]
            if n % 3 == 2:
                con.request("GET", f"/api/v1/tickets/{ticket}", headers=headers)
            else:
                body = json.dumps({"text": f"note {n}"})
                con.request("POST", f"/api/v1/tickets/{ticket}/notes", body=body, headers=json_headers)
            response = con.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
            latencies.append(time.perf_counter() - at)
        con.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    start = time.perf_counter() + 0.2
    total = int(rate * seconds)
    for n in range(total):
        due.put((start + n / rate, n))
    for _ in threads:
        due.put(None)
    for t in threads:
        t.join()
    if errors:
        print(f"  {len(errors)} requests failed: {sorted(set(errors))}")
    return latencies


def postgres_url() -> str | None:
    url = os.environ.get("DESKSTREAM_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"deskstream_bench_{os.getpid()}"
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=3) as con:
            con.execute(f"DROP DATABASE IF EXISTS {name}")
            con.execute(f"CREATE DATABASE {name}")
    except psycopg.Error as exc:
        print(f"PostgreSQL  skipped: {exc}".splitlines()[0])
        return None
    return url.rsplit("/", 1)[0] + f"/{name}"


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--commands", type=int, default=10_000)
    args.add_argument("--rate", type=int, default=200)
    args.add_argument("--seconds", type=float, default=10.0)
    args.add_argument("--clients", type=int, default=16)
    args.add_argument("--only", choices=["app", "http"], help="run one part only")
    opts = args.parse_args()
    print(f"deskstream bench/commands.py on {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    if opts.only in (None, "app"):
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(data_dir=Path(tmp), run_projections=False)
            bare_library(Path(tmp), opts.commands)
            app_layer(lambda: build(settings), opts.commands, "SQLite")
            url = postgres_url()
            if url:
                remote = Settings(postgres_url=url, data_dir=Path(tmp), run_projections=False)
                app_layer(lambda: build(remote), opts.commands, "PostgreSQL")
    if opts.only in (None, "http"):
        http_latency(opts.rate, opts.seconds, opts.clients)


if __name__ == "__main__":
    main()
