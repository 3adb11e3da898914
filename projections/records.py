"""The neutral form of an event that every projection folds over.

Projections never see library event objects or Avro records: both the local log and the Kafka
topic are turned into `EventRecord`s first, which is what makes the two sources give identical
results.

A record never carries a secret: a channel's settings (bot tokens, app secrets, passwords) are
masked here, so no view, table, snapshot or API answer built from records can copy one. Only
the command side needs the values, and it loads the Channel aggregate itself.
"""

import dataclasses
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.channel import redacted

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


def hidden_value(_: object) -> str:
    """A password hash is not a password, but nothing outside the store needs to see it."""
    return "***"


SECRET_FIELDS: dict[str, Callable[[Any], Any]] = {
    "Channel.settings": redacted,
    "User.password_hash": hidden_value,
    "User.invite_hash": hidden_value,
}
"""`<aggregate type>.<field>` whose values hold secrets, and how each is masked."""


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
    secret: bool = False
    """Whether any field holds secrets (see SECRET_FIELDS)."""


@functools.cache
def shape_of(cls: type) -> EventShape:
    fields = tuple((f.name, f.default) for f in dataclasses.fields(cls) if f.name not in ENVELOPE_FIELDS)
    aggregate_type = cls.__qualname__.split(".", 1)[0]
    secret = any(f"{aggregate_type}.{name}" in SECRET_FIELDS for name, _ in fields)
    return EventShape(aggregate_type, cls.__name__, fields, secret)


def masked(aggregate_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """`data` with every secret-holding field masked; the caller's dict is not changed."""
    return {
        name: SECRET_FIELDS[f"{aggregate_type}.{name}"](value)
        if f"{aggregate_type}.{name}" in SECRET_FIELDS
        else value
        for name, value in data.items()
    }


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
    data = {name: plain(state.get(name, default)) for name, default in shape.fields}
    return EventRecord(
        position=position,
        aggregate_id=str(aggregate_id),
        aggregate_type=shape.aggregate_type,
        version=version,
        type=shape.type,
        occurred_at=state.get("occurred_at") or recorded_at,
        recorded_at=recorded_at,
        actor=state.get("actor") or "",
        data=masked(shape.aggregate_type, data) if shape.secret else data,
    )


def record_from_event(position: int, event: Any) -> EventRecord:
    """`event` is a domain event object, e.g. from `Helpdesk.mapper.to_domain_event`."""
    cls = type(event)
    shape = shape_of(cls)
    data = {name: plain(getattr(event, name)) for name, _ in shape.fields}
    return EventRecord(
        position=position,
        aggregate_id=str(event.originator_id),
        aggregate_type=shape.aggregate_type,
        version=event.originator_version,
        type=cls.__name__,
        occurred_at=getattr(event, "occurred_at", event.timestamp),
        recorded_at=event.timestamp,
        actor=getattr(event, "actor", "") or "",
        data=masked(shape.aggregate_type, data) if shape.secret else data,
    )


def plain(value: Any) -> Any:
    """UUIDs become strings and sequences lists, as they arrive from Avro."""
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    return value
