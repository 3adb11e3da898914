"""A supervisor asks "would we have met the new 15-minute target?" on a week whose answer is
computed by hand, picks the policy version on the page, and reads the same figures the API gives.

Policy "std", no business calendar (every minute counts), version 1 from 2025: first response 60
minutes, next response 120, resolution 480. Version 2, effective from today: first response 15.
Four tickets opened in one week a month ago, each answered once and resolved:

    ticket  first reply after  resolved after   then (v1): FR / resolution   now (v2): FR
    T1      10 min             60 min           achieved / achieved          achieved
    T2      20 min             90 min           achieved / achieved          breached
    T3      50 min             600 min          achieved / breached          breached
    T4      90 min             120 min          breached / achieved          breached

First response: then 3 achieved, 1 breached, 75.0 %; now 1 achieved, 3 breached, 25.0 %: -50.0
points; T2 and T3 change. Resolution: 3 and 1, 75.0 %, under both. No next response: no customer
wrote after a reply.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.desk import Desk
from tests.browser.ticket_story import ok

V1 = {"targets_minutes": {"first_response": 60, "next_response": 120, "resolution": 480},
      "effective_from": "2025-01-01T00:00:00Z"}  # fmt: skip
TICKETS = ((10, 60), (20, 90), (50, 600), (90, 120))
THEN = {"achieved": "3", "breached": "1", "pending": "0", "pct": "75.0 %"}
NOW = {"achieved": "1", "breached": "3", "pending": "0", "pct": "25.0 %"}


def the_week(desk: Desk) -> tuple[datetime, list[str]]:
    monday = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=35)
    monday -= timedelta(days=monday.weekday())
    with desk.api() as api:
        ok(api.put("/sla-policies/std", json=V1))
    ids = []
    for n, (reply, resolve) in enumerate(TICKETS):
        opened = monday + timedelta(days=n, hours=9)
        body = {"channel": "vk", "customer": {"handle": f"week{n}"}, "text": "Помогите",
                "occurred_at": opened.isoformat()}  # fmt: skip
        with desk.api(desk.service_token) as api:
            ticket = str(ok(api.post("/tickets", json=body), 201)["id"])
        with desk.api() as api:
            at = (opened + timedelta(minutes=reply)).isoformat()
            ok(
                api.post(
                    f"/tickets/{ticket}/replies", json={"text": "Смотрим", "actor": "anna", "occurred_at": at}
                )
            )
            at = (opened + timedelta(minutes=resolve)).isoformat()
            ok(api.post(f"/tickets/{ticket}/resolve", json={"resolution": "solved", "occurred_at": at}))
        ids.append(ticket)
    with desk.api() as api:
        v2 = {**V1, "targets_minutes": {**V1["targets_minutes"], "first_response": 15}}
        v2["effective_from"] = datetime.now(UTC).isoformat()
        done = ok(api.put("/sla-policies/std", json=v2))
        ok(api.get("/sla-policies", params={"min_position": done["position"]}))
    return monday, ids


def cells(page: Any, metric: str, side: str) -> dict[str, str]:
    row = page.locator(f"#compare tr[data-metric={metric}]")
    found = {}
    for outcome in ("achieved", "breached", "pending", "pct"):
        found[outcome] = row.locator(f"td[data-side={side}][data-outcome={outcome}]").inner_text().strip()
    return found


def test_the_policy_comparison_on_a_week_computed_by_hand(desk: Desk, screenshots: Path) -> None:
    monday, ids = the_week(desk)
    sunday = monday + timedelta(days=6)
    page = desk.page("sofia")
    page.goto(f"{desk.base}/dashboard/policy?from={monday.date()}&to={sunday.date()}&tz=UTC")
    expect(page.locator("#result .summary")).to_contain_text("Tickets received in the period: 4")
    assert cells(page, "first_response", "then") == THEN
    assert cells(page, "first_response", "now") == NOW  # by default: today's version, v2
    expect(page.locator("#compare tr[data-metric=first_response] .delta")).to_contain_text("-50.0")
    assert cells(page, "resolution", "then") == cells(page, "resolution", "now") == THEN

    page.locator('#chooser a[data-policy=std][data-version="1"]').click()
    page.wait_for_url("**version=1**")
    assert cells(page, "first_response", "now") == THEN
    expect(page.locator("#changed tr[data-ticket]")).to_have_count(0)
    expect(page.locator("#changed h2")).to_have_text("Tickets whose outcome changes: 0")

    page.locator('#chooser a[data-policy=std][data-version="2"]').click()
    page.wait_for_url("**version=2**")
    assert cells(page, "first_response", "now") == NOW
    changed = page.locator("#changed tr[data-ticket]")
    expect(changed).to_have_count(2)
    assert {changed.nth(i).get_attribute("data-ticket") for i in range(2)} == {ids[1], ids[2]}
    page.screenshot(path=str(screenshots / "policy-compare.png"), full_page=True)

    window = {"from": f"{monday.date()}T00:00:00Z", "to": f"{sunday.date() + timedelta(days=1)}T00:00:00Z"}
    with desk.api() as api:
        body = ok(api.get("/reports/sla-compare", params={**window, "policy": "std", "version": 2}))
    assert body["then"]["first_response"] == {
        "achieved": 3,
        "breached": 1,
        "pending": 0,
        "achieved_pct": 75.0,
    }
    assert body["now"]["first_response"] == {"achieved": 1, "breached": 3, "pending": 0, "achieved_pct": 25.0}
    bar = page.locator("svg.compare a[href*='figure=sla:first_response:breached']")
    expect(bar).to_have_count(1)
