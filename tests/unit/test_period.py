"""The report pages' one reading of a period (api/web/period.py): a preset is whole local days in
the team's zone, [start, end) in UTC, however long DST makes those days; the previous period is
as long and ends where this one starts; typed dates and instants are read as the API reads them;
and the dashboard, the policy comparison and the staffing page get the same window for the same
preset."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.web import period
from api.web.policy_filters import page_filters
from api.web.report_filters import parse
from api.web.staffing_form import read
from domain.calendar import to_us
from projections.shifts import DEFAULT_SHIFTS

ZONES = (
    "UTC", "Europe/Moscow", "Europe/Berlin", "America/New_York", "America/Santiago", "America/Havana",
    "Australia/Lord_Howe", "Asia/Kolkata", "Asia/Kathmandu", "Pacific/Chatham", "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
)  # fmt: skip
"""Whole, half- and quarter-hour offsets, both hemispheres' DST, and zones whose midnight is skipped."""
US = timedelta(microseconds=1)
DAYS = {"today": 1, "yesterday": 1, "this_week": 7, "last_week": 7}


def local(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz))


def instants() -> st.SearchStrategy[datetime]:
    return st.datetimes(datetime(1972, 1, 1), datetime(2100, 12, 31), timezones=st.just(UTC))


@given(now=instants(), tz=st.sampled_from(ZONES), preset=st.sampled_from(period.PRESETS))
def test_a_preset_is_whole_local_days_from_the_first_instant_of_one_to_the_first_of_the_day_after(
    now: datetime, tz: str, preset: str
) -> None:
    window = period.read_period(preset, "", "", tz, now)
    first, last = local(window.start, tz).date(), local(window.end - US, tz).date()
    assert window.start.tzinfo is UTC and window.start < window.end
    assert local(window.start - US, tz).date() < first and local(window.end, tz).date() > last
    today = local(now, tz).date()
    if preset.startswith(("today", "this_")):
        assert window.start <= now < window.end and first <= today <= last
    else:
        assert window.end <= now and last < today
    if preset in DAYS:
        assert (last - first).days + 1 == DAYS[preset]
    if preset.endswith("week"):
        assert first.weekday() == 0
    if preset.endswith("month"):
        assert first.day == 1 and (last + timedelta(days=1)).day == 1


@given(now=instants(), tz=st.sampled_from(ZONES), preset=st.sampled_from(period.PRESETS))
def test_the_previous_period_is_as_long_and_ends_where_this_one_starts(
    now: datetime, tz: str, preset: str
) -> None:
    window = period.preset_window(preset, tz, now)
    before = window.previous()
    assert (before.end, before.end - before.start) == (window.start, window.end - window.start)
    assert before.us == (2 * window.us[0] - window.us[1], window.us[0])


@given(
    now=instants(), tz=st.sampled_from(ZONES), preset=st.sampled_from(("today", "this_week", "this_month"))
)
def test_a_running_period_is_compared_with_as_much_of_the_one_before_as_has_passed(
    now: datetime, tz: str, preset: str
) -> None:
    window = period.preset_window(preset, tz, now)
    before, whole = window.previous(now), window.previous()
    assert before.start == whole.start
    assert before.end - before.start == (
        now - window.start if now > window.start else whole.end - whole.start
    )
    assert window.previous(window.end) == whole == window.previous(window.start)


@given(now=instants(), tz=st.sampled_from(ZONES))
def test_last_week_month_and_yesterday_end_where_this_week_month_and_today_begin(
    now: datetime, tz: str
) -> None:
    for earlier, later in (("yesterday", "today"), ("last_week", "this_week"), ("last_month", "this_month")):
        assert period.preset_window(earlier, tz, now).end == period.preset_window(later, tz, now).start


@pytest.mark.parametrize(
    ("tz", "day", "hours", "opens"),
    [
        ("Europe/Berlin", date(2026, 3, 29), 23, "00:00"),
        ("Europe/Berlin", date(2026, 10, 25), 25, "00:00"),
        ("America/Santiago", date(2026, 9, 6), 23, "01:00"),  # midnight is skipped: the day opens at 01:00
        ("Australia/Lord_Howe", date(2026, 4, 5), 24.5, "00:00"),
    ],
)
def test_a_day_of_a_dst_change_is_as_long_as_the_clocks_make_it(
    tz: str, day: date, hours: float, opens: str
) -> None:
    now = datetime.combine(day, time(12), ZoneInfo(tz))
    window = period.preset_window("today", tz, now)
    assert window.end - window.start == timedelta(hours=hours)
    assert f"{local(window.start, tz):%Y-%m-%d %H:%M}" == f"{day} {opens}"


@given(
    first=st.dates(date(1972, 1, 1), date(2990, 12, 31)),
    days=st.integers(0, period.MAX_WINDOW_DAYS - 1),
    tz=st.sampled_from(ZONES),
)
def test_typed_dates_cover_the_last_day_whole(first: date, days: int, tz: str) -> None:
    last = first + timedelta(days=days)
    window = period.custom_window(first.isoformat(), last.isoformat(), tz)
    assert window == period.Window(period.midnight(first, tz), period.midnight(last + timedelta(days=1), tz))
    assert (local(window.start, tz).date(), local(window.end - US, tz).date()) == (first, last)


def test_instants_are_read_as_the_api_reads_them_and_one_without_an_offset_in_the_zone() -> None:
    moscow = "Europe/Moscow"
    window = period.custom_window("2026-03-01T00:00:00Z", "2026-03-02T12:00:00 03:00", moscow)
    assert (window.start.isoformat(), window.end.isoformat()) == (
        "2026-03-01T00:00:00+00:00", "2026-03-02T09:00:00+00:00"
    )  # fmt: skip
    assert period.instant("2026-03-01T12:00:00", moscow) == datetime(2026, 3, 1, 9, tzinfo=UTC)
    with pytest.raises(ValueError):
        period.instant("2026-03-01T12:00:00", moscow, offset_required=True)


@pytest.mark.parametrize(
    ("given_from", "given_to", "problems"),
    [
        ("2026-03-10", "", {"to": "missing_date"}),
        ("", "", {"from": "missing_date", "to": "missing_date"}),
        ("2026-02-30", "soon", {"from": "bad_date", "to": "bad_date"}),
        ("2026-03-10", "2026-03-01", {"to": "bad_order"}),
        ("2026-03-10T00:00:00Z", "2026-03-10T00:00:00Z", {"to": "bad_order"}),
        ("2025-01-01", "2026-02-05", {"to": "too_long"}),
        ("1969-12-31", "2026-03-01", {"from": "bad_date"}),
        ("2026-03-01", "9999-12-31", {"to": "bad_date"}),
        ("2026-03-01", "3000-01-01T00:00:00Z", {"to": "bad_date"}),
    ],
)
def test_a_wrong_period_names_each_field_that_is_wrong(
    given_from: str, given_to: str, problems: dict[str, str]
) -> None:
    with pytest.raises(period.PeriodError) as wrong:
        period.custom_window(given_from, given_to, "UTC")
    assert wrong.value.problems == problems


def test_the_longest_period_is_the_apis() -> None:
    window = period.custom_window("2025-01-01", "2026-02-04", "UTC")
    assert (window.end - window.start).days == period.MAX_WINDOW_DAYS


def test_the_zone_is_the_urls_else_the_default_and_must_be_one() -> None:
    assert (period.team_zone("", "Europe/Moscow"), period.team_zone("Asia/Tokyo", "UTC")) == (
        "Europe/Moscow", "Asia/Tokyo"
    )  # fmt: skip
    with pytest.raises(period.PeriodError) as wrong:
        period.team_zone("Mars/Olympus", "UTC")
    assert wrong.value.problems == {"tz": "bad_zone"}


@pytest.mark.parametrize("preset", ["last_week", "last_month"])
def test_the_three_report_pages_read_a_preset_as_the_same_window(preset: str) -> None:
    now, tz = datetime(2026, 3, 4, 21, 30, tzinfo=UTC), "Asia/Kolkata"
    expected = period.preset_window(preset, tz, now).us
    dashboard = parse({"preset": preset, "tz": tz}, "UTC", now).query()
    policy = page_filters({"preset": preset, "tz": tz}, "UTC", to_us(now)).query
    _, staffing, problems = read({"preset": preset, "tz": tz}, "UTC", now, DEFAULT_SHIFTS)
    assert dashboard is not None and staffing is not None and not problems
    for query in (dashboard, policy, staffing.query):
        assert (query.start, query.end) == expected
