"""The as-of instant a history page is asked for, read as `GET /api/v1/tickets/{id}?as_of=` reads it.

An instant with a zone (`2026-03-02T09:05:33.4Z`, what the page's own links carry) is taken as
it is; a time typed without one (`2026-03-02 12:05`) is in the viewer's zone. What cannot be
read, lies outside the API's range or is still to come is refused next to the field, never a 500.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter, ValidationError

from api.models import Instant

INSTANT = TypeAdapter(Instant)
MAX_TYPED = 64


class AsOfProblem(Exception):
    """What is wrong with the typed as-of time: a catalogue key and its placeholders."""

    def __init__(self, key: str, **params: str) -> None:
        super().__init__(key)
        self.key, self.params = key, params


def read_as_of(typed: str, zone: str, now: datetime) -> datetime | None:
    """The instant asked for, in UTC; None when nothing was typed (the ticket as it is now)."""
    text = typed.strip()
    if not text:
        return None
    if len(text) > MAX_TYPED:
        raise AsOfProblem("history.as_of_unreadable")
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise AsOfProblem("history.as_of_unreadable") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo(zone))
    try:
        instant: datetime = INSTANT.validate_python(at)
    except ValidationError as exc:
        raise AsOfProblem("history.as_of_out_of_range", detail=exc.errors()[0]["msg"]) from None
    if instant > now:
        raise AsOfProblem("history.as_of_future")
    return instant
