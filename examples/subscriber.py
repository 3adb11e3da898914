"""A deskstream subscriber that needs nothing but kafka-python, fastavro and the schemas/ folder.

Prints every event of one ticket (or of all tickets), in order, then exits (or keeps following):

    python examples/subscriber.py --bootstrap localhost:29092 --ticket 5f0c...-...
    python examples/subscriber.py --bootstrap localhost:29092 --type Ticket.Rated --follow

Wire format: each message value is Avro single-object encoded: the bytes C3 01, the 8-byte
little-endian CRC-64-AVRO fingerprint of the writer schema, then the Avro binary body. The key
is the ticket (aggregate) id; headers `event_type`, `event_id` and `schema_fingerprint` let you
filter without decoding.
"""

import argparse
import io
from pathlib import Path

from fastavro import schemaless_reader
from fastavro.schema import fingerprint, load_schema, to_parsing_canonical_form
from kafka import KafkaConsumer, TopicPartition

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


def load_writer_schemas(folder: Path) -> dict[bytes, dict]:
    """{fingerprint: parsed schema} for every current and released event schema."""
    found = {}
    for path in sorted(folder.rglob("*.avsc")):
        if path.stem == "dev.deskstream.Envelope":
            continue  # pulled in by each event schema (load_schema finds it by name, same folder)
        schema = load_schema(str(path), named_schemas={})
        found[bytes.fromhex(fingerprint(to_parsing_canonical_form(schema), "CRC-64-AVRO"))] = schema
    return found


def decode(value: bytes, schemas: dict[bytes, dict]) -> dict:
    if value[:2] != b"\xc3\x01":
        raise ValueError("not an Avro single-object message")
    writer = schemas.get(value[2:10])
    if writer is None:
        raise LookupError(f"unknown schema {value[2:10].hex()}: update your copy of schemas/")
    return schemaless_reader(io.BytesIO(value[10:]), writer, None)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bootstrap", default="localhost:29092")
    p.add_argument("--topic", default="deskstream.ticket-events")
    p.add_argument("--ticket", help="only this ticket's events (compared with the message key)")
    p.add_argument("--type", help="only this event type, e.g. Ticket.Resolved (read from a header)")
    p.add_argument("--schemas", type=Path, default=SCHEMAS)
    p.add_argument("--follow", action="store_true", help="keep waiting for new events")
    args = p.parse_args()

    schemas = load_writer_schemas(args.schemas)
    consumer = KafkaConsumer(bootstrap_servers=args.bootstrap, enable_auto_commit=False)
    partitions = [
        TopicPartition(args.topic, n) for n in sorted(consumer.partitions_for_topic(args.topic) or [])
    ]
    consumer.assign(partitions)  # no consumer group: read everything, commit nothing
    consumer.seek_to_beginning(*partitions)
    seen = set()  # at-least-once delivery: a relay restart can repeat events, with the same event id
    try:
        while True:
            for messages in consumer.poll(timeout_ms=500).values():
                for m in messages:
                    headers = dict(m.headers)
                    if args.ticket and m.key != args.ticket.encode():
                        continue
                    if args.type and headers.get("event_type") != args.type.encode():
                        continue
                    if headers["event_id"] in seen:
                        continue
                    seen.add(headers["event_id"])
                    event = decode(m.value, schemas)
                    env = event.pop("envelope")
                    print(
                        f"#{env['position']:<8} {env['occurred_at']:%Y-%m-%d %H:%M:%S} "
                        f"{env['aggregate_type']}.{env['type']:<24} v{env['version']:<3} "
                        f"{env['actor']:<12} {event}"
                    )
            # The fetch high watermark, not end_offsets(): some brokers (tansu) report the latter wrongly.
            done = all(
                consumer.highwater(tp) is not None and consumer.position(tp) >= consumer.highwater(tp)
                for tp in partitions
            )
            if done and not args.follow:
                return
    finally:
        consumer.close()


if __name__ == "__main__":
    main()
