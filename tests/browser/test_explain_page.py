"""A supervisor asks why one ticket's first response is what the report says: she opens the
ticket, follows "explain" from its SLA panel, and the parts on the page add up to the report's
figure for that ticket, to the microsecond.

The ticket (times imported by the channel adapter and an admin, as an import would): opened on a
Friday at 17:30 Moscow time, paused on Monday 09:10-09:40 waiting for billing, answered at 10:00.
Policy "std": business hours Mon-Fri 09:00-18:00 Europe/Moscow. First response: 30 minutes on
Friday, 10 and 20 minutes on Monday around the pause: 60 minutes, 3600 s.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.desk import Desk
from tests.browser.ticket_story import ok, wait_for

STD = {
    "targets_minutes": {"first_response": 45, "next_response": 120, "resolution": 480},
    "calendar": {
        "tz": "Europe/Moscow",
        "weekly": {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": [],
    },
    "effective_from": "2025-01-01T00:00:00Z",
}


def a_friday_weeks_ago() -> datetime:
    day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=14)
    return day - timedelta(days=(day.weekday() - 4) % 7)


def the_ticket(desk: Desk, friday: datetime) -> str:
    monday = friday + timedelta(days=3)

    def iso(at: datetime) -> str:
        return at.isoformat()

    with desk.api() as api:
        ok(api.put("/sla-policies/std", json=STD))
    opened = iso(friday + timedelta(hours=14, minutes=30))
    body = {"channel": "vk", "customer": {"name": "Ирина", "handle": "id4242"}, "subject": "Карта",
            "text": "Карта не работает", "occurred_at": opened}  # fmt: skip
    with desk.api(desk.service_token) as api:
        ticket = str(ok(api.post("/tickets", json=body), 201)["id"])
    steps = [
        ("pause", {"reason": "waiting_department", "department": "billing"}, timedelta(hours=6, minutes=10)),
        ("resume", {}, timedelta(hours=6, minutes=40)),
        ("replies", {"text": "Карту разблокировали.", "actor": "anna"}, timedelta(hours=7)),
    ]
    with desk.api() as api:
        for action, fields, later in steps:
            done = ok(
                api.post(f"/tickets/{ticket}/{action}", json={**fields, "occurred_at": iso(monday + later)})
            )
        ok(api.get("/reports/summary", params={"from": iso(friday), "to": iso(monday + timedelta(days=1)),
                                               "min_position": done["position"]}))  # fmt: skip
    return ticket


def test_explain_on_one_ticket_sums_to_its_first_response_in_the_report(
    desk: Desk, screenshots: Path
) -> None:
    friday = a_friday_weeks_ago()
    ticket = the_ticket(desk, friday)
    monday = friday + timedelta(days=3)
    window = {"from": monday.isoformat(), "to": (monday + timedelta(days=1)).isoformat()}
    with desk.api() as api:
        summary = wait_for(lambda: ok(api.get("/reports/summary", params=window)))
    report_us = round(summary["first_response"]["median_seconds"] * 1_000_000)
    assert summary["first_response"]["count"] == 1 and report_us == 3_600_000_000

    page = desk.page("sofia")
    page.goto(f"{desk.base}/tickets/{ticket}")
    page.locator("#sla .explain-link a").click()
    page.wait_for_url(f"**/tickets/{ticket}/explain")
    first = page.locator("#metric-first_response")
    expect(first.locator(".check.same")).to_be_visible()
    parts = first.locator("tr.part")
    kinds = [parts.nth(i).get_attribute("data-kind") for i in range(parts.count())]
    assert kinds == ["counted", "outside_hours", "weekend", "outside_hours", "counted", "paused", "counted"]
    shown = [int(parts.nth(i).get_attribute("data-us") or 0) for i in range(parts.count())]
    assert sum(shown) == report_us == int(first.get_attribute("data-total-us") or 0)
    assert int(first.locator(".check").get_attribute("data-report-us") or 0) == report_us
    expect(first.locator(".badge.outcome")).to_have_text("breached")  # 60 minutes against 45
    expect(first.locator("tr.part.paused")).to_contain_text("billing")
    expect(page.locator("#policy")).to_contain_text("std")
    page.screenshot(path=str(screenshots / "explain-ticket.png"), full_page=True)

    page.select_option("select[name=clock]", "calendar")
    page.locator(".explain-head form button").click()
    page.wait_for_url("**clock=calendar**")
    calendar = page.locator("#metric-first_response tr.part")
    expect(calendar).to_have_count(3)  # open, paused, open: nights and the weekend count
    expected = (timedelta(days=2, hours=16, minutes=30) - timedelta(minutes=30)).total_seconds() * 1_000_000
    assert int(page.locator("#metric-first_response").get_attribute("data-total-us") or 0) == expected
