"""The embedded source of events: the event store's own notification log, read in order."""

import functools
import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.sqlite import SQLiteApplicationRecorder
from eventsourcing.utils import resolve_topic

from projections.records import EventRecord, record_from_event, record_from_state

SOURCE = "log"
REVIVE: dict[str, Callable[[Any], Any]] = {
    "datetime_iso": datetime.fromisoformat,
    "uuid_hex": UUID,
    "decimal_str": Decimal,
}
"""The event library's own transcodings (it registers no others for our events)."""


class UnknownTranscoding(Exception):
    pass


class LocalLog:
    name = SOURCE

    def __init__(self, app: Application) -> None:
        self.app = app

    def read(self, after: int, limit: int) -> list[EventRecord]:
        mapper = self.app.mapper
        if mapper.cipher or mapper.compressor:
            notifications = self.app.recorder.select_notifications(
                start=after, limit=limit, inclusive_of_start=False
            )
            return [record_from_event(n.id, mapper.to_domain_event(n)) for n in notifications]
        if isinstance(self.app.recorder, SQLiteApplicationRecorder):
            rows = self._sqlite_rows(self.app.recorder, after, limit)
        else:
            rows = [
                (n.id, str(n.originator_id), n.originator_version, n.topic, n.state)
                for n in self.app.recorder.select_notifications(
                    start=after, limit=limit, inclusive_of_start=False
                )
            ]
        return [
            record_from_state(position, aggregate_id, version, event_class(topic), self._decode(state))
            for position, aggregate_id, version, topic, state in rows
        ]

    def _sqlite_rows(self, recorder: SQLiteApplicationRecorder, after: int, limit: int) -> list[Any]:
        """Plain tuples straight from the table: a replay reads every event, and the library's
        row objects, UUIDs and notifications cost more than the projections' own work."""
        table = recorder.events_table_name
        with recorder.datastore.transaction(commit=False) as cursor:
            raw = cursor.sqlite_cursor
            raw.row_factory = None
            raw.execute(
                f"SELECT rowid, originator_id, originator_version, topic, state FROM {table} "
                "WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (after, limit),
            )
            rows = raw.fetchall()
        return [(p, canonical(a), v, t, s) for p, a, v, t, s in rows]

    def _decode(self, state: bytes) -> dict[str, Any]:
        """json.loads in C, then only the transcoded values revived: the library's decoder calls a
        Python hook for every object in the document."""
        try:
            return revive(json.loads(state))  # type: ignore[no-any-return]
        except UnknownTranscoding:
            return self.app.mapper.transcoder.decode(state)  # type: ignore[no-any-return]

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0


def revive(value: Any) -> Any:
    if type(value) is dict:
        if len(value) == 2 and "_type_" in value and "_data_" in value:
            kind = REVIVE.get(value["_type_"])
            if kind is None:
                raise UnknownTranscoding(value["_type_"])
            return kind(revive(value["_data_"]))
        for key, item in value.items():
            if type(item) is dict or type(item) is list:
                value[key] = revive(item)
        return value
    if type(value) is list:
        return [revive(item) if type(item) is dict or type(item) is list else item for item in value]
    return value


@functools.lru_cache(maxsize=8_192)
def canonical(stored_id: str) -> str:
    """The SQLite store keeps ids as 32 hex digits; records carry the hyphenated form. A batch
    names the same tickets again and again, so a few thousand entries catch it; at 65,536 the
    memo was still filling ten minutes into a soak (every idempotency key is an id)."""
    return str(UUID(stored_id))


@functools.cache
def event_class(topic: str) -> type:
    return resolve_topic(topic)  # type: ignore[no-any-return]
