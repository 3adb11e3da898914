"""Report latency on a synthetic history: monthly summary, operators and hourly.

    .venv/bin/python bench/reports.py --tickets 100000 [--postgres postgresql://…]

Builds the analytics DuckDB by feeding the projection synthetic events in large batches (the
same code path as a replay, without the event store), then times each report (median of
`--runs`). With --postgres, loads the same events into a PostgreSQL table and times the same
monthly summary computed by SQL over the event rows, the way row-store helpdesks do it.
"""

import argparse
import heapq
import itertools
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

from domain.calendar import to_us
from domain.sla_policy import PolicySpec, SlaPolicy
from domain.stamp import Stamp
from projections import erlang, reports
from projections.analytics import AnalyticsDb, AnalyticsProjection
from projections.analytics_view import open_view
from projections.records import EventRecord, record_from_event
from projections.reports import ReportQuery

START = datetime(2025, 1, 1, tzinfo=UTC)
CHANNELS = ("vk", "telegram", "email", "whatsapp", "web", "phone", "maps", "reviews")
OPERATORS = tuple(f"op{i:02d}" for i in range(20))
HOURLY_WEIGHT = [1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 10, 9, 9, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2]


POLICY = PolicySpec.build(
    {"first_response": 60, "next_response": 120, "resolution": 480},
    {"tz": "Europe/Moscow", "weekly": {d: [["09:00", "21:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
     | {"sat": [["10:00", "18:00"]]}, "holidays": ["2025-01-01", "2025-01-02", "2025-03-08", "2025-05-01"]},
    {},
    1,
)  # fmt: skip
STRICTER = PolicySpec.build(
    {"first_response": 30, "next_response": 90, "resolution": 480}, POLICY.calendar, {}, 1
)


def history(tickets: int, seed: int = 7) -> Iterator[EventRecord]:
    """About 5 events per ticket over 12 months with a day/night arrival curve, in log order,
    generated as a stream (10M events do not fit in memory as records). An SLA policy with a
    business calendar is defined before the first ticket and made stricter on 1 July."""
    rng = random.Random(seed)
    year = timedelta(days=365).total_seconds()
    hours = rng.choices(range(24), weights=HOURLY_WEIGHT, k=tickets)
    opened = sorted(
        START + timedelta(seconds=rng.random() * year // 86400 * 86400 + h * 3600 + rng.random() * 3600)
        for h in hours
    )
    before = START - timedelta(days=1)
    policy = SlaPolicy.define("std", POLICY, before, Stamp(before, before, "root"))
    yield record_from_event(1, policy.collect_events()[0])
    position = 1
    change = datetime(2025, 7, 1, tzinfo=UTC)
    pending: list[tuple[datetime, str, int, str, dict, str]] = []
    for n, at in enumerate([*opened, None]):
        if change is not None and (at is None or at >= change):
            while pending and pending[0][0] < change:
                when, tid, version, kind, data, actor = heapq.heappop(pending)
                position += 1
                yield EventRecord(position, tid, "Ticket", version, kind, when, when, actor, data)
            policy.change(STRICTER, change, Stamp(change, change, "root"))
            position += 1
            yield record_from_event(position, policy.collect_events()[0])
            change = None
        # every event of a later ticket comes at or after its opening: earlier ones are final
        while pending and (at is None or pending[0][0] < at):
            when, tid, version, kind, data, actor = heapq.heappop(pending)
            position += 1
            yield EventRecord(position, tid, "Ticket", version, kind, when, when, actor, data)
        if at is None:
            break
        tid = str(UUID(int=n + 1))
        op = rng.choice(OPERATORS)
        steps = [(at, "TicketOpened", {"channel": rng.choice(CHANNELS), "customer_id": tid, "subject": None,
                                       "external_id": None}, "bot")]  # fmt: skip
        t = at + timedelta(minutes=rng.expovariate(1 / 5))
        steps.append((t, "Assigned", {"assignee": op, "comment": None}, "lead"))
        t += timedelta(minutes=rng.expovariate(1 / 30))
        steps.append((t, "ReplySent", {}, op))
        if rng.random() < 0.4:
            t += timedelta(minutes=rng.expovariate(1 / 60))
            steps.append((t, "CustomerMessageReceived", {"external_id": None}, "bot"))
            t += timedelta(minutes=rng.expovariate(1 / 40))
            steps.append((t, "ReplySent", {}, op))
        t += timedelta(minutes=rng.expovariate(1 / 120))
        steps.append((t, "Resolved", {"resolution": "solved"}, op))
        if rng.random() < 0.3:
            t += timedelta(minutes=rng.expovariate(1 / 30))
            steps.append(
                (t, "Rated", {"score": rng.choice(("like", "like", "dislike")), "comment": None}, "bot")
            )
        for version, (when, kind, data, actor) in enumerate(steps, start=1):
            heapq.heappush(pending, (when, tid, version, kind, data, actor))


def batches(records: Iterator[EventRecord], size: int) -> Iterator[list[EventRecord]]:
    while batch := list(itertools.islice(records, size)):
        yield batch


def timed(work, runs: int) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def say(text: str) -> None:
    print(text, flush=True)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--tickets", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--batch", type=int, default=200_000)
    p.add_argument("--postgres", help="PostgreSQL URL for the row-store comparison")
    p.add_argument("--dir", type=Path, default=None, help="reuse (or keep) the DuckDB file here")
    p.add_argument("--reuse", action="store_true", help="skip projecting if --dir already holds it")
    p.add_argument("--memory-mb", type=int, default=None, help="DuckDB memory_limit, as the server sets it")
    args = p.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-reports-"))
    say(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    db = AnalyticsDb(folder / "analytics.duckdb", args.memory_mb)
    limit = db.cursor().execute("SELECT current_setting('memory_limit')").fetchone()
    say(f"DuckDB memory_limit: {limit[0] if limit else '?'}")
    projection = AnalyticsProjection(db)
    if not (args.reuse and projection.position("log")):
        project(projection, args.tickets, args.batch)
    events = db.cursor().execute("SELECT count(*) FROM events").fetchall()[0][0]
    say(f"tables hold {events:,} events")
    q = ReportQuery(
        start=to_us(datetime(2025, 6, 1, tzinfo=UTC)), end=to_us(datetime(2025, 7, 1, tzinfo=UTC))
    )

    def run(build):  # type: ignore[no-untyped-def]
        with open_view(db, q.start, q.end, None) as view:
            return build(view, q)

    figures: dict[str, float] = {}
    for when in ("as projected", "after CHECKPOINT"):
        if when == "after CHECKPOINT":
            started = time.perf_counter()
            db.con.execute("CHECKPOINT")
            say(f"CHECKPOINT took {time.perf_counter() - started:.1f} s")
        for name, build in (
            ("summary", reports.summary),
            ("operators", reports.operators),
            ("hourly", lambda v, qq: erlang.hourly(v, qq, 300, 3600, 0.8)),
        ):
            figures[name] = timed(lambda build=build: run(build), args.runs)
            say(f"June report {name:<10} median {figures[name]:7.1f} ms over {args.runs} runs ({when})")
    say(f"summary: {run(reports.summary)['first_response']}")
    say(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.postgres:
        postgres(args.postgres, lambda: history(args.tickets), args.runs, figures["summary"])


def project(projection: AnalyticsProjection, tickets: int, size: int) -> None:
    """Feeds the projection; only apply() is timed (wall and process CPU), not the generator."""
    projection.reset()
    wall = cpu = 0.0
    count, shown = 0, 0
    for batch in batches(history(tickets), size):
        w, c = time.perf_counter(), time.process_time()
        projection.apply(batch, "log")
        wall, cpu = wall + time.perf_counter() - w, cpu + time.process_time() - c
        count += len(batch)
        if count - shown >= 1_000_000:
            shown = count
            say(
                f"  projected {count:,} events: {count / wall:,.0f} events/s (wall), {count / cpu:,.0f}/CPU-s"
            )
    say(
        f"projected {count:,} events for {tickets:,} tickets in batches of {size:,}: {wall:.1f} s wall "
        f"= {count / wall:,.0f} events/s; {count / cpu:,.0f} events per CPU-second"
    )


PG_SUMMARY = """
WITH win AS (SELECT %(f)s::timestamptz AS f, %(t)s::timestamptz AS t),
opened AS (SELECT aggregate_id, occurred_at FROM bench_events WHERE type = 'TicketOpened'),
first_reply AS (SELECT aggregate_id, min(occurred_at) AS at FROM bench_events WHERE type = 'ReplySent'
                GROUP BY aggregate_id),
resolved AS (SELECT aggregate_id, max(occurred_at) AS at FROM bench_events WHERE type = 'Resolved'
             GROUP BY aggregate_id)
SELECT
  (SELECT count(*) FROM opened, win WHERE occurred_at >= f AND occurred_at < t),
  (SELECT count(*) FROM resolved, win WHERE at >= f AND at < t),
  (SELECT row(count(*), avg(s), percentile_cont(0.5) WITHIN GROUP (ORDER BY s),
              percentile_cont(0.9) WITHIN GROUP (ORDER BY s))::text
     FROM (SELECT extract(epoch FROM r.at - o.occurred_at) AS s FROM first_reply r
           JOIN opened o USING (aggregate_id), win WHERE r.at >= f AND r.at < t) x),
  (SELECT row(count(*) FILTER (WHERE data->>'score' = 'like'), count(*))::text FROM bench_events, win
     WHERE type = 'Rated' AND occurred_at >= f AND occurred_at < t)
"""


def postgres(url: str, records: Callable[[], Iterator[EventRecord]], runs: int, duck_ms: float) -> None:
    import json

    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        con.execute("DROP TABLE IF EXISTS bench_events")
        con.execute("""CREATE TABLE bench_events (position BIGINT PRIMARY KEY, aggregate_id UUID, version INT,
            type TEXT, occurred_at TIMESTAMPTZ, actor TEXT, data JSONB)""")
        started = time.perf_counter()
        with con.cursor().copy("COPY bench_events FROM STDIN") as copy:
            for r in records():
                copy.write_row((r.position, r.aggregate_id, r.version, r.type, r.occurred_at, r.actor,
                                json.dumps(dict(r.data), default=str)))  # fmt: skip
        con.execute("CREATE INDEX ON bench_events (type, occurred_at)")
        con.execute("CREATE INDEX ON bench_events (aggregate_id)")
        con.execute("ANALYZE bench_events")
        say(f"loaded PostgreSQL in {time.perf_counter() - started:.1f} s")
        params = {"f": datetime(2025, 6, 1, tzinfo=UTC), "t": datetime(2025, 7, 1, tzinfo=UTC)}
        pg_ms = timed(lambda: con.execute(PG_SUMMARY, params).fetchall(), runs)
        say(f"June summary on PostgreSQL (SQL over event rows) median {pg_ms:7.1f} ms")
        say(f"DuckDB analytics is {pg_ms / duck_ms:.1f}x faster")


if __name__ == "__main__":
    main()
