"""The heatmap on a fixture with known arrivals: customer messages written at known Moscow hours,
counted by hand, read off the cells a supervisor sees, and compared with the hourly report."""

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

from playwright.sync_api import expect

from tests.browser.desk import Desk
from tests.browser.ticket_story import ok

MSK = timezone(timedelta(hours=3))
WINDOW = {"from": "2026-03-02", "to": "2026-03-15", "tz": "Europe/Moscow"}
"""Two whole weeks in Moscow (the 15th included): every hour of the week occurs twice."""
ARRIVALS = [
    [datetime(2026, 3, 2, 9, 15, tzinfo=MSK)],  # Monday 09
    [datetime(2026, 3, 9, 9, 40, tzinfo=MSK), datetime(2026, 3, 9, 9, 55, tzinfo=MSK)],  # Monday 09, twice
    [datetime(2026, 3, 3, 23, 30, tzinfo=MSK)],  # Tuesday 23 (20:30 UTC)
    [datetime(2026, 3, 15, 0, 10, tzinfo=MSK)],  # Sunday 00 (Saturday in UTC)
    [datetime(2026, 3, 15, 23, 59, tzinfo=MSK)],  # Sunday 23, the window's last hour
    [datetime(2026, 3, 16, 0, 5, tzinfo=MSK)],  # after the window
    [datetime(2026, 3, 1, 23, 50, tzinfo=MSK)],  # before it
]
BY_HAND = {(1, 9): 3, (2, 23): 1, (7, 0): 1, (7, 23): 1}
CELLS_SEEN = """svg => [...svg.querySelectorAll('a')].map(a => {
  const box = a.querySelector('rect').getBoundingClientRect();
  const inside = [...svg.querySelectorAll('text.cell-value')].filter(t => {
    const r = t.getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;
    return x > box.left && x < box.right && y > box.top && y < box.bottom;
  });
  const shown = inside.map(t => t.textContent).join('|');
  return [a.getAttribute('href'), a.querySelector('title').textContent, shown];
})"""


def write_arrivals(desk: Desk) -> int:
    """Each ticket opened, and answered by its customer, as a channel adapter writes them."""
    position = 0
    with desk.api(desk.service_token) as api:
        for messages in ARRIVALS:
            first, *more = messages
            body = {
                "channel": "vk",
                "customer": {"name": "Ольга", "handle": f"id{uuid4().hex[:8]}"},
                "text": "Здравствуйте",
                "occurred_at": first.isoformat(),
            }
            opened = ok(api.post("/tickets", json=body), 201)
            position = max(position, opened["position"])
            for at in more:
                sent = ok(
                    api.post(
                        f"/tickets/{opened['id']}/messages",
                        json={"text": "Ещё", "occurred_at": at.isoformat()},
                    )
                )
                position = max(position, sent["position"])
    return position


def hourly_report(desk: Desk, position: int) -> dict[tuple[int, int], dict[str, Any]]:
    params = {"from": "2026-03-01T21:00:00Z", "to": "2026-03-15T21:00:00Z", "tz": "Europe/Moscow"}
    with desk.api() as api:
        body = ok(api.get("/reports/hourly", params={**params, "min_position": position}))
    return {(row["weekday"], row["hour"]): row for row in body["data"]}


def test_the_heatmap_on_a_fixture_with_known_arrivals(desk: Desk, screenshots: Path) -> None:
    report = hourly_report(desk, write_arrivals(desk))
    page = desk.page("sofia")
    page.goto(f"{desk.base}/staffing?" + "&".join(f"{k}={v.replace('/', '%2F')}" for k, v in WINDOW.items()))
    expect(page.locator("#period")).to_have_text("2 Mar 2026 – 15 Mar 2026")
    seen = page.locator("#arrivals svg").evaluate(CELLS_SEEN)
    assert len(seen) == 7 * 24
    for href, title, shown in seen:
        link = urlsplit(href)
        query = parse_qs(link.query)
        day, hour = (int(n) for n in query["figure"][0].removeprefix("arrivals:").split(":"))
        counted = BY_HAND.get((day, hour), 0)
        found = re.fullmatch(
            r".*: (\d+) messages over (\d+) such hours in the period, ([\d.]+) per hour.*", title
        )
        assert found is not None, title
        assert (int(found[1]), int(found[2])) == (counted, 2) == (report[(day, hour)]["messages"], 2)
        assert shown == (f"{counted / 2:g}" if counted else "")
        assert link.path == "/dashboard/tickets"
        assert query["from"] == ["2026-03-01T21:00:00+00:00"] and query["to"] == ["2026-03-15T21:00:00+00:00"]
        assert query["tz"] == ["Europe/Moscow"]
    assert sum(row["messages"] for row in report.values()) == sum(BY_HAND.values())
    monday_nine = page.locator('#arrivals svg a[href*="figure=arrivals:1:9&"] title')
    assert monday_nine.text_content().startswith("Monday 09:00–10:00: 3 messages")  # type: ignore[union-attr]
    expect(page.locator("#shift-table tbody tr")).to_have_count(2)
    page.screenshot(path=str(screenshots / "staffing-fixture.png"), full_page=True)
