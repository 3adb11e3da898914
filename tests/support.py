"""Shared test helpers: a clock tests can move, stamps, and runtimes on either backend."""

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from api.bootstrap import Runtime, build
from api.settings import Settings
from application.helpdesk import Helpdesk
from domain.stamp import Stamp
from domain.ticket import Ticket
from projections.local_log import LocalLog
from projections.records import record_from_event

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    """The injected clock: time moves only when a test says so."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def stamp(minutes: float = 0, actor: str = "anna", request_id: str | None = None) -> Stamp:
    at = T0 + timedelta(minutes=minutes)
    return Stamp(occurred_at=at, recorded_at=at, actor=actor, request_id=request_id)


def new_ticket(minutes: float = 0) -> Ticket:
    return Ticket.open(uuid4(), "vk", uuid4(), "Card blocked", "My card is blocked", None, stamp(minutes))


def sqlite_runtime(data_dir: Path, clock: Clock, run_projections: bool = False) -> Runtime:
    return build(Settings(data_dir=data_dir, run_projections=run_projections), clock=clock)


def postgres_runtime(
    url: str, clock: Clock, run_projections: bool = False, data_dir: Path | None = None
) -> Runtime:
    """The analytics DuckDB file lives in a data directory even with PostgreSQL: a fresh one here."""
    data = data_dir or Path(tempfile.mkdtemp(prefix="deskstream-pg-"))
    return build(Settings(postgres_url=url, data_dir=data, run_projections=run_projections), clock=clock)


def assert_log_reads_as_the_library(helpdesk: Helpdesk) -> None:
    """The projections' log reader decodes stored events itself (for speed): every event a test
    stored must come out exactly as the event library's own decoding gives it."""
    stored = helpdesk.recorder.select_notifications(start=0, limit=1_000_000)
    expected = [record_from_event(n.id, helpdesk.mapper.to_domain_event(n)) for n in stored]
    assert LocalLog(helpdesk).read(0, 1_000_000) == expected
