"""The composition root: builds the application, its read models and their runner."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from api.settings import Settings
from api.store import event_positions, store_env
from domain.helpdesk import Helpdesk
from projections.local_log import LocalLog
from projections.queue_projection import QueueProjection
from projections.queue_store import QueueStore
from projections.runner import Runner
from projections.search_projection import SearchProjection
from projections.search_store import SearchDb
from projections.sql import Database, open_database


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    helpdesk: Helpdesk
    queue: QueueStore
    runner: Runner
    queue_db: Database
    search: SearchDb

    def start(self) -> None:
        """Catches the views up before serving, then follows the log in the background."""
        self.runner.catch_up()
        if self.settings.run_projections:
            self.runner.start()

    def close(self) -> None:
        self.runner.stop()
        self.queue_db.close()
        self.search.close()
        self.helpdesk.close()


def build(settings: Settings, clock: Callable[[], datetime] = system_clock) -> Runtime:
    helpdesk = Helpdesk(store_env(settings), clock=clock, positions=event_positions)
    queue_db = open_database(settings.queue_target)
    queue = QueueStore(queue_db)
    search = SearchDb(search_path(settings))
    runner = Runner(LocalLog(helpdesk), [QueueProjection(queue), SearchProjection(search)])
    return Runtime(settings, helpdesk, queue, runner, queue_db, search)


def search_path(settings: Settings) -> Path:
    """The search index is a SQLite file in the data dir even in PostgreSQL mode (FTS5 is SQLite's).

    In PostgreSQL mode its name carries a digest of the database URL, so that two event stores
    never share an index file.
    """
    if settings.postgres_url is None:
        return settings.data_dir / "search.sqlite"
    digest = hashlib.sha256(settings.postgres_url.encode()).hexdigest()[:12]
    return settings.data_dir / f"search-{digest}.sqlite"
