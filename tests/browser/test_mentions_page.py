"""The moderator's story: mentions arrive through the monitoring webhook, and she works the queue."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.browser.desk import WIDTHS, Desk

SECRET = "press-monitor-secret"


@pytest.fixture(scope="module")
def press(desk: Desk) -> str:
    """The monitoring tool's channel; anna owns it, so the tickets it gives are hers."""
    with desk.api() as api:
        body = {"name": "press", "kind": "mentions", "owner": "anna", "settings": {"secret": SECRET}}
        assert api.post("/channels", json=body).status_code == 201
    return "press"


def send(desk: Desk, items: list[dict[str, Any]]) -> int:
    """Through the signed mentions webhook, as the monitoring tool posts them."""
    raw = json.dumps({"mentions": items}, ensure_ascii=False).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    answer = httpx2.post(
        f"{desk.base}/api/v1/ingest/mentions/press", content=raw, headers={"X-Signature-256": signature}
    )
    assert answer.status_code == 200, answer.text
    return max(m["position"] for m in answer.json()["mentions"])


def mention(key: str, author: str, text: str, hours_ago: float) -> dict[str, Any]:
    published = datetime.now(UTC) - timedelta(hours=hours_ago)
    url = f"https://www.banki.ru/forum/?TID={key}"
    return {
        "id": key,
        "source": "banki_ru",
        "url": url,
        "author": author,
        "text": text,
        "published_at": published.isoformat(),
    }


def mentions_arrive(desk: Desk) -> int:
    """A map review, a news article and a forum post."""
    now = datetime.now(UTC)
    items = [
        {
            "id": "yamaps-88231",
            "source": "yandex_maps",
            "url": "https://yandex.ru/maps/org/bank/1234567890/reviews/?review=88231",
            "author": "Алексей П.",
            "text": "Ужасное обслуживание в отделении на Тверской: час в очереди, "
            "два окна из шести работают, консультант отправил в другое отделение.",
            "published_at": (now - timedelta(hours=5)).isoformat(),
            "rating": 1,
            "place": "Отделение на Тверской, 12",
        },
        {
            "id": "news-4410",
            "source": "media_monitor",
            "url": "https://news.example.com/fintech/2026/new-app",
            "author": "Fintech News",
            "text": "The bank launched a new mobile app with instant transfers by phone number "
            "and a redesigned card section.",
            "published_at": (now - timedelta(hours=3)).isoformat(),
        },
        {
            "id": "forum-77",
            "source": "banki_ru",
            "url": "https://www.banki.ru/forum/?PAGE_NAME=read&TID=77",
            "author": "mikhail_k",
            "text": "Кто-нибудь знает, работает ли банк 1 января? Хочу снять наличные.",
            "published_at": (now - timedelta(minutes=40)).isoformat(),
        },
    ]
    return send(desk, items)


def row(page: Any, author: str) -> Any:
    return page.locator("li.mention[data-mention]", has_text=author)


def test_the_moderator_triages_three_mentions(desk: Desk, press: str, screenshots: Path) -> None:
    position = mentions_arrive(desk)
    page = desk.page("sofia")
    page.goto(f"{desk.base}/mentions?min_position={position}")
    assert page.locator("li.mention[data-mention]").count() == 3
    assert page.locator("#mention-count").inner_text() == "3"
    assert (
        row(page, "Алексей П.")
        .locator("a", has_text="Open on the site")
        .get_attribute("href")
        .startswith("https://yandex.ru/maps/")
    )
    page.screenshot(path=str(screenshots / "mentions-desktop.png"), full_page=True)
    phone = desk.page("sofia", "phone", "ru")
    phone.goto(f"{desk.base}/mentions")
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTHS["phone"][0]
    phone.screenshot(path=str(screenshots / "mentions-phone.png"), full_page=True)

    review = row(page, "Алексей П.")
    review.locator("input[name=category]").fill("complaint")
    review.locator("input[name=tags]").fill("branch, queue")
    review.get_by_role("button", name="Ticket for anna").click()
    page.locator("li.mention-done", has_text="Ticket opened for anna.").wait_for()

    news = row(page, "Fintech News")
    news.locator("input[name=category]").fill("product_launch")
    news.get_by_role("button", name="Marketing").click()
    page.locator("li.mention-done", has_text="Counted as marketing: product_launch.").wait_for()

    row(page, "mikhail_k").get_by_role("button", name="Nothing").click()
    page.locator("li.mention-done", has_text="Set aside: nothing to do.").wait_for()

    assert page.locator("li.mention[data-mention]").count() == 0
    assert page.locator("#mention-count").inner_text() == "0"
    assert page.locator(".mention-empty").is_visible()
    page.screenshot(path=str(screenshots / "mentions-triaged-desktop.png"), full_page=True)
    ticket_link = page.locator("li.mention-done a", has_text="Open the ticket").get_attribute("href")
    page.reload()
    assert page.locator("li.mention[data-mention]").count() == 0
    assert page.locator(".mention-empty").is_visible()

    with desk.api() as api:
        seen = api.get("/mentions").json()["position"]  # the triages' position, at least
        tickets = api.get("/tickets", params={"assignee": "anna", "min_position": seen}).json()
        report = api.get("/reports/mentions").json()
    assert tickets["count"] == 1
    ticket = tickets["data"][0]
    assert ticket["channel"] == "press"
    assert set(ticket["tags"]) >= {"branch", "queue", "mention", "yandex_maps"}
    assert ticket_link == f"/tickets/{ticket['id']}"
    assert [(r["category"], r["count"]) for r in report["data"]] == [("product_launch", 1)]


def test_an_auditor_reads_the_ticketed_mentions_without_any_button(desk: Desk) -> None:
    page = desk.page("ada")
    page.goto(f"{desk.base}/mentions?status=reply")
    assert page.locator("li.mention[data-mention]", has_text="Алексей П.").is_visible()
    assert page.locator("li.mention button").count() == 0
    assert page.locator("li.mention a", has_text="Open the ticket").is_visible()


def test_mentions_a_colleague_triages_leave_the_open_queue_and_new_ones_are_announced(
    desk: Desk, press: str
) -> None:
    """The page's side of the live contract (`GET /live?from=<position>`, `mention` events carrying
    {"mention", "type", "position"}); the stream is played by the test until api/web/live.py lands."""
    position = send(desk, [mention("801", "olga_v", "Банк снова списал комиссию за обслуживание", 2)])
    position = max(position, send(desk, [mention("802", "dmitry", "Спасибо за быстрый ответ в чате", 1)]))
    streams: list[Any] = []
    page = desk.page("sofia")
    page.route("**/live?*", lambda route: streams.append(route))
    with page.expect_request("**/live?*") as subscribed:
        page.goto(f"{desk.base}/mentions?min_position={position}")
    assert int(subscribed.value.url.rsplit("/live?from=", 1)[1]) >= position
    assert page.locator("li.mention[data-mention]").count() == 2
    olga = page.locator("li.mention[data-mention]", has_text="olga_v").get_attribute("data-mention")
    with desk.api() as api:
        done = api.post(f"/mentions/{olga}/triage", json={"decision": "ignore"})
    assert done.status_code == 200, done.text
    fresh = send(desk, [mention("803", "anya_s", "Приложение не открывается после обновления", 0)])
    events = [
        {"mention": olga, "type": "MentionTriaged", "position": done.json()["position"]},
        {"mention": "-", "type": "MentionCaptured", "position": fresh},
    ]
    body = "retry: 600000\n" + "".join(f"event: mention\ndata: {json.dumps(e)}\n\n" for e in events)
    streams[0].fulfill(status=200, headers={"Content-Type": "text/event-stream"}, body=body)
    page.locator("li.mention[data-mention]", has_text="olga_v").wait_for(state="detached")
    assert page.locator("#mention-count").inner_text() == "1"
    page.get_by_role("button", name="Show them").click()
    page.locator("li.mention[data-mention]", has_text="anya_s").wait_for()
    authors = page.locator("li.mention[data-mention] .author").all_inner_texts()
    assert authors == ["dmitry", "anya_s"]
