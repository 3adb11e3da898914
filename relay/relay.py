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

from projections.avro_records import encode, is_published
from projections.records import record_from_event
from relay.position import RelayPosition
from schemas import catalogue

log = logging.getLogger("deskstream.relay")

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
    head: int = 0


def aggregate_type_of(topic: str) -> str:
    """ "domain.ticket:Ticket.TicketOpened" → "Ticket", without decoding the event."""
    return topic.rpartition(":")[2].partition(".")[0]


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
    ) -> None:
        self.app = app
        self.position = position
        self.bootstrap = bootstrap
        self.topic = topic
        self.partitions = partitions
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self.lag_log_seconds = lag_log_seconds
        self.stats = RelayStats()
        self._producer: KafkaProducer | None = None
        self._schemas = catalogue()

    def producer(self) -> KafkaProducer:
        if self._producer is None:
            ensure_topic(self.bootstrap, self.topic, self.partitions)
            self._producer = KafkaProducer(bootstrap_servers=self.bootstrap, **PRODUCER_CONFIG)
        return self._producer

    def step(self) -> int:
        """Publishes one batch; returns how many log entries it read (published or not)."""
        after = self.position.load() if self.stats.position == 0 else self.stats.position
        notifications = self.app.recorder.select_notifications(
            start=after, limit=self.batch_size, inclusive_of_start=False
        )
        if not notifications:
            self.stats.position = after
            return 0
        producer = self.producer()
        to_event = self.app.mapper.to_domain_event
        futures = []
        for n in notifications:
            if not is_published(aggregate_type_of(n.topic)):
                continue
            event = to_event(n)
            record = record_from_event(n.id, event)
            message = encode(record, getattr(event, "request_id", None), self._schemas)
            futures.append(
                producer.send(self.topic, key=message.key, value=message.value, headers=message.headers)
            )
        producer.flush()
        for future in futures:
            if future.failed():
                raise RelayError(f"The broker did not acknowledge a message: {future.exception}")
        last = notifications[-1].id
        self.position.save(last)
        self.stats.position = last
        self.stats.read += len(notifications)
        self.stats.published += len(futures)
        return len(notifications)

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
            self.stats.position,
            head,
            max(head - self.stats.position, 0),
            self.stats.published,
        )

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close(timeout=5)
            self._producer = None
