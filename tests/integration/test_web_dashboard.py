"""The dashboard and its drill-down as a supervisor's browser gets them, over the hand-computed
week of test_analytics_scenario: every card is the summary report's figure, every bar leads to
a list as long as the bar, the same figures draw the same SVG bytes, a wrong field is named next
to it, the export is the API's workbook, and the live strip counts the desk as it is now."""

import html
import json
import re
from io import BytesIO
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.web.dashboard_cards import at
from tests.integration.test_analytics_scenario import MONTH, Desk, desk, week  # noqa: F401 - the fixture

PASSWORD = "correct horse battery"
PERIOD = {"from": "2026-03-01", "to": "2026-03-31", "tz": "UTC"}
"""March as a supervisor picks it: local dates, the last one included (MONTH for the API)."""
BAR = re.compile(r'<a href="(/dashboard/tickets\?[^"]+)"><rect [^>]*><title>([^<]*)</title>')
KPI = re.compile(r'data-kpi="([^"]+)" data-value="([^"]*)"')
SVG = re.compile(r"<svg .*?</svg>", re.S)


def signed_in(d: Desk, name: str = "sue") -> TestClient:
    d.runtime.runner.catch_up()
    d.runtime.helpdesk.set_password(name, PASSWORD)
    answer = d.client.post("/signin", data={"name": name, "password": PASSWORD}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return d.client


def page(client: TestClient, path: str = "/dashboard", status: int = 200, **params: str) -> str:
    answer = client.get(path, params=params) if params else client.get(path)
    assert answer.status_code == status, answer.text
    return answer.text


@pytest.fixture
def week_desk(desk: Desk) -> tuple[Desk, dict[str, str]]:  # noqa: F811
    return desk, week(desk)


def test_every_card_is_the_summary_reports_figure_with_its_change(week_desk: Any) -> None:
    d, _ = week_desk
    client = signed_in(d)
    for params in ({}, {"operator": "anna"}, {"clock": "calendar"}):
        text = page(client, **PERIOD, **params)
        summary, _ = d.report("summary", **params)
        cards = {key: json.loads(html.unescape(value)) for key, value in KPI.findall(text)}
        assert len(cards) == 10
        assert all(at(summary, key) == value for key, value in cards.items()), params
    text = page(client, **PERIOD)
    assert "+5 vs previous period" in text  # nothing came in the 31 days before March
    assert 'data-from="2026-03-01T00:00:00+00:00" data-to="2026-04-01T00:00:00+00:00"' in text


def test_every_bar_leads_to_a_list_as_long_as_the_bar(week_desk: Any) -> None:
    d, _ = week_desk
    client = signed_in(d)
    bars = BAR.findall(page(client, **PERIOD))
    figures = {re.search(r"figure=([^&]+)", href).group(1) for href, _ in bars}  # type: ignore[union-attr]
    assert {"daily:received:2026-03-10", "frt:1800-3600", "sla:resolution:breached", "csi:like"} <= figures
    assert "breakdown:channel:vk" in figures and "breakdown:type:" in figures
    for href, title in bars:
        shown = int(title.rsplit(": ", 1)[1].replace(",", ""))
        listed = page(client, html.unescape(href))
        assert f'data-count="{shown}"' in listed, (href, title)


def test_the_same_figures_draw_the_same_svg_bytes_in_either_language(week_desk: Any) -> None:
    d, _ = week_desk
    client = signed_in(d)
    first = SVG.findall(page(client, **PERIOD))
    again = SVG.findall(page(client, **PERIOD))
    assert len(first) == 7 and first == again
    russian = client.get("/dashboard", params=PERIOD, headers={"Accept-Language": "ru"}).text
    translated = SVG.findall(russian)
    assert translated != first and "Поступило и решено по дням" in translated[0]
    links = [[href for href, _ in BAR.findall(s)] for s in first]
    assert [[href for href, _ in BAR.findall(s)] for s in translated] == links and all(links)


def test_the_operators_table_sorts_by_any_figure_from_its_url(week_desk: Any) -> None:
    d, _ = week_desk
    client = signed_in(d)

    def order(sort: str, direction: str) -> list[str]:
        text = page(client, **PERIOD, sort=sort, dir=direction)
        return re.findall(r'<tr data-operator="([^"]+)">', text)

    assert order("operator", "asc") == ["anna", "boris"]
    assert order("operator", "desc") == ["boris", "anna"]
    assert order("first_response.count", "desc") == ["anna", "boris"]
    assert order("next_response.avg_seconds", "desc") == ["boris", "anna"]
    assert order("next_response.avg_seconds", "asc") == ["anna", "boris"]
    assert order("nonsense", "sideways") == ["anna", "boris"]
    text = page(client, **PERIOD)
    assert 'href="/dashboard/tickets?figure=next_response&amp;' in text and "operator=boris" in text


def test_a_wrong_field_is_named_next_to_it_and_nothing_is_counted(week_desk: Any) -> None:
    d, _ = week_desk
    client = signed_in(d)
    backwards = page(client, status=422, **{**PERIOD, "from": "2026-03-31", "to": "2026-03-01"})
    assert "The end must be after the start." in backwards and "data-kpi" not in backwards
    assert "Choose one of the periods offered." in page(client, status=422, preset="fortnight")
    assert "Choose a type from the list." in page(client, status=422, **PERIOD, type="complaint")
    assert "Not a time zone" in page(client, status=422, **{**PERIOD, "tz": "Mars/Olympus"})
    assert "A period covers at most 400 days." in page(
        client, status=422, **{"from": "2024-01-01", "to": "2026-03-31"}
    )


def test_the_drilldown_page_lists_the_apis_rows_with_links_to_the_tickets(week_desk: Any) -> None:
    d, t = week_desk
    client = signed_in(d)
    api = {**MONTH, "clock": "business", "tz": "UTC"}
    text = page(client, "/dashboard/tickets", figure="first_response", **api)
    assert re.findall(r'<tr data-ticket="([^"]+)">', text) == [t["A"], t["B"], t["C"]]
    assert f'href="/tickets/{t["A"]}"' in text and "50 min" in text  # A's 3000 s of business time
    assert "First responses" in text
    wrong = page(client, "/dashboard/tickets", status=422, figure="slowest", **api)
    assert "Not a figure." in wrong
    assert page(client, "/dashboard/tickets", status=422, figure="received", page="x", **api)


def test_the_excel_button_downloads_the_apis_workbook_on_the_session(week_desk: Any) -> None:
    d, _ = week_desk
    client = signed_in(d)
    href = html.unescape(
        re.search(r'href="(/dashboard/export\.xlsx\?[^"]+)"', page(client, **PERIOD)).group(1)
    )  # type: ignore[union-attr]
    mine = client.get(href)
    assert mine.status_code == 200
    assert mine.headers["content-type"].startswith("application/vnd.openxmlformats")
    theirs = client.get(
        "/api/v1/reports/export.xlsx", params={**MONTH, "clock": "business", "tz": "UTC"},
        headers={"Authorization": "Bearer t-sue"},
    )  # fmt: skip

    def cells(content: bytes) -> list[list[Any]]:
        book = load_workbook(BytesIO(content))
        return [[c.value for row in book[s].iter_rows() for c in row] for s in book.sheetnames]

    assert cells(mine.content) == cells(theirs.content)
    assert mine.content == theirs.content  # the export is deterministic: the very same file


def test_only_report_readers_see_the_dashboard(week_desk: Any) -> None:
    d, _ = week_desk
    client = signed_in(d)
    assert 'href="/dashboard"' in page(client, "/inbox")
    client.cookies.clear()
    operator = signed_in(d, "anna")
    assert operator.get("/dashboard").status_code == 403
    assert operator.get("/dashboard/tickets", params={"figure": "received"}).status_code == 403
    assert 'href="/dashboard"' not in page(operator, "/inbox")


def test_the_now_strip_counts_the_desk_as_it_is(week_desk: Any) -> None:
    d, _ = week_desk
    client = signed_in(d)
    strip = page(client, "/dashboard/now", **PERIOD)
    assert re.findall(r'data-now="(\w+)"><b>(\d+)</b>', strip) == [
        ("open", "2"),
        ("waiting", "1"),
        ("breaching", "0"),
    ]
    d.at("2026-03-13T05:30")  # Fri 08:30 MSK: E's first response is due at the opening, 09:00
    client.cookies.clear()
    client = signed_in(d)
    assert '<span data-now="breaching" class="bad"><b>1</b>' in page(client, "/dashboard/now", **PERIOD)
    assert '<span data-now="breaching"><b>0</b>' in page(client, "/dashboard/now", **PERIOD, operator="anna")
