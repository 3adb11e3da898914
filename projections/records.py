"""The neutral form of an event that every projection folds over.

Projections never see library event objects or Avro records: both the local log and the Kafka
topic are turned into `EventRecord`s first, which is what makes the two sources give identical
results.
"""

import dataclasses
import functools
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


@dataclass(frozen=True, slots=True)
class EventShape:
    """What an event class contributes to every record of it, worked out once per class."""

    aggregate_type: str
    type: str
    fields: tuple[tuple[str, Any], ...]
    """(name, default) of each data field, in declaration order; MISSING where there is none."""


@functools.cache
def shape_of(cls: type) -> EventShape:
    fields = tuple((f.name, f.default) for f in dataclasses.fields(cls) if f.name not in ENVELOPE_FIELDS)
    return EventShape(cls.__qualname__.split(".", 1)[0], cls.__name__, fields)


def record_from_state(
    position: int, aggregate_id: Any, version: int, cls: type, state: Mapping[str, Any]
) -> EventRecord:
    """The same record as `record_from_event`, straight from a stored event's decoded state.

    Replays read every event of the log; building the library's event objects first cost more
    than everything the projections then do with them. Fields added to a class after an event
    was stored take their declared defaults, as they do on the event object.
    """
    shape = shape_of(cls)
    recorded_at = state["timestamp"]
    return EventRecord(
        position=position,
        aggregate_id=str(aggregate_id),
        aggregate_type=shape.aggregate_type,
        version=version,
        type=shape.type,
        occurred_at=state.get("occurred_at") or recorded_at,
        recorded_at=recorded_at,
        actor=state.get("actor") or "",
        data={name: plain(state.get(name, default)) for name, default in shape.fields},
    )


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
