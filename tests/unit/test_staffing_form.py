"""The staffing page's periods: presets in the team's zone, weeks from Monday, a running one cut at
the coming hour (the hourly report divides by how often each hour occurred, and hours to come have
not)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from api.web.staffing_form import PRESETS, preset_window

MOSCOW = ZoneInfo("Europe/Moscow")


def test_presets_are_weeks_from_monday_and_months_in_the_zone_and_a_running_one_ends_at_the_coming_hour() -> (
    None
):
    now = datetime(2026, 1, 1, 10, 20, tzinfo=UTC)  # a Thursday, 13:20 in Moscow
    spans = {name: preset_window(name, "Europe/Moscow", now) for name in PRESETS}
    iso = {
        name: (start.isoformat(), end.astimezone(MOSCOW).isoformat()) for name, (start, end) in spans.items()
    }
    assert iso == {
        "this_week": ("2025-12-29T00:00:00+03:00", "2026-01-01T14:00:00+03:00"),
        "last_week": ("2025-12-22T00:00:00+03:00", "2025-12-29T00:00:00+03:00"),
        "this_month": ("2026-01-01T00:00:00+03:00", "2026-01-01T14:00:00+03:00"),
        "last_month": ("2025-12-01T00:00:00+03:00", "2026-01-01T00:00:00+03:00"),
    }
