"""When customers write: a day/night and weekday curve in the team's time zone, with a real night.

A third of the day's messages arrive between 20:00 and 09:00, which is why four of the twelve
operators work nights (the staffing page's argument). Load grows through the year, public
holidays are quiet, and two outages bring a burst of incidents.
"""

import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

HOURLY = (5, 4, 3, 3, 3, 3, 4, 6, 9, 12, 14, 14, 13, 13, 14, 14, 13, 12, 11, 10, 9, 8, 7, 6)
"""Relative arrivals per local hour, 00:00 to 23:00."""
WEEKDAY = (1.1, 1.0, 1.0, 1.0, 0.95, 0.7, 0.6)
HOLIDAY = 0.5
GROWTH = (0.85, 1.15)
"""The load at the year's start and at its end, relative to its average."""
OUTAGE_LOAD, OUTAGE_HOURS, OUTAGES = 4.0, 5, 2
HOUR, MICROSECOND = timedelta(hours=1), timedelta(microseconds=1)
HOLIDAYS = ("01-01", "01-02", "01-03", "01-04", "01-05", "01-06", "01-07", "01-08",
            "02-23", "03-08", "05-01", "05-09", "06-12", "11-04")  # fmt: skip
"""Russia's fixed-date public holidays (without the yearly transfers of days off)."""


@dataclass(frozen=True, slots=True)
class Year:
    """The history's span and the team's zone: [start, end), both aware."""

    start: datetime
    end: datetime
    zone: ZoneInfo

    def holidays(self) -> list[str]:
        """The holidays of every year the span touches, as the SLA calendar lists them."""
        years = range(self.start.astimezone(self.zone).year, self.end.astimezone(self.zone).year + 1)
        return [f"{year}-{day}" for year in years for day in HOLIDAYS]

    def month_starts(self) -> list[datetime]:
        """Local midnight of the first of each month from the start's month to the end's."""
        local = self.start.astimezone(self.zone)
        found, year, month = [], local.year, local.month
        while (first := datetime(year, month, 1, tzinfo=self.zone)) < self.end:
            found.append(first)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found


def year_ending(end: datetime, zone: ZoneInfo, months: int = 12) -> Year:
    """From local midnight of the first of the month `months` before the end's month, so that
    every month but the end's is complete and the end's month runs to `end`."""
    local = end.astimezone(zone)
    index = local.year * 12 + local.month - 1 - months
    return Year(datetime(index // 12, index % 12 + 1, 1, tzinfo=zone), end, zone)


def outages(rng: random.Random, year: Year) -> list[tuple[datetime, datetime]]:
    """A few hours of a weekday afternoon, twice a year, when the app failed."""
    days = (year.end - year.start).days
    found = []
    for _ in range(OUTAGES if days > 30 else 0):
        day = (year.start + timedelta(days=rng.randrange(7, days - 7))).astimezone(year.zone)
        start = datetime(day.year, day.month, day.day, 13, tzinfo=year.zone)
        found.append((start, start + timedelta(hours=OUTAGE_HOURS)))
    return sorted(found)


def arrivals(
    rng: random.Random, count: int, year: Year, outage: list[tuple[datetime, datetime]]
) -> list[datetime]:
    """`count` instants in [start, end), drawn hour by hour from the curves, in order."""
    slots, weights = hour_slots(year, outage)
    if not slots:
        return []
    cumulative = list(accumulate(weights))
    total = cumulative[-1]
    found = []
    for _ in range(count):
        index = min(bisect_right(cumulative, rng.random() * total), len(slots) - 1)
        length = min(HOUR, year.end - slots[index])
        found.append(slots[index] + timedelta(microseconds=rng.randrange(length // MICROSECOND)))
    return sorted(found)


def hour_slots(year: Year, outage: list[tuple[datetime, datetime]]) -> tuple[list[datetime], list[float]]:
    holidays = set(year.holidays())
    span = (year.end - year.start).total_seconds()
    slots: list[datetime] = []
    weights: list[float] = []
    at = year.start
    while at < year.end:
        local = at.astimezone(year.zone)
        weight = HOURLY[local.hour] * WEEKDAY[local.weekday()]
        weight *= HOLIDAY if local.date().isoformat() in holidays else 1.0
        share = (at - year.start).total_seconds() / span
        weight *= GROWTH[0] + (GROWTH[1] - GROWTH[0]) * share
        if in_outage(at, outage):
            weight *= OUTAGE_LOAD
        slots.append(at)
        weights.append(weight * (min(HOUR, year.end - at) / HOUR))
        at += HOUR
    return slots, weights


def in_outage(at: datetime, outage: list[tuple[datetime, datetime]]) -> bool:
    return any(start <= at < end for start, end in outage)
