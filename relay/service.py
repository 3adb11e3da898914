"""Runs the relay on a background thread inside `deskstream serve`; the composition root
(api/bootstrap.py `build_relay`) builds it from settings."""

import threading
from collections.abc import Callable

from projections.sql import Database
from relay.relay import Relay

BuildRelay = Callable[[], tuple[Relay, Database]]


class RelayService:
    """The in-process relay: started with the API, stopped (after its current batch) with it.

    `build` is called at start, not at construction: the relay connects to the broker, and the
    API must come up even when the broker is down for now."""

    def __init__(self, build: BuildRelay) -> None:
        self.build = build
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._built: tuple[Relay, Database] | None = None

    def start(self) -> None:
        self._built = self.build()
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
