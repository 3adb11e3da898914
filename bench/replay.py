"""Projection rebuild throughput: events/s into the queue view, from Kafka or from the local log.

.venv/bin/python bench/replay.py --source kafka --events 100000
.venv/bin/python bench/replay.py --source log --events 100000
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

from api.bootstrap import build  # noqa: E402
from api.settings import Settings  # noqa: E402
from bench.kafka_common import fill, tansu  # noqa: E402
from projections.kafka_source import KafkaFeed  # noqa: E402
from projections.queue_projection import QueueProjection  # noqa: E402
from projections.queue_store import QueueStore  # noqa: E402
from projections.sql import open_database  # noqa: E402
from relay.service import build_relay  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--source", choices=["kafka", "log"], default="kafka")
    p.add_argument("--events", type=int, default=100_000)
    p.add_argument("--batch-size", type=int, default=5000)
    p.add_argument("--partitions", type=int, default=4)
    p.add_argument("--bootstrap", help="an existing broker; default: start tansu")
    args = p.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        tansu(args.bootstrap if args.source == "kafka" else "-") as bootstrap,
    ):
        settings = Settings(
            data_dir=Path(tmp),
            run_projections=False,
            kafka_bootstrap=bootstrap,
            kafka_topic=f"bench-replay-{os.getpid()}-{time.time_ns()}",
            kafka_partitions=args.partitions,
        )
        runtime = build(settings)
        fill(runtime.helpdesk, args.events)
        load = os.getloadavg()[0]
        if args.source == "log":
            runtime.runner.batch_size = args.batch_size
            wall, cpu = time.perf_counter(), time.process_time()
            count = runtime.runner.rebuild()
        else:
            relay, db = build_relay(settings, runtime.helpdesk)
            relay.catch_up()
            relay.close()
            db.close()
            view_db = open_database(Path(tmp) / "kafka-queue.sqlite")
            feed = KafkaFeed(
                bootstrap, settings.kafka_topic, [QueueProjection(QueueStore(view_db))], args.batch_size
            )
            wall, cpu = time.perf_counter(), time.process_time()
            count = feed.rebuild()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"replay --source {args.source}: {count:,} events in {wall:.2f} s "
            f"= {count / wall:,.0f} events/s; "
            f"process CPU {cpu:.2f} s ({count / cpu:,.0f} events per CPU-second); "
            f"batch {args.batch_size}, load average before {load:.2f}"
        )
        runtime.close()


if __name__ == "__main__":
    main()
