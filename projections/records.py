"""The neutral form of an event that every projection folds over.

Projections never see library event objects or Avro records: both the local log and the Kafka
topic are turned into `EventRecord`s first, which is what makes the two sources give identical
results.
"""

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

ENVELOPE_FIELDS = frozenset(
    {
        "originator_id",
        "originator_version",
        "timestamp",
        "originator_topic",
        "occurred_at",
        "actor",
        "request_id",
    }
)


@dataclass(frozen=True, slots=True)
class EventRecord:
    position: int
    aggregate_id: str
    aggregate_type: str
    version: int
    type: str
    occurred_at: datetime
    recorded_at: datetime
    actor: str
    data: Mapping[str, Any]


def record_from_event(position: int, event: Any) -> EventRecord:
    """`event` is a domain event object, e.g. from `Helpdesk.mapper.to_domain_event`."""
    cls = type(event)
    data = {
        f.name: plain(getattr(event, f.name))
        for f in dataclasses.fields(event)
        if f.name not in ENVELOPE_FIELDS
    }
    return EventRecord(
        position=position,
        aggregate_id=str(event.originator_id),
        aggregate_type=cls.__qualname__.split(".", 1)[0],
        version=event.originator_version,
        type=cls.__name__,
        occurred_at=getattr(event, "occurred_at", event.timestamp),
        recorded_at=event.timestamp,
        actor=getattr(event, "actor", "") or "",
        data=data,
    )


def plain(value: Any) -> Any:
    """UUIDs become strings and sequences lists, as they arrive from Avro."""
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    return value
