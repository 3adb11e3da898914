"""The shift arithmetic: shifts cover the day once, and a shift needs the agents of its busiest hour."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projections.shifts import (
    DEFAULT_SHIFTS,
    HOURS,
    WEEKDAYS,
    Shift,
    ShiftsError,
    parse_shifts,
    shift_weeks,
)

WEEK = [(day, hour) for day in WEEKDAYS for hour in range(HOURS)]


def test_the_default_is_a_day_shift_and_a_night_shift_that_crosses_midnight() -> None:
    day, night = parse_shifts(DEFAULT_SHIFTS)
    assert (day.start, day.hours, night.start, night.hours) == (9, 11, 20, 13)
    assert [day.label, night.label] == ["09:00-20:00", "20:00-09:00"]


def test_one_shift_all_day_is_written_to_24_00() -> None:
    [shift] = parse_shifts("00:00-24:00")
    assert shift == Shift(0, 24) and shift.label == "00:00-24:00"
    assert parse_shifts(" 16:00-24:00 , 00:00-08:00,08:00-16:00 ")[0].label == "16:00-24:00"


def test_sundays_night_shift_ends_on_monday_morning() -> None:
    night = Shift(20, 13)
    slots = night.slots(7)
    assert slots[0] == (7, 20) and slots[3] == (7, 23) and slots[4] == (1, 0) and slots[-1] == (1, 8)


@pytest.mark.parametrize(
    ("text", "code", "said"),
    [
        ("09:00-20:00", "gap", "no shift covers 20:00-09:00"),
        ("00:00-08:00,09:00-24:00", "gap", "no shift covers 08:00-09:00"),
        ("09:00-20:00,19:00-09:00", "overlap", "09:00-20:00 and 19:00-09:00 overlap at 19:00"),
        ("09:00-20:00,09:00-20:00,20:00-09:00", "overlap", "overlap at 09:00"),
        ("09:30-20:00,20:00-09:30", "not_on_hour", "on the hour"),
        ("09:00-09:00", "same_hour", "00:00-24:00"),
        ("9 to 5", "bad_shift", "not a shift like 09:00-20:00"),
        ("25:00-09:00", "bad_shift", "'25:00-09:00'"),
        ("24:00-24:00", "bad_shift", "cannot start at 24:00"),
        ("", "empty", "no shifts given"),
        (
            ",".join(f"{h:02d}:00-{h + 1:02d}:00" for h in range(24)) + ",00:00-01:00",
            "too_many",
            "at most 24",
        ),
        ("0" * 301, "too_long", "at most 300 characters"),
    ],
)
def test_shifts_that_do_not_cover_the_day_once_are_refused_saying_why(
    text: str, code: str, said: str
) -> None:
    with pytest.raises(ShiftsError) as refused:
        parse_shifts(text)
    assert refused.value.code == code and said in str(refused.value)


def test_a_night_shift_needs_the_agents_of_its_busiest_hour_all_night_long() -> None:
    day, night = parse_shifts(DEFAULT_SHIFTS)
    agents = {(1, 10): 4, (1, 22): 1, (2, 2): 3, (2, 8): 2, (2, 9): 5}
    messages = {(1, 10): 40, (1, 22): 5, (2, 2): 12, (2, 9): 50}
    day_week, night_week = shift_weeks((day, night), agents, messages)
    monday_night = night_week.days[0]
    assert (monday_night.agents, monday_night.peak) == (3, (2, 2))  # Tuesday 02:00
    assert monday_night.agent_hours == 3 * 13 and monday_night.needed_hours == 1 + 3 + 2
    assert monday_night.messages == 5 + 12
    assert day_week.days[0].agents == 4 and day_week.days[1].agents == 5  # Tuesday 09:00 is day
    assert night_week.days[1].agents == 0 and night_week.days[1].peak is None
    assert night_week.agents == 3 and night_week.agent_hours == 39
    assert day_week.messages + night_week.messages == sum(messages.values())


@st.composite
def valid_shifts(draw: st.DrawFn) -> tuple[Shift, ...]:
    """The day cut at some hours, turned by some hours, in any order."""
    cuts = sorted(draw(st.sets(st.integers(1, HOURS - 1), max_size=8)))
    turn = draw(st.integers(0, HOURS - 1)) if cuts else 0  # one shift all day is 00:00-24:00
    bounds = [0, *cuts, HOURS]
    shifts = [Shift((a + turn) % HOURS, b - a) for a, b in itertools.pairwise(bounds)]
    return tuple(draw(st.permutations(shifts)))


hourly = st.dictionaries(st.sampled_from(WEEK), st.integers(0, 50))


@given(valid_shifts(), hourly, hourly)
def test_every_hour_of_the_week_belongs_to_exactly_one_shift_and_a_shift_needs_its_peak(
    shifts: tuple[Shift, ...], agents: dict[tuple[int, int], int], messages: dict[tuple[int, int], int]
) -> None:
    assert parse_shifts(",".join(shift.label for shift in shifts)) == shifts
    weeks = shift_weeks(shifts, agents, messages)
    covered = [slot for week in weeks for day in week.days for slot in day.shift.slots(day.weekday)]
    assert sorted(covered) == WEEK
    for week in weeks:
        for day in week.days:
            needs = [agents.get(slot, 0) for slot in day.shift.slots(day.weekday)]
            assert day.agents == max(needs) and day.needed_hours == sum(needs)
            assert day.agent_hours == day.agents * day.shift.hours >= day.needed_hours
            assert day.peak is None if not day.agents else agents[day.peak] == day.agents
    assert sum(week.messages for week in weeks) == sum(messages.values())
    assert max(week.agents for week in weeks) == max(agents.values(), default=0)


@given(valid_shifts().filter(lambda shifts: len(shifts) > 1), st.data())
def test_leaving_out_a_shift_leaves_a_gap_and_repeating_one_overlaps(
    shifts: tuple[Shift, ...], data: st.DataObject
) -> None:
    n = data.draw(st.integers(0, len(shifts) - 1))
    with pytest.raises(ShiftsError) as gap:
        parse_shifts(",".join(shift.label for shift in shifts[:n] + shifts[n + 1 :]))
    assert gap.value.code == "gap"
    with pytest.raises(ShiftsError) as overlap:
        parse_shifts(",".join(shift.label for shift in (*shifts, shifts[n])))
    assert overlap.value.code == "overlap"
