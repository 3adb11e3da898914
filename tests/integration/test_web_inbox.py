"""The inbox page as the people at the desk use it: the queue oldest-waiting first, filtered by its
URL, the channels with their counts, SLA badges, saved views, and the errors of a wrong filter.
Served by the app on both stores (the queue view on SQLite and on PostgreSQL), signed in through
the sign-in form; the clock starts two hours before the wall clock's now, which the page judges
SLA against."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Runtime
from api.web.inbox_page import PAGE_SIZE
from api.web.inbox_sla import badge
from domain.calendar import to_us
from domain.sla_policy import PolicySpec, PolicyVersion
from projections.sla_due import ResponseDue
from tests.integration.api_client import As, sign_up
from tests.support import Clock, postgres_runtime, sqlite_runtime

PASSWORD = "correct horse battery"
Users = dict[str, As]
Desk = tuple[Runtime, TestClient, Users, Clock]


@pytest.fixture(params=["sqlite", "postgres"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    clock = Clock(datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2))
    if request.param == "sqlite":
        runtime = sqlite_runtime(tmp_path / "data", clock, run_projections=True)
    else:
        url = request.getfixturevalue("postgres_db")
        runtime = postgres_runtime(url, clock, run_projections=True, data_dir=tmp_path / "data")
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        users = sign_up(runtime, client)
        for name in ("anna", "audrey"):
            runtime.helpdesk.set_password(name, PASSWORD)
        yield runtime, client, users, clock


def signed_in(client: TestClient, name: str) -> TestClient:
    answer = client.post("/signin", data={"name": name, "password": PASSWORD}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client


def open_ticket(users: Users, channel: str, who: str, subject: str) -> dict[str, Any]:
    body = {"channel": channel, "customer": {"name": who, "handle": who}, "subject": subject, "text": "Hello"}
    answer = users["vk-bot"].post("/tickets", body)
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def rows(html: str) -> list[str]:
    """The subjects of the listed tickets, top to bottom."""
    return re.findall(r'<td class="subject"><a href="/tickets/[^"]+">([^<]+)</a>', html)


def view_at(users: Users, position: int) -> None:
    assert users["anna"].get("/tickets", min_position=position).json()["position"] >= position


def test_the_inbox_lists_the_longest_waiting_first_and_filters_by_channel_from_its_url(desk: Any) -> None:
    _, client, users, clock = desk
    open_ticket(users, "vk", "Ivan", "Blocked card")
    clock.advance(minutes=5)
    mail = open_ticket(users, "support-mail", "Olga", "Refund")
    clock.advance(minutes=5)
    last = open_ticket(users, "vk", "Petr", "Limits")
    assigned = users["sveta"].post(f"/tickets/{mail['id']}/assign", {"assignee": "oleg"}).json()
    tagged = users["anna"].post(f"/tickets/{last['id']}/tags", {"add": ["VIP"]}).json()
    view_at(users, max(assigned["position"], tagged["position"]))
    anna = signed_in(client, "anna")

    page = anna.get("/inbox")
    assert page.status_code == 200
    assert rows(page.text) == ["Blocked card", "Refund", "Limits"]
    assert "taken by oleg" in page.text and '<span class="tag">vip</span>' in page.text
    vk_count = r'data-channel="vk">\s*<span class="name">vk</span> <span class="count">2</span>'
    assert re.search(vk_count, page.text)

    vk = anna.get("/inbox?channel=vk")
    assert rows(vk.text) == ["Blocked card", "Limits"]
    assert re.search(r'<a href="/inbox\?channel=vk" data-channel="vk" aria-current="true">', vk.text)
    assert "1–2 of 2" in vk.text
    assert rows(anna.get("/inbox?tag=VIP").text) == ["Limits"]
    assert rows(anna.get("/inbox?assignee=oleg").text) == ["Refund"]
    assert rows(anna.get("/inbox?unassigned=1&channel=vk").text) == ["Blocked card", "Limits"]
    fragment = anna.get("/inbox?channel=support-mail", headers={"X-Fragment": "1"})
    assert fragment.text.startswith('<div id="inbox-list"') and rows(fragment.text) == ["Refund"]


def test_the_inbox_pages_through_the_queue_without_counting_a_narrowed_filter(desk: Any) -> None:
    _, client, users, clock = desk
    for n in range(PAGE_SIZE + 2):
        last = open_ticket(users, "vk", f"c{n}", f"Ticket {n:02d}")
        clock.advance(seconds=1)
    view_at(users, last["position"])
    anna = signed_in(client, "anna")
    first = anna.get("/inbox?unassigned=1")
    assert len(rows(first.text)) == PAGE_SIZE
    assert 'rel="next" href="/inbox?unassigned=1&amp;page=2"' in first.text
    assert "1–50</" in first.text.replace(" ", "").replace("\n", "</")
    second = anna.get("/inbox?unassigned=1&page=2")
    assert rows(second.text) == ["Ticket 50", "Ticket 51"] and 'rel="next"' not in second.text
    assert "51–52" in second.text


def test_each_row_carries_its_sla_badge_left_breached_or_paused(desk: Any) -> None:
    runtime, client, users, clock = desk
    policy = {"targets_minutes": {"first_response": 60, "next_response": 30}}
    defined = client.put("/api/v1/sla-policies/standard", json=policy, headers=users["root"].headers())
    assert defined.status_code == 200, defined.text
    clock.advance(minutes=1)
    late = open_ticket(users, "vk", "Late", "Waiting since morning")
    clock.advance(minutes=90)
    paused = open_ticket(users, "vk", "Paused", "Waiting for the customer")
    pause = users["anna"].post(f"/tickets/{paused['id']}/pause", {"reason": "waiting_customer"}).json()
    clock.now = datetime.now(UTC) - timedelta(minutes=1)
    fresh = open_ticket(users, "vk", "Fresh", "Just came in")
    caught_up(runtime, max(pause["position"], fresh["position"]))
    page = signed_in(client, "anna").get("/inbox").text

    kinds = dict(re.findall(r'<tr data-ticket="([^"]+)".*?data-sla="(\w+)"', page, re.S))
    assert kinds == {late["id"]: "breached", paused["id"]: "paused", fresh["id"]: "left"}
    assert re.search(r"breached 5\d min ago", page)
    assert re.search(r"5\d min left", page)
    assert "estimated" not in page

    resumed = users["anna"].post(f"/tickets/{paused['id']}/resume", {}).json()
    caught_up(runtime, resumed["position"])
    again = signed_in(client, "anna").get("/inbox").text
    row = re.search(rf'<tr data-ticket="{paused["id"]}".*?</tr>', again, re.S)
    assert row is not None and 'data-sla="left"' in row[0]
    assert re.search(r"5[89] min left", row[0]), "stopped while paused: nearly all its hour is left"


def caught_up(runtime: Runtime, position: int) -> None:
    """The analytics view follows every few seconds; a test hurries it instead of waiting."""
    deadline = datetime.now(UTC) + timedelta(seconds=20)
    while runtime.runner.position(("analytics",)) < position:
        assert datetime.now(UTC) < deadline, "the analytics view did not catch up"
        runtime.runner.hurry(("analytics",))


def test_a_row_the_analytics_view_has_not_folded_yet_gets_an_estimate_from_the_policy() -> None:
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    spec = PolicySpec.build({"first_response": 60, "next_response": 30}, None, {}, 1)
    policies = [PolicyVersion("standard", 1, to_us(now - timedelta(days=1)), spec)]
    row = {"status": "open", "version": 3, "channel": "vk", "type": None, "priority": "normal",
           "opened_at": (now - timedelta(minutes=20)).isoformat(), "waiting_since": None}  # fmt: skip
    first = badge({**row, "waiting_since": row["opened_at"]}, None, lambda: policies, now)
    assert first is not None
    assert (first.kind, first.metric, first.seconds, first.estimated) == (
        "left",
        "first_response",
        2400,
        True,
    )
    again = {**row, "waiting_since": (now - timedelta(minutes=45)).isoformat()}
    stale = ResponseDue("t", version=2, metric=None, breach_at=None)
    second = badge(again, stale, lambda: policies, now)
    assert second is not None
    assert (second.kind, second.metric, second.seconds) == ("breached", "next_response", 900)
    soon = to_us(now + timedelta(minutes=3))
    exact = badge(again, ResponseDue("t", version=3, metric="next_response", breach_at=soon), lambda: [], now)
    assert exact is not None and (exact.seconds, exact.estimated) == (180, False)
    on_hold = badge({**row, "status": "paused"}, None, lambda: policies, now)
    assert on_hold is not None and on_hold.kind == "paused"
    assert badge(row, None, lambda: policies, now) is None


def test_a_wrong_filter_is_named_next_to_its_field_and_lists_nothing(desk: Any) -> None:
    _, client, _, _ = desk
    page = signed_in(client, "anna").get("/inbox?status=lost&priority=asap&page=0")
    assert page.status_code == 422
    assert "Choose one of the statuses listed." in page.text
    assert "The priority is low, normal, high or urgent." in page.text
    assert "The page is a number from 1 to 10000." in page.text
    assert "Fix the filter above to see tickets." in page.text
    assert "Traceback" not in page.text


def test_saved_views_are_kept_per_user_and_the_auditor_only_reads(desk: Any) -> None:
    runtime, client, _, _ = desk
    anna = signed_in(client, "anna")
    csrf = csrf_of(anna.get("/inbox").text)
    fetched = {"X-Fragment": "1"}
    form = {"csrf": csrf, "name": " VK  mine ", "filters": "mine=1&channel=vk"}
    saved = anna.post("/inbox/views", data=form, headers=fetched)
    assert saved.status_code == 200 and saved.text.startswith('<section id="inbox-views"')
    assert '<a href="/inbox?channel=vk&amp;mine=1" aria-current="true">VK mine</a>' in saved.text
    form = {"csrf": csrf, "name": "Tagged", "filters": "tag=vip"}
    plain = anna.post("/inbox/views", data=form, follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == "/inbox?tag=vip"
    assert runtime.helpdesk.saved_views_of("anna") == {"VK mine": "channel=vk&mine=1", "Tagged": "tag=vip"}
    current = anna.get("/inbox?tag=vip").text
    assert '<a href="/inbox?tag=vip" aria-current="true">Tagged</a>' in current

    empty = anna.post("/inbox/views", data={"csrf": csrf, "name": "  ", "filters": "tag=vip"})
    assert empty.status_code == 422 and "A view&#39;s name has 1 to 60 visible characters." in empty.text
    wrong = anna.post("/inbox/views", data={**form, "filters": "status=lost"}, headers=fetched)
    assert wrong.status_code == 422 and "fix it before saving" in wrong.text
    gone = anna.post("/inbox/views/delete", data={"csrf": csrf, "name": "VK mine"}, headers=fetched)
    assert gone.status_code == 200 and "VK mine" not in gone.text
    assert runtime.helpdesk.saved_views_of("anna") == {"Tagged": "tag=vip"}
    assert anna.post("/inbox/views", data={"name": "No token", "filters": ""}).status_code == 403

    client.cookies.clear()
    audrey = signed_in(client, "audrey")
    page = audrey.get("/inbox").text
    assert 'action="/inbox/views"' not in page
    refused = audrey.post("/inbox/views", data={"csrf": csrf_of(page), "name": "Mine", "filters": ""})
    assert refused.status_code == 403 and runtime.helpdesk.saved_views_of("audrey") == {}


def csrf_of(html: str) -> str:
    found = re.search(r'<meta name="csrf" content="([^"]+)">', html)
    assert found is not None
    return found[1]
