"""The staffing pictures: every hour a cell with its figures and its tickets, shades in round steps,
and the same figures drawn twice give the same bytes."""

import random
import re
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from api.web.charts.heatmap import level, steps
from api.web.staffing_charts import agents_map, arrivals_map, hours_of, shift_view
from api.web.staffing_form import Asked
from domain.calendar import to_us
from projections.reports import ReportQuery
from projections.shifts import parse_shifts

MOSCOW = ZoneInfo("Europe/Moscow")
START = datetime(2026, 3, 2, tzinfo=MOSCOW)
END = datetime(2026, 3, 16, tzinfo=MOSCOW)
CELL = re.compile(
    r'<a href="([^"]+)"><rect [^>]*class="cell (heat-[a-z0-9]+)"><title>([^<]*)</title></rect></a>'
)


def asked(**filters: Any) -> Asked:
    query = ReportQuery(start=to_us(START), end=to_us(END), tz="Europe/Moscow", **filters)
    return Asked(query, "custom", 300.0, 60.0, 0.8, parse_shifts("09:00-20:00,20:00-09:00"), "")


def report(messages: dict[tuple[int, int], int], agents: dict[tuple[int, int], int]) -> dict[str, Any]:
    rows = [
        {
            "weekday": day,
            "hour": hour,
            "messages": messages.get((day, hour), 0),
            "occurrences": 2,
            "arrivals_per_hour": messages.get((day, hour), 0) / 2,
            "agents": agents.get((day, hour), 0),
            "service_level": 0.9 if agents.get((day, hour)) else 1.0,
        }
        for day in range(1, 8)
        for hour in range(24)
    ]
    return {"data": rows}


FIGURES = report({(1, 9): 3, (2, 23): 1, (7, 0): 40}, {(1, 9): 1, (2, 23): 1, (7, 0): 12})


def test_every_hour_is_a_cell_titled_with_its_figures_and_linked_to_its_tickets() -> None:
    svg = str(arrivals_map(hours_of(FIGURES), asked(operator="anna", tag="vip"), "en"))
    cells = CELL.findall(svg)
    assert len(cells) == 7 * 24
    href, _, title = next(c for c in cells if "arrivals:1:9&" in c[0])
    assert title == (
        "Monday 09:00–10:00: 3 messages over 2 such hours in the period, 1.5 per hour on average; "
        "agents needed: 1"
    )
    link = urlsplit(href.replace("&amp;", "&"))
    assert link.path == "/dashboard/tickets"
    assert parse_qs(link.query) == {
        "figure": ["arrivals:1:9"],
        "from": ["2026-03-01T21:00:00+00:00"],
        "to": ["2026-03-15T21:00:00+00:00"],
        "tz": ["Europe/Moscow"],
        "operator": ["anna"],
        "tag": ["vip"],
    }
    assert 'style="' not in svg and "<script" not in svg
    shades = {slot(h): s for h, s, _ in cells}
    assert shades[(7, 0)] == "heat-4" and shades[(1, 9)] == "heat-1" and shades[(1, 10)] == "heat-0"


def test_the_figure_is_printed_on_busy_cells_in_the_readers_numbers() -> None:
    svg = str(arrivals_map(hours_of(FIGURES), asked(), "ru"))
    printed = re.findall(r'class="cell-value[^"]*" text-anchor="middle">([^<]+)</text>', svg)
    assert sorted(printed) == ["0,5", "1,5", "20"]
    assert "Понедельник, 09:00–10:00: сообщений — 3" in svg and "Сообщений в час, в среднем" in svg


def test_agents_step_by_whole_numbers() -> None:
    svg = str(agents_map(hours_of(FIGURES), asked(), "en"))
    legend = re.findall(r'class="label" text-anchor="start">([^<]+)</text>', svg)
    assert legend == ["0", "1–2", "3–4", "5–6", "7–8", "9–10", "11–12"]
    assert steps(3, whole=True) == [1.0, 2.0, 3.0]  # few agents: a shade each


def test_the_same_figures_give_the_same_bytes() -> None:
    shuffled = {"data": random.Random(7).sample(FIGURES["data"], len(FIGURES["data"]))}
    for draw in (arrivals_map, agents_map):
        assert str(draw(hours_of(FIGURES), asked(), "en")) == str(draw(hours_of(shuffled), asked(), "en"))
    first = shift_view(hours_of(FIGURES), asked(), "en")
    again = shift_view(hours_of(shuffled), asked(), "en")
    assert str(first["chart"]) == str(again["chart"]) and first["rows"] == again["rows"]


def test_the_shift_view_gives_each_shift_its_busiest_hour() -> None:
    view = shift_view(hours_of(FIGURES), asked(), "en")
    day, night = view["rows"]
    assert day["shift"] == "09:00–20:00" and day["days"] == [1, 0, 0, 0, 0, 0, 0]
    assert night["days"] == [0, 1, 0, 0, 0, 12, 0]  # Tuesday 23:00; Saturday's night holds Sunday 00:00
    assert night["agent_hours"] == (1 + 12) * 13 and view["agent_hours"] == 11 + 13 * 13
    assert night["messages"] == 41 and night["share"] == "93.2 %"
    chart = str(view["chart"])
    assert "Saturday, 20:00–09:00: agents needed: 12 (busiest hour Sun 00:00)" in chart
    assert "1 Mar 2026" not in chart and "2 Mar 2026 – 15 Mar 2026" in chart


@given(st.floats(0, 1e6), st.floats(0, 1e6), st.floats(0.01, 1e6))
def test_a_larger_value_is_never_a_lighter_shade(a: float, b: float, top: float) -> None:
    bounds = steps(top)
    low, high = sorted((a, b))
    assert 0 <= level(low, bounds) <= level(high, bounds) <= len(bounds) <= 8  # type: ignore[operator]
    assert (level(low, bounds) == 0) == (low == 0)


def slot(href: str) -> tuple[int, int]:
    found = re.search(r"figure=arrivals:(\d):(\d+)&", href)
    assert found is not None
    return int(found[1]), int(found[2])
