"""Stories of the chat widget a product embeds, tried on the desk's demo page in a real browser:
a customer writes, the ticket is in the queue, an operator's reply shows up in the chat."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.browser.desk import WIDTHS, Desk
from tests.e2e.server import deskstream, free_port

WIDGET = "#deskstream-widget"  # Playwright's CSS locators reach into its open shadow root
REPLY_SHOWS_WITHIN_MS = 8_000  # the widget polls every 3 s while open


@pytest.fixture(scope="module")
def channel(desk: Desk) -> str:
    with desk.api(desk.admin_token) as admin:
        settings = {"public_key": "pk_site_4f1c9a"}
        added = admin.post("/channels", json={"name": "site", "kind": "widget", "settings": settings})
        assert added.status_code == 201, added.text
    return "site"


@pytest.fixture(scope="module")
def anna(desk: Desk) -> str:
    return deskstream(desk.data, "token", "create", "--name", "anna", "--role", "operator").strip()


def open_chat(
    desk: Desk, channel: str, width: str = "desktop", language: str = "en", clock: bool = False
) -> Any:
    """The demo page as the admin sees it, with the chat opened. What the browser complains of
    (a CSP refusal of eval, inline handlers or styles would be one) is kept in `page.complaints`."""
    page = desk.page("root", width, language)
    page.complaints = []
    page.on("console", lambda m: page.complaints.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: page.complaints.append(str(error)))
    if clock:
        page.clock.install()  # time flows as usual, and a test may jump it ahead
    page.goto(f"{desk.base}/widget-demo/{channel}")
    page.locator(f"{WIDGET} .bubble").click()
    page.locator(f"{WIDGET} .panel").wait_for(state="visible")
    return page


def write(page: Any, text: str) -> dict[str, Any]:
    """Types and sends as the customer does; the desk's answer says which ticket it went to."""

    def posted(response: Any) -> bool:
        return response.request.method == "POST" and "/ingest/widget/" in response.url

    with page.expect_response(posted) as answer:
        page.locator(f"{WIDGET} textarea").fill(text)
        page.locator(f"{WIDGET} textarea").press("Enter")
    assert answer.value.status == 200, answer.value.text()
    return dict(answer.value.json()["messages"][0])


def reply(desk: Desk, token: str, ticket_id: str, text: str) -> None:
    with desk.api(token) as operator:
        answer = operator.post(f"/tickets/{ticket_id}/replies", json={"text": text})
        assert answer.status_code == 200, answer.text


def texts(page: Any) -> list[str]:
    return [str(t) for t in page.locator(f"{WIDGET} .msg .text").all_inner_texts()]


def test_a_customer_writes_in_the_widget_and_sees_the_operators_reply(
    desk: Desk, channel: str, anna: str, screenshots: Path
) -> None:
    page = open_chat(desk, channel)
    assert page.locator(f"{WIDGET} .hello").inner_text().startswith("Hi!")
    sent = write(page, "Hello! My order #1042 has not arrived yet.")
    with desk.api(desk.admin_token) as admin:
        queue = admin.get("/tickets", params={"min_position": sent["position"]}).json()["data"]
    [ticket] = [row for row in queue if row["id"] == sent["ticket_id"]]
    assert ticket["channel"] == channel and ticket["customer"]["name"] == "root (trying the widget)"

    reply(desk, anna, sent["ticket_id"], "Sorry about that! It left our warehouse today, here is the link.")
    answer = page.locator(f"{WIDGET} .msg.theirs").last
    answer.wait_for(timeout=REPLY_SHOWS_WITHIN_MS)
    assert "It left our warehouse today" in answer.locator(".text").inner_text()
    assert answer.locator(".meta").inner_text().startswith("anna · ")
    assert texts(page)[0] == "Hello! My order #1042 has not arrived yet."  # shown once, not echoed twice
    write(page, "Great, thank you!")
    page.locator(f"{WIDGET} .msg.mine:not(.sending)").nth(1).wait_for()
    page.screenshot(path=str(screenshots / "widget-demo-desktop.png"))

    page.reload()  # still open, and the same visitor (kept in localStorage) sees the same conversation
    page.locator(f"{WIDGET} .msg").nth(2).wait_for()
    assert len(texts(page)) == 3 and texts(page)[-1] == "Great, thank you!"
    assert page.complaints == []


def test_on_a_phone_the_chat_takes_the_screen_and_speaks_russian(
    desk: Desk, channel: str, anna: str, screenshots: Path
) -> None:
    page = open_chat(desk, channel, "phone", "ru-RU")
    width, height = WIDTHS["phone"]
    panel = page.locator(f"{WIDGET} .panel").bounding_box()
    assert panel == {"x": 0, "y": 0, "width": width, "height": height}
    assert not page.locator(f"{WIDGET} .bubble").is_visible()
    assert page.locator(f"{WIDGET} textarea").get_attribute("placeholder") == "Напишите сообщение…"
    sent = write(page, "Здравствуйте! Не приходит код из СМС 😕")
    reply(desk, anna, sent["ticket_id"], "Здравствуйте! Отправили код ещё раз, проверьте, пожалуйста.")
    page.locator(f"{WIDGET} .msg.theirs").wait_for(timeout=REPLY_SHOWS_WITHIN_MS)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(screenshots / "widget-demo-phone.png"))
    assert page.complaints == []

    page.locator(f"{WIDGET} .close").click()
    assert page.locator(f"{WIDGET} .bubble").is_visible()
    assert page.locator(f"{WIDGET} .panel").is_hidden()
    page.screenshot(path=str(screenshots / "widget-demo-phone-closed.png"))


def test_only_an_admin_may_open_the_demo_page(desk: Desk, channel: str) -> None:
    page = desk.page("anna")
    answer = page.goto(f"{desk.base}/widget-demo/{channel}")
    assert answer is not None and answer.status == 403
    assert page.locator(WIDGET).count() == 0
    missing = desk.page("root").goto(f"{desk.base}/widget-demo/no-such-channel")
    assert missing is not None and missing.status == 404


def test_a_message_whose_answer_was_lost_is_sent_again_and_recorded_once(desk: Desk, channel: str) -> None:
    page = open_chat(desk, channel)
    first: list[dict[str, Any]] = []

    def lose_the_first_answer(route: Any) -> None:
        if first:
            route.continue_()
            return
        first.append(route.fetch().json())  # the desk stores the message…
        route.fulfill(status=503, json={"error": "unavailable"})  # …and its answer never arrives

    page.route(f"**/api/v1/ingest/widget/{channel}", lose_the_first_answer)

    def stored(response: Any) -> bool:
        return response.request.method == "POST" and response.status == 200

    with page.expect_response(stored, timeout=10_000) as retried:
        page.locator(f"{WIDGET} textarea").fill("Is the shop open on Sunday?")
        page.locator(f"{WIDGET} textarea").press("Enter")
    [again] = retried.value.json()["messages"]
    [once] = first[0]["messages"]
    assert (again["ticket_id"], again["version"]) == (once["ticket_id"], once["version"])
    page.reload()
    page.locator(f"{WIDGET} .msg").first.wait_for()
    assert texts(page) == ["Is the shop open on Sunday?"]


def test_a_reply_to_a_closed_chat_lights_the_bubble_until_it_is_read(
    desk: Desk, channel: str, anna: str
) -> None:
    page = open_chat(desk, channel, clock=True)
    sent = write(page, "Can I change the delivery address?")
    page.locator(f"{WIDGET} .close").click()
    reply(desk, anna, sent["ticket_id"], "Yes: tell us the new one here.")
    dot = page.locator(f"{WIDGET} .dot")
    page.clock.fast_forward("00:11")  # a closed chat looks every 10 s at first, then less often
    dot.wait_for(timeout=5_000)
    assert dot.inner_text() == "1"
    assert page.locator(f"{WIDGET} .bubble").get_attribute("aria-label") == "Chat with us (new replies: 1)"
    page.reload()  # still unread in a new page: it is asked for at once
    dot.wait_for(timeout=5_000)
    page.locator(f"{WIDGET} .bubble").click()
    page.locator(f"{WIDGET} .msg.theirs").wait_for()
    assert dot.is_hidden()
    page.reload()
    page.locator(f"{WIDGET} .panel").wait_for()  # open again: the chat stays open across pages
    page.locator(f"{WIDGET} .close").click()
    with page.expect_response(lambda response: "/messages?" in response.url) as peeked:
        page.reload()
    assert peeked.value.json()["data"] == []  # read: nothing newer than what was seen
    assert dot.is_hidden()


@contextmanager
def product_site(desk: Desk, channel: str) -> Iterator[str]:
    """The product's own site, on another origin than the desk, embedding the widget as documented."""
    html = (
        "<!doctype html><html><head><meta name='viewport' content='width=device-width'></head>"
        f"<body><h1>Shop</h1><script src='{desk.base}/static/widget.js' data-channel='{channel}' "
        "data-key='pk_shop_77e0' data-name='Vera' async></script></body></html>"
    ).encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: Any) -> None:
            """Quiet: the test's output is the test's."""

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_widget_works_from_the_products_own_origin_and_no_other(desk: Desk, anna: str) -> None:
    with product_site(desk, "shop") as shop, product_site(desk, "shop") as elsewhere:
        with desk.api(desk.admin_token) as admin:
            settings = {"public_key": "pk_shop_77e0", "allowed_origins": shop}
            added = admin.post("/channels", json={"name": "shop", "kind": "widget", "settings": settings})
            assert added.status_code == 201, added.text
        page = desk.page(None)
        page.goto(shop)
        page.locator(f"{WIDGET} .bubble").click()
        sent = write(page, "Do you ship to Kazan?")
        reply(desk, anna, sent["ticket_id"], "We do, in three days.")
        page.locator(f"{WIDGET} .msg.theirs").wait_for(timeout=REPLY_SHOWS_WITHIN_MS)
        assert texts(page) == ["Do you ship to Kazan?", "We do, in three days."]

        stranger = desk.page(None)
        stranger.goto(elsewhere)
        stranger.locator(f"{WIDGET} .bubble").click()
        stranger.locator(f"{WIDGET} textarea").fill("Written from a site the channel does not allow")
        stranger.locator(f"{WIDGET} textarea").press("Enter")
        stranger.locator(f"{WIDGET} .msg.failed").wait_for()
        visitor = stranger.evaluate("localStorage.getItem('deskstream.widget.shop.visitor')")
        with httpx2.Client(base_url=desk.base) as outside:  # no browser here: the key is enough to read
            stored = outside.get(
                "/api/v1/ingest/widget/shop/messages",
                params={"visitor_id": visitor},
                headers={"X-Widget-Key": "pk_shop_77e0"},
            )
        assert stored.status_code == 200 and stored.json()["data"] == []  # the browser never sent it


def test_on_a_channel_that_verifies_visitors_the_demo_page_signs_its_own(desk: Desk) -> None:
    with desk.api(desk.admin_token) as admin:
        settings = {"public_key": "pk_bank_1d2e", "identity_secret": "whsec-bank-identity"}
        added = admin.post("/channels", json={"name": "bank", "kind": "widget", "settings": settings})
        assert added.status_code == 201, added.text
    page = open_chat(desk, "bank")
    assert "Here you write as widget-demo-root." in page.locator(".demo-embed").inner_text()
    sent = write(page, "Signed in, asking about my card")
    with page.expect_response(lambda response: "/messages?" in response.url) as pulled:
        page.reload()  # the chat stays open and loads the conversation, signed like the message was
    assert pulled.value.status == 200, pulled.value.text()
    assert [(i["ticket_id"], i["text"]) for i in pulled.value.json()["data"]] == [
        (sent["ticket_id"], "Signed in, asking about my card")
    ]
