"""The explain and policy pages over HTTP, on the hand-computed week of test_analytics_scenario:
what they show, in both languages, and how they answer a value they cannot read."""

import html
import re
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest

from tests.integration.test_analytics_scenario import Desk, scenario_desk, week
from tests.integration.test_sla_compare_api import V2
from tests.integration.test_web_ticket import PASSWORD, Browser

MARCH = {"from": "2026-03-01", "to": "2026-03-31", "tz": "Europe/Moscow"}


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    with scenario_desk(tmp_path / "data") as d:
        for name in ("sue", "anna", "audrey"):
            d.runtime.helpdesk.set_password(name, PASSWORD)
        yield d


def shown(d: Desk, who: str, path: str, status: int = 200, language: str = "en", **params: str) -> str:
    d.runtime.runner.catch_up()
    answer = Browser(d.client, who, language).get(path, **params)
    assert answer.status_code == status, answer.text
    return html.unescape(answer.text)


def test_the_explain_page_shows_the_parts_their_sum_and_the_reports_figure(desk: Desk) -> None:
    t = week(desk)
    page = shown(desk, "audrey", f"/tickets/{t['A']}/explain")
    first = page[page.index('id="metric-first_response"') : page.index('id="metric-next_response"')]
    assert 'data-total-us="3000000000"' in first
    assert re.findall(r'data-kind="(\w+)"', first) == [
        "counted", "outside_hours", "weekend", "holiday", "outside_hours", "counted"
    ]  # fmt: skip
    assert "holiday 2026-03-09" in first and 'class="check same"' in first
    assert "The report counts 3000 s for it: the same." in first
    assert "std v1" in page and "Europe/Moscow" in page
    russian = shown(desk, "audrey", f"/tickets/{t['A']}/explain", language="ru")
    assert "праздник 2026-03-09" in russian and "В отчёте для него 3000 с — столько же." in russian


def test_the_ticket_pages_sla_panel_links_to_the_explanation(desk: Desk) -> None:
    t = week(desk)
    page = shown(desk, "anna", f"/tickets/{t['E']}")
    assert f'href="/tickets/{t["E"]}/explain"' in page


def test_the_explain_page_says_what_is_wrong_beside_the_field_and_404s_for_no_ticket(desk: Desk) -> None:
    t = week(desk)
    page = shown(desk, "sue", f"/tickets/{t['A']}/explain", as_of="next tuesday", clock="lunar")
    assert "Give a date and time, like 2026-03-10T09:00." in page
    assert "The clock is business hours or calendar time." in page
    assert 'data-total-us="3000000000"' in page  # the default view meanwhile
    earlier = shown(desk, "sue", f"/tickets/{t['A']}/explain", as_of="2026-03-09T03:00")  # Moscow time
    assert 'data-status="open"' in earlier
    shown(desk, "sue", f"/tickets/{uuid4()}/explain", status=404)


def test_the_policy_page_shows_then_and_now_for_the_chosen_version(desk: Desk) -> None:
    week(desk)
    desk.at("2026-03-12T15:00").call("root", "PUT", "/sla-policies/std", V2)
    page = shown(desk, "sue", "/dashboard/policy", **MARCH, policy="std", version="2")
    row = page[page.index('<tr data-metric="first_response">') :].split("</tr>")[0]
    cells = re.findall(r'data-side="(\w+)" data-outcome="(\w+)">(?:<a [^>]+>)?([^<]+)', row)
    assert [(s, o, v.strip()) for s, o, v in cells] == [
        ("then", "achieved", "3"), ("then", "breached", "0"), ("then", "pending", "1"),
        ("then", "pct", "100.0 %"),
        ("now", "achieved", "0"), ("now", "breached", "4"), ("now", "pending", "0"), ("now", "pct", "0.0 %"),
    ]  # fmt: skip
    assert "-100.0 pp" in row
    assert "figure=sla:first_response:achieved" in page and "<svg" in page
    assert "Tickets whose outcome changes: 4" in page
    assert 'aria-current="true" data-policy="std" data-version="2"' in page


def test_the_policy_page_refuses_what_it_cannot_read_beside_the_field(desk: Desk) -> None:
    week(desk)
    page = shown(desk, "sue", "/dashboard/policy", **{**MARCH, "from": "1 March"}, policy="std", version="7")
    assert "Give a date like 2026-01-01." in page
    assert "There is no such policy version: showing today's versions." in page
    shown(desk, "anna", "/dashboard/policy", status=403, **MARCH)
