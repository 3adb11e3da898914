"""Feeds the same projections from the Kafka topic instead of the local log.

Partitions are read with assign() and seek (no consumer group: no rebalancing to wait for, and
no group state in the broker to wedge). Log positions are ordered only within a partition, so
each partition is its own source, `kafka:<topic>:<partition>`, with its own tracked position
committed in the projection's transaction. A message at or below that position (a duplicate
from a relay restart, or one applied before this projector restarted) is dropped unread.
"""

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from projections.avro_records import decode, header
from projections.records import EventRecord
from projections.runner import Projection
from schemas import catalogue

log = logging.getLogger("deskstream.projector")

CONSUMER_CONFIG: dict[str, Any] = {
    "enable_auto_commit": False,
    "auto_offset_reset": "earliest",
    "fetch_max_bytes": 64 * 1024 * 1024,
    "max_partition_fetch_bytes": 16 * 1024 * 1024,
    "fetch_max_wait_ms": 100,
}


def source_name(topic: str, partition: int) -> str:
    return f"kafka:{topic}:{partition}"


class KafkaFeed:
    def __init__(
        self,
        bootstrap: str,
        topic: str,
        projections: Sequence[Projection],
        batch_size: int = 5000,
        metadata_timeout: float = 30.0,
    ) -> None:
        self.topic = topic
        self.projections = list(projections)
        self.batch_size = batch_size
        self.consumer = KafkaConsumer(
            bootstrap_servers=bootstrap, max_poll_records=batch_size, **CONSUMER_CONFIG
        )
        self.partitions = self._partitions(metadata_timeout)
        self.consumer.assign(self.partitions)
        self.consumer.seek_to_beginning(*self.partitions)
        self._schemas = catalogue()

    def _partitions(self, timeout: float) -> list[TopicPartition]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.consumer.partitions_for_topic(self.topic)
            if found:
                return [TopicPartition(self.topic, p) for p in sorted(found)]
            if time.monotonic() > deadline:
                raise LookupError(f"Topic {self.topic} does not exist (has the relay run?).")
            time.sleep(0.2)

    def position(self, partition: int) -> int:
        """The lowest position every projection has applied from this partition."""
        name = source_name(self.topic, partition)
        return min(p.position(name) for p in self.projections)

    def step(self, timeout_ms: int = 200) -> int:
        """Polls one batch, applies it partition by partition; returns how many messages it read."""
        batches = self.consumer.poll(timeout_ms=timeout_ms, max_records=self.batch_size)
        read = 0
        for tp, messages in batches.items():
            read += len(messages)
            after = self.position(tp.partition)
            records = [decode(m.value, self._schemas) for m in messages if newer(m.headers, after)]
            if records:
                self.apply(records, source_name(self.topic, tp.partition))
        return read

    def apply(self, records: list[EventRecord], source: str) -> None:
        for projection in self.projections:
            projection.apply(records, source)

    def caught_up(self) -> bool:
        """True when every partition has been read to the high watermark of its last fetch.

        The fetch high watermark is used, never `end_offsets()`: tansu's ListOffsets is wrong for
        multi-record batches (DEPENDENCY-NOTES §2).
        """
        for tp in self.partitions:
            high = self.consumer.highwater(tp)
            if high is None or self.consumer.position(tp) < high:
                return False
        return True

    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        total = 0
        while True:
            total += self.step()
            if progress is not None:
                progress(total)
            if self.caught_up():
                return total

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        for projection in self.projections:
            projection.reset()
        self.consumer.seek_to_beginning(*self.partitions)
        return self.catch_up(progress)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.step(timeout_ms=500)
            except Exception:
                log.exception("projector: batch failed; re-reading the topic after a pause")
                stop.wait(1.0)
                self.consumer.seek_to_beginning(*self.partitions)

    def close(self) -> None:
        self.consumer.close()


def newer(headers: list[tuple[str, bytes]], after: int) -> bool:
    """Cheap de-duplication on the position header; the projection checks the position again."""
    raw = header(headers, "position")
    return raw is None or int(raw) > after
