"""The ticket page over HTTP, as a browser with and without the page script posts its forms:
what it shows, collisions, double posts, refusals in the viewer's language, pickers, the card."""

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Runtime
from application.command import Context
from tests.integration.api_client import USERS, As, sign_up
from tests.support import Clock, sqlite_runtime

PASSWORD = "correct horse battery"
FRAGMENT = {"X-Fragment": "1"}


class Browser:
    """One signed-in person's cookies, and the form fields their page hands them."""

    def __init__(self, client: TestClient, name: str, language: str = "en") -> None:
        self.client, self.language = client, language
        signed = client.post("/signin", data={"name": name, "password": PASSWORD}, follow_redirects=False)
        assert signed.status_code == 303, signed.text

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params=params, headers={"Accept-Language": self.language})

    def page(self, ticket_id: str) -> str:
        answer = self.get(f"/tickets/{ticket_id}")
        assert answer.status_code == 200, answer.text
        return html.unescape(answer.text)

    def post(self, path: str, fields: dict[str, Any], script: bool = True) -> Any:
        page = self.get("/inbox").text
        csrf = re.search(r'<meta name="csrf" content="([^"]+)"', page)
        assert csrf is not None
        headers = {"Accept-Language": self.language, **(FRAGMENT if script else {})}
        data = {"csrf": csrf.group(1), "key": fields.pop("key", None) or uuid4().hex, **fields}
        return self.client.post(path, data=data, headers=headers, follow_redirects=False)


@pytest.fixture
def desk(tmp_path: Path, clock: Clock) -> Iterator[tuple[Runtime, TestClient, dict[str, As]]]:
    runtime = sqlite_runtime(tmp_path / "data", clock)
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        users = sign_up(runtime, client)
        for name, role in USERS.items():
            if role != "service":  # a service user signs in with its token only
                runtime.helpdesk.set_password(name, PASSWORD)
        yield runtime, client, users


def second_browser(runtime: Runtime, name: str, language: str = "en") -> Browser:
    """Another person's browser on the same server (its own cookies)."""
    return Browser(TestClient(create_app(runtime), raise_server_exceptions=False), name, language)


def open_ticket(runtime: Runtime, users: dict[str, As], text: str, handle: str = "id100") -> str:
    body = {"channel": "vk", "customer": {"name": "Ольга Смирнова", "handle": handle}, "text": text}
    answer = users["vk-bot"].post(
        "/tickets", {**body, "subject": text[:20], "external_id": f"{handle}{text}"}
    )
    assert answer.status_code == 201, answer.text
    runtime.runner.catch_up()
    return str(answer.json()["id"])


def version(runtime: Runtime, ticket_id: str) -> int:
    return runtime.helpdesk.ticket(ticket_uuid(ticket_id)).version


def ticket_uuid(ticket_id: str) -> UUID:
    return UUID(ticket_id)


def types(runtime: Runtime, ticket_id: str) -> list[str]:
    return [type(e).__name__ for e in runtime.helpdesk.history(ticket_uuid(ticket_id))]


def test_the_page_tells_the_conversation_with_notes_events_deliveries_and_the_sla_clock(
    desk: tuple[Runtime, TestClient, dict[str, As]], clock: Clock
) -> None:
    runtime, client, users = desk
    sveta, anna = users["sveta"], users["anna"]
    policy = {
        "targets_minutes": {"first_response": 30, "next_response": 60},
        "effective_from": "2026-03-01T00:00:00Z",
    }
    assert (
        users["root"]
        .client.put("/api/v1/sla-policies/std", json=policy, headers=users["root"].headers())
        .is_success
    )
    ticket_id = open_ticket(runtime, users, "С карты списали деньги")
    clock.advance(minutes=3)
    sveta.post(f"/tickets/{ticket_id}/assign", {"assignee": "anna", "comment": "Постоянный клиент"})
    clock.advance(minutes=5)
    reply = anna.post(f"/tickets/{ticket_id}/replies", {"text": "Проверяю"}).json()
    anna.post(f"/tickets/{ticket_id}/notes", {"text": "Похоже на двойное списание"})
    anna.post(f"/tickets/{ticket_id}/pause", {"reason": "waiting_department", "department": "claims"})
    runtime.helpdesk.record_delivery_failure(
        ticket_uuid(ticket_id), reply["version"], "vk 901: blocked", 1, Context("outbox")
    )
    clock.advance(minutes=40)
    users["vk-bot"].post(f"/tickets/{ticket_id}/messages", {"text": "Есть новости?", "external_id": "m2"})
    runtime.runner.catch_up()

    page = Browser(client, "anna").page(ticket_id)
    assert "sveta assigned the ticket to anna" in page
    assert '<q class="comment">Постоянный клиент</q>' in page
    assert re.search(r'class="message note"[^>]*>.*?internal note.*?Похоже на двойное списание', page, re.S)
    assert "anna paused the ticket: waiting for the department “claims”" in page
    assert "Resumed: the customer replied" in page
    assert re.search(
        r'class="delivery failed".*?not delivered: <span class="reason">vk 901: blocked', page, re.S
    )
    assert re.search(r'data-metric="first_response">.*?on time.*?in 8 min \(target 30 min\)', page, re.S)
    assert re.search(r'data-metric="next_response">.*?1 h left.*?due (2 Mar )?10:48', page, re.S)
    assert re.search(r"waiting for “claims”.*?09:08 – (2 Mar )?09:48 · 40 min", page, re.S)


def test_a_form_posted_twice_is_applied_once(desk: tuple[Runtime, TestClient, dict[str, As]]) -> None:
    runtime, client, users = desk
    ticket_id = open_ticket(runtime, users, "Не приходит SMS")
    anna = Browser(client, "anna")
    fields = {"version": version(runtime, ticket_id), "key": "one-click", "text": "Проверяю, минуту"}
    first = anna.post(f"/tickets/{ticket_id}/reply", dict(fields))
    again = anna.post(f"/tickets/{ticket_id}/reply", dict(fields))
    assert (first.status_code, again.status_code) == (200, 200)
    assert types(runtime, ticket_id).count("ReplySent") == 1


def test_a_reply_to_a_ticket_that_moved_on_is_held_until_sent_anyway(
    desk: tuple[Runtime, TestClient, dict[str, As]],
) -> None:
    runtime, client, users = desk
    ticket_id = open_ticket(runtime, users, "Не проходит платёж")
    seen = version(runtime, ticket_id)
    users["oleg"].post(f"/tickets/{ticket_id}/replies", {"text": "Олег: уже смотрю"})
    users["oleg"].post(f"/tickets/{ticket_id}/tags", {"add": ["платежи"]})
    anna = Browser(client, "anna")

    held = anna.post(f"/tickets/{ticket_id}/reply", {"version": seen, "text": "Анна: проверяю"})
    assert held.status_code == 409
    shown = html.unescape(held.text)
    assert "The ticket changed while you were working on it." in shown
    assert "Олег: уже смотрю" in shown and "oleg added the tags платежи" in shown
    assert f'name="send_anyway" value="{seen + 2}"' in shown
    assert types(runtime, ticket_id).count("ReplySent") == 1

    sent = anna.post(
        f"/tickets/{ticket_id}/reply", {"version": seen, "send_anyway": seen + 2, "text": "Анна: проверяю"}
    )
    assert sent.status_code == 200
    assert f'data-acted-from="{seen + 2}" data-acted-to="{seen + 3}"' in sent.text
    assert types(runtime, ticket_id).count("ReplySent") == 2


def test_delivery_reports_alone_do_not_hold_a_form(desk: tuple[Runtime, TestClient, dict[str, As]]) -> None:
    runtime, client, users = desk
    ticket_id = open_ticket(runtime, users, "Вопрос")
    anna = Browser(client, "anna")
    replied = anna.post(
        f"/tickets/{ticket_id}/reply", {"version": version(runtime, ticket_id), "text": "Ответ"}
    )
    seen = int(re.search(r'data-acted-to="(\d+)"', replied.text).group(1))  # type: ignore[union-attr]
    runtime.helpdesk.record_delivery(ticket_uuid(ticket_id), seen, "vk-77", Context("outbox"))
    noted = anna.post(f"/tickets/{ticket_id}/note", {"version": seen, "text": "Клиент доволен"})
    assert noted.status_code == 200
    assert types(runtime, ticket_id)[-2:] == ["ReplyDelivered", "NoteAdded"]


def test_without_the_script_a_refused_form_comes_back_as_typed_with_the_reason_in_russian(
    desk: tuple[Runtime, TestClient, dict[str, As]],
) -> None:
    runtime, client, users = desk
    ticket_id = open_ticket(runtime, users, "Карта")
    sveta = Browser(client, "sveta", language="ru")
    fields = {"version": version(runtime, ticket_id), "assignee": "olga", "comment": "Посмотри, пожалуйста"}
    refused = sveta.post(f"/tickets/{ticket_id}/assign", fields, script=False)
    assert refused.status_code == 422
    form = html.unescape(refused.text.split('data-form="assign"', 1)[1].split("</form>", 1)[0])
    assert 'value="olga"' in form and 'value="Посмотри, пожалуйста"' in form
    assert '<p class="field-error">Пользователя с таким именем нет.</p>' in form
    fields["assignee"] = "oleg"
    done = sveta.post(f"/tickets/{ticket_id}/assign", fields, script=False)
    assert (done.status_code, done.headers["location"]) == (303, f"/tickets/{ticket_id}")
    assert runtime.helpdesk.ticket(ticket_uuid(ticket_id)).assignee == "oleg"
    empty = sveta.post(f"/tickets/{ticket_id}/note", {"version": version(runtime, ticket_id), "text": ""})
    assert (empty.status_code, html.unescape(empty.text).count("Текст: нужно заполнить.")) == (422, 1)


def test_an_auditor_reads_the_page_but_every_form_post_is_refused(
    desk: tuple[Runtime, TestClient, dict[str, As]],
) -> None:
    runtime, client, users = desk
    ticket_id = open_ticket(runtime, users, "Комиссия")
    audrey = Browser(client, "audrey")
    assert "<textarea" not in audrey.page(ticket_id)
    for action, fields in {"reply": {"text": "x"}, "resolve": {"resolution": "spam"}, "resume": {}}.items():
        answer = audrey.post(f"/tickets/{ticket_id}/{action}", {"version": 1, **fields})
        assert (action, answer.status_code, 'data-code="forbidden"' in answer.text) == (action, 403, True)
    assert types(runtime, ticket_id) == ["TicketOpened"]


def test_pickers_fill_snippets_and_quote_articles_for_this_ticket(
    desk: tuple[Runtime, TestClient, dict[str, As]],
) -> None:
    runtime, client, users = desk
    anna_api = users["anna"]
    anna_api.post(
        "/snippets",
        {"shortcut": "hello", "title": "Приветствие", "body": "Здравствуйте, {{customer_first_name}}!"},
    )
    article = {
        "title": "Как разблокировать карту",
        "body": "Позвоните в банк. Карты разблокируют за час.",
        "visibility": "public",
    }
    article_id = anna_api.post("/kb/articles", article).json()["id"]
    ticket_id = open_ticket(runtime, users, "Карта заблокирована")
    anna = Browser(client, "anna")

    assert 'data-snippet="hello"' in anna.get(f"/tickets/{ticket_id}/snippets", q="привет").text
    assert 'data-snippet="hello"' not in anna.get(f"/tickets/{ticket_id}/snippets", q="прощание").text
    assert anna.get(f"/tickets/{ticket_id}/snippets/hello").text == "Здравствуйте, Ольга!"
    assert "<mark>Карты</mark>" in anna.get(f"/tickets/{ticket_id}/kb", q="карта").text
    quoted = anna.get(f"/tickets/{ticket_id}/kb/{article_id}", q="разблокируют")
    assert quoted.headers["X-Public"] == "1" and quoted.text.startswith("Как разблокировать карту\n\n")
    prefilled = html.unescape(anna.get(f"/tickets/{ticket_id}", snippet="hello").text)
    assert '<textarea id="reply-text" name="text" rows="5"' in prefilled
    assert (
        'placeholder="Write to the customer… (:: opens the snippets)">Здравствуйте, Ольга!</textarea>'
        in prefilled
    )


def test_the_customer_card_lists_other_tickets_and_keeps_notes(
    desk: tuple[Runtime, TestClient, dict[str, As]],
) -> None:
    runtime, client, users = desk
    first = open_ticket(runtime, users, "Карта заблокирована", handle="id7")
    second = open_ticket(runtime, users, "Опять про карту", handle="id7")
    anna = Browser(client, "anna")
    page = anna.page(second)
    card = page.split('id="customer-card"', 1)[1]
    assert f'href="/tickets/{first}"' in card and f'href="/tickets/{second}"' not in card
    assert f'name="into" value="{first}"' in page  # the repeat is offered as a merge target
    customer_id = runtime.helpdesk.ticket(ticket_uuid(second)).customer_id
    noted = anna.post(
        f"/customers/{customer_id}/notes", {"ticket": second, "text": "Волнуется, объяснять по шагам"}
    )
    assert noted.status_code == 200 and "Волнуется, объяснять по шагам" in noted.text
    empty = anna.post(f"/customers/{customer_id}/notes", {"ticket": second, "text": ""})
    assert empty.status_code == 422 and "Text: this is required." in html.unescape(empty.text)
    assert "Волнуется, объяснять по шагам" in anna.page(first)


def test_a_reply_on_the_widget_is_in_the_customers_chat_not_waiting_to_be_sent(
    desk: tuple[Runtime, TestClient, dict[str, As]],
) -> None:
    """The widget pulls replies itself: nothing is ever sent, so "waiting to be sent" would be
    wrong for as long as the ticket lives."""
    _, client, users = desk
    channel = {"name": "site", "kind": "widget", "settings": {"public_key": "pk_site"}}
    assert users["root"].post("/channels", channel).status_code == 201
    body = {"channel": "site", "customer": {"name": "Ольга", "handle": "v1"}, "text": "Где заказ?"}
    opened = users["vk-bot"].post("/tickets", {**body, "external_id": "w1"})
    assert opened.status_code == 201, opened.text
    ticket_id = str(opened.json()["id"])
    users["anna"].post(f"/tickets/{ticket_id}/replies", {"text": "Уже в пути"})
    page = Browser(client, "anna").page(ticket_id)
    assert "in the customer&#39;s chat" in page or "in the customer's chat" in page
    assert "waiting to be sent" not in page
