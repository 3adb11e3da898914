"""EventRecord ⇄ Kafka message: Avro single-object encoding with the schemas in schemas/.

`decode(encode(r)) == r` for every published record, which is what makes projections fed from
Kafka identical to projections fed from the local log.
"""

import hashlib
import io
from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from fastavro import schemaless_reader, schemaless_writer

from projections.records import EventRecord, plain
from schemas import HEADER_SIZE, PUBLISHED, Catalogue, UnknownSchemaError, catalogue, resolved

EVENT_NAMESPACE = uuid5(NAMESPACE_URL, "https://deskstream.dev/event")
_NAMESPACE_BYTES = EVENT_NAMESPACE.bytes


@dataclass(frozen=True, slots=True)
class Message:
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


def event_id(aggregate_id: str, version: int) -> str:
    """`str(uuid5(EVENT_NAMESPACE, "<aggregate id>:<version>"))`, computed without UUID objects.

    Deterministic, so a duplicate that at-least-once delivery brings carries the same id.
    """
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + f"{aggregate_id}:{version}".encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def is_published(aggregate_type: str) -> bool:
    return aggregate_type in PUBLISHED


def encode(record: EventRecord, request_id: str | None = None, schemas: Catalogue | None = None) -> Message:
    schema = (schemas or catalogue()).writer(record.aggregate_type, record.type)
    if record.data.keys() != schema.data_fields:
        raise UnknownSchemaError(
            f"{record.aggregate_type}.{record.type} has fields {sorted(record.data)}, its schema "
            f"{sorted(schema.data_fields)}: update schemas/current/ (fastavro would drop the difference)"
        )
    eid = event_id(record.aggregate_id, record.version)
    body = {
        "envelope": {
            "event_id": eid,
            "aggregate_id": record.aggregate_id,
            "aggregate_type": record.aggregate_type,
            "version": record.version,
            "position": record.position,
            "type": record.type,
            "occurred_at": record.occurred_at,
            "recorded_at": record.recorded_at,
            "actor": record.actor,
            "request_id": request_id,
        },
        **record.data,
    }
    buffer = io.BytesIO()
    buffer.write(schema.header)
    schemaless_writer(buffer, schema.parsed, body)
    headers = [
        *schema.kafka_headers,
        ("event_id", eid.encode()),
        ("position", str(record.position).encode()),
    ]
    return Message(record.aggregate_id.encode(), buffer.getvalue(), headers)


def decode_body(value: bytes, schemas: Catalogue | None = None) -> dict[str, Any]:
    """The Avro record, read as the current schema of its event type describes it."""
    schemas = schemas or catalogue()
    writer = schemas.reader(value[:HEADER_SIZE])
    reader = resolved(writer, schemas)
    return schemaless_reader(io.BytesIO(value[HEADER_SIZE:]), writer.parsed, reader)  # type: ignore[return-value]


def decode(value: bytes, schemas: Catalogue | None = None) -> EventRecord:
    body = decode_body(value, schemas)
    env = body.pop("envelope")
    return EventRecord(
        position=env["position"],
        aggregate_id=str(env["aggregate_id"]),
        aggregate_type=env["aggregate_type"],
        version=env["version"],
        type=env["type"],
        occurred_at=env["occurred_at"],
        recorded_at=env["recorded_at"],
        actor=env["actor"],
        data={k: plain(v) for k, v in body.items()},
    )


def header(headers: list[tuple[str, bytes]], name: str) -> bytes | None:
    for key, value in headers:
        if key == name:
            return value
    return None
