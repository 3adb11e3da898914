"""Relay throughput: events/s from the SQLite event log to the broker, acknowledged and saved.

.venv/bin/python bench/relay.py --events 100000            # starts a private tansu broker
.venv/bin/python bench/relay.py --bootstrap host:9092      # or uses yours
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, this folder would come first on sys.path and bench/relay.py would hide the
# relay package: put the repository root there instead.
ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from api.bootstrap import build, build_relay  # noqa: E402
from bench.kafka_common import bench_settings, fill, tansu  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--events", type=int, default=100_000)
    p.add_argument("--batch-size", type=int, default=5000)
    p.add_argument("--partitions", type=int, default=4)
    p.add_argument("--bootstrap", help="an existing broker; default: start tansu")
    p.add_argument("--inline", action="store_true", help="read and encode on the sending thread (no helper)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp, tansu(args.bootstrap) as bootstrap:
        settings = bench_settings(tmp, bootstrap, "relay", args.partitions)
        runtime = build(settings)
        written = fill(runtime.helpdesk, args.events)
        relay, db = build_relay(
            settings, runtime.helpdesk, batch_size=args.batch_size, helper_process=not args.inline
        )
        relay.producer()  # connect and create the topic outside the timing
        load = os.getloadavg()[0]
        before = os.times()
        wall, cpu = time.perf_counter(), time.process_time()
        relay.catch_up()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        relay.close()  # joins the helper process, so that its CPU time is counted below
        after = os.times()
        helper = sum(after[2:4]) - sum(before[2:4])  # children's user + system time
        count = relay.stats.published
        print(
            f"relay: {count:,} events ({written:,} requested) in {wall:.2f} s "
            f"= {count / wall:,.0f} events/s; CPU: sending process {cpu:.2f} s, reading/encoding helper "
            f"{helper:.2f} s ({count / (cpu + helper):,.0f} events per CPU-second in all); "
            f"batch {args.batch_size}, {args.partitions} partitions, "
            f"{'inline' if args.inline else 'helper'}, load average before {load:.2f}"
        )
        db.close()
        runtime.close()


if __name__ == "__main__":
    main()
