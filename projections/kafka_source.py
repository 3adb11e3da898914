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
from dataclasses import dataclass
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from projections import collector
from projections.avro_records import decode, header
from projections.records import EventRecord
from projections.runner import Projection
from projections.sql import Database
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


@dataclass(frozen=True, slots=True)
class Hint:
    next_offset: int
    position: int


class OffsetHints:
    """Where to resume reading a partition, so that a restart does not re-read the whole topic.

    Only a hint, saved after the projection's own transaction: every message before
    `next_offset` has a log position <= `position` (positions increase within a partition). So
    the hint is safe while the projection is at `position` or beyond; a view that was reset or
    restored from an older backup is behind it, and is fed from offset 0 again.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        with db.transaction() as cur:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS kafka_offsets "
                "(source TEXT PRIMARY KEY, next_offset BIGINT NOT NULL, position BIGINT NOT NULL)"
            )

    def load(self) -> dict[str, Hint]:
        rows = self.db.fetchall("SELECT source, next_offset, position FROM kafka_offsets")
        return {source: Hint(int(offset), int(position)) for source, offset, position in rows}

    def save(self, source: str, hint: Hint) -> None:
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO kafka_offsets (source, next_offset, position) VALUES (?, ?, ?) "
                "ON CONFLICT (source) DO UPDATE SET next_offset = excluded.next_offset, "
                "position = excluded.position",
                (source, hint.next_offset, hint.position),
            )


class KafkaFeed:
    def __init__(
        self,
        bootstrap: str,
        topic: str,
        projections: Sequence[Projection],
        batch_size: int = 5000,
        metadata_timeout: float = 30.0,
        hints: OffsetHints | None = None,
        idle: Sequence[Callable[[], None]] = (),
    ) -> None:
        self.topic = topic
        self.projections = list(projections)
        self.batch_size = batch_size
        self.hints = hints
        self.consumer = KafkaConsumer(
            bootstrap_servers=bootstrap, max_poll_records=batch_size, **CONSUMER_CONFIG
        )
        self.partitions = self._partitions(metadata_timeout)
        self.consumer.assign(self.partitions)
        self._schemas = catalogue()
        self.idle: list[Callable[[], None]] = list(idle)
        """Run when a poll finds nothing new, as the local runner's idle hooks are."""
        self.seek()

    def seek(self) -> None:
        """To each partition's hint if the projection has got that far, else to offset 0."""
        hints = self.hints.load() if self.hints is not None else {}
        for tp in self.partitions:
            hint = hints.get(source_name(self.topic, tp.partition))
            position = self.position(tp.partition)
            if hint is not None and hint.position <= position:
                self.consumer.seek(tp, hint.next_offset)
            else:
                self.consumer.seek_to_beginning(tp)

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
        with collector.paused():
            return self._step(timeout_ms)

    def _step(self, timeout_ms: int) -> int:
        batches = self.consumer.poll(timeout_ms=timeout_ms, max_records=self.batch_size)
        read = 0
        for tp, messages in batches.items():
            read += len(messages)
            after = self.position(tp.partition)
            records = [decode(m.value, self._schemas) for m in messages if newer(m.headers, after)]
            source = source_name(self.topic, tp.partition)
            if records:
                self.apply(records, source)
            if self.hints is not None:
                self.hints.save(source, Hint(messages[-1].offset + 1, self.position(tp.partition)))
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

    def catch_up(
        self, progress: Callable[[int], None] | None = None, between: Callable[[], None] | None = None
    ) -> int:
        total = 0
        while True:
            total += self.step()
            if progress is not None:
                progress(total)
            if self.caught_up():
                return total
            if between is not None:
                between()

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        for projection in self.projections:
            projection.reset()
        self.seek()
        with collector.growing_heap() as settle:
            return self.catch_up(progress, settle)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                if self.step(timeout_ms=500) == 0:
                    for hook in self.idle:
                        hook()
            except Exception:
                log.exception("projector: batch failed; reading again from the last good point")
                stop.wait(1.0)
                self.seek()

    def close(self) -> None:
        self.consumer.close()


def newer(headers: list[tuple[str, bytes]], after: int) -> bool:
    """Cheap de-duplication on the position header; the projection checks the position again."""
    raw = header(headers, "position")
    return raw is None or int(raw) > after
