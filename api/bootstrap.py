"""The composition root: builds the application, its read models and their runner."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from api.settings import Settings
from api.store import event_positions, store_env
from domain.helpdesk import Helpdesk
from projections.local_log import LocalLog
from projections.queue_projection import QueueProjection
from projections.queue_store import QueueStore
from projections.runner import Runner
from projections.sql import Database, open_database


class Background(Protocol):
    """A service that runs beside the API in the same process, e.g. the Kafka relay."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    helpdesk: Helpdesk
    queue: QueueStore
    runner: Runner
    queue_db: Database
    background: list[Background] = field(default_factory=list)

    def start(self) -> None:
        """Catches the views up before serving, then follows the log in the background."""
        self.runner.catch_up()
        if self.settings.run_projections:
            self.runner.start()
        for service in self.background:
            service.start()

    def close(self) -> None:
        for service in self.background:
            service.stop()
        self.runner.stop()
        self.queue_db.close()
        self.helpdesk.close()


def build(settings: Settings, clock: Callable[[], datetime] = system_clock) -> Runtime:
    helpdesk = Helpdesk(store_env(settings), clock=clock, positions=event_positions)
    queue_db = open_database(settings.queue_target)
    queue = QueueStore(queue_db)
    runner = Runner(LocalLog(helpdesk), [QueueProjection(queue)])
    runtime = Runtime(settings, helpdesk, queue, runner, queue_db)
    if settings.kafka_bootstrap:
        from relay.service import RelayService  # only scaled mode needs the Kafka client

        runtime.background.append(RelayService(settings, helpdesk))
    return runtime
