"""The staffing page over HTTP on the hand-computed week of tests/integration/test_analytics_scenario.py:
its figures are the hourly report's, its links carry the filters, and what the API would refuse
is said next to its field, never a 500."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import build
from api.settings import Settings
from api.web.sessions import COOKIE
from tests.integration.test_analytics_scenario import MONTH, Desk, scenario_desk, week
from tests.support import Clock

MOSCOW_MONTH = {**MONTH, "tz": "Europe/Moscow"}
SVG = re.compile(r"<svg .*?</svg>", re.S)
CELL = re.compile(r'<a href="([^"]+)"><rect [^>]*class="cell [^"]+"><title>([^<]*)</title></rect></a>')
SLOT = re.compile(r"figure=arrivals:(\d):(\d+)&")
ROW = re.compile(r'<tr data-shift="([^"]+)">(.*?)</tr>', re.S)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """One worked week for the tests that only read it."""
    yield from worked_week(tmp_path_factory.mktemp("staffing"))


@pytest.fixture
def own_desk(tmp_path: Path) -> Iterator[Desk]:
    """For a test that moves the clock."""
    yield from worked_week(tmp_path)


def worked_week(folder: Path) -> Iterator[Desk]:
    with scenario_desk(folder / "data") as d:
        week(d)
        d.runtime.runner.catch_up()
        yield d


def cookie(desk: Desk, name: str, language: str = "en") -> dict[str, str]:
    sessions = desk.runtime.sessions
    assert sessions is not None
    return {
        "Cookie": f"{COOKIE}={sessions.start(desk.runtime.helpdesk.user(name))}",
        "Accept-Language": language,
    }


def page(desk: Desk, who: str = "sue", language: str = "en", **params: str) -> Any:
    return desk.client.get("/staffing", params=params, headers=cookie(desk, who, language))


def api_hourly(desk: Desk, **params: str) -> dict[str, Any]:
    answer = desk.client.get(
        "/api/v1/reports/hourly", params=params, headers={"Authorization": "Bearer t-sue"}
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def cells(svg: str) -> dict[tuple[int, int], tuple[str, str]]:
    found = {}
    for href, title in CELL.findall(svg):
        slot = SLOT.search(href)
        assert slot is not None, href
        found[(int(slot[1]), int(slot[2]))] = (href.replace("&amp;", "&"), title)
    return found


def figure(title: str, pattern: str) -> int:
    found = re.search(pattern, title)
    assert found is not None, title
    return int(found[1])


def test_the_heatmaps_show_the_hourly_reports_figures_for_the_same_query(desk: Desk) -> None:
    params = {**MOSCOW_MONTH, "aht_seconds": "600", "target_seconds": "120", "service_level": "0.95"}
    shown = page(desk, **params)
    assert shown.status_code == 200, shown.text
    arrivals, agents, _ = (cells(svg) for svg in SVG.findall(shown.text))
    report = api_hourly(desk, **params)
    assert len(arrivals) == len(agents) == len(report["data"]) == 7 * 24
    for row in report["data"]:
        slot = (row["weekday"], row["hour"])
        title = arrivals[slot][1]
        assert figure(title, r"(\d+) messages over") == row["messages"]
        assert figure(title, r"over (\d+) such hours") == row["occurrences"]
        assert figure(agents[slot][1], r"agents needed: (\d+)") == row["agents"]
    assert figure(arrivals[(2, 10)][1], r"(\d+) messages") == 1  # B opened Tuesday 10:00 Moscow time
    assert sum(figure(title, r"(\d+) messages") for _, title in arrivals.values()) == 8
    assert 'id="no-messages"' not in shown.text


def test_each_cell_links_to_the_tickets_behind_it_with_the_pages_filters(desk: Desk) -> None:
    params = {**MOSCOW_MONTH, "operator": "anna", "channel": "vk", "type": "question", "tag": "VIP "}
    shown = page(desk, **params)
    assert shown.status_code == 200, shown.text
    href, _ = cells(SVG.findall(shown.text)[0])[(3, 9)]
    assert href == (
        "/dashboard/tickets?figure=arrivals:3:9&from=2026-03-01T00:00:00%2B00:00&to=2026-04-01T00:00:00%2B00:00"
        "&tz=Europe%2FMoscow&operator=anna&channel=vk&type=question&tag=vip"
    )


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("aht_seconds", "0", "Must be more than 0, as the report allows."),
        ("aht_seconds", "abc", "Not a number."),
        ("target_seconds", "86401", "At most 86400, as the report allows."),
        ("service_level", "1", "Must be less than 1, as the report allows."),
        ("service_level", "nan", "Not a number."),
        (
            "shifts",
            "09:00-20:00,21:00-09:00",
            "The shifts must cover the whole day; no shift covers 20:00-21:00.",
        ),
        ("shifts", "09:00-20:00,19:00-09:00", "09:00-20:00 and 19:00-09:00 overlap at 19:00"),
        ("shifts", "9-17", "&#39;9-17&#39; is not a shift like 09:00-20:00."),
        ("tz", "Mars/Olympus", "&#39;Mars/Olympus&#39; is not a time zone"),
        ("type", "bug", "Not one of the choices offered."),
        ("preset", "forever", "Not one of the choices offered."),
        ("from", "yesterday", "Not a day (YYYY-MM-DD)"),
        ("tag", "x" * 201, "At most 200 characters."),
    ],
)
def test_a_value_the_report_refuses_is_said_next_to_its_field_and_nothing_is_counted(
    desk: Desk, field: str, value: str, said: str
) -> None:
    shown = page(desk, **{**MOSCOW_MONTH, field: value})
    assert shown.status_code == 422
    error = re.search(rf'<p class="field-error" id="{field}-error" role="alert">([^<]*)</p>', shown.text)
    assert error is not None and said in error[1]
    assert "<svg" not in shown.text
    if field not in ("type", "preset"):
        assert f'value="{value[:20]}' in shown.text


@pytest.mark.parametrize(
    ("from_", "to", "field", "said"),
    [
        ("2026-03-10", "2026-03-01", "to", "The period ends before it starts."),
        ("2025-01-01", "2026-03-01", "to", "A report covers at most 400 days."),
        ("2026-03-10", "", "to", "Give a day here, or choose a period."),
        ("2026-03-01T00:00:00", "2026-03-10", "from", "Not a day (YYYY-MM-DD) or an instant with its offset"),
    ],
)
def test_a_period_the_report_would_refuse_is_said_next_to_its_day(
    desk: Desk, from_: str, to: str, field: str, said: str
) -> None:
    shown = page(desk, **{"from": from_, "to": to, "tz": "Europe/Moscow"})
    assert shown.status_code == 422 and "<svg" not in shown.text
    assert f'id="{field}-error" role="alert">{said}' in shown.text


@pytest.mark.parametrize(
    ("field", "value"),
    [("aht_seconds", v) for v in ("0", "1e-9", "86400", "86400.01", "-1", "abc", "inf")]
    + [("target_seconds", v) for v in ("0.5", "0", "86400", "1e6")]
    + [("service_level", v) for v in ("0", "0.001", "0.999", "1", "-0.5", "nan")],
)
def test_the_page_takes_exactly_the_values_the_hourly_report_takes(
    desk: Desk, field: str, value: str
) -> None:
    api = desk.client.get(
        "/api/v1/reports/hourly", params={**MONTH, field: value}, headers={"Authorization": "Bearer t-sue"}
    )
    shown = page(desk, **{**MONTH, field: value})
    assert (api.status_code, shown.status_code) in ((200, 200), (422, 422)), (api.text, field, value)


def test_without_parameters_the_page_shows_last_month_in_the_viewers_zone_with_the_reports_defaults(
    own_desk: Desk,
) -> None:
    desk = own_desk
    desk.at("2026-04-02T10:20")
    shown = page(desk)
    assert shown.status_code == 200, shown.text
    assert '<span class="period muted" id="period">1 Mar 2026 – 31 Mar 2026</span>' in shown.text
    assert 'name="tz" value="UTC"' in shown.text and 'name="aht_seconds" value="300"' in shown.text
    report = api_hourly(desk, **MONTH)
    arrivals, agents, _ = (cells(svg) for svg in SVG.findall(shown.text))
    for row in report["data"]:
        slot = (row["weekday"], row["hour"])
        assert figure(arrivals[slot][1], r"(\d+) messages") == row["messages"]
        assert figure(agents[slot][1], r"agents needed: (\d+)") == row["agents"]
    running = page(desk, preset="this_month")
    assert '<span class="period muted" id="period">1 Apr 2026 00:00 – 2 Apr 2026 11:00</span>' in running.text
    assert "to=2026-04-02T11:00:00%2B00:00" in running.text


def shift_rows(html: str) -> dict[str, list[str]]:
    return {shift: re.findall(r'<td class="num">(\d+)', row)[:7] for shift, row in ROW.findall(html)}


def test_the_shift_view_gives_each_shift_the_agents_of_its_busiest_hour(desk: Desk) -> None:
    day_and_night = shift_rows(page(desk, **MOSCOW_MONTH).text)
    # Every message of the week came between 09:00 and 18:00 in Moscow, one an hour at most:
    # one agent covers each such hour, on Tuesday to Friday; nights need nobody.
    assert day_and_night == {"09:00–20:00": list("0111100"), "20:00–09:00": list("0000000")}
    three = shift_rows(page(desk, **MOSCOW_MONTH, shifts="08:00-16:00,16:00-24:00,00:00-08:00").text)
    assert three == {
        "08:00–16:00": list("0110000"),
        "16:00–24:00": list("0001100"),
        "00:00–08:00": list("0000000"),
    }


def test_the_team_shifts_come_from_the_setting(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", shifts="08:00-16:00,16:00-24:00,00:00-08:00")
    runtime = build(settings, clock=Clock(datetime(2026, 4, 2, tzinfo=UTC)))
    try:
        with TestClient(create_app(runtime)) as client:
            runtime.helpdesk.register_user("sue", "supervisor")
            assert runtime.sessions is not None
            session = runtime.sessions.start(runtime.helpdesk.user("sue"))
            shown = client.get("/staffing", headers={"Cookie": f"{COOKIE}={session}"})
    finally:
        runtime.close()
    assert shown.status_code == 200
    assert list(shift_rows(shown.text)) == ["08:00–16:00", "16:00–24:00", "00:00–08:00"]
    assert 'id="no-messages"' in shown.text  # nobody wrote: the page says so


def test_only_report_readers_are_offered_the_page_and_let_in(desk: Desk) -> None:
    for who in ("sue", "audrey"):
        assert page(desk, who, **MOSCOW_MONTH).status_code == 200
        assert 'href="/staffing"' in desk.client.get("/inbox", headers=cookie(desk, who)).text
    refused = page(desk, "anna", **MOSCOW_MONTH)
    assert refused.status_code == 403 and "<svg" not in refused.text
    assert 'href="/staffing"' not in desk.client.get("/inbox", headers=cookie(desk, "anna")).text


def test_the_same_events_give_the_same_pictures_byte_for_byte(desk: Desk) -> None:
    first = SVG.findall(page(desk, **MOSCOW_MONTH).text)
    desk.runtime.analytics.report_cache.clear()  # type: ignore[union-attr]
    again = SVG.findall(page(desk, **MOSCOW_MONTH).text)
    assert len(first) == 3 and first == again


def test_both_languages_say_everything(desk: Desk) -> None:
    for language, title in (("en", "Load and staffing"), ("ru", "Нагрузка и смены")):
        shown = page(desk, language=language, **MOSCOW_MONTH)
        assert shown.status_code == 200 and f"<h1>{title}" in shown.text
        assert not re.search(r"\bstaffing\.(?!css|js)[a-z_0-9]+", shown.text), language
    russian = page(desk, language="ru", **MOSCOW_MONTH).text
    assert "Вторник, 10:00–11:00: сообщений — 1, таких часов в периоде — 5" in russian
