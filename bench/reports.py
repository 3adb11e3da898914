"""Report latency on a synthetic history: monthly summary, operators and hourly.

    .venv/bin/python bench/reports.py --tickets 100000 [--postgres postgresql://…]

Builds the analytics DuckDB by feeding the projection synthetic events in large batches (the
same code path as a replay, without the event store), then times each report (median of
`--runs`). With --postgres, loads the same events into a PostgreSQL table and times the same
monthly summary computed by SQL over the event rows, the way row-store helpdesks do it.
"""

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

from domain.calendar import to_us
from projections import erlang, reports
from projections.analytics import AnalyticsDb, AnalyticsProjection
from projections.analytics_view import open_view
from projections.records import EventRecord
from projections.reports import ReportQuery

START = datetime(2025, 1, 1, tzinfo=UTC)
CHANNELS = ("vk", "telegram", "email", "whatsapp", "web", "phone", "maps", "reviews")
OPERATORS = tuple(f"op{i:02d}" for i in range(20))
HOURLY_WEIGHT = [1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 10, 9, 9, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2]


def history(tickets: int, seed: int = 7) -> list[EventRecord]:
    """About 7 events per ticket over 12 months with a day/night arrival curve."""
    rng = random.Random(seed)
    year = timedelta(days=365).total_seconds()
    hours = rng.choices(range(24), weights=HOURLY_WEIGHT, k=tickets)
    opened = sorted(
        START + timedelta(seconds=rng.random() * year // 86400 * 86400 + h * 3600 + rng.random() * 3600)
        for h in hours
    )
    pending: list[tuple[datetime, int, str, str, dict, str]] = []
    for n, at in enumerate(opened):
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
            pending.append((when, version, tid, kind, data, actor))
    pending.sort(key=lambda p: (p[0], p[2], p[1]))
    return [
        EventRecord(i + 1, tid, "Ticket", version, kind, when, when, actor, data)
        for i, (when, version, tid, kind, data, actor) in enumerate(pending)
    ]


def timed(work, runs: int) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--tickets", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--batch", type=int, default=200_000)
    p.add_argument("--postgres", help="PostgreSQL URL for the row-store comparison")
    p.add_argument("--dir", type=Path, default=None)
    args = p.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-reports-"))
    started = time.perf_counter()
    records = history(args.tickets)
    took = time.perf_counter() - started
    print(f"generated {len(records):,} events for {args.tickets:,} tickets in {took:.1f} s")
    db = AnalyticsDb(folder / "analytics.duckdb")
    projection = AnalyticsProjection(db)
    projection.reset()
    started = time.perf_counter()
    for i in range(0, len(records), args.batch):
        projection.apply(records[i : i + args.batch], "log")
    seconds = time.perf_counter() - started
    print(f"projected {len(records):,} events in {seconds:.1f} s ({len(records) / seconds:,.0f} events/s)")
    q = ReportQuery(
        start=to_us(datetime(2025, 6, 1, tzinfo=UTC)), end=to_us(datetime(2025, 7, 1, tzinfo=UTC))
    )

    def run(build):  # type: ignore[no-untyped-def]
        with open_view(db, q.start, q.end, None) as view:
            return build(view, q)

    figures = {
        "summary": timed(lambda: run(reports.summary), args.runs),
        "operators": timed(lambda: run(reports.operators), args.runs),
        "hourly": timed(lambda: run(lambda v, qq: erlang.hourly(v, qq, 300, 3600, 0.8)), args.runs),
    }
    for name, ms in figures.items():
        print(f"June report {name:<10} median {ms:7.1f} ms over {args.runs} runs")
    print("summary:", run(reports.summary)["first_response"])
    if args.postgres:
        postgres(args.postgres, records, args.runs, figures["summary"])


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


def postgres(url: str, records: list[EventRecord], runs: int, duck_ms: float) -> None:
    import json

    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        con.execute("DROP TABLE IF EXISTS bench_events")
        con.execute("""CREATE TABLE bench_events (position BIGINT PRIMARY KEY, aggregate_id UUID, version INT,
            type TEXT, occurred_at TIMESTAMPTZ, actor TEXT, data JSONB)""")
        started = time.perf_counter()
        with con.cursor().copy("COPY bench_events FROM STDIN") as copy:
            for r in records:
                copy.write_row((r.position, r.aggregate_id, r.version, r.type, r.occurred_at, r.actor,
                                json.dumps(dict(r.data))))  # fmt: skip
        con.execute("CREATE INDEX ON bench_events (type, occurred_at)")
        con.execute("CREATE INDEX ON bench_events (aggregate_id)")
        con.execute("ANALYZE bench_events")
        print(f"loaded PostgreSQL in {time.perf_counter() - started:.1f} s")
        params = {"f": datetime(2025, 6, 1, tzinfo=UTC), "t": datetime(2025, 7, 1, tzinfo=UTC)}
        pg_ms = timed(lambda: con.execute(PG_SUMMARY, params).fetchall(), runs)
        print(f"June summary on PostgreSQL (SQL over event rows) median {pg_ms:7.1f} ms")
        print(f"DuckDB analytics is {pg_ms / duck_ms:.1f}x faster")


if __name__ == "__main__":
    main()
