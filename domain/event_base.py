"""The part every aggregate's events share: when it happened, who did it, under which request.

Each aggregate still nests its own `class Event(StampedEvent)` and its events inside itself, so
their stored topics (`domain.ticket:Ticket.ReplySent`), type names and field order, and with
them the stored bytes, are what they were when each aggregate declared these fields itself.
"""

from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain.stamp import Stamp


class StampedEvent(Aggregate.Event):
    """`occurred_at` is the world's time, `timestamp` (from the stamp's `recorded_at`) the log's."""

    occurred_at: datetime
    actor: str
    request_id: str | None

    def apply(self, aggregate: Any) -> None:
        self.update(aggregate)

    def update(self, aggregate: Any) -> None:
        """Each event's own effect on its aggregate; the default changes nothing."""


def event_stamp(stamp: Stamp) -> dict[str, Any]:
    """The fields a command's stamp gives each event it records."""
    return {
        "occurred_at": stamp.occurred_at,
        "actor": stamp.actor,
        "request_id": stamp.request_id,
        "timestamp": stamp.recorded_at,
    }
