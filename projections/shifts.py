"""The team's shifts, and what each one needs given the hourly Erlang C figures.

A manager rosters shifts, not hours: a shift is staffed for its busiest hour and for as long as
it lasts, so it needs the peak of the hourly requirement within it. Shifts are written as rosters
are (`09:00-20:00,20:00-09:00`), on the hour because the load is counted per hour, and together
they cover the day exactly once: no hour is staffed twice or left to nobody. A shift that crosses
midnight belongs to the day it starts on, and Sunday's night ends on Monday morning, since the
hourly figures describe a week that repeats. Pure arithmetic: figures in, figures out.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

HOURS = 24
WEEKDAYS = tuple(range(1, 8))
"""ISO weekdays, Monday first, as the hourly report numbers them."""
MAX_SHIFTS = HOURS
MAX_TEXT = 300
"""Room for 24 one-hour shifts."""
DEFAULT_SHIFTS = "09:00-20:00,20:00-09:00"
CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
Slot = tuple[int, int]
"""(ISO weekday, hour of day)."""


class ShiftsError(ValueError):
    """What is wrong with a list of shifts: `code` and `params` for the page's catalogue, and the
    sentence in English for a setting's error line."""

    def __init__(self, code: str, sentence: str, **params: str) -> None:
        super().__init__(sentence)
        self.code = code
        self.params = params


@dataclass(frozen=True, slots=True)
class Shift:
    start: int
    """Hour of day it begins, 0-23."""
    hours: int
    """How long it lasts, 1-24."""

    @property
    def label(self) -> str:
        end = self.start + self.hours
        return f"{self.start:02d}:00-{end if end == HOURS else end % HOURS:02d}:00"

    def slots(self, weekday: int) -> tuple[Slot, ...]:
        """The hours of the week this shift covers when it starts on `weekday`."""
        covered = []
        for offset in range(self.hours):
            hour = self.start + offset
            covered.append(((weekday - 1 + hour // HOURS) % 7 + 1, hour % HOURS))
        return tuple(covered)


@dataclass(frozen=True, slots=True)
class ShiftNeed:
    """One shift on one weekday (the day it starts on)."""

    shift: Shift
    weekday: int
    agents: int
    """The peak of the hourly requirement within the shift: whom the shift must have."""
    peak: Slot | None
    """The first hour at that peak; None when the shift needs nobody."""
    needed_hours: int
    """The hourly requirements summed: the least a roster that followed every hour could use."""
    messages: int

    @property
    def agent_hours(self) -> int:
        """The shift staffed for its peak from start to end."""
        return self.agents * self.shift.hours


@dataclass(frozen=True, slots=True)
class ShiftWeek:
    shift: Shift
    days: tuple[ShiftNeed, ...]
    """Monday to Sunday."""

    @property
    def agents(self) -> int:
        return max(day.agents for day in self.days)

    @property
    def agent_hours(self) -> int:
        return sum(day.agent_hours for day in self.days)

    @property
    def needed_hours(self) -> int:
        return sum(day.needed_hours for day in self.days)

    @property
    def messages(self) -> int:
        return sum(day.messages for day in self.days)


def parse_shifts(text: str) -> tuple[Shift, ...]:
    """The shifts as written, in their order; raises ShiftsError saying what is wrong."""
    if len(text) > MAX_TEXT:
        raise ShiftsError("too_long", f"at most {MAX_TEXT} characters", max=str(MAX_TEXT))
    if not text.strip():
        raise ShiftsError("empty", f"no shifts given; write them like {DEFAULT_SHIFTS}")
    parts = [part.strip() for part in text.split(",")]
    if len(parts) > MAX_SHIFTS:
        raise ShiftsError("too_many", f"at most {MAX_SHIFTS} shifts", max=str(MAX_SHIFTS))
    shifts = tuple(parse_shift(part) for part in parts)
    check_cover(shifts)
    return shifts


def parse_shift(text: str) -> Shift:
    first, dash, last = text.partition("-")
    if not dash:
        raise ShiftsError("bad_shift", f"{text!r} is not a shift like 09:00-20:00", shift=text)
    start, end = clock_hour(first.strip(), text), clock_hour(last.strip(), text)
    if start == HOURS:
        raise ShiftsError("bad_shift", f"{text!r}: a shift cannot start at 24:00", shift=text)
    if start == end:
        sentence = f"{text!r} starts and ends at the same hour; a shift all day long is 00:00-24:00"
        raise ShiftsError("same_hour", sentence, shift=text)
    return Shift(start, (end - start) % HOURS or HOURS)


def clock_hour(text: str, shift: str) -> int:
    found = CLOCK.fullmatch(text)
    if found is None or int(found[1]) > HOURS or int(found[2]) >= 60:
        raise ShiftsError("bad_shift", f"{shift!r} is not a shift like 09:00-20:00", shift=shift)
    hour, minute = int(found[1]), int(found[2])
    if minute:
        sentence = f"{shift!r}: shifts start and end on the hour, since the load is counted per hour"
        raise ShiftsError("not_on_hour", sentence, shift=shift)
    return hour


def check_cover(shifts: tuple[Shift, ...]) -> None:
    """Every hour of the day in exactly one shift."""
    owner: list[Shift | None] = [None] * HOURS
    for shift in shifts:
        for _, hour in shift.slots(1):
            taken = owner[hour]
            if taken is not None:
                sentence = f"{taken.label} and {shift.label} overlap at {hour:02d}:00"
                raise ShiftsError(
                    "overlap", sentence, first=taken.label, second=shift.label, hour=f"{hour:02d}:00"
                )
            owner[hour] = shift
    missing = [hour for hour in range(HOURS) if owner[hour] is None]
    if missing:
        hours = ", ".join(runs(missing))
        raise ShiftsError("gap", f"shifts must cover the whole day; no shift covers {hours}", hours=hours)


def runs(hours: list[int]) -> list[str]:
    """Consecutive hours (sorted) as ranges, across midnight too: [0, 5, 6, 23] → 05:00-07:00,
    23:00-01:00."""
    found: list[list[int]] = []
    for hour in hours:
        if found and found[-1][1] == hour:
            found[-1][1] = hour + 1
        else:
            found.append([hour, hour + 1])
    if len(found) > 1 and found[0][0] == 0 and found[-1][1] == HOURS:
        found[-1][1] = found.pop(0)[1]
    return [f"{start:02d}:00-{end:02d}:00" for start, end in found]


def shift_weeks(
    shifts: tuple[Shift, ...], agents: Mapping[Slot, int], messages: Mapping[Slot, int]
) -> tuple[ShiftWeek, ...]:
    """Each shift's need per weekday, from the hourly agents and messages (missing hours: 0)."""
    return tuple(
        ShiftWeek(shift, tuple(shift_need(shift, day, agents, messages) for day in WEEKDAYS))
        for shift in shifts
    )


def shift_need(
    shift: Shift, weekday: int, agents: Mapping[Slot, int], messages: Mapping[Slot, int]
) -> ShiftNeed:
    slots = shift.slots(weekday)
    needs = [agents.get(slot, 0) for slot in slots]
    peak = max(needs)
    return ShiftNeed(
        shift=shift,
        weekday=weekday,
        agents=peak,
        peak=slots[needs.index(peak)] if peak else None,
        needed_hours=sum(needs),
        messages=sum(messages.get(slot, 0) for slot in slots),
    )
