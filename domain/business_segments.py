"""A stretch of open time cut into the business-hours segments a metric counted and those it
skipped, each skipped one labelled for a reader: a night (outside the day's hours), a weekend
(a weekday without hours), or a holiday (with its date; calendars give holidays no names).

Only labels are worked out here. What a segment counts is `domain.calendar.business_us` of that
segment, the metric's own function, so the segments of a stretch add up to exactly what the
metric counted for it: business time is a difference of running totals, which telescopes.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from domain.calendar import BusinessCalendar, business_us, day_intervals, local_date, to_us, zone

COUNTED = "counted"
OUTSIDE_HOURS = "outside_hours"
WEEKEND = "weekend"
HOLIDAY = "holiday"


@dataclass(frozen=True, slots=True)
class Segment:
    kind: str
    """counted, outside_hours, weekend or holiday."""
    start: int
    end: int
    counted_us: int
    holiday: str | None = None
    """The holiday's date (YYYY-MM-DD, local) for a holiday segment."""


def business_segments(calendar: BusinessCalendar | None, start: int, end: int) -> list[Segment]:
    """[start, end) as consecutive segments; without a calendar, one counted segment."""
    if end <= start:
        return []
    if calendar is None:
        return [Segment(COUNTED, start, end, end - start)]
    segments: list[Segment] = []
    at = start
    for a, b in working_intervals(calendar, start, end):
        if a > at:
            segments.extend(skipped(calendar, at, a))
        segments.append(Segment(COUNTED, a, b, business_us(calendar, a, b)))
        at = b
    if at < end:
        segments.extend(skipped(calendar, at, end))
    return segments


def working_intervals(calendar: BusinessCalendar, start: int, end: int) -> list[tuple[int, int]]:
    """The calendar's working intervals met by [start, end), clipped to it, in order."""
    found: list[tuple[int, int]] = []
    day, last = local_date(calendar, start) - timedelta(days=1), local_date(calendar, end)
    while day <= last:
        for a, b in day_intervals(calendar, day):
            lo, hi = max(a, start, found[-1][1] if found else start), min(b, end)
            if hi > lo:
                found.append((lo, hi))
        day += timedelta(days=1)
    return found


def skipped(calendar: BusinessCalendar, start: int, end: int) -> list[Segment]:
    """Time outside working hours, cut at local midnights, neighbours of one label joined."""
    pieces: list[Segment] = []
    at = start
    while at < end:
        day = local_date(calendar, at)
        until = min(end, max(at + 1, midnight_after(calendar, day)))
        kind, holiday = label(calendar, day)
        segment = Segment(kind, at, until, business_us(calendar, at, until), holiday)
        last = pieces[-1] if pieces else None
        if last is not None and last.kind == kind and last.holiday == holiday and kind != HOLIDAY:
            pieces[-1] = Segment(kind, last.start, until, last.counted_us + segment.counted_us)
        else:
            pieces.append(segment)
        at = until
    return pieces


def label(calendar: BusinessCalendar, day: date) -> tuple[str, str | None]:
    if day in calendar.holidays:
        return HOLIDAY, day.isoformat()
    if not calendar.weekly[day.weekday()]:
        return WEEKEND, None
    return OUTSIDE_HOURS, None


def midnight_after(calendar: BusinessCalendar, day: date) -> int:
    """The instant the local day after `day` begins."""
    return to_us(datetime.combine(day + timedelta(days=1), time(), zone(calendar.tz)))
