"""Builds the relay from settings, and runs it on a background thread inside `deskstream serve`."""

import threading

from eventsourcing.application import Application

from api.settings import Settings
from projections.sql import Database, open_database
from relay.position import RelayPosition
from relay.reader import InlineReader, ProcessReader
from relay.relay import Relay


def build_relay(
    settings: Settings, app: Application, batch_size: int = 5000, helper_process: bool = True
) -> tuple[Relay, Database]:
    """With `helper_process`, a second process reads and encodes the log (two cores, twice as fast)."""
    if not settings.kafka_bootstrap:
        raise ValueError("DESKSTREAM_KAFKA_BOOTSTRAP is not set; the relay needs a broker (host:port).")
    db = open_database(settings.relay_target)
    position = RelayPosition(db, settings.kafka_topic)
    relay = Relay(
        app,
        position,
        settings.kafka_bootstrap,
        settings.kafka_topic,
        partitions=settings.kafka_partitions,
        batch_size=batch_size,
        reader=ProcessReader(settings, batch_size) if helper_process else InlineReader(app, batch_size),
    )
    return relay, db


class RelayService:
    """The in-process relay: started with the API, stopped (after its current batch) with it."""

    def __init__(self, settings: Settings, app: Application) -> None:
        self.settings = settings
        self.app = app
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._built: tuple[Relay, Database] | None = None

    def start(self) -> None:
        self._built = build_relay(self.settings, self.app)
        relay = self._built[0]
        self._thread = threading.Thread(target=relay.run, args=(self._stop,), name="relay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self._built is not None:
            relay, db = self._built
            relay.close()
            db.close()
            self._built = None
