"""Reads the event log after its durable position, publishes each published event, then saves.

Order and delivery: one batch is read in log order, every message is sent with key = aggregate
id (so one ticket's events land in one partition, in order), then the producer is flushed and
every send's acknowledgement checked; only then is the batch's last position saved. A crash
before the save re-sends the batch: the duplicates carry the same event id and log position,
and consumers drop them. The producer is idempotent (acks=all) with one request in flight per
connection, so a retried batch can neither be duplicated by the broker nor overtake the next.
"""

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from eventsourcing.application import Application
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic
from kafka.partitioner.abc import Partitioner
from kafka.partitioner.default import murmur2

from relay.position import RelayPosition
from relay.reader import InlineReader, ProcessReader

log = logging.getLogger("deskstream.relay")


class KeyHashPartitioner(Partitioner):
    """Kafka's default key partitioning (murmur2, as the Java client), remembered per key.

    One ticket has many events, and kafka-python's pure-Python murmur2 is a third of its send
    cost, so the hash is computed once per aggregate.
    """

    def __init__(self, max_keys: int = 200_000) -> None:
        self.cache: dict[tuple[bytes, int], int] = {}
        self.max_keys = max_keys

    def partition(
        self, topic: str, key: Any, serialized_key: bytes, value: Any, serialized_value: Any, cluster: Any
    ) -> int:
        partitions = sorted(cluster.partitions_for_topic(topic))
        found = self.cache.get((serialized_key, len(partitions)))
        if found is None:
            if len(self.cache) >= self.max_keys:
                self.cache.clear()
            found = (murmur2(serialized_key) & 0x7FFFFFFF) % len(partitions)
            self.cache[serialized_key, len(partitions)] = found
        return partitions[found]


PRODUCER_CONFIG: dict[str, Any] = {
    "acks": "all",
    "enable_idempotence": True,
    "max_in_flight_requests_per_connection": 1,
    "linger_ms": 20,
    "batch_size": 512 * 1024,
    "compression_type": "gzip",
    "max_request_size": 8 * 1024 * 1024,
}


class RelayError(RuntimeError):
    """The broker did not acknowledge a batch; nothing after the saved position counts as sent."""


@dataclass
class RelayStats:
    read: int = 0
    published: int = 0
    position: int = 0
    """Read and sent up to here; `saved` is what the broker has acknowledged."""
    saved: int = 0
    head: int = 0


@dataclass
class Pending:
    position: int
    futures: list[Any]
    read: int


def ensure_topic(bootstrap: str, topic: str, partitions: int) -> None:
    """Created explicitly: brokers that auto-create pick their own partition count."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        if topic not in admin.list_topics():
            admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
            log.info("relay: created topic %s with %d partitions", topic, partitions)
    finally:
        admin.close()


class Relay:
    def __init__(
        self,
        app: Application,
        position: RelayPosition,
        bootstrap: str,
        topic: str,
        partitions: int = 4,
        batch_size: int = 5000,
        idle_seconds: float = 0.2,
        lag_log_seconds: float = 10.0,
        reader: InlineReader | ProcessReader | None = None,
    ) -> None:
        self.app = app
        self.reader = reader or InlineReader(app, batch_size)
        self.position = position
        self.bootstrap = bootstrap
        self.topic = topic
        self.partitions = partitions
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self.lag_log_seconds = lag_log_seconds
        self.stats = RelayStats()
        self.ack_timeout = 120.0
        self._producer: KafkaProducer | None = None
        self._pending: Pending | None = None

    def producer(self) -> KafkaProducer:
        if self._producer is None:
            ensure_topic(self.bootstrap, self.topic, self.partitions)
            self._producer = KafkaProducer(
                bootstrap_servers=self.bootstrap, partitioner=KeyHashPartitioner(), **PRODUCER_CONFIG
            )
        return self._producer

    def step(self) -> int:
        """Sends one batch, then settles the previous one; returns how many log entries it read.

        Two batches overlap: while the producer's thread compresses and sends batch N, the
        reader reads and encodes batch N+1. Batch N's position is saved once each of its messages
        is acknowledged, and never before.
        """
        if self.stats.position == 0:
            self.stats.position = self.position.load()
        last, read, messages = self.reader.next(self.stats.position)
        if not read:
            self.settle()
            return 0
        send, topic = self.producer().send, self.topic
        futures = [send(topic, key=key, value=value, headers=headers) for key, value, headers in messages]
        self.settle()
        self._pending = Pending(last, futures, read)
        self.stats.position = last
        return read

    def settle(self) -> None:
        """Waits for the batch in flight to be acknowledged, then saves its position."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        if pending.futures and not pending.futures[-1].is_done:
            self.producer().flush()
        for future in pending.futures:
            if not future.is_done:
                future.get(timeout=self.ack_timeout)
            if future.failed():
                raise RelayError(f"The broker did not acknowledge a message: {future.exception}")
        self.position.save(pending.position)
        self.stats.saved = pending.position
        self.stats.read += pending.read
        self.stats.published += len(pending.futures)

    def catch_up(self) -> int:
        total = 0
        while count := self.step():
            total += count
        return total

    def run(self, stop: threading.Event) -> None:
        """Until `stop` is set; a failed batch is retried from the saved position with a new producer."""
        last_log = time.monotonic()
        while not stop.is_set():
            try:
                count = self.step()
            except Exception:
                log.exception("relay: batch failed; retrying from position %d", self.position.load())
                self._pending = None
                self.close()
                self.stats.position = 0
                stop.wait(1.0)
                continue
            if time.monotonic() - last_log >= self.lag_log_seconds:
                self.log_lag()
                last_log = time.monotonic()
            if count < self.batch_size:
                stop.wait(self.idle_seconds)

    def log_lag(self) -> None:
        head = self.app.recorder.max_notification_id() or 0
        self.stats.head = head
        log.info(
            "relay: topic %s at position %d, log head %d, lag %d; %d published since start",
            self.topic,
            self.stats.saved,
            head,
            max(head - self.stats.saved, 0),
            self.stats.published,
        )

    def close(self) -> None:
        """Settles what was sent (if the producer still works), then closes producer and reader."""
        if self._producer is not None and self._pending is not None:
            try:
                self.settle()
            except Exception:
                log.exception("relay: the last batch was not acknowledged; it will be sent again")
        if self._producer is not None:
            self._producer.close(timeout=5)
            self._producer = None
        self.reader.close()
