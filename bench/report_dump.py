"""Every report for every month of a replayed data dir, as one JSON document: compare two trees.

    python bench/seed.py --data /tmp/a --tickets 20000 && cp -r /tmp/a /tmp/b
    cd tree1 && PYTHONPATH=$PWD python -m api.cli --data /tmp/a replay
    PYTHONPATH=tree1 python bench/report_dump.py /tmp/a > a.json     # the same for tree2 and /tmp/b
    cmp a.json b.json

With PYTHONPATH set, the reports come from that tree (an older commit), not from this one.

A refactoring that claims to change no figure must give the same bytes here: the summary,
operators, daily, breakdown (type, tag, channel), hourly and the tickets sheet, for each month
of the seeded year, on both clocks, through the same functions the API serves.
"""

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if "PYTHONPATH" not in os.environ:
    sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from domain.calendar import to_us  # noqa: E402
from projections import erlang, reports  # noqa: E402
from projections.analytics import AnalyticsDb  # noqa: E402
from projections.analytics_view import open_view  # noqa: E402
from projections.reports import ReportQuery  # noqa: E402


def month_reports(db: AnalyticsDb, q: ReportQuery) -> dict[str, Any]:
    with open_view(db, q.start, q.end, None) as view:
        return {
            "summary": reports.summary(view, q),
            "operators": reports.operators(view, q),
            "daily": reports.daily(view, q),
            "breakdown": {by: reports.breakdown(view, q, by) for by in ("type", "tag", "channel")},
            "hourly": erlang.hourly(view, q, 300, 3600, 0.8),
            "tickets": [[str(cell) for cell in row] for row in reports.tickets(view, q)],
        }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("data", type=Path, help="a data dir after `deskstream replay`")
    p.add_argument("--first", default="2025-11", help="first month, YYYY-MM (bench/seed.py starts 2025-11)")
    p.add_argument("--months", type=int, default=12)
    p.add_argument("--tz", default="Europe/Moscow")
    args = p.parse_args()
    db = AnalyticsDb(args.data / "analytics.duckdb")
    year, month = int(args.first[:4]), int(args.first[5:])
    out: dict[str, Any] = {}
    for _ in range(args.months):
        start = to_us(datetime(year, month, 1, tzinfo=UTC))
        year, month = year + month // 12, month % 12 + 1
        end = to_us(datetime(year, month, 1, tzinfo=UTC))
        for clock in ("business", "calendar"):
            q = ReportQuery(start=start, end=end, clock=clock, tz=args.tz)
            out[f"{datetime.fromtimestamp(start / 1e6, UTC):%Y-%m}:{clock}"] = month_reports(db, q)
    print(json.dumps(out, sort_keys=True, default=str))


if __name__ == "__main__":
    main()
