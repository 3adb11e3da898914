"""Stories of the inbox, in a real browser: the queue as operators see it, its channels and saved
views, the keys of the list, and a reassignment that shows up in a colleague's open inbox."""

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser.desk import WIDTHS, Desk
from tests.e2e.server import deskstream

LIVE_SECONDS = 1.0
"""The issue's bound: a change made elsewhere is on an open inbox within a second."""
CHANNELS = {
    "support-tg": ("telegram", {"secret_token": "tg-secret"}, "anna"),
    "mail-support": ("email", {"address": "help@bank.example"}, "boris"),
    "app-widget": ("widget", {"public_key": "pk-widget"}, None),
}
CUSTOMERS = [
    ("Иван Петров", "Карта заблокирована"), ("Olga Smirnova", "Refund for a double charge"),
    ("Мария К.", "Не приходит СМС с кодом"), ("Tom Baker", "App crashes on login"),
    ("Алексей", "Перевод завис"), ("Sara Lee", "Change my address"), ("Дмитрий", "Лимит по карте"),
    ("Nina Ross", "Card not delivered"), ("Екатерина", "Кэшбэк не начислен"),
    ("Paul Weber", "Close my account"),
    ("Сергей", "Ошибка при оплате"), ("Anna Kim", "Statement for March"), ("Ольга В.", "Где мой заказ?"),
    ("Mark Chen", "Two-factor reset"), ("Юлия", "Отзыв о работе офиса"), ("Lena Fox", "Wrong fee charged"),
    ("Игорь", "Не могу войти в приложение"), ("Jack Hill", "Travel notice"), ("Татьяна", "Вопрос по вкладу"),
    ("Omar Aziz", "Loan payment date"),
]  # fmt: skip


def ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


def open_ticket(desk: Desk, channel: str, who: str, subject: str, minutes_ago: float = 0) -> dict[str, Any]:
    body: dict[str, Any] = {"channel": channel, "customer": {"name": who, "handle": f"{channel}:{who}"},
                            "subject": subject, "text": subject}  # fmt: skip
    if minutes_ago:
        body["occurred_at"] = (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()
    with desk.api(desk.service_token) as bot:
        return ok(bot.post("/tickets", json=body), 201)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def sofia(desk: Desk) -> str:
    """The supervisor's own API token, made with the CLI as an admin would."""
    return deskstream(desk.data, "token", "create", "--name", "sofia", "--role", "supervisor").strip()


@pytest.fixture(scope="module")
def channels(desk: Desk) -> dict[str, list[dict[str, Any]]]:
    """Three channels and twenty tickets that have waited from a few minutes to a few hours, under
    an SLA policy, some taken, tagged or paused: an ordinary morning at the desk."""
    with desk.api(desk.admin_token) as admin:
        for name, (kind, settings, owner) in CHANNELS.items():
            channel = {"name": name, "kind": kind, "owner": owner, "settings": settings}
            ok(admin.post("/channels", json=channel), 201)
        policy = {"targets_minutes": {"first_response": 90, "next_response": 60},
                  "effective_from": (datetime.now(UTC) - timedelta(days=1)).isoformat()}  # fmt: skip
        ok(admin.put("/sla-policies/standard", json=policy))
    opened: dict[str, list[dict[str, Any]]] = {name: [] for name in CHANNELS}
    names = list(CHANNELS)
    for n, (who, subject) in enumerate(CUSTOMERS):
        channel = names[n % 3]
        opened[channel].append(open_ticket(desk, channel, who, subject, minutes_ago=200 - n * 10))
    with desk.api(desk.admin_token) as admin:
        for n, ticket in enumerate(t for ts in opened.values() for t in ts):
            if n % 3 == 0:
                ok(admin.post(f"/tickets/{ticket['id']}/assign", json={"assignee": ["anna", "boris"][n % 2]}))
            if n % 4 == 1:
                ok(admin.post(f"/tickets/{ticket['id']}/tags", json={"add": [["card", "vip", "app"][n % 3]]}))
            if n % 7 == 2:
                ok(admin.post(f"/tickets/{ticket['id']}/pause", json={"reason": "waiting_customer"}))
        analytics_at(admin, admin.get("/tickets", params={"limit": 1}).json()["position"])
    return opened


def analytics_at(admin: Any, position: int) -> None:
    """The SLA badges are the analytics view's, which follows the log every few seconds: a report
    asked for at a position waits for it (and hurries it)."""
    now = datetime.now(UTC)
    window = {"from": (now - timedelta(days=1)).isoformat(), "to": (now + timedelta(days=1)).isoformat()}
    ok(admin.get("/reports/summary", params={**window, "min_position": position}))


def test_the_inbox_at_both_widths_with_a_morning_of_tickets(
    desk: Desk, channels: dict[str, list[dict[str, Any]]], screenshots: Path
) -> None:
    for width in WIDTHS:
        page = desk.page("anna", width)
        page.goto(f"{desk.base}/inbox")
        page.wait_for_selector("#inbox-list tbody tr[data-ticket]")
        assert page.locator("#inbox-list tbody tr[data-ticket]").count() == len(CUSTOMERS)
        assert page.locator("#inbox-list [data-sla]").count() == len(CUSTOMERS)
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width][0]
        page.screenshot(path=str(screenshots / f"inbox-{width}.png"), full_page=True)
    first = page.locator("#inbox-list tbody tr[data-ticket]").first
    assert first.get_attribute("data-ticket") == channels["support-tg"][0]["id"]


def test_an_operator_clicks_her_channel_and_sees_only_its_tickets_oldest_first(
    desk: Desk, channels: dict[str, list[dict[str, Any]]]
) -> None:
    page = desk.page("boris")
    page.goto(f"{desk.base}/inbox")
    page.click('#inbox-channels a[data-channel="mail-support"]')
    page.wait_for_url("**/inbox?channel=mail-support")
    listed = page.locator("#inbox-list tbody tr[data-ticket]")
    assert [listed.nth(i).get_attribute("data-ticket") for i in range(listed.count())] == [
        t["id"] for t in channels["mail-support"]
    ]
    current = page.locator('#inbox-channels a[aria-current="true"]')
    assert current.get_attribute("data-channel") == "mail-support"
    assert current.locator(".count").inner_text() == str(len(channels["mail-support"]))

    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("j")
    selected = page.locator('#inbox-list tr[aria-selected="true"]')
    assert selected.get_attribute("data-ticket") == channels["mail-support"][1]["id"]
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/tickets/{channels['mail-support'][1]['id']}")

    page.goto(f"{desk.base}/inbox")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.name") == "q"
    page.keyboard.type("карта")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    assert "q=%D0%BA%D0%B0%D1%80%D1%82%D0%B0" in page.url


def test_a_saved_view_is_kept_in_the_sidebar_and_brings_its_filter_back(
    desk: Desk, channels: dict[str, list[dict[str, Any]]]
) -> None:
    page = desk.page("anna")
    page.goto(f"{desk.base}/inbox")
    page.select_option('#inbox-filters select[name="channel"]', "support-tg")
    page.wait_for_url("**/inbox?channel=support-tg")
    page.check('#inbox-filters input[name="unassigned"]')
    page.wait_for_url("**/inbox?channel=support-tg&unassigned=1")
    page.fill('.save-view input[name="name"]', "Telegram, nobody's")
    page.click('.save-view button[type="submit"]')
    saved = page.locator('#inbox-views a:has-text("Telegram, nobody\'s")')
    saved.wait_for()
    assert saved.get_attribute("aria-current") == "true"

    page.goto(f"{desk.base}/inbox")
    page.click('#inbox-views a:has-text("Telegram, nobody\'s")')
    page.wait_for_url("**/inbox?channel=support-tg&unassigned=1")
    listed = page.locator("#inbox-list tbody tr[data-ticket]")
    assert listed.count() == len([t for t in channels["support-tg"] if not assigned_in_fixture(channels, t)])
    page.click('#inbox-views button[aria-label="Delete the view “Telegram, nobody\'s”"]')
    page.locator('#inbox-views a:has-text("Telegram, nobody\'s")').wait_for(state="detached")
    page.reload()
    assert page.locator("#inbox-views .view").count() == 0


def assigned_in_fixture(channels: dict[str, list[dict[str, Any]]], ticket: dict[str, Any]) -> bool:
    """The `channels` fixture assigns every third ticket, counted across the channels in order."""
    order = [t["id"] for ts in channels.values() for t in ts]
    return order.index(ticket["id"]) % 3 == 0


def test_a_supervisor_reassigns_with_a_comment_and_the_colleagues_open_inbox_shows_it_within_a_second(
    desk: Desk, sofia: str
) -> None:
    ticket = open_ticket(desk, "vk", "Пётр Иванов", "Списали дважды")
    with desk.api(sofia) as supervisor:
        ok(supervisor.post(f"/tickets/{ticket['id']}/assign", json={"assignee": "anna"}))
    anna = desk.page("anna")
    anna.goto(f"{desk.base}/inbox?mine=1")
    row = f'#inbox-list tr[data-ticket="{ticket["id"]}"]'
    anna.wait_for_selector(row)
    boris = desk.page("boris")
    boris.goto(f"{desk.base}/inbox?mine=1")
    boris.wait_for_function("document.querySelector('#inbox-list') !== null")
    assert boris.locator(row).count() == 0
    wait_until_live(boris)

    boris.evaluate(WATCH, row)
    with desk.api(sofia) as supervisor:
        comment = {"assignee": "boris", "comment": "Борис, это по вашей части: двойное списание"}
        started = time.time()
        ok(supervisor.post(f"/tickets/{ticket['id']}/assign", json=comment))
    boris.wait_for_selector(row, timeout=5000)
    shown_after = boris.evaluate("window.shownAt") / 1000 - started
    assert shown_after <= LIVE_SECONDS, f"shown after {shown_after:.2f} s"
    assert "taken by boris" in boris.locator(row).inner_text()
    assert "fresh" in (boris.locator(row).get_attribute("class") or "")
    anna.wait_for_selector(row, state="detached", timeout=5000)


WATCH = """(selector) => new MutationObserver((_, watching) => {
  if (!document.querySelector(selector)) return;
  window.shownAt = Date.now();
  watching.disconnect();
}).observe(document.body, {childList: true, subtree: true})"""
"""Notes the moment (the machine's wall clock, as Python's) a row appears on the page: the
browser draws it then, while the test's own look at the page polls at its own pace."""


def wait_until_live(page: Any) -> None:
    """The page's live stream is open: what happens from now on reaches it."""
    page.wait_for_selector('body[data-live="open"]', timeout=5000)
