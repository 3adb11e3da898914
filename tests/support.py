"""Shared test helpers: a clock tests can move, stamps, and runtimes on either backend."""

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from api.bootstrap import Runtime, build
from api.settings import Settings
from domain.stamp import Stamp
from domain.ticket import Ticket

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
