"""The wall clock, on its own: the composition root (api/bootstrap.py) hands it to every Helpdesk
it opens, the relay's helper process's included."""

from datetime import UTC, datetime


def system_clock() -> datetime:
    return datetime.now(UTC)
