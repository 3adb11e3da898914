"""The auditor's time travel over HTTP: a ticket's history page, its as-of view and its refusals."""

import html
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from domain.channel import Channel
from domain.users import User
from tests.integration.history_story import (
    Desk,
    Reader,
    a_ticket_with_a_past,
    api_events,
    field_error,
    rows,
    served,
    state,
)
from tests.support import Clock


@pytest.fixture
def desk(tmp_path: Path, clock: Clock) -> Iterator[Desk]:
    with served(tmp_path, clock) as started:
        yield started


def test_every_event_is_told_in_log_order_with_both_times_its_actor_position_and_data(
    desk: Desk, clock: Clock
) -> None:
    runtime, client, users = desk
    ticket_id = a_ticket_with_a_past(runtime, users, clock)
    runtime.helpdesk.choose_preferences("audrey", None, "Europe/Moscow")
    page = Reader(client, "audrey").page(f"/tickets/{ticket_id}/history")

    events = api_events(users, ticket_id)
    assert [(v, kind, p) for v, _, kind, p in rows(page)] == [
        (e["version"], e["type"], e["position"]) for e in events
    ]
    assigned = page.split('id="event-v2"', 1)[1].split("</tr>", 1)[0]
    assert "<strong>Assigned</strong>" in assigned and ">sveta</td>" in assigned
    assert re.search(r"<dt[^>]*>Assignee</dt>\s*<dd[^>]*>anna</dd>", assigned)
    assert re.search(r"<dt[^>]*>Comment</dt>\s*<dd[^>]*>Постоянный клиент</dd>", assigned)
    utc = 'datetime="2026-03-02T09:03:01.000000Z" title="2026-03-02 09:03:01.000000 UTC"'
    assert f"<time {utc}>2 Mar 2026 12:03:01</time>" in assigned
    assert json.loads(assigned.split("<pre>", 1)[1].split("</pre>", 1)[0]) == events[1]
    opened = page.split('id="event-v1"', 1)[1].split("</tr>", 1)[0]
    assert re.search(rf'<a href="/customers/{events[0]["data"]["customer_id"]}/history">', opened)
    assert "Times in Europe/Moscow (UTC+03:00)" in page


def test_the_events_are_filtered_by_type_and_an_unknown_type_is_said_next_to_the_filter(
    desk: Desk, clock: Clock
) -> None:
    runtime, client, users = desk
    ticket_id = a_ticket_with_a_past(runtime, users, clock)
    reader = Reader(client, "audrey", "ru")
    page = reader.page(f"/tickets/{ticket_id}/history", event=["Assigned", "Paused"])
    assert [kind for _, _, kind, _ in rows(page)] == ["Assigned", "Paused"]
    assert "2 из 6" in page and "<strong>Назначено</strong>" in page
    assert len(re.findall(r'<a href="[^"]*" data-step="\d+"', page)) == 6  # the slider keeps every step
    refused = reader.get(f"/tickets/{ticket_id}/history", event="Teleported")
    assert refused.status_code == 422
    assert 'id="event-error" role="alert">Нет такого типа событий: Teleported.' in html.unescape(refused.text)


def test_as_of_each_event_the_page_shows_the_ticket_the_api_returns_for_that_instant(
    desk: Desk, clock: Clock
) -> None:
    runtime, client, users = desk
    ticket_id = a_ticket_with_a_past(runtime, users, clock)
    reader = Reader(client, "audrey")
    for event in api_events(users, ticket_id):
        at = event["recorded_at"]
        page = reader.page(f"/tickets/{ticket_id}/history", as_of=at)
        then = users["audrey"].get(f"/tickets/{ticket_id}", as_of=at).json()
        seen = state(page)
        assert (seen["status"], seen["assignee"], seen["tags"], seen["messages"]) == (
            then["status"],
            then["assignee"],
            then["tags"],
            len(then["conversation"]),
        ), at
        assert [later for _, later, _, _ in rows(page)] == [
            e["version"] > event["version"] for e in api_events(users, ticket_id)
        ]
        assert set(re.findall(r'data-step="(\d+)"[^>]*aria-current="step"', page)) == {str(event["version"])}


def test_the_sla_is_judged_at_the_instant_under_the_policy_versions_recorded_by_then(
    desk: Desk, clock: Clock
) -> None:
    runtime, client, users = desk
    ticket_id = a_ticket_with_a_past(runtime, users, clock)
    reader = Reader(client, "audrey")
    page = lambda at: state(reader.page(f"/tickets/{ticket_id}/history", as_of=at))  # noqa: E731
    assert page("2026-03-02T09:05:00Z")["sla"] == {"first_response": "running"}
    assert page("2026-03-02T09:15:00Z")["sla"] == {"first_response": "breached"}
    assert page("2026-03-02T09:21:00Z")["sla"] == {"first_response": "late"}
    clock.advance(minutes=5)
    looser = {"targets_minutes": {"first_response": 60}, "effective_from": "2026-03-01T12:00:00Z"}
    assert (
        users["root"]
        .client.put("/api/v1/sla-policies/std", json=looser, headers=users["root"].headers())
        .is_success
    )
    runtime.runner.catch_up()
    assert page("2026-03-02T09:21:00Z")["sla"] == {"first_response": "late"}  # version 1 then
    now = reader.page(f"/tickets/{ticket_id}/history")
    assert state(now)["sla"] == {"first_response": "done"} and "Policy std, version 2" in now
    running = reader.page(f"/tickets/{ticket_id}/history", as_of="2026-03-02 09:05")
    assert re.search(r"5 min 1 s left</span>\s*<span class=\"figure\">due 2 Mar 2026 09:10:01", running)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("yesterday", "Write a date and time such as 2026-03-02 12:05"),
        ("2026-13-01 10:00", "Write a date and time such as 2026-03-02 12:05"),
        ("2026-03-02T09:00:00+25:00", "Write a date and time such as 2026-03-02 12:05"),
        ("1900-01-01T00:00:00Z", "outside the range served"),
        ("2026-03-03T09:00:00Z", "That instant is still to come"),
        (
            "2026-03-02 08:59",
            "The ticket had not been recorded yet: its first event was recorded at 2 Mar 2026 09:00:01",
        ),
        ("x" * 300, "Write a date and time such as 2026-03-02 12:05"),
    ],
)
def test_an_as_of_that_cannot_be_shown_is_refused_next_to_the_field_never_a_500(
    desk: Desk, clock: Clock, typed: str, said: str
) -> None:
    runtime, client, users = desk
    ticket_id = a_ticket_with_a_past(runtime, users, clock)
    reader = Reader(client, "audrey")
    refused = reader.get(f"/tickets/{ticket_id}/history", as_of=typed)
    assert refused.status_code == 422
    page = html.unescape(refused.text)
    assert said in field_error(page)
    assert f'name="as_of" value="{typed}"' in page and 'id="as-of-state"' not in page
    exported = reader.get(f"/tickets/{ticket_id}/history.json", as_of=typed)
    assert exported.status_code == 422 and exported.json()["error"] == "invalid_as_of"
    assert said in exported.json()["detail"]
    assert reader.get(f"/tickets/{ticket_id}/history.html", as_of=typed).status_code == 422


def test_an_id_that_is_no_tickets_or_no_customers_is_a_404_on_every_history_route(
    desk: Desk, clock: Clock
) -> None:
    runtime, client, users = desk
    ticket_id = a_ticket_with_a_past(runtime, users, clock)
    customer_id = runtime.helpdesk.ticket(UUID(ticket_id)).customer_id
    reader = Reader(client, "audrey")
    others = [Channel.create_id("vk"), User.create_id("anna"), customer_id, uuid4()]
    for other in others:
        for suffix in ("", ".json", ".html"):
            assert reader.get(f"/tickets/{other}/history{suffix}").status_code == 404, (other, suffix)
    for other in (UUID(ticket_id), User.create_id("anna"), uuid4()):
        assert reader.get(f"/customers/{other}/history").status_code == 404, other
    assert reader.get(f"/customers/{customer_id}/history").status_code == 200


def test_times_typed_into_the_field_are_in_the_viewers_zone_and_links_carry_exact_instants(
    desk: Desk, clock: Clock
) -> None:
    runtime, client, users = desk
    ticket_id = a_ticket_with_a_past(runtime, users, clock)
    runtime.helpdesk.choose_preferences("audrey", None, "Europe/Moscow")
    reader = Reader(client, "audrey")
    local = reader.page(f"/tickets/{ticket_id}/history", as_of="2026-03-02 12:04")
    assert state(local)["assignee"] == "anna" and state(local)["tags"] == []
    assert 'name="as_of" value="2026-03-02 12:04:00"' in local
    event = api_events(users, ticket_id)[2]
    exact = datetime.fromisoformat(event["recorded_at"])
    link = re.search(r'<a href="([^"]+)" data-step="3"', local).group(1)  # type: ignore[union-attr]
    assert (
        f"as_of={exact.astimezone(UTC).isoformat(timespec='microseconds').replace('+00:00', 'Z')}"
        in link.replace("%3A", ":")
    )
