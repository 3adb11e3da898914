"""Where the relay's batches come from: the event log, read and Avro-encoded.

`InlineReader` does the work on the relay's own thread. `ProcessReader` does it in a helper
process, one batch ahead: reading and encoding take about as much CPU per event as kafka-python
takes to send, so on two cores the relay goes nearly twice as fast. The helper holds nothing
durable. It serves one request at a time ("the batch after position P"), and it exits when the
relay's end of the pipe closes, including when the relay is killed. A crash of either process
is therefore the same as a crash of a single-process relay.
"""

import logging
import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from eventsourcing.application import Application

from api.settings import Settings
from projections.avro_records import encode, is_published
from relay.event_record import record_of
from schemas import Catalogue, catalogue

log = logging.getLogger("deskstream.relay")

Messages = list[tuple[bytes, bytes, list[tuple[str, bytes]]]]
Batch = tuple[int, int, Messages]
"""(last log position read, log entries read, (key, value, headers) of each published event)."""


def aggregate_type_of(topic: str) -> str:
    """ "domain.ticket:Ticket.TicketOpened" → "Ticket", without decoding the event."""
    return topic.rpartition(":")[2].partition(".")[0]


def read_batch(app: Application, after: int, limit: int, schemas: Catalogue) -> Batch:
    notifications = app.recorder.select_notifications(start=after, limit=limit, inclusive_of_start=False)
    if not notifications:
        return after, 0, []
    to_event = app.mapper.to_domain_event
    messages: Messages = []
    for n in notifications:
        if is_published(aggregate_type_of(n.topic)):
            event = to_event(n)
            m = encode(record_of(n.id, event), getattr(event, "request_id", None), schemas)
            messages.append((m.key, m.value, m.headers))
    return notifications[-1].id, len(notifications), messages


class InlineReader:
    def __init__(self, app: Application, batch_size: int) -> None:
        self.app = app
        self.batch_size = batch_size
        self.schemas = catalogue()

    def next(self, after: int) -> Batch:
        return read_batch(self.app, after, self.batch_size, self.schemas)

    def close(self) -> None:
        pass


OpenStore = Callable[[Settings], Application]
"""How the helper process opens the event store: the composition root's `open_helpdesk`, passed
by reference (a module-level function survives the spawn), so this module imports no root."""


class ProcessReader:
    def __init__(self, settings: Settings, batch_size: int, open_store: OpenStore) -> None:
        self.settings = settings
        self.open_store = open_store
        self.batch_size = batch_size
        self._process: Any = None
        self._conn: Connection | None = None
        self._asked: int | None = None

    def next(self, after: int) -> Batch:
        conn = self._connection()
        if self._asked is not None and self._asked != after:
            conn.recv()  # an answer to a question that no longer matters
            self._asked = None
        if self._asked is None:
            conn.send(after)
        batch: Batch = conn.recv()
        self._asked = None
        if batch[1]:
            conn.send(batch[0])  # read ahead while the relay sends this batch
            self._asked = batch[0]
        return batch

    def _connection(self) -> Connection:
        if self._conn is None or self._process is None or not self._process.is_alive():
            self.close()
            context = multiprocessing.get_context("spawn")  # the relay may run beside other threads
            ours, theirs = context.Pipe()
            self._process = context.Process(
                target=serve,
                args=(self.open_store, self.settings, self.batch_size, theirs),
                name="relay-reader",
                daemon=True,
            )
            self._process.start()
            theirs.close()
            self._conn = ours
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._process is not None:
            self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.kill()
            self._process = None
        self._asked = None


def serve(open_store: OpenStore, settings: Settings, batch_size: int, conn: Connection) -> None:
    """The helper process: answers "after P?" with the next encoded batch until the pipe closes."""
    app = open_store(settings)
    schemas = catalogue()
    try:
        while True:
            try:
                after = conn.recv()
            except EOFError:
                return
            conn.send(read_batch(app, after, batch_size, schemas))
    except (BrokenPipeError, ConnectionResetError):
        return
    finally:
        app.close()
