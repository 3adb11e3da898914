"""The as-of field of a ticket's history: what it shows names the same instant when sent back,
in any zone, and what cannot be shown is refused with a reason."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.web.history_as_of import AsOfProblem, read_as_of
from api.web.history_times import Times, instant_param

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ZONES = ("UTC", "Europe/Moscow", "Europe/London", "America/New_York", "Asia/Kathmandu", "Africa/Monrovia")
INSTANTS = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2026, 3, 1), timezones=st.just(UTC)
)


@given(at=INSTANTS, zone=st.sampled_from(ZONES))
def test_what_the_field_shows_names_the_same_instant_when_sent_back(at: datetime, zone: str) -> None:
    """Also in the hour a clock change repeats, and in zones whose offset had seconds."""
    assert read_as_of(Times("en", zone).typed(at), zone, NOW) == at


@given(at=INSTANTS)
def test_a_links_instant_is_read_exactly_whatever_the_viewers_zone(at: datetime) -> None:
    assert read_as_of(instant_param(at), "Asia/Kathmandu", NOW) == at


def test_a_time_without_a_zone_is_the_viewers_and_one_with_a_zone_is_its_own() -> None:
    assert read_as_of("2026-03-02 11:30", "Europe/Moscow", NOW) == datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    assert read_as_of("2026-03-02T08:30:00+01:00", "Europe/Moscow", NOW) == datetime(
        2026, 3, 2, 7, 30, tzinfo=UTC
    )
    assert read_as_of("  ", "Europe/Moscow", NOW) is None


def test_the_repeated_hour_of_a_clock_change_is_written_with_its_offset() -> None:
    first, second = datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    london = Times("en", "Europe/London")
    assert (london.typed(first), london.typed(second)) == ("2026-10-25 01:30:00", "2026-10-25 01:30:00+00:00")
    assert london.typed(second + timedelta(microseconds=400_000)) == "2026-10-25 01:30:00.4+00:00"


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("tomorrow", "history.as_of_unreadable"),
        ("2026-02-30 10:00", "history.as_of_unreadable"),
        ("2026-03-02T10:00:00+24:00", "history.as_of_unreadable"),
        ("9" * 65, "history.as_of_unreadable"),
        ("0001-01-01T00:00:00+23:59", "history.as_of_out_of_range"),
        ("1969-12-31T23:59:59Z", "history.as_of_out_of_range"),
        ("2026-03-02T09:00:00.000001Z", "history.as_of_future"),
    ],
)
def test_what_cannot_be_shown_is_refused_with_its_reason(typed: str, key: str) -> None:
    with pytest.raises(AsOfProblem) as refused:
        read_as_of(typed, "UTC", NOW)
    assert refused.value.key == key


def test_times_are_written_to_the_second_locally_and_to_the_microsecond_in_utc() -> None:
    at = datetime(2026, 3, 2, 9, 5, 33, 400_000, tzinfo=UTC)
    assert Times("ru", "Europe/Moscow").local(at) == "2 мар 2026 12:05:33"
    assert Times("en", "Europe/Moscow").utc(at) == "2026-03-02 09:05:33.400000 UTC"
    assert Times("en", "Asia/Kathmandu").offset(at) == "UTC+05:45"
    assert instant_param(at) == "2026-03-02T09:05:33.400000Z"
