"""Business calendars: which instants count as working time, and how much of it lies between two.

Pure arithmetic on integer microseconds since the Unix epoch (UTC), so results are exact and
replay reproduces them bit for bit. A calendar is a time zone, weekly opening hours (several
intervals a day allowed; a night shift is two intervals, one each side of midnight) and
holidays by local date. `None` as a calendar means "every instant counts" (calendar time).
"""

import itertools
from bisect import bisect_right
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
    line = timeline(calendar, start, end)
    if line is None:
        return business_us_by_days(calendar, start, end)
    return line.worked(end) - line.worked(start)


def instant_after(calendar: BusinessCalendar | None, start: int, budget: int) -> int | None:
    """The last instant t with business_us(start, t) <= budget: beyond it, the budget is overspent.

    If the budget runs out exactly as working hours end, that is the next opening. None when
    no working time exists within SEARCH_DAYS.
    """
    if calendar is None:
        return start + budget
    line = timeline(calendar, start, start)
    if line is None:
        return instant_after_by_days(calendar, start, budget)
    target = line.worked(start) + budget
    while (i := bisect_right(line.done, target)) == len(line.done):
        if line.last_day >= utc_day(start) + SEARCH_DAYS:
            return None
        line = extend(calendar, line, line.first_day, line.last_day + CHUNK_DAYS)
        if line is None:
            return instant_after_by_days(calendar, start, budget)
    # the day walk looks at SEARCH_DAYS local days from the one before start's
    last_day = utc_day(start) + SEARCH_DAYS - 3  # at least; exactly, from start's local date:
    if (
        line.days[i] > last_day
        and line.days[i] > local_date(calendar, start).toordinal() - EPOCH_ORDINAL + SEARCH_DAYS - 2
    ):
        return None
    return line.starts[i] + target - line.before[i]


# Business time by bisection: per calendar, the working intervals of a span of local days as
# sorted UTC microseconds with running totals, so business_us is two binary searches and
# instant_after one. The day-by-day walks below define the results; a hypothesis test checks
# that both agree, and a calendar whose intervals would overlap (never seen, but DST rules are
# many) falls back to them.

DAY_US = 86_400_000_000
CHUNK_DAYS = 366
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@dataclass(frozen=True, slots=True)
class Timeline:
    calendar: BusinessCalendar
    first_day: int
    """Local days covered, as days since 1970-01-01 (inclusive both ends)."""
    last_day: int
    starts: list[int]
    ends: list[int]
    days: list[int]
    before: list[int]
    """Working time in the intervals before each one."""
    done: list[int]
    """Working time up to each interval's end."""

    def worked(self, at: int) -> int:
        """Working time from the start of the timeline to `at` (which it must cover)."""
        i = bisect_right(self.starts, at) - 1
        if i < 0:
            return 0
        return self.before[i] + min(at, self.ends[i]) - self.starts[i]


_TIMELINES: dict[int, Timeline] = {}
_IRREGULAR: dict[int, BusinessCalendar] = {}


def utc_day(at: int) -> int:
    return at // DAY_US


def timeline(calendar: BusinessCalendar, start: int, end: int) -> Timeline | None:
    """A timeline of `calendar` covering every interval that can meet [start, end] (a local day
    lies within a day either side of its UTC date); None if the calendar's intervals overlap."""
    lo, hi = utc_day(start) - 2, utc_day(end) + 2
    line = _TIMELINES.get(id(calendar))
    if line is not None and line.calendar is calendar:
        if line.first_day <= lo and hi <= line.last_day:
            return line
        first = line.first_day if lo >= line.first_day else lo - CHUNK_DAYS
        last = line.last_day if hi <= line.last_day else hi + CHUNK_DAYS
        return extend(calendar, line, first, last)
    if _IRREGULAR.get(id(calendar)) is calendar:
        return None
    if len(_TIMELINES) > 256:
        _TIMELINES.clear()
    return extend(calendar, None, lo - 31, hi + CHUNK_DAYS)


def extend(calendar: BusinessCalendar, line: Timeline | None, first: int, last: int) -> Timeline | None:
    """The timeline for local days [first, last] (at least what `line` already covered)."""
    if line is not None:
        first, last = min(first, line.first_day), max(last, line.last_day)
    intervals: list[tuple[int, int, int]] = []
    for n in range(first, last + 1):
        intervals.extend((a, b, n) for a, b in day_intervals(calendar, date.fromordinal(n + EPOCH_ORDINAL)))
    for (_, b, _), (a, _, _) in itertools.pairwise(intervals):
        if a < b:
            _TIMELINES.pop(id(calendar), None)
            if len(_IRREGULAR) > 256:
                _IRREGULAR.clear()
            _IRREGULAR[id(calendar)] = calendar
            return None
    before, done, total = [], [], 0
    for a, b, _ in intervals:
        before.append(total)
        total += b - a
        done.append(total)
    starts, ends, days = ([x[k] for x in intervals] for k in range(3))
    new = Timeline(calendar, first, last, starts, ends, days, before, done)
    _TIMELINES[id(calendar)] = new
    return new


def business_us_by_days(calendar: BusinessCalendar, start: int, end: int) -> int:
    """The definition: working microseconds in [start, end), walking the local days."""
    if end <= start:
        return 0
    total = 0
    day, last = local_date(calendar, start) - timedelta(days=1), local_date(calendar, end)
    while day <= last:
        for a, b in day_intervals(calendar, day):
            lo, hi = max(a, start), min(b, end)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total


def instant_after_by_days(calendar: BusinessCalendar, start: int, budget: int) -> int | None:
    """The definition of instant_after, walking the local days."""
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
