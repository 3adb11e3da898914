"""Projection rebuild throughput: events/s into the views, from Kafka or from the local log.

.venv/bin/python bench/replay.py --source kafka --events 100000
.venv/bin/python bench/replay.py --source log --events 100000
.venv/bin/python bench/replay.py --source log --events 1000000 --views analytics
.venv/bin/python bench/replay.py --source kafka --events 500000 --batch-size 50000 --views analytics

`--views` picks which projections are rebuilt: from the log all of them by default, as
`deskstream replay` does, the events read from the event store and decoded once per batch; from
Kafka the queue by default, as `deskstream project --source kafka` does.
"""

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

# Run as a script, this folder would come first on sys.path and bench/relay.py would hide the
# relay package: put the repository root there instead.
ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from api.bootstrap import build, build_relay, open_kafka_views  # noqa: E402
from bench.kafka_common import bench_settings, fill, tansu  # noqa: E402
from projections.kafka_source import KafkaFeed  # noqa: E402
from projections.runner import Runner  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--source", choices=["kafka", "log"], default="kafka")
    p.add_argument("--events", type=int, default=100_000)
    p.add_argument("--batch-size", type=int, default=5000)
    p.add_argument("--partitions", type=int, default=4)
    p.add_argument("--bootstrap", help="an existing broker; default: start tansu")
    p.add_argument("--views", nargs="*", default=[], help="only these projections (log: all; kafka: queue)")
    args = p.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        tansu(args.bootstrap if args.source == "kafka" else "-") as bootstrap,
    ):
        settings = bench_settings(tmp, bootstrap, "replay", args.partitions)
        runtime = build(settings)
        fill(runtime.helpdesk, args.events)
        load = os.getloadavg()[0]
        if args.source == "log":
            chosen = [p for p in runtime.runner.projections if not args.views or p.name in args.views]
            runner = Runner(runtime.runner.source, chosen, batch_size=args.batch_size)
            wall, cpu = time.perf_counter(), time.process_time()
            count = runner.rebuild()
        else:
            relay, db = build_relay(settings, runtime.helpdesk)
            relay.catch_up()
            relay.close()
            db.close()
            views = open_kafka_views(
                replace(settings, data_dir=Path(tmp) / "kafka-views"), args.views or ["queue"]
            )
            feed = KafkaFeed(bootstrap, settings.kafka_topic, views.projections, args.batch_size)
            wall, cpu = time.perf_counter(), time.process_time()
            count = feed.rebuild()
            views.close()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        chosen_views = ", ".join(args.views) if args.views else ("queue" if args.source == "kafka" else "all")
        print(
            f"replay --source {args.source} ({chosen_views}): {count:,} events in {wall:.2f} s "
            f"= {count / wall:,.0f} events/s; "
            f"process CPU {cpu:.2f} s ({count / cpu:,.0f} events per CPU-second); "
            f"batch {args.batch_size}, load average before {load:.2f}"
        )
        runtime.close()


if __name__ == "__main__":
    main()
