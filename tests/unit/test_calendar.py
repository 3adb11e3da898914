"""Business-calendar arithmetic: hand-computed cases and hypothesis properties."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import (
    _TIMELINES,
    BusinessCalendar,
    business_us,
    business_us_by_days,
    instant_after,
    instant_after_by_days,
    to_us,
)
from domain.errors import InvalidValueError

HOUR = 3_600_000_000
OFFICE = BusinessCalendar.build(
    "Europe/Moscow", {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}, ["2026-03-09"]
)


def us(text: str) -> int:
    return to_us(datetime.fromisoformat(text).astimezone(UTC))


def test_a_night_and_a_weekend_and_a_holiday_are_not_working_time() -> None:
    # Fri 17:30 MSK -> Tue 09:20 MSK, Monday a holiday: 30 min + 20 min
    assert business_us(OFFICE, us("2026-03-06T17:30+03:00"), us("2026-03-10T09:20+03:00")) == 50 * 60_000_000


def test_budget_running_out_at_closing_time_ends_at_the_next_opening() -> None:
    start = us("2026-03-12T17:00+03:00")
    assert instant_after(OFFICE, start, HOUR) == us("2026-03-13T09:00+03:00")
    assert instant_after(OFFICE, start, HOUR // 2) == us("2026-03-12T17:30+03:00")
    assert instant_after(None, start, HOUR) == start + HOUR


def test_night_shift_across_midnight_and_daylight_saving() -> None:
    nights = BusinessCalendar.build(
        "Europe/Berlin", {"sat": [["22:00", "24:00"]], "sun": [["00:00", "06:00"]]}, []
    )
    # The night of 28/29 March 2026 loses an hour at 02:00 CET -> 03:00 CEST.
    start, end = us("2026-03-28T21:00+01:00"), us("2026-03-29T07:00+02:00")
    assert business_us(nights, start, end) == 7 * HOUR


def test_bad_calendars_are_refused() -> None:
    with pytest.raises(InvalidValueError):
        BusinessCalendar.build("Mars/Base", {}, [])
    with pytest.raises(InvalidValueError):
        BusinessCalendar.build("UTC", {"mon": [["10:00", "09:00"]]}, [])
    with pytest.raises(InvalidValueError):
        BusinessCalendar.build("UTC", {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}, [])


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    tz = draw(st.sampled_from(["UTC", "Europe/Moscow", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]))
    weekly: dict[str, list[list[str]]] = {}
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        cuts = sorted(draw(st.sets(st.integers(0, 48), max_size=4)))
        pairs = [cuts[i : i + 2] for i in range(0, len(cuts) - 1, 2)]
        weekly[day] = [[f"{a // 2:02d}:{a % 2 * 30:02d}", f"{b // 2:02d}:{b % 2 * 30:02d}"] for a, b in pairs]
    holidays = draw(
        st.lists(st.dates(datetime(2026, 1, 1).date(), datetime(2026, 12, 31).date()), max_size=5)
    )
    return BusinessCalendar.build(tz, weekly, [d.isoformat() for d in holidays])


moments = st.integers(us("2026-01-01T00:00+00:00"), us("2026-12-31T00:00+00:00"))


@settings(max_examples=200, deadline=None)
@given(calendars(), moments, moments, moments)
def test_business_time_adds_up_and_never_exceeds_calendar_time(
    cal: BusinessCalendar, a: int, b: int, c: int
) -> None:
    a, b, c = sorted((a, b, c))
    assert business_us(cal, a, c) == business_us(cal, a, b) + business_us(cal, b, c)
    assert 0 <= business_us(cal, a, c) <= c - a


@settings(max_examples=200, deadline=None)
@given(calendars(), moments, st.integers(0, 30 * 24 * HOUR))
def test_instant_after_is_the_last_moment_within_budget(
    cal: BusinessCalendar, start: int, budget: int
) -> None:
    end = instant_after(cal, start, budget)
    if end is None:
        assert business_us(cal, start, start + timedelta(days=400).days * 24 * HOUR) <= budget
        return
    assert business_us(cal, start, end) == budget
    assert business_us(cal, start, end + 1) == budget + 1


@settings(max_examples=300, deadline=None)
@given(calendars(), moments, st.integers(0, 400 * 24 * HOUR), st.integers(0, 60 * 24 * HOUR))
def test_bisection_agrees_with_the_day_by_day_walk(
    cal: BusinessCalendar, start: int, span: int, budget: int
) -> None:
    assert business_us(cal, start, start + span) == business_us_by_days(cal, start, start + span)
    assert instant_after(cal, start, budget) == instant_after_by_days(cal, start, budget)
    # from a cold cache too, and far outside the first timeline's span
    _TIMELINES.clear()
    assert business_us(cal, start - span, start) == business_us_by_days(cal, start - span, start)
    later = start + 3 * span
    assert instant_after(cal, later, budget) == instant_after_by_days(cal, later, budget)


def test_a_calendar_without_working_time_never_runs_out() -> None:
    closed = BusinessCalendar.build("UTC", {}, [])
    start = us("2026-03-12T17:00+03:00")
    assert instant_after(closed, start, HOUR) is None
    assert instant_after_by_days(closed, start, HOUR) is None
    assert business_us(closed, start, start + 30 * 24 * HOUR) == 0
