"""Business calendars: which instants count as working time, and how much of it lies between two.

Pure arithmetic on integer microseconds since the Unix epoch (UTC), so results are exact and
replay reproduces them bit for bit. A calendar is a time zone, weekly opening hours (several
intervals a day allowed; a night shift is two intervals, one each side of midnight) and
holidays by local date. `None` as a calendar means "every instant counts" (calendar time).
"""

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import InvalidValueError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_MINUTES = 24 * 60
SEARCH_DAYS = 3 * 366
"""instant_after gives up (None: never) when no working time exists this far ahead."""

Interval = tuple[int, int]


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    tz: str
    weekly: tuple[tuple[Interval, ...], ...]
    """Seven entries, Monday first; each a sorted tuple of (start, end) minutes in [0, 1440]."""
    holidays: frozenset[date] = frozenset()

    @classmethod
    def build(cls, tz: str, weekly: dict[str, list[list[str]]], holidays: list[str]) -> "BusinessCalendar":
        """From the API's shape: {"mon": [["09:00", "18:00"]], …}, ["2026-01-01", …]."""
        check_zone(tz)
        unknown = set(weekly) - set(WEEKDAYS)
        if unknown:
            raise InvalidValueError(f"Weekdays are {', '.join(WEEKDAYS)}; got {', '.join(sorted(unknown))}.")
        days = tuple(check_intervals(day, weekly.get(day, [])) for day in WEEKDAYS)
        try:
            dates = frozenset(date.fromisoformat(d) for d in holidays)
        except ValueError:
            raise InvalidValueError("Holidays must be dates like 2026-01-01.") from None
        return cls(tz, days, dates)

    def as_json(self) -> dict[str, object]:
        return {
            "tz": self.tz,
            "weekly": {
                day: [[clock(a), clock(b)] for a, b in self.weekly[i]]
                for i, day in enumerate(WEEKDAYS)
                if self.weekly[i]
            },
            "holidays": sorted(d.isoformat() for d in self.holidays),
        }


def check_zone(tz: str) -> None:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValueError(f"{tz!r} is not an IANA time zone such as Europe/Moscow.") from None


def check_intervals(day: str, intervals: list[list[str]]) -> tuple[Interval, ...]:
    parsed = sorted((minutes(a), minutes(b)) for a, b in (pair_of(day, i) for i in intervals))
    for start, end in parsed:
        if not 0 <= start < end <= DAY_MINUTES:
            raise InvalidValueError(f"{day}: an interval must start before it ends, within 00:00-24:00.")
    for (_, end), (start, _) in itertools.pairwise(parsed):
        if start < end:
            raise InvalidValueError(f"{day}: working intervals overlap.")
    return tuple(parsed)


def pair_of(day: str, interval: list[str]) -> tuple[str, str]:
    if len(interval) != 2:
        raise InvalidValueError(f"{day}: each interval is [start, end], like ['09:00', '18:00'].")
    return interval[0], interval[1]


def minutes(text: str) -> int:
    hours, _, mins = text.partition(":")
    if not (hours.isdigit() and mins.isdigit() and len(mins) == 2):
        raise InvalidValueError(f"{text!r} is not a time like 09:30.")
    value = int(hours) * 60 + int(mins)
    if int(mins) > 59 or value > DAY_MINUTES:
        raise InvalidValueError(f"{text!r} is not a time between 00:00 and 24:00.")
    return value


def clock(value: int) -> str:
    return f"{value // 60:02d}:{value % 60:02d}"


def to_us(moment: datetime) -> int:
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def local_date(calendar: BusinessCalendar, at_us: int) -> date:
    return from_us(at_us).astimezone(zone(calendar.tz)).date()


@lru_cache(maxsize=64)
def zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


@lru_cache(maxsize=65_536)
def day_intervals(calendar: BusinessCalendar, day: date) -> tuple[Interval, ...]:
    """The day's working intervals as UTC microseconds, adjacent ones joined."""
    if day in calendar.holidays:
        return ()
    tz = zone(calendar.tz)
    result: list[Interval] = []
    for start, end in calendar.weekly[day.weekday()]:
        a, b = to_us(wall(day, start, tz)), to_us(wall(day, end, tz))
        if b <= a:
            continue
        if result and result[-1][1] == a:
            result[-1] = (result[-1][0], b)
        else:
            result.append((a, b))
    return tuple(result)


def wall(day: date, minute: int, tz: ZoneInfo) -> datetime:
    if minute == DAY_MINUTES:
        return datetime.combine(day + timedelta(days=1), time(), tz)
    return datetime.combine(day, time(minute // 60, minute % 60), tz)


def business_us(calendar: BusinessCalendar | None, start: int, end: int) -> int:
    """Working microseconds in [start, end); without a calendar, simply end - start."""
    if end <= start:
        return 0
    if calendar is None:
        return end - start
    total = 0
    day, last = local_date(calendar, start) - timedelta(days=1), local_date(calendar, end)
    while day <= last:
        for a, b in day_intervals(calendar, day):
            lo, hi = max(a, start), min(b, end)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total


def instant_after(calendar: BusinessCalendar | None, start: int, budget: int) -> int | None:
    """The last instant t with business_us(start, t) <= budget: beyond it, the budget is overspent.

    If the budget runs out exactly as working hours end, that is the next opening. None when
    no working time exists within SEARCH_DAYS.
    """
    if calendar is None:
        return start + budget
    day = local_date(calendar, start) - timedelta(days=1)
    for _ in range(SEARCH_DAYS):
        for a, b in day_intervals(calendar, day):
            lo = max(a, start)
            if b <= lo:
                continue
            if b - lo > budget:
                return lo + budget
            budget -= b - lo
        day += timedelta(days=1)
    return None
