"""The wall clock, on its own: every process's composition root hands it to the Helpdesk, and the
relay's reader process builds one too, so it lives apart from api/bootstrap (no import cycle)."""

from datetime import UTC, datetime


def system_clock() -> datetime:
    return datetime.now(UTC)
