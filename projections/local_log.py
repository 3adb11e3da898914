"""The embedded source of events: the event store's own notification log, read in order."""

from eventsourcing.application import Application

from projections.records import EventRecord, record_from_event

SOURCE = "log"


class LocalLog:
    name = SOURCE

    def __init__(self, app: Application) -> None:
        self.app = app

    def read(self, after: int, limit: int) -> list[EventRecord]:
        notifications = self.app.recorder.select_notifications(
            start=after, limit=limit, inclusive_of_start=False
        )
        to_event = self.app.mapper.to_domain_event
        return [record_from_event(n.id, to_event(n)) for n in notifications]

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0
