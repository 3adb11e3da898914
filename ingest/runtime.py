"""Everything channel intake needs at run time, built once by the composition root."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from application.helpdesk import Helpdesk
from ingest.dead_letters import DeadLetters
from ingest.mail.raw_store import RawMailStore
from ingest.outbox import Outbox
from ingest.outbox_jobs import OutboxJobs
from ingest.service import IngestService
from ingest.store import IngestProjection
from projections.failures import Failures
from projections.sql import Database, open_database


@dataclass
class IngestRuntime:
    db: Database
    store: IngestProjection
    jobs: OutboxJobs
    dead_letters: DeadLetters
    service: IngestService
    outbox: Outbox
    raw_mail: RawMailStore
    started: bool = field(default=False)

    def start(self) -> None:
        self.outbox.start()
        self.started = True

    def close(self) -> None:
        if self.started:
            self.outbox.stop()
        self.db.close()


def open_ingest_store(target: str | Path) -> IngestProjection:
    """The intake view and its outbox jobs, which the runners feed: built before them.

    `target`: the PostgreSQL URL in scaled mode, else a SQLite file in the data dir.
    """
    db = open_database(target)
    return IngestProjection(db, OutboxJobs(db))


def build_ingest(
    helpdesk: Helpdesk, store: IngestProjection, wake: Callable[[], None], failures: Failures
) -> IngestRuntime:
    """`wake`: the runners', so a webhook's events reach the views at once; `failures`: where
    the outbox reports, beside the runners, for the health check."""
    dead_letters = DeadLetters(store.db)
    service = IngestService(helpdesk, dead_letters, store.jobs, wake=wake)
    outbox = Outbox(helpdesk, store.jobs, after_delivery=service.delivered, failures=failures)
    raw_mail = RawMailStore(store.db)
    return IngestRuntime(store.db, store, store.jobs, dead_letters, service, outbox, raw_mail)
