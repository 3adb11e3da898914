"""Everything channel intake needs at run time, built once by the composition root."""

from dataclasses import dataclass, field
from pathlib import Path

from application.helpdesk import Helpdesk
from ingest.dead_letters import DeadLetters
from ingest.outbox import Outbox
from ingest.outbox_jobs import OutboxJobs
from ingest.service import IngestService
from ingest.store import IngestProjection
from projections.sql import Database, open_database


@dataclass
class IngestRuntime:
    db: Database
    store: IngestProjection
    jobs: OutboxJobs
    dead_letters: DeadLetters
    service: IngestService
    outbox: Outbox
    started: bool = field(default=False)

    def start(self) -> None:
        self.outbox.start()
        self.started = True

    def close(self) -> None:
        if self.started:
            self.outbox.stop()
        self.db.close()


def build_ingest(target: str | Path, helpdesk: Helpdesk) -> IngestRuntime:
    """`target`: the PostgreSQL URL in scaled mode, else a SQLite file in the data dir."""
    db = open_database(target)
    jobs = OutboxJobs(db)
    store = IngestProjection(db, jobs)
    dead_letters = DeadLetters(db)
    outbox = Outbox(helpdesk, jobs)
    service = IngestService(helpdesk, dead_letters, jobs, wake=lambda: None)
    outbox.after_delivery = service.delivered
    return IngestRuntime(db, store, jobs, dead_letters, service, outbox)
