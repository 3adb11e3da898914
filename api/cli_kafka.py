"""`deskstream relay` and `deskstream project --source kafka`: the scaled mode's two processes."""

import argparse
import logging
import sys
import time
from typing import Any

from api.bootstrap import build_relay, open_feed, open_helpdesk, open_kafka_views
from api.kafka_views import KafkaViews
from api.settings import Settings
from api.signals import stop_on_signals
from projections.kafka_source import KafkaFeed


def register(sub: Any) -> None:
    relay_p = sub.add_parser("relay", help="publish the event log to Kafka (DESKSTREAM_KAFKA_BOOTSTRAP)")
    relay_p.add_argument("--batch-size", type=int, default=5000, help="log entries per produce/flush")
    relay_p.add_argument("--once", action="store_true", help="publish everything, then exit")
    relay_p.set_defaults(handler=relay)


def relay(settings: Settings, args: argparse.Namespace) -> int:
    """Runs until SIGTERM/SIGINT; its position is saved only after the broker acknowledged."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if not settings.kafka_bootstrap:
        print("error: DESKSTREAM_KAFKA_BOOTSTRAP is not set (host:port of the broker)", file=sys.stderr)
        return 2
    helpdesk = open_helpdesk(settings)
    try:
        relay_, db = build_relay(settings, helpdesk, batch_size=args.batch_size)
    except BaseException:
        helpdesk.close()
        raise
    try:
        if args.once:
            started = time.perf_counter()
            count = relay_.catch_up()
            seconds = time.perf_counter() - started
            relay_.log_lag()
            print(f"relayed {relay_.stats.published:,} events ({count:,} log entries) in {seconds:.1f} s")
            return 0
        print(
            f"deskstream: relaying to {settings.kafka_topic} at {settings.kafka_bootstrap} "
            f"from position {relay_.position.load()}",
            file=sys.stderr,
        )
        relay_.run(stop_on_signals())
        return 0
    finally:
        relay_.close()
        db.close()
        helpdesk.close()


def project_kafka(settings: Settings, args: argparse.Namespace) -> int:
    """The chosen views (--views) fed from the topic; with --rebuild they start again from offset 0."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if not settings.kafka_bootstrap:
        print("error: DESKSTREAM_KAFKA_BOOTSTRAP is not set", file=sys.stderr)
        return 2
    names = getattr(args, "views", None) or ("queue",)
    views = open_kafka_views(settings, names)
    try:
        feed = open_feed(settings, views, args.batch_size)
    except BaseException:
        views.close()
        raise
    try:
        return run_feed(feed, views, args, settings.kafka_topic)
    finally:
        feed.close()
        views.close()


def run_feed(feed: KafkaFeed, views: KafkaViews, args: argparse.Namespace, topic: str) -> int:
    started = time.perf_counter()
    if getattr(args, "rebuild", False):
        count = feed.rebuild()
    elif args.once:
        count = feed.catch_up()
    else:
        print(f"deskstream: projecting {', '.join(p.name for p in views.projections)} from {topic}",
              file=sys.stderr)  # fmt: skip
        feed.run(stop_on_signals())
        return 0
    views.snapshot()
    seconds = time.perf_counter() - started
    rate = count / seconds if seconds > 0 else 0.0
    print(f"projected {count:,} messages from Kafka in {seconds:.1f} s ({rate:,.0f} events/s)")
    return 0
