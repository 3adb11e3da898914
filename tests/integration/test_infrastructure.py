"""Smoke tests for the shared Postgres and Kafka fixtures.

Why: every other integration test builds on these fixtures; if the database is not fresh
or the broker loses/reorders keyed records, those tests would fail in confusing ways.
"""

from __future__ import annotations

import time
from collections import defaultdict

import psycopg
import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from tests.fixtures.kafka import TEST_TOPIC_PARTITIONS
from tests.fixtures.postgres import postgres_env

CONSUME_TIMEOUT_S = 15.0
MESSAGES: list[tuple[bytes, bytes]] = [
    (b"ticket-a", b"opened"),
    (b"ticket-b", b"opened"),
    (b"ticket-a", b"commented"),
    (b"ticket-b", b"closed"),
    (b"ticket-a", b"closed"),
]


def _user_tables(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
    return [row[0] for row in rows]


def test_postgres_url_roundtrip(postgres_url: str) -> None:
    env = postgres_env(postgres_url)
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    assert env["POSTGRES_DBNAME"].startswith("deskstream_test_")
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == (env["POSTGRES_DBNAME"],)
        conn.execute("CREATE TABLE smoke (id int PRIMARY KEY, subject text NOT NULL)")
        conn.execute("INSERT INTO smoke VALUES (%s, %s), (%s, %s)", (1, "printer", 2, "vpn"))
        rows = conn.execute("SELECT id, subject FROM smoke ORDER BY id").fetchall()
        conn.execute("DROP TABLE smoke")
    assert rows == [(1, "printer"), (2, "vpn")]


@pytest.mark.parametrize("run", [1, 2])
def test_postgres_db_is_fresh_per_test(postgres_db: str, postgres_url: str, run: int) -> None:
    # Each run leaves a table behind; the other run must still start from an empty database.
    assert postgres_db != postgres_url
    assert _user_tables(postgres_db) == []
    with psycopg.connect(postgres_db) as conn:
        conn.execute(f"CREATE TABLE leftover_{run} (x int)")
    assert _user_tables(postgres_db) == [f"leftover_{run}"]


def _produce(bootstrap: str, topic: str) -> dict[tuple[bytes, bytes], int]:
    """Send MESSAGES and return the partition the broker acknowledged for each."""
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    try:
        futures = [producer.send(topic, key=key, value=value) for key, value in MESSAGES]
        producer.flush(timeout=10)
        return {msg: future.get(timeout=10).partition for msg, future in zip(MESSAGES, futures, strict=True)}
    finally:
        producer.close(timeout=5)


def _consume_all(bootstrap: str, topic: str, expected: int) -> list[ConsumerRecord]:
    """Read from offset 0 of every partition until *expected* records or a timeout.

    assign() + seek_to_beginning and a record count, because tansu's end_offsets() is wrong
    for multi-record batches (DEPENDENCY-NOTES §2).
    """
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=1000)
    try:
        partitions = [TopicPartition(topic, p) for p in range(TEST_TOPIC_PARTITIONS)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        records: list[ConsumerRecord] = []
        deadline = time.monotonic() + CONSUME_TIMEOUT_S
        while len(records) < expected and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
        return records
    finally:
        consumer.close()


def test_kafka_roundtrip_keeps_per_key_order(kafka_bootstrap: str, kafka_topic: str) -> None:
    acked = _produce(kafka_bootstrap, kafka_topic)
    records = _consume_all(kafka_bootstrap, kafka_topic, expected=len(MESSAGES))

    assert len(records) == len(MESSAGES)
    assert sorted((r.key, r.value) for r in records) == sorted(MESSAGES)

    by_key: dict[bytes, list[ConsumerRecord]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        assert record.topic == kafka_topic
        assert record.partition == acked[(record.key, record.value)]
        by_key[record.key].append(record)
    for key, key_records in by_key.items():
        assert len({r.partition for r in key_records}) == 1, f"{key!r} spread over partitions"
        expected_values = [value for k, value in MESSAGES if k == key]
        assert [r.value for r in key_records] == expected_values
