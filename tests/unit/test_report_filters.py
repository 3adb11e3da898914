"""The report pages' period and filters, as their URL holds them: presets resolved in the viewer's
zone, local dates with the last one included, instants as the API takes them, and a wrong field
named by catalogue key."""

from datetime import UTC, datetime
from urllib.parse import parse_qsl

import pytest

from api.web.dashboard_format import period_label
from api.web.report_filters import parse
from domain.calendar import from_us

NOW = datetime(2026, 12, 2, 5, 0, tzinfo=UTC)  # Wednesday, 08:00 in Moscow
MOSCOW = "Europe/Moscow"


@pytest.mark.parametrize(
    ("preset", "start", "end"),
    [
        ("today", "2026-12-01T21:00:00+00:00", "2026-12-02T21:00:00+00:00"),
        ("yesterday", "2026-11-30T21:00:00+00:00", "2026-12-01T21:00:00+00:00"),
        ("this_week", "2026-11-29T21:00:00+00:00", "2026-12-06T21:00:00+00:00"),
        ("last_week", "2026-11-22T21:00:00+00:00", "2026-11-29T21:00:00+00:00"),
        ("this_month", "2026-11-30T21:00:00+00:00", "2026-12-31T21:00:00+00:00"),
        ("last_month", "2026-10-31T21:00:00+00:00", "2026-11-30T21:00:00+00:00"),
    ],
)
def test_a_preset_is_a_whole_local_period(preset: str, start: str, end: str) -> None:
    f = parse({"preset": preset}, MOSCOW, NOW)
    assert not f.errors
    assert (f.start.isoformat(), f.end.isoformat()) == (start, end)  # type: ignore[union-attr]


def test_the_previous_period_is_as_long_and_ends_where_this_one_starts() -> None:
    f = parse({"preset": "last_week", "tz": "UTC"}, MOSCOW, NOW)
    q, before = f.query(), f.previous()
    assert q is not None and before is not None
    assert (before.end, before.end - before.start) == (q.start, q.end - q.start)


def test_a_running_month_is_compared_with_the_same_span_before_it_and_says_until_when() -> None:
    f = parse({"preset": "this_month"}, MOSCOW, NOW)
    before = f.previous()
    assert before is not None
    assert (from_us(before.start).isoformat(), from_us(before.end).isoformat()) == (
        "2026-10-30T21:00:00+00:00", "2026-11-01T05:00:00+00:00"
    )  # fmt: skip
    assert period_label(before.start, before.end, MOSCOW, "en") == "31 Oct 2026 00:00 – 1 Nov 2026 08:00"
    month = f.query()
    assert (
        month is not None and period_label(month.start, month.end, MOSCOW, "en") == "1 Dec 2026 – 31 Dec 2026"
    )
    ended = parse({"preset": "last_month"}, MOSCOW, NOW).previous()
    assert (
        ended is not None and period_label(ended.start, ended.end, MOSCOW, "en") == "2 Oct 2026 – 31 Oct 2026"
    )


def test_local_dates_include_the_last_day_and_instants_are_taken_as_given() -> None:
    dates = parse({"from": "2026-03-01", "to": "2026-03-31"}, MOSCOW, NOW)
    assert dates.preset == "custom"
    assert (dates.start.isoformat(), dates.end.isoformat()) == (  # type: ignore[union-attr]
        "2026-02-28T21:00:00+00:00", "2026-03-31T21:00:00+00:00"
    )  # fmt: skip
    assert (dates.local_from, dates.local_to) == ("2026-03-01", "2026-03-31")
    instants = parse({"from": "2026-03-01T00:00:00Z", "to": "2026-04-01T00:00:00+00:00"}, MOSCOW, NOW)
    assert (instants.start.isoformat(), instants.end.isoformat()) == (  # type: ignore[union-attr]
        "2026-03-01T00:00:00+00:00", "2026-04-01T00:00:00+00:00"
    )  # fmt: skip


def test_links_carry_the_resolved_instants_and_the_filters() -> None:
    f = parse({"preset": "yesterday", "operator": "anna", "tag": " VIP ", "clock": "calendar"}, MOSCOW, NOW)
    assert dict(parse_qsl(f.api_query())) == {
        "from": "2026-11-30T21:00:00+00:00", "to": "2026-12-01T21:00:00+00:00", "operator": "anna",
        "tag": "VIP", "clock": "calendar", "tz": MOSCOW,
    }  # fmt: skip
    assert f.query().tag == "vip"  # type: ignore[union-attr]
    assert f.page_query(operator="").startswith("preset=yesterday&tag=VIP&clock=calendar")


@pytest.mark.parametrize(
    ("params", "field", "key"),
    [
        ({"preset": "fortnight"}, "preset", "dashboard.bad_preset"),
        ({"from": "2026-03-31", "to": "2026-03-01"}, "to", "dashboard.bad_order"),
        ({"from": "2026-02-30", "to": "2026-03-01"}, "from", "dashboard.bad_date"),
        ({"from": "2026-03-01"}, "to", "dashboard.missing_date"),
        ({"from": "2020-01-01", "to": "2026-03-01"}, "to", "dashboard.too_long"),
        ({"from": "yesterday-ish", "to": "2026-03-01"}, "from", "dashboard.bad_date"),
        ({"type": "complaint"}, "type", "dashboard.bad_type"),
        ({"clock": "lunar"}, "clock", "dashboard.bad_clock"),
        ({"tz": "Mars/Olympus"}, "tz", "dashboard.bad_tz"),
        ({"operator": "x" * 201}, "operator", "dashboard.bad_text"),
        ({"as_of": "soon"}, "as_of", "dashboard.bad_date"),
    ],
)
def test_a_wrong_field_is_named_and_nothing_is_queried(params: dict[str, str], field: str, key: str) -> None:
    f = parse(params, MOSCOW, NOW)
    assert f.errors.get(field) == key
    assert f.query() is None


def test_a_change_too_small_to_show_reads_as_none_rather_than_as_a_fall() -> None:
    from api.web.dashboard_format import change

    assert change(-0.04, "percent", "en") == "±0.0 pp"
    assert change(-0.4, "duration", "ru") == "±0 с"
    assert (change(1.26, "percent", "ru"), change(-65, "duration", "en"), change(3, "count", "en")) == (
        "+1,3 п. п.", "−1 min 5 s", "+3"
    )  # fmt: skip
