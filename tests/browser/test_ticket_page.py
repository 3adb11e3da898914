"""Stories of the ticket page, in a real browser: replying, colliding, merging, closing spam, an
auditor looking on, snippets, and a reply that fails without losing what was typed."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from playwright.sync_api import expect

from tests.browser.desk import WIDTHS, Desk, sign_in
from tests.browser.ticket_story import (
    HeldProvider,
    a_whole_conversation,
    add_telegram_channel,
    event_types,
    events,
    held_provider,
    ok,
    open_ticket,
    ticket,
    wait_for,
)

BLOCKED = (400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"})
SENT = (200, {"ok": True, "result": {"message_id": 7001}})


@pytest.fixture(scope="module")
def telegram_api(desk: Desk) -> Iterator[HeldProvider]:
    """Telegram's send API: the first reply goes through, the second is refused."""
    with held_provider(SENT, BLOCKED) as provider:
        add_telegram_channel(desk, provider.url)
        yield provider


def open_page(desk: Desk, name: str, ticket_id: str, width: str = "desktop") -> Any:
    page = desk.page(name, width)
    page.goto(f"{desk.base}/tickets/{ticket_id}")
    page.wait_for_selector("#conversation")
    return page


def test_the_ticket_page_tells_a_whole_conversation_at_both_widths(
    desk: Desk, telegram_api: HeldProvider, screenshots: Path
) -> None:
    ticket_id = a_whole_conversation(desk, telegram_api)
    for width in WIDTHS:
        page = open_page(desk, "anna", ticket_id, width)
        thread = page.locator("#conversation .thread")
        assert thread.locator(".message.customer").count() == 3
        assert "выписка.pdf" in thread.locator(".attachments").inner_text()
        assert thread.locator(".message.note").inner_text().count("Похоже на двойное списание") == 1
        assert "waiting for the department “claims”" in thread.inner_text()
        assert "Resumed: the customer replied" in thread.inner_text()
        assert "chat not found" in thread.locator(".delivery.failed").inner_text()
        assert thread.locator(".delivery.sent").count() == 1
        sla = page.locator("#sla")
        assert "First response" in sla.inner_text() and "on time" in sla.inner_text()
        assert "left" in sla.locator("[data-metric=next_response]").inner_text()
        assert "claims" in sla.locator(".pauses").inner_text()
        card = page.locator("#customer-card")
        assert "vk:id4356711" in card.inner_text() and "telegram:435671190" in card.inner_text()
        assert "Не приходит SMS с кодом" in card.locator(".other-tickets").inner_text()
        assert "Волнуется, объяснять по шагам" in card.locator(".customer-notes").inner_text()
        assert "Как оспорить списание" in page.locator("#kb-results").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width][0]
        page.screenshot(path=str(screenshots / f"ticket-{width}.png"), full_page=width == "phone")


def test_two_operators_reply_at_once_and_the_second_sees_the_collision(desk: Desk, screenshots: Path) -> None:
    ticket_id = open_ticket(desk, "Не проходит платёж", "Оплата картой не проходит уже час")
    anna, boris = open_page(desk, "anna", ticket_id), open_page(desk, "boris", ticket_id)
    for page, text in (
        (anna, "Проверяю ваш платёж, минуту."),
        (boris, "Уточните, пожалуйста, последние цифры карты."),
    ):
        page.keyboard.press("r")
        page.keyboard.type(text)
    anna.click("#reply-form button.primary")
    expect(anna.locator("#conversation .message.reply")).to_contain_text("Проверяю ваш платёж")
    boris.click("#reply-form button.primary")

    collision = boris.locator("#reply-form .collision")
    expect(collision).to_contain_text("The ticket changed while you were working on it.")
    expect(collision.locator(".message.reply")).to_contain_text("Проверяю ваш платёж, минуту.")
    assert event_types(desk, ticket_id).count("ReplySent") == 1
    assert boris.input_value("#reply-text") == "Уточните, пожалуйста, последние цифры карты."
    boris.screenshot(path=str(screenshots / "ticket-collision-desktop.png"))
    collision.get_by_role("button", name="Send anyway").click()
    expect(boris.locator("#conversation .message.reply")).to_have_count(2)
    expect(boris.locator("#reply-text")).to_have_value("")
    replies = [
        (c["actor"], c["text"]) for c in ticket(desk, ticket_id)["conversation"] if c["kind"] == "reply"
    ]
    assert replies == [
        ("anna", "Проверяю ваш платёж, минуту."),
        ("boris", "Уточните, пожалуйста, последние цифры карты."),
    ]


def test_a_repeated_request_is_merged_into_the_first(desk: Desk) -> None:
    handle = f"id{uuid4().hex[:8]}"
    first = open_ticket(desk, "Карта заблокирована", "Заблокировали карту, что делать?", handle, "Ольга")
    second = open_ticket(desk, "Опять про карту", "Карта до сих пор заблокирована!", handle, "Ольга")
    page = open_page(desk, "sofia", second)
    page.get_by_text("Merge into another ticket").click()
    offered = page.locator(f"#merge-targets input[value='{first}']")  # the customer's other open ticket
    offered.check()
    page.locator(".merge-form button[type=submit]").click()

    expect(page.locator("#conversation .system.MergedInto")).to_contain_text("sofia merged this ticket into")
    expect(page.locator("#conversation .ticket-meta .status")).to_have_text("merged")
    expect(page.locator("#composer .closed-hint")).to_contain_text("This ticket was merged")
    assert ticket(desk, second)["merged_into"] == first
    assert ticket(desk, first)["merged_from"] == [second]
    assert event_types(desk, first)[-1] == "MergeReceived"


def test_abuse_is_closed_as_spam_without_a_reply(desk: Desk) -> None:
    ticket_id = open_ticket(desk, "Выгодное предложение", "Заработок от 100 000 в день, пишите в личку")
    page = open_page(desk, "anna", ticket_id)
    page.keyboard.press("e")
    assert page.evaluate("document.activeElement.name") == "resolution"
    page.select_option("select[name=resolution]", "spam")
    page.locator(".resolve-form button[type=submit]").click()

    expect(page.locator("#conversation .system.Resolved")).to_contain_text("anna resolved the ticket: spam")
    expect(page.locator("#controls .reopen-form")).to_be_visible()
    expect(page.locator("#composer textarea")).to_have_count(0)
    state = ticket(desk, ticket_id)
    assert (state["status"], state["resolution"]) == ("resolved", "spam")
    assert "ReplySent" not in event_types(desk, ticket_id)


def test_an_auditor_sees_everything_and_can_change_nothing(desk: Desk) -> None:
    ticket_id = open_ticket(desk, "Проверка", "Почему списали комиссию?")
    with desk.api() as api:
        ok(api.post(f"/tickets/{ticket_id}/notes", json={"text": "Комиссия по тарифу", "actor": "anna"}))
    other = open_ticket(desk, "Другое", "Ещё вопрос")
    page = open_page(desk, "ada", ticket_id)
    expect(page.locator("#conversation .message.note")).to_contain_text("Комиссия по тарифу")
    assert page.locator("#ticket-page form[method=post], #ticket-page textarea").count() == 0
    for name in ("Send reply", "Add note", "Assign", "Pause", "Resolve", "Merge into the chosen ticket"):
        assert page.get_by_role("button", name=name).count() == 0, name

    csrf = page.locator("meta[name=csrf]").get_attribute("content")
    before = ticket(desk, ticket_id)
    posts = {
        f"/tickets/{ticket_id}/reply": {"text": "Ответ"},
        f"/tickets/{ticket_id}/note": {"text": "Заметка"},
        f"/tickets/{ticket_id}/assign": {"assignee": "ada"},
        f"/tickets/{ticket_id}/tags": {"add": "audit"},
        f"/tickets/{ticket_id}/pause": {"reason": "waiting_customer"},
        f"/tickets/{ticket_id}/resolve": {"resolution": "spam"},
        f"/tickets/{ticket_id}/merge": {"into": other},
        f"/customers/{before['customer']['id']}/notes": {"text": "Заметка", "ticket": ticket_id},
    }
    for path, fields in posts.items():
        form = {"csrf": csrf, "version": str(before["version"]), "key": uuid4().hex, **fields}
        answer = page.request.post(f"{desk.base}{path}", form=form, headers={"X-Fragment": "1"})
        assert (path, answer.status) == (path, 403)
        assert 'data-code="forbidden"' in answer.text()
    assert ticket(desk, ticket_id) == before


def test_a_reply_from_a_snippet_has_its_placeholders_filled(desk: Desk) -> None:
    snippet = {
        "shortcut": "greet",
        "title": "Приветствие",
        "body": "Здравствуйте, {{customer_first_name}}! Меня зовут {{operator_name}}, "
        "обращение №{{ticket_number}}.",
    }
    with desk.api() as api:
        ok(api.post("/snippets", json=snippet), 201)
        wait_for(lambda: ok(api.get("/snippets"))["count"])
    ticket_id = open_ticket(desk, "Вопрос по вкладу", "Какая ставка по вкладу?", name="Ольга Смирнова")
    page = open_page(desk, "anna", ticket_id)
    page.keyboard.press("r")
    page.keyboard.type("::")  # the snippet picker, from the keyboard
    page.keyboard.type("привет")
    page.locator("#snippet-list [data-snippet=greet]").click()

    filled = f"Здравствуйте, Ольга! Меня зовут anna, обращение №{ticket_id[:8]}."
    expect(page.locator("#reply-text")).to_have_value(filled)
    page.locator("#reply-form button.primary").click()
    expect(page.locator("#conversation .message.reply")).to_contain_text(filled)
    sent = [e for e in events(desk, ticket_id) if e["type"] == "ReplySent"]
    assert [e["data"]["text"] for e in sent] == [filled]
    assert sent[0]["data"]["snippet"] is not None


def test_a_reply_that_fails_keeps_its_draft(desk: Desk) -> None:
    ticket_id = open_ticket(desk, "Возврат", "Когда вернут деньги за отменённый заказ?")
    page = open_page(desk, "boris", ticket_id)
    draft = "Деньги вернутся на карту в течение 5 рабочих дней."
    page.keyboard.press("r")
    page.keyboard.type(draft)
    elsewhere = page.context.new_page()  # another tab of the same browser signs out
    elsewhere.goto(f"{desk.base}/inbox")
    elsewhere.locator(".whoami button").click()
    elsewhere.wait_for_url("**/signin")

    page.locator("#reply-form button.primary").click()
    expect(page.locator("#reply-form .form-errors")).to_contain_text("Your session has ended.")
    assert page.input_value("#reply-text") == draft
    assert "ReplySent" not in event_types(desk, ticket_id)
    sign_in(elsewhere, desk.base, "boris")
    page.reload()
    expect(page.locator("#reply-text")).to_have_value(draft)  # kept across the reload too
    page.locator("#reply-form button.primary").click()
    expect(page.locator("#conversation .message.reply")).to_contain_text(draft)
    expect(page.locator("#reply-text")).to_have_value("")


def test_the_keys_reach_the_reply_and_note_boxes_and_the_controls(desk: Desk) -> None:
    ticket_id = open_ticket(desk, "Клавиши", "Проверка клавиш")
    page = open_page(desk, "anna", ticket_id)
    focused = "document.activeElement.id || document.activeElement.name"
    for key, field in (
        ("n", "note-text"),
        ("a", "assignee"),
        ("p", "reason"),
        ("e", "resolution"),
        ("r", "reply-text"),
    ):
        page.keyboard.press(key)
        assert page.evaluate(focused) == field, key
        page.keyboard.press("Escape")  # a key typed into a field is the field's; Escape leaves it
    expect(page.locator("#reply-form")).to_be_visible()
    expect(page.locator("#note-form")).to_be_hidden()


def test_a_colleagues_reply_and_presence_arrive_without_a_reload(desk: Desk) -> None:
    """The page's side of the live contract (`GET /live?from=<position>&ticket=<id>`, `ticket`
    events {"ticket", "type", "position"}, `presence` {"ticket", "viewers"}); the stream is played
    by the test until api/web/live.py lands."""
    ticket_id = open_ticket(desk, "Списание", "Почему списали дважды?")
    streams: list[Any] = []
    page = desk.page("anna")
    page.route("**/live?*", lambda route: streams.append(route))
    with page.expect_request("**/live?*") as subscribed:
        page.goto(f"{desk.base}/tickets/{ticket_id}")
    assert subscribed.value.url.endswith(
        f"/live?from={events(desk, ticket_id)[-1]['position']}&ticket={ticket_id}"
    )
    page.keyboard.press("r")
    page.keyboard.type("Сейчас проверю")
    with desk.api() as api:
        done = ok(
            api.post(
                f"/tickets/{ticket_id}/replies", json={"text": "Уже вернули, проверьте", "actor": "boris"}
            )
        )
    played = [
        ("ticket", {"ticket": ticket_id, "type": "ReplySent", "position": done["position"]}),
        ("presence", {"ticket": ticket_id, "viewers": ["anna", "boris"]}),
    ]
    body = "retry: 600000\n" + "".join(
        f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in played
    )
    streams[0].fulfill(status=200, headers={"Content-Type": "text/event-stream"}, body=body)

    expect(page.locator("#conversation .message.reply")).to_contain_text("Уже вернули, проверьте")
    expect(page.locator("#presence")).to_have_text("Also here: boris")
    expect(page.locator("#reply-form .stale-hint")).to_be_visible()  # her draft predates boris's reply
    assert page.input_value("#reply-text") == "Сейчас проверю"
