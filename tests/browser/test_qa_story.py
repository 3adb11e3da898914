"""The issue's QA story in a real browser over a real server: a QA reviewer draws last month's
sample, reads each sampled ticket (read-only, notes included) and reviews it, and the operator
the review concerns sees it on her ticket page and in her list of reviews."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from playwright.sync_api import expect

from tests.browser.desk import Desk, set_password
from tests.browser.ticket_story import as_someone, ok

SUBJECTS = ("Карта заблокирована", "Не пришёл перевод", "Смена тарифа")


def last_month_ticket(desk: Desk, subject: str, day: int) -> str:
    """A ticket anna took, answered and solved last month, recorded as an import records it."""
    first = datetime.now(UTC).replace(day=1, hour=10, minute=0, second=0, microsecond=0)
    at = (first - timedelta(days=1)).replace(day=day, hour=10)
    body = {
        "channel": "vk",
        "customer": {"name": "Иван Петров", "handle": f"id{uuid4().hex[:8]}"},
        "subject": subject,
        "text": f"{subject}: помогите, пожалуйста",
        "occurred_at": at.isoformat(),
    }
    with desk.api() as api:
        ticket_id = str(ok(api.post("/tickets", json=body), 201)["id"])
    as_someone(desk, ticket_id, "assign", "anna", at + timedelta(minutes=1), assignee="anna")
    as_someone(desk, ticket_id, "notes", "anna", at + timedelta(minutes=2), text="Проверила в биллинге")
    as_someone(desk, ticket_id, "replies", "anna", at + timedelta(minutes=5), text="Готово, проверьте")
    as_someone(desk, ticket_id, "resolve", "anna", at + timedelta(minutes=9), resolution="solved")
    return ticket_id


def test_a_qa_reviewer_completes_a_months_sample_and_the_operator_sees_the_review(
    desk: Desk, screenshots: Path
) -> None:
    set_password(desk.data, "quinn", "qa")
    tickets = [last_month_ticket(desk, subject, day) for day, subject in enumerate(SUBJECTS, 3)]

    page = desk.page("quinn")
    expect(page).to_have_url(f"{desk.base}/qa")  # a QA reviewer lands on the QA page
    expect(page.locator(".mainnav a")).to_have_count(1)
    page.locator(".qa-draw-form button[type=submit]").click()
    rows = page.locator(".qa-list tbody tr[data-ticket]")
    expect(rows).to_have_count(3)
    assert sorted(rows.evaluate_all("rows => rows.map(r => r.dataset.ticket)")) == sorted(tickets)
    expect(page.locator("#qa-proof-verdict")).to_have_class("qa-verdict ok")

    for n in range(3):
        page.locator("#qa-next").click()
        expect(page.locator("#qa-form")).to_be_visible()
        expect(page.locator("#conversation .message.note")).to_contain_text("Проверила в биллинге")
        expect(page.locator("#reply-form")).to_have_count(0)
        for i in range(4):
            page.locator(f".qa-criterion:nth-of-type({i + 1}) .qa-scale label").nth([1, 2, 0][n]).click()
        verdict = "fail" if n == 2 else "pass"
        page.locator(f".qa-verdict-field label.{verdict}").click()
        if n == 0:
            page.fill("#qa-comment", "Вежливо и по делу")
            expect(page.locator("#qa-total")).to_contain_text("4 of 8")
            page.screenshot(path=str(screenshots / "qa_review.png"))
        if n == 2:
            page.locator("#qa-form button[type=submit]").click()  # a failure without a comment
            expect(page.locator("#qa-comment-error")).to_be_visible()
            page.fill("#qa-comment", "Не уточнила номер договора")
        page.locator("#qa-form button[type=submit]").click()
        if n < 2:
            expect(page.locator("#qa-form")).to_be_visible()
            page.goto(f"{desk.base}/qa")
    expect(page.locator(".qa-progress .badge.ok")).to_be_visible()
    expect(page.locator(".qa-list tr.reviewed")).to_have_count(3)
    page.screenshot(path=str(screenshots / "qa.png"), full_page=True)

    with desk.api() as api:
        comments = {t: ok(api.get(f"/qa/reviews/{month_of(page)}/{t}"))["comment"] for t in tickets}
    failed = next(t for t, comment in comments.items() if comment == "Не уточнила номер договора")
    anna = desk.page("anna")
    anna.goto(f"{desk.base}/tickets/{failed}")
    block = anna.locator("#qa-reviews")
    expect(block).to_contain_text("Не уточнила номер договора")
    expect(block.locator(".badge.bad")).to_be_visible()
    anna.screenshot(path=str(screenshots / "qa_operator.png"))
    anna.locator("#qa-reviews a[href='/qa/mine']").click()
    expect(anna.locator(".qa-cards .qa-card")).to_have_count(3)
    boris = desk.page("boris")
    boris.goto(f"{desk.base}/tickets/{failed}")
    expect(boris.locator("#conversation")).to_be_visible()
    expect(boris.locator("#qa-reviews")).to_have_count(0)  # a colleague's review is hers alone


def month_of(page) -> str:
    return str(page.locator("#qa").get_attribute("data-month"))
