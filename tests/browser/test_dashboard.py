"""The issue's dashboard stories in a real browser over a real server: a supervisor opens last
month, picks an operator, and every card equals the API's JSON; a click on the SLA-breached bar
lists exactly the breached tickets."""

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from api.web.dashboard_cards import at
from tests.browser.dashboard_story import BREACHED_FIRST_RESPONSE, a_month_at_the_desk, last_month
from tests.browser.desk import Desk
from tests.browser.ticket_story import ok


@pytest.fixture(scope="module")
def month(desk: Desk) -> dict[str, str]:
    return a_month_at_the_desk(desk)


def summary(desk: Desk, **params: str) -> dict[str, Any]:
    start, end = last_month(datetime.now(UTC))
    with desk.api() as api:
        window = {"from": start.isoformat(), "to": end.isoformat(), "tz": "UTC"}
        return dict(ok(api.get("/reports/summary", params={**window, **params})))


def cards(page: Any) -> dict[str, Any]:
    found = page.eval_on_selector_all(
        ".kpi[data-kpi]", "els => els.map(e => [e.dataset.kpi, e.dataset.value])"
    )
    return {key: json.loads(value) for key, value in found}


def test_a_supervisor_opens_last_month_picks_an_operator_and_every_card_is_the_apis_figure(
    desk: Desk, month: dict[str, str], screenshots: Path
) -> None:
    page = desk.page("sofia")
    page.goto(f"{desk.base}/inbox")
    page.click('.mainnav a[href="/dashboard"]')
    page.wait_for_url("**/dashboard")
    page.select_option("#dash-filters select[name=preset]", "last_month")
    page.wait_for_url("**/dashboard?preset=last_month*")
    everyone = summary(desk)
    assert cards(page) == {key: at(everyone, key) for key in cards(page)}
    assert everyone["tickets_received"] == 6
    page.select_option("#dash-filters select[name=operator]", "anna")
    page.wait_for_url("**operator=anna*")
    hers = summary(desk, operator="anna")
    shown = cards(page)
    assert len(shown) == 10 and shown == {key: at(hers, key) for key in shown}
    assert (hers["tickets_received"], hers["sla"]["first_response"]["breached"]) == (4, 2)
    expect(page.locator('.kpi[data-kpi="tickets_received"] .value')).to_have_text("4")
    expect(page.locator('.kpi[data-kpi="sla.first_response.achieved_pct"] .value')).to_have_text("33.3 %")
    expect(page.locator(".op-table tbody tr[data-operator]")).to_have_count(1)
    page.screenshot(path=str(screenshots / "dashboard-operator.png"), full_page=True)


def test_a_click_on_the_sla_breached_bar_lists_exactly_the_breached_tickets(
    desk: Desk, month: dict[str, str], screenshots: Path
) -> None:
    page = desk.page("sofia")
    page.goto(f"{desk.base}/dashboard?preset=last_month")
    page.locator('#chart-sla a[href*="figure=sla:first_response:breached"] rect').click()
    page.wait_for_url("**/dashboard/tickets?figure=sla:first_response:breached*")
    rows = page.locator(".drill-table tbody tr[data-ticket]")
    expect(rows).to_have_count(len(BREACHED_FIRST_RESPONSE))
    listed = set(rows.evaluate_all("rows => rows.map(r => r.dataset.ticket)"))
    assert listed == {month[subject] for subject in BREACHED_FIRST_RESPONSE}
    assert summary(desk)["sla"]["first_response"]["breached"] == len(listed)
    page.screenshot(path=str(screenshots / "dashboard-breached.png"), full_page=True)
    rows.filter(has_text="card limit").locator("a").click()
    page.wait_for_url(f"**/tickets/{month['card limit']}")


def test_the_now_strip_follows_the_desk_live(desk: Desk, month: dict[str, str]) -> None:
    page = desk.page("sofia")
    page.goto(f"{desk.base}/dashboard?preset=last_month")
    strip = page.locator('#dash-now [data-now="open"] b')
    before = int(strip.inner_text())
    expect(page.locator("body[data-live=open]")).to_have_count(1)
    body = {"channel": "vk", "customer": {"handle": "id-live"}, "subject": "live", "text": "Здравствуйте"}
    with desk.api(desk.service_token) as api:
        ok(api.post("/tickets", json=body), 201)
    expect(strip).to_have_text(str(before + 1), timeout=10_000)


def test_the_excel_button_downloads_the_export_on_the_session(desk: Desk, month: dict[str, str]) -> None:
    page = desk.page("sofia")
    page.goto(f"{desk.base}/dashboard?preset=last_month")
    with page.expect_download() as download:
        page.click('a[data-action="excel"]')
    assert download.value.suggested_filename.endswith(".xlsx")


def test_the_operators_table_hides_and_shows_its_bands_and_still_sorts_with_the_apis_figures(
    desk: Desk, month: dict[str, str], screenshots: Path
) -> None:
    page = desk.page("sofia")
    page.goto(f"{desk.base}/dashboard?preset=last_month")
    table = page.locator(".op-table")
    headings = table.locator("thead tr:last-child th:visible a[data-sort-key]")
    expect(page.locator("#op-bands input:checked")).to_have_count(4)
    expect(headings).to_have_count(30)
    page.locator("#op-bands input[value=speed]").uncheck()
    page.locator("#op-bands input[value=csi]").uncheck()
    expect(headings).to_have_count(3 + 12)
    assert table.locator("td[data-band=speed]:visible, td[data-band=csi]:visible").count() == 0
    page.reload()
    expect(headings).to_have_count(15)
    expect(page.locator("#op-bands input[value=speed]")).not_to_be_checked()
    table.locator('a[data-sort-key="tickets_received"]').click()
    table.locator('a[data-sort-key="tickets_received"]').click()
    expect(page).to_have_url(re.compile(r"sort=tickets_received&dir=desc"))
    order = table.locator("tbody tr[data-operator]").evaluate_all("rows => rows.map(r => r.dataset.operator)")
    assert order == ["anna", "boris"]  # anna received 4 tickets, boris 2
    table.screenshot(path=str(screenshots / "dashboard-operators-bands.png"))
    start, end = last_month(datetime.now(UTC))
    with desk.api() as api:
        window = {"from": start.isoformat(), "to": end.isoformat(), "tz": "UTC"}
        report = {r["operator"]: r for r in ok(api.get("/reports/operators", params=window))["data"]}
    keys = table.locator("thead tr:last-child a[data-sort-key]").evaluate_all(
        "links => links.map(a => a.dataset.sortKey)"
    )
    for operator, row in report.items():
        cells = table.locator(f'tbody tr[data-operator="{operator}"] td').evaluate_all(
            "cells => cells.map(c => JSON.parse(c.dataset.v))"
        )
        assert cells == [at(row, key) for key in keys], operator
    page.locator("#op-bands input[value=speed]").check()
    page.locator("#op-bands input[value=csi]").check()
    expect(headings).to_have_count(30)
