"""The report pages' period, read one way for the dashboard, the policy comparison and staffing.

A preset (today, yesterday, this or last week, this or last month) is whole local days in the
team's time zone `tz` around `now` (weeks begin on Monday): it starts at the first instant of its
first day and ends at the first instant of the day after its last, so a day of a DST change is
23 or 25 hours long. `custom` is the `from` and `to` typed: a local date (`to` included whole, as
a date picker means it) or an ISO instant as the API reads it (`to` excluded; one written without
an offset is read in `tz`, unless the page follows the API in refusing it). Every period is
[start, end) in UTC, within the instants the API serves and at most its MAX_WINDOW_DAYS long.

What is wrong is a code per field (`from`, `to`, `tz`): missing_date, bad_date, bad_order,
too_long, bad_zone. Each page words them in its own catalogue and decides what it shows meanwhile.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from pydantic import TypeAdapter

from api.models import Instant
from api.routes.reports import MAX_WINDOW_DAYS
from domain.calendar import check_zone, to_us, zone
from domain.errors import InvalidValueError

PRESETS = ("today", "yesterday", "this_week", "last_week", "this_month", "last_month")
CUSTOM = "custom"
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
INSTANT = TypeAdapter(Instant)
UNENCODED_PLUS = re.compile(r"(T[0-9:.]+) ([0-9]{2}:?[0-9]{2})$")
"""An offset's "+" typed into a URL unencoded arrives as a space."""


class PeriodError(ValueError):
    """What is wrong with a period: field → code."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {code}" for name, code in problems.items()))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Window:
    """[start, end), both in UTC."""

    start: datetime
    end: datetime

    @property
    def us(self) -> tuple[int, int]:
        """As the report queries take it: microseconds since the epoch."""
        return to_us(self.start), to_us(self.end)

    def previous(self, now: datetime | None = None) -> "Window":
        """The period of equal length that ends where this one starts. While this one is running
        (`now` inside it), only as much of that one as has passed of this one: a month to date is
        compared with the same span before it, not with a whole month."""
        before = Window(self.start - (self.end - self.start), self.start)
        if now is not None and self.start < now < self.end:
            return Window(before.start, before.start + (now - self.start))
        return before


def team_zone(given: str, default: str) -> str:
    """The zone the URL names, else the default (the viewer's or the team's), if it is one."""
    tz = given or default
    try:
        check_zone(tz)
    except InvalidValueError:
        raise PeriodError({"tz": "bad_zone"}) from None
    return tz


def read_period(
    preset: str, given_from: str, given_to: str, tz: str, now: datetime, *, offset_required: bool = False
) -> Window:
    """A preset's window around `now`, or for `custom` the one typed; PeriodError if it is wrong."""
    if preset == CUSTOM:
        return custom_window(given_from, given_to, tz, offset_required=offset_required)
    return preset_window(preset, tz, now)


def preset_window(preset: str, tz: str, now: datetime) -> Window:
    first, after = preset_days(preset, now.astimezone(zone(tz)).date())
    return Window(midnight(first, tz), midnight(after, tz))


def preset_days(preset: str, today: date) -> tuple[date, date]:
    """The first day a preset covers and the day after its last."""
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    return {
        "today": (today, today + timedelta(days=1)),
        "yesterday": (today - timedelta(days=1), today),
        "this_week": (monday, monday + timedelta(days=7)),
        "last_week": (monday - timedelta(days=7), monday),
        "this_month": (first, month_after(first)),
        "last_month": (month_before(first), first),
    }[preset]


def month_after(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def month_before(first: date) -> date:
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)


def midnight(day: date, tz: str) -> datetime:
    """The first instant of a local day, in UTC (where midnight is skipped, the hour after)."""
    return datetime.combine(day, time(), zone(tz)).astimezone(UTC)


def custom_window(given_from: str, given_to: str, tz: str, *, offset_required: bool = False) -> Window:
    problems: dict[str, str] = {}
    found: list[datetime] = []
    for name, text, end in (("from", given_from, False), ("to", given_to, True)):
        try:
            found.append(bound(text, tz, end=end, offset_required=offset_required))
        except ValueError:
            problems[name] = "bad_date" if text else "missing_date"
    if problems:
        raise PeriodError(problems)
    start, end = found
    if end <= start:
        raise PeriodError({"to": "bad_order"})
    if (end - start).days > MAX_WINDOW_DAYS:
        raise PeriodError({"to": "too_long"})
    return Window(start, end)


def bound(text: str, tz: str, *, end: bool, offset_required: bool = False) -> datetime:
    """A local date (its first instant; as an end, the next day's) or an instant; ValueError if
    it is neither, or lies outside what the API serves."""
    if not text:
        raise ValueError("no date")
    if DAY.fullmatch(text):
        try:
            day = date.fromisoformat(text) + timedelta(days=1 if end else 0)
            return served(midnight(day, tz))
        except OverflowError:
            raise ValueError(text) from None
    return instant(text, tz, offset_required=offset_required)


def instant(text: str, tz: str, *, offset_required: bool = False) -> datetime:
    """An instant as the API reads it, in UTC; without an offset, a local time in `tz`."""
    text = UNENCODED_PLUS.sub(r"\1+\2", text)
    try:
        return served(text)
    except ValueError:
        if offset_required:
            raise
    try:
        local = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(text) from None
    if local.tzinfo is not None:
        raise ValueError(text)
    return served(local.replace(tzinfo=zone(tz)))


def served(value: str | datetime) -> datetime:
    """In UTC and in the API's range, as its `from`, `to` and `as_of` take it; else ValueError."""
    return INSTANT.validate_python(value)
