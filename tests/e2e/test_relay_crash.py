"""SIGKILL the relay process at random moments: nothing is lost, and the queue counts each event once."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

from application.helpdesk import Helpdesk
from domain.customer import Customer
from domain.stamp import Stamp
from domain.ticket import Ticket
from projections.avro_records import decode
from projections.queue_store import QueueStore
from projections.sql import open_database
from tests.fixtures.kafka import create_topic
from tests.integration.test_kafka_projection import embedded, snapshot
from tests.integration.test_relay import consume_all, published
from tests.support import T0, Clock, sqlite_runtime

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 4


def append(helpdesk: Helpdesk, tickets: int, offset: int) -> None:
    """`tickets` tickets of eight events each, saved many aggregates at a time."""
    batch: list[Customer | Ticket] = []
    for n in range(tickets):
        at = T0 + timedelta(minutes=offset + n)
        stamp = Stamp(at, at, "vk-bot")
        customer = Customer.register("Ann", f"vk:{uuid4().hex}", stamp)
        ticket = Ticket.open(uuid4(), "vk", customer.id, None, "Card blocked", None, stamp)
        for step in range(6):
            s = Stamp(at + timedelta(seconds=step + 1), at, "anna")
            [ticket.reply, ticket.add_note][step % 2](f"text {step}", s)
        batch += [customer, ticket]
        if len(batch) >= 200:
            helpdesk.save(*batch)
            batch = []
    if batch:
        helpdesk.save(*batch)


Process = subprocess.Popen[bytes]


def relay_process(data: Path, bootstrap: str, topic: str, *extra: str) -> tuple[Process, Path]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DESKSTREAM_DATA": str(data),
        "DESKSTREAM_KAFKA_BOOTSTRAP": bootstrap,
        "DESKSTREAM_KAFKA_TOPIC": topic,
    }
    argv = [sys.executable, "-m", "api.cli", "relay", "--batch-size", "150", *extra]
    log = data.parent / f"relay-{uuid4().hex[:6]}.log"
    with log.open("wb") as out:
        return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT), log


def wait_until_publishing(proc: Process, log: Path, data: Path, topic: str, timeout: float = 30) -> None:
    """Until the relay has saved a new position: it is past start-up and in the middle of the work."""
    before = saved_position(data, topic)
    deadline = time.monotonic() + timeout
    while saved_position(data, topic) == before:
        assert proc.poll() is None, log.read_text(errors="replace")[-2000:]
        assert time.monotonic() < deadline, "the relay did not start publishing"
        time.sleep(0.01)


def saved_position(data: Path, topic: str) -> int:
    if not (data / "relay.sqlite").exists():
        return 0
    with sqlite3.connect(data / "relay.sqlite") as con:
        try:
            rows = con.execute("SELECT position FROM relay_positions WHERE topic = ?", (topic,)).fetchall()
        except sqlite3.OperationalError:  # the relay has not created its table yet
            return 0
    return rows[0][0] if rows else 0


def test_a_relay_killed_at_random_points_loses_nothing_and_the_queue_counts_once(
    tmp_path: Path, kafka_bootstrap: str
) -> None:
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    topic = f"deskstream-crash-{uuid4().hex[:8]}"
    create_topic(kafka_bootstrap, topic, partitions=3)
    data = tmp_path / "data"
    runtime = sqlite_runtime(data, Clock())
    try:
        interrupted = 0
        for round_ in range(ROUNDS):
            append(runtime.helpdesk, 500, offset=round_ * 1000)
            proc, log = relay_process(data, kafka_bootstrap, topic)
            wait_until_publishing(proc, log, data, topic)
            time.sleep(rng.uniform(0.0, 0.3))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            interrupted += saved_position(data, topic) < runtime.runner.source.head()
        assert interrupted, "no kill landed while the relay had work left; the test proved nothing"
        final, log = relay_process(data, kafka_bootstrap, topic, "--once")
        assert final.wait(timeout=120) == 0, log.read_text(errors="replace")[-2000:]

        expected = published(runtime)
        positions = Counter(decode(m.value).position for m in consume_all(kafka_bootstrap, topic))
        missing = {r.position for r in expected} - set(positions)
        assert not missing, f"seed {seed}: {len(missing)} events never reached Kafka"
        print(f"seed {seed}: {len(expected)} events, {positions.total() - len(positions)} duplicates")

        projector = tmp_path / "projector"
        for mode in ("--once", "--rebuild"):
            cli = [sys.executable, "-m", "api.cli", "--data", str(projector), "project", "--source", "kafka"]
            cli.append(mode)
            env = {**os.environ, "PYTHONPATH": str(ROOT), "DESKSTREAM_KAFKA_BOOTSTRAP": kafka_bootstrap}
            env["DESKSTREAM_KAFKA_TOPIC"] = topic
            done = subprocess.run(cli, cwd=ROOT, env=env, capture_output=True, timeout=120)
            assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
        db = open_database(projector / "queue.sqlite")
        try:
            kafka_view = snapshot(QueueStore(db))
        finally:
            db.close()
        runtime.runner.rebuild()
        assert kafka_view == embedded(runtime), f"seed {seed}"
        per_ticket = Counter(r.aggregate_id for r in expected if r.aggregate_type == "Ticket")
        assert {t: row.event_count for t, row in kafka_view[0].items()} == per_ticket
    finally:
        runtime.close()
