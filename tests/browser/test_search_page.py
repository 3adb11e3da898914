"""Searching the archive and the customers, in a real browser, over tickets opened through the API."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser.desk import WIDTHS, Desk

TELEGRAM = {"secret_token": "tg-secret", "bot_token": "123:ABC", "api_base": "http://127.0.0.1:9"}
TICKETS = [
    (
        "Ольга Петрова",
        "501",
        "Не могу оплатить картой в приложении: пишет «операция отклонена», хотя деньги есть.",
    ),
    ("Игорь Смирнов", "502", "Заблокировали карту после перевода другу, как разблокировать?"),
    ("Jane Cooper", "503", "My card payment failed twice at the same shop, please check."),
    ("Пётр Иванов", "504", "Где моя выписка за ноябрь? Нужна для визы."),
    ("Мария <b>Ким</b>", "505", '<img src=x onerror="alert(1)"> Карта не приходит уже две недели'),
]


@pytest.fixture(scope="module")
def archive(desk: Desk) -> dict[str, str]:
    """Tickets by customer name: a reply and an internal note on the first, the second resolved."""
    with desk.api() as api:
        assert api.post(
            "/channels", json={"name": "bank-tg", "kind": "telegram", "settings": TELEGRAM}
        ).is_success
        ids = {}
        with desk.api(desk.service_token) as bot:
            for name, handle, text in TICKETS:
                body = {"channel": "bank-tg", "customer": {"name": name, "handle": handle}, "text": text}
                ids[name] = bot.post("/tickets", json=body).json()["id"]
        first = ids["Ольга Петрова"]
        note = {"text": "Проверить лимит по карте", "actor": "anna"}
        assert api.post(f"/tickets/{first}/notes", json=note).is_success
        reply = {
            "text": "Ольга, проверьте, пожалуйста, лимит на оплату картой в настройках.",
            "actor": "anna",
        }
        assert api.post(f"/tickets/{first}/replies", json=reply).is_success
        assert api.post(f"/tickets/{first}/tags", json={"add": ["limits"], "actor": "anna"}).is_success
        solved = {"resolution": "solved", "actor": "boris"}
        position = api.post(f"/tickets/{ids['Игорь Смирнов']}/resolve", json=solved).json()["position"]
        assert api.get("/search", params={"min_position": position}).is_success
    return ids


def search(page: Any, base: str, words: str) -> None:
    page.goto(f"{base}/search")
    page.fill("input[name=q]", words)
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/search?q=*")


def test_the_archive_search_finds_картой_from_карта(
    desk: Desk, archive: dict[str, str], screenshots: Path
) -> None:
    page = desk.page("anna")
    search(page, desk.base, "карта")
    hit = page.locator("li.hit.hit-message", has_text="Не могу оплатить картой")
    assert hit.locator("mark").all_inner_texts() == ["картой"]
    assert hit.locator("a.hit-subject").get_attribute("href") == f"/tickets/{archive['Ольга Петрова']}"
    marked = page.locator(".fragment mark").all_inner_texts()
    assert {"картой", "карту", "Карта", "карте"} <= set(marked) and "Jane" not in page.inner_text(".hits")
    page.screenshot(path=str(screenshots / "search-desktop.png"), full_page=True)
    phone = desk.page("anna", "phone", "ru")
    search(phone, desk.base, "карта")
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTHS["phone"][0]
    phone.screenshot(path=str(screenshots / "search-phone.png"), full_page=True)


def test_highlights_mark_only_the_words_and_show_markup_as_text(desk: Desk, archive: dict[str, str]) -> None:
    page = desk.page("ada")
    search(page, desk.base, "карта")
    hit = page.locator("li.hit", has_text="Мария <b>Ким</b>")
    assert hit.locator(".fragment").inner_text().startswith('<img src=x onerror="alert(1)"> Карта')
    assert hit.locator("img, b").count() == 0
    assert hit.locator("mark").all_inner_texts() == ["Карта"]


def test_filters_narrow_the_search_and_the_customer_search_leads_to_her_tickets(
    desk: Desk, archive: dict[str, str], screenshots: Path
) -> None:
    page = desk.page("sofia")
    search(page, desk.base, "карта")
    assert page.locator("li.hit").count() == 5
    page.select_option("select[name=status]", "resolved")
    page.wait_for_url("**status=resolved*")
    assert page.locator("li.hit .fragment").all_inner_texts() == [
        "Заблокировали карту после перевода другу, как разблокировать?"
    ]
    assert page.locator("li.hit").count() == 1
    page.goto(f"{desk.base}/search?q=карта&tag=Limits")
    assert page.locator("li.hit .customer, li.hit .hit-subject").all_inner_texts() == ["Ольга Петрова"] * 3
    today = datetime.now(UTC).date()
    page.goto(f"{desk.base}/search?q=карта&from={today}&to={today}")
    assert page.locator("li.hit").count() == 5
    page.goto(f"{desk.base}/search?q=карта&to={today - timedelta(days=1)}")
    assert page.locator("li.hit").count() == 0 and page.locator(".hits .empty").is_visible()
    search(page, desk.base, "петрова")
    assert page.locator(".people li").all_inner_texts() == ["Ольга Петрова\nTickets: 1"]
    assert set(page.locator(".hit-subject mark").all_inner_texts()) == {"Петрова"}
    page.goto(f"{desk.base}/search/customers")
    page.fill("input[name=q]", "петро")
    page.press("input[name=q]", "Enter")
    olga = page.locator("tr[data-customer]", has_text="Ольга Петрова")
    olga.wait_for()
    page.screenshot(path=str(screenshots / "search-customers-desktop.png"), full_page=True)
    phone = desk.page("sofia", "phone", "ru")
    phone.goto(f"{desk.base}/search/customers?q=петро")
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTHS["phone"][0]
    phone.screenshot(path=str(screenshots / "search-customers-phone.png"), full_page=True)
    olga.locator("a", has_text="Tickets: 1").click()
    page.wait_for_url("**/search?customer=*")
    assert page.locator(".chip").inner_text().startswith("Ольга Петрова")
    page.screenshot(path=str(screenshots / "search-customer-tickets-desktop.png"), full_page=True)
    ticket = page.locator(".customer-tickets tr[data-ticket] a")
    assert ticket.get_attribute("href") == f"/tickets/{archive['Ольга Петрова']}"
    kinds = page.locator("li.hit").evaluate_all("hits => hits.map(h => h.className)")
    assert sorted(kinds) == ["hit hit-message", "hit hit-note", "hit hit-reply"]
    assert {page.locator("li.hit a.hit-subject").nth(i).get_attribute("href") for i in range(3)} == {
        f"/tickets/{archive['Ольга Петрова']}"
    }


def test_bad_input_is_said_next_to_its_field_and_what_was_typed_stays(
    desk: Desk, archive: dict[str, str], screenshots: Path
) -> None:
    page = desk.page("anna")
    answer = page.goto(f"{desk.base}/search?q=карта&from=2026-03-10&to=2026-03-01")
    assert answer is not None and answer.status == 422
    assert page.locator("#to-error").inner_text() == "The period ends before it starts."
    page.screenshot(path=str(screenshots / "search-error-desktop.png"))
    assert (
        page.input_value("input[name=from]") == "2026-03-10" and page.input_value("input[name=q]") == "карта"
    )
    assert page.locator("li.hit").count() == 0
    page.goto(f"{desk.base}/search?q=карта&channel=bank-fax")
    assert page.locator("#channel-error").inner_text() == "There is no channel named 'bank-fax'."
    assert page.input_value("select[name=channel]") == "bank-fax"
    page.goto(f"{desk.base}/search?q={'карта ' * 100}")
    assert page.locator("#q-error").inner_text() == "At most 500 characters, as the API allows."
    page.goto(f"{desk.base}/search?from=2026-02-30")
    assert page.locator("#from-error").inner_text().startswith("Not a date")
    assert "Traceback" not in page.content()
