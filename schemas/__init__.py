"""The Avro contract of the events deskstream publishes to Kafka.

Layout: `current/` holds the schemas the relay writes with, one `<namespace>.<Name>.avsc` per
event type plus `dev.deskstream.Envelope.avsc`; `released/vN/` keeps every released version
unchanged, so that consumers can decode old messages and a test can prove compatibility.
Adding an event type to a published aggregate means adding one file to `current/`.

Wire format: Avro single-object encoding (https://avro.apache.org/docs/1.11.1/specification/
#single-object-encoding): `C3 01`, then the 8-byte little-endian CRC-64-AVRO fingerprint of
the writer schema's Parsing Canonical Form, then the Avro binary body.
"""

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastavro.schema import fingerprint, load_schema, to_parsing_canonical_form

PUBLISHED: dict[str, str] = {
    "Ticket": "dev.deskstream.ticket",
    "Customer": "dev.deskstream.customer",
    "SlaPolicy": "dev.deskstream.sla",
    "Article": "dev.deskstream.article",
    "Snippet": "dev.deskstream.snippet",
    "QaReview": "dev.deskstream.qa",
}
"""Aggregate types whose events go to Kafka, and their schema namespace. SLA policies, articles
and snippets travel too: a Kafka-fed analytics or search view cannot be rebuilt without them.
QA reviews travel so that other services (and a Kafka-fed analytics view) see them. Users and
API tokens are internal (token hashes, roles) and are never published."""

ENVELOPE = "dev.deskstream.Envelope"
HERE = Path(__file__).parent
CURRENT = HERE / "current"
RELEASED = HERE / "released"
MAGIC = b"\xc3\x01"
HEADER_SIZE = len(MAGIC) + 8


@dataclass(frozen=True)
class EventSchema:
    aggregate_type: str
    event_type: str
    parsed: dict[str, Any]
    fingerprint: bytes
    """8 bytes, little-endian, exactly as they appear after the marker in a message."""

    @functools.cached_property
    def header(self) -> bytes:
        return MAGIC + self.fingerprint

    @functools.cached_property
    def data_fields(self) -> frozenset[str]:
        """The event's own fields: every field but the envelope."""
        return frozenset(f["name"] for f in self.parsed["fields"]) - {"envelope"}

    @functools.cached_property
    def kafka_headers(self) -> list[tuple[str, bytes]]:
        """The message headers every event of this type carries (the event id is added per event)."""
        return [
            ("event_type", f"{self.aggregate_type}.{self.event_type}".encode()),
            ("schema_fingerprint", self.fingerprint.hex().encode()),
        ]


class UnknownSchemaError(LookupError):
    """A message names a writer schema, or an event has a type, that schemas/ does not hold."""


def schema_fingerprint(parsed: dict[str, Any]) -> bytes:
    return bytes.fromhex(fingerprint(to_parsing_canonical_form(parsed), "CRC-64-AVRO"))


def event_files(folder: Path) -> Iterator[Path]:
    """Every event schema in a folder: all .avsc files but the envelope."""
    for path in sorted(folder.glob("*.avsc")):
        if path.stem != ENVELOPE:
            yield path


def load_folder(folder: Path) -> dict[str, EventSchema]:
    """{full name: schema} of one folder; each file is parsed once, with the envelope inlined."""
    aggregates = {namespace: aggregate for aggregate, namespace in PUBLISHED.items()}
    found: dict[str, EventSchema] = {}
    for path in event_files(folder):
        parsed = load_schema(str(path), named_schemas={})
        namespace, _, name = parsed["name"].rpartition(".")
        if path.stem != parsed["name"] or namespace not in aggregates:
            raise UnknownSchemaError(f"{path.name} defines {parsed['name']}, outside {sorted(aggregates)}")
        found[parsed["name"]] = EventSchema(aggregates[namespace], name, parsed, schema_fingerprint(parsed))
    return found


@dataclass(frozen=True)
class Catalogue:
    writers: dict[tuple[str, str], EventSchema]
    """(aggregate type, event type) → the current schema, which the relay writes with."""
    by_fingerprint: dict[bytes, EventSchema]
    """Every current and released schema, by fingerprint, for decoding."""

    def writer(self, aggregate_type: str, event_type: str) -> EventSchema:
        try:
            return self.writers[aggregate_type, event_type]
        except KeyError:
            raise UnknownSchemaError(
                f"No schema for {aggregate_type}.{event_type}: add "
                f"schemas/current/{PUBLISHED.get(aggregate_type, '?')}.{event_type}.avsc"
            ) from None

    def reader(self, header: bytes) -> EventSchema:
        """The writer schema named by a message's first 10 bytes."""
        if header[:2] != MAGIC:
            raise UnknownSchemaError("Not an Avro single-object message (no C3 01 marker).")
        try:
            return self.by_fingerprint[bytes(header[2:HEADER_SIZE])]
        except KeyError:
            raise UnknownSchemaError(f"Unknown writer schema fingerprint {header[2:10].hex()}.") from None


@functools.cache
def catalogue() -> Catalogue:
    """Parsed once per process."""
    current = load_folder(CURRENT)
    by_fingerprint: dict[bytes, EventSchema] = {}
    for folder in sorted(RELEASED.iterdir()):
        for schema in load_folder(folder).values():
            by_fingerprint[schema.fingerprint] = schema
    by_fingerprint.update({s.fingerprint: s for s in current.values()})
    writers = {(s.aggregate_type, s.event_type): s for s in current.values()}
    return Catalogue(writers, by_fingerprint)


def resolved(writer: EventSchema, schemas: Catalogue) -> dict[str, Any] | None:
    """The schema to read `writer`'s data with: the current version of the same event, so that
    old messages come out with today's fields (defaults filled in); None when it is current."""
    current = schemas.writers.get((writer.aggregate_type, writer.event_type))
    if current is None or current.fingerprint == writer.fingerprint:
        return None
    return current.parsed
