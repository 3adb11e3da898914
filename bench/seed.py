"""Writes the demo's synthetic helpdesk history (application/demo/) into an event store, in bulk.

    .venv/bin/python bench/seed.py --data /tmp/ds-seed --tickets 100000
    .venv/bin/deskstream --data /tmp/ds-seed replay          # rebuild every projection, prints events/s
    DESKSTREAM_DATA=/tmp/ds-seed .venv/bin/deskstream serve  # and look at the reports

The history `deskstream demo` writes, as large as a benchmark needs and ending on a fixed day, so
that every run writes the same events: twelve operators on day and night shifts, five channels,
arrivals on a day/night and weekday curve in Europe/Moscow, about 13 events per ticket. The
generator and what it draws are described in application/demo/history.py.
"""

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from api.settings import Settings  # noqa: E402
from api.store import event_positions, store_env  # noqa: E402
from application.demo.arrivals import Year  # noqa: E402
from application.demo.history import DEFAULT_SEED, write_year  # noqa: E402
from application.helpdesk import Helpdesk  # noqa: E402
from domain.calendar import zone  # noqa: E402

END = datetime(2026, 11, 1, tzinfo=UTC)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, required=True, help="data directory for the SQLite event store")
    p.add_argument("--postgres", help="a PostgreSQL URL instead")
    p.add_argument("--tickets", type=int, default=100_000)
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--chunk", type=int, default=500, help="aggregates per transaction")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = p.parse_args()
    settings = Settings(data_dir=args.data, postgres_url=args.postgres, run_projections=False)
    helpdesk = Helpdesk(store_env(settings), clock=lambda: END, positions=event_positions)
    year = Year(END - timedelta(days=args.days), END, zone("Europe/Moscow"))
    started = time.perf_counter()

    def progress(tickets: int, events: int) -> None:
        rate = events / (time.perf_counter() - started)
        print(f"\r{tickets:>9,} tickets, {events:>11,} events, {rate:,.0f} events/s", end="", flush=True)

    written = write_year(helpdesk, year, args.tickets, args.seed, args.chunk, progress)
    seconds = time.perf_counter() - started
    print(f"\nseeded {written.tickets:,} tickets ({written.events:,} events) in {seconds:.0f} s")
    helpdesk.close()


if __name__ == "__main__":
    main()
