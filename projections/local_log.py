"""The embedded source of events: the event store's own notification log, read in order."""

import functools

from eventsourcing.application import Application
from eventsourcing.utils import resolve_topic

from projections.records import EventRecord, record_from_event, record_from_state

SOURCE = "log"


class LocalLog:
    name = SOURCE

    def __init__(self, app: Application) -> None:
        self.app = app

    def read(self, after: int, limit: int) -> list[EventRecord]:
        notifications = self.app.recorder.select_notifications(
            start=after, limit=limit, inclusive_of_start=False
        )
        mapper = self.app.mapper
        if mapper.cipher or mapper.compressor:
            return [record_from_event(n.id, mapper.to_domain_event(n)) for n in notifications]
        decode = mapper.transcoder.decode
        return [
            record_from_state(
                n.id, n.originator_id, n.originator_version, event_class(n.topic), decode(n.state)
            )
            for n in notifications
        ]

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0


@functools.cache
def event_class(topic: str) -> type:
    return resolve_topic(topic)  # type: ignore[no-any-return]
