"""The issue's first story, end to end in a real browser over a real server: an operator works
her channel's oldest ticket, and the customer's answer arrives through Telegram's webhook while
her page is open."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.desk import Desk
from tests.browser.ticket_story import (
    add_telegram_channel,
    held_provider,
    ok,
    open_ticket,
    telegram,
    ticket,
    wait_for,
)

WAIT = {
    "shortcut": "wait",
    "title": "Проверяем",
    "body": "{{customer_first_name}}, проверяем ваш платёж и вернёмся с ответом.",
}


def test_the_operator_works_her_channels_oldest_ticket_and_the_customers_answer_arrives_live(
    desk: Desk, screenshots: Path
) -> None:
    with held_provider() as provider:
        provider.released.set()  # Telegram accepts every reply at once
        add_telegram_channel(desk, provider.url)
        with desk.api() as api:
            ok(api.post("/snippets", json=WAIT), 201)
            wait_for(lambda: ok(api.get("/snippets"))["count"])
        now = datetime.now(UTC).replace(microsecond=0)
        ticket_id = telegram(desk, 1, now - timedelta(minutes=30), "Платёж не прошёл, деньги списаны")
        open_ticket(desk, "Другой канал", "Этот тикет не из её канала")

        page = desk.page("anna")
        page.goto(f"{desk.base}/inbox")
        page.click('#inbox-channels a[data-channel="support-tg"]')
        page.wait_for_url("**/inbox?channel=support-tg")
        rows = page.locator("#inbox-list tbody tr[data-ticket]")
        expect(rows).to_have_count(1)
        assert rows.first.get_attribute("data-ticket") == ticket_id
        rows.first.locator(".subject a").click()
        page.wait_for_url(f"**/tickets/{ticket_id}")

        page.keyboard.press("r")
        page.keyboard.type("::")
        page.keyboard.type("wait")
        page.locator("#snippet-list [data-snippet=wait]").click()
        filled = "Мария, проверяем ваш платёж и вернёмся с ответом."
        expect(page.locator("#reply-text")).to_have_value(filled)
        page.locator("#reply-form button.primary").click()
        expect(page.locator("#conversation .message.reply")).to_contain_text(filled)

        page.select_option(".pause-form select[name=reason]", "waiting_customer")
        page.locator(".pause-form button[type=submit]").click()
        expect(page.locator("#conversation .system.Paused")).to_be_visible()
        assert wait_for(lambda: ticket(desk, ticket_id)["status"] == "paused")

        assert telegram(desk, 2, datetime.now(UTC), "Спасибо, жду") == ticket_id
        expect(page.locator("#conversation .message.customer").last).to_contain_text("Спасибо, жду")
        expect(page.locator("#conversation .system.Resumed")).to_contain_text("the customer replied")
        page.screenshot(path=str(screenshots / "story-operator-desktop.png"))

        page.keyboard.press("e")
        page.select_option("select[name=resolution]", "solved")
        page.locator(".resolve-form button[type=submit]").click()
        expect(page.locator("#conversation .system.Resolved")).to_be_visible()
        assert ticket(desk, ticket_id)["status"] == "resolved"
