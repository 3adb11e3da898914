"""The HTTP API as its users meet it: one ticket's life, permissions, retries, conflicts, errors."""

from typing import Any

from tests.integration.api_client import As
from tests.support import Clock

Users = dict[str, As]
VK_OPEN = {
    "channel": "vk",
    "customer": {"name": "Иван Петров", "handle": "id100"},
    "subject": "Карта заблокирована",
    "text": "Здравствуйте, у меня заблокировали карту 😢",
    "external_id": "vk-msg-1",
}


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def open_vk_ticket(users: Users, **changes: Any) -> str:
    return ok(users["vk-bot"].post("/tickets", {**VK_OPEN, **changes}), 201)["id"]


def test_one_tickets_life_is_told_by_its_events(users: Users, clock: Clock) -> None:
    bot, sveta, anna = users["vk-bot"], users["sveta"], users["anna"]
    ticket = open_vk_ticket(users)
    clock.advance(minutes=2)
    ok(sveta.post(f"/tickets/{ticket}/assign", {"assignee": "anna", "comment": "Постоянный клиент"}))
    clock.advance(minutes=3)
    ok(anna.post(f"/tickets/{ticket}/replies", {"text": "Проверяю, минуту"}))
    ok(anna.post(f"/tickets/{ticket}/pause", {"reason": "waiting_customer"}))
    clock.advance(hours=1)
    ok(bot.post(f"/tickets/{ticket}/messages", {"text": "Вот номер карты", "external_id": "vk-msg-2"}))
    ok(anna.post(f"/tickets/{ticket}/replies", {"text": "Разблокировали"}))
    ok(anna.post(f"/tickets/{ticket}/resolve", {"resolution": "solved"}))
    last = ok(bot.post(f"/tickets/{ticket}/rating", {"score": "like"}))

    events = ok(users["audrey"].get(f"/tickets/{ticket}/events"))
    assert [(e["type"], e["actor"]) for e in events["data"]] == [
        ("TicketOpened", "vk-bot"),
        ("Assigned", "sveta"),
        ("ReplySent", "anna"),
        ("Paused", "anna"),
        ("Resumed", "vk-bot"),
        ("CustomerMessageReceived", "vk-bot"),
        ("ReplySent", "anna"),
        ("Resolved", "anna"),
        ("Rated", "vk-bot"),
    ]
    assert events["data"][1]["data"] == {"assignee": "anna", "comment": "Постоянный клиент"}
    assert events["data"][4]["data"] == {"reason": "customer_replied"}
    assert [e["position"] for e in events["data"]][-1] == last["position"]
    state = ok(anna.get(f"/tickets/{ticket}"))
    assert (state["status"], state["resolution"], state["assignee"]) == ("resolved", "solved", "anna")
    assert state["customer"]["name"] == "Иван Петров"
    assert [m["kind"] for m in state["conversation"]] == ["message", "reply", "message", "reply"]


def test_the_queue_filters_and_waits_for_a_commands_position(users: Users, clock: Clock) -> None:
    anna = users["anna"]
    first = open_vk_ticket(users)
    clock.advance(minutes=1)
    second = open_vk_ticket(users, external_id="vk-msg-9", customer={"name": "Ольга", "handle": "id200"})
    tagged = ok(anna.post(f"/tickets/{second}/tags", {"add": ["Card", "vip"]}))

    page = ok(anna.get("/tickets", tag="card", min_position=tagged["position"]))
    assert [row["id"] for row in page["data"]] == [second]
    assert page["position"] >= tagged["position"]
    everyone = ok(anna.get("/tickets", min_position=tagged["position"]))
    assert [row["id"] for row in everyone["data"]] == [first, second]
    assigned = ok(users["sveta"].post(f"/tickets/{first}/assign", {"assignee": "anna"}))
    mine = ok(anna.get("/tickets", assignee="anna", min_position=assigned["position"]))
    assert [row["id"] for row in mine["data"]] == [first]
    unassigned = ok(anna.get("/tickets", unassigned="true"))
    assert [row["id"] for row in unassigned["data"]] == [second]
    assert ok(anna.get("/tickets", limit=1, offset=1))["count"] == 2


def test_a_retried_request_with_an_idempotency_key_appends_nothing(users: Users) -> None:
    anna = users["anna"]
    ticket = open_vk_ticket(users)
    first = ok(anna.post(f"/tickets/{ticket}/replies", {"text": "Hello"}, idempotency_key="r-1"))
    again = ok(anna.post(f"/tickets/{ticket}/replies", {"text": "Hello"}, idempotency_key="r-1"))
    assert again == first
    assert ok(users["vk-bot"].post("/tickets", VK_OPEN), 201)["id"] == ticket
    assert len(ok(anna.get(f"/tickets/{ticket}/events"))["data"]) == 2


def test_a_stale_if_match_is_refused_with_409(users: Users) -> None:
    anna = users["anna"]
    ticket = open_vk_ticket(users)
    ok(anna.post(f"/tickets/{ticket}/notes", {"text": "first"}, if_match="1"))
    stale = anna.post(f"/tickets/{ticket}/notes", {"text": "second"}, if_match='"1"')
    assert stale.status_code == 409
    assert stale.json() == {
        "error": "version_conflict",
        "detail": "The ticket is at version 2, not 1; reload it.",
    }
    assert anna.post(f"/tickets/{ticket}/notes", {"text": "x"}, if_match="two").status_code == 400


def test_only_service_and_admin_may_say_when_and_as_whom(users: Users) -> None:
    ticket = open_vk_ticket(users, occurred_at="2026-03-02T08:30:00+03:00")
    imported = ok(users["root"].post(f"/tickets/{ticket}/replies", {"text": "Old reply", "actor": "oleg"}))
    refused = users["anna"].post(
        f"/tickets/{ticket}/notes", {"text": "x", "occurred_at": "2026-03-02T06:00:00Z"}
    )
    assert refused.status_code == 403
    unknown = users["root"].post(f"/tickets/{ticket}/notes", {"text": "x", "actor": "nobody"})
    assert unknown.status_code == 422 and "nobody" in unknown.json()["detail"]
    events = ok(users["audrey"].get(f"/tickets/{ticket}/events"))["data"]
    assert events[0]["occurred_at"] == "2026-03-02T05:30:00Z"
    assert (events[1]["actor"], events[1]["position"]) == ("oleg", imported["position"])


def test_time_never_runs_backwards_within_a_ticket(users: Users) -> None:
    bot = users["vk-bot"]
    ticket = open_vk_ticket(users, occurred_at="2026-03-02T09:00:00Z")
    late = bot.post(
        f"/tickets/{ticket}/messages", {"text": "earlier?", "occurred_at": "2026-03-02T08:00:00Z"}
    )
    assert late.status_code == 422
    assert "earlier" in late.json()["detail"] or "before" in late.json()["detail"]


def test_the_domain_rules_come_back_as_clear_conflicts(users: Users) -> None:
    anna, bot = users["anna"], users["vk-bot"]
    ticket = open_vk_ticket(users)
    assert anna.post(f"/tickets/{ticket}/resume").status_code == 409
    assert bot.post(f"/tickets/{ticket}/rating", {"score": "like"}).status_code == 409
    ok(anna.post(f"/tickets/{ticket}/resolve", {"resolution": "spam"}))
    refused = anna.post(f"/tickets/{ticket}/replies", {"text": "hi"})
    assert refused.status_code == 409
    assert set(refused.json()) == {"error", "detail"}
    assert "resolved" in refused.json()["detail"]
    assert anna.post(f"/tickets/{ticket}/merge", {"into": ticket}).status_code in (409, 422)


def test_merging_moves_the_source_out_of_every_queue(users: Users) -> None:
    anna = users["anna"]
    source = open_vk_ticket(users)
    target = open_vk_ticket(users, external_id="vk-msg-3")
    merged = ok(anna.post(f"/tickets/{source}/merge", {"into": target}))
    everything = ok(
        anna.get("/tickets", min_position=merged["position"], status=["open", "paused", "resolved"])
    )
    assert [row["id"] for row in everything["data"]] == [target]
    assert ok(anna.get(f"/tickets/{target}"))["merged_from"] == [source]
    assert ok(anna.get(f"/tickets/{source}"))["merged_into"] == target


def test_as_of_shows_what_was_recorded_by_then(users: Users, clock: Clock) -> None:
    anna = users["anna"]
    ticket = open_vk_ticket(users)
    before_reply = clock.advance(minutes=5)
    clock.advance(minutes=1)
    ok(anna.post(f"/tickets/{ticket}/replies", {"text": "Done"}))
    then = ok(anna.get(f"/tickets/{ticket}", as_of=before_reply.isoformat()))
    assert [m["kind"] for m in then["conversation"]] == ["message"]
    assert then["version"] == 1
    too_early = anna.get(f"/tickets/{ticket}", as_of="2020-01-01T00:00:00Z")
    assert too_early.status_code == 404
    assert anna.get(f"/tickets/{ticket}", as_of="yesterday").status_code == 422


def test_who_may_do_what(users: Users) -> None:
    ticket = open_vk_ticket(users)
    assert users["audrey"].post(f"/tickets/{ticket}/replies", {"text": "hi"}).status_code == 403
    assert users["anna"].post(f"/tickets/{ticket}/messages", {"text": "fake customer"}).status_code == 403
    assert users["vk-bot"].get(f"/tickets/{ticket}/events").status_code == 403
    ok(users["anna"].post(f"/tickets/{ticket}/notes", {"text": "Клиент нервничает"}))
    for_bot = ok(users["vk-bot"].get(f"/tickets/{ticket}"))
    assert [m["kind"] for m in for_bot["conversation"]] == ["message"]
    for_staff = ok(users["sveta"].get(f"/tickets/{ticket}"))
    assert [m["kind"] for m in for_staff["conversation"]] == ["message", "note"]


def test_every_bad_request_gets_a_json_error_not_a_500(users: Users) -> None:
    anna, client = users["anna"], users["anna"].client
    ticket = open_vk_ticket(users)
    cases = [
        (client.get("/api/v1/tickets"), 401),
        (client.get("/api/v1/tickets", headers={"Authorization": "Bearer nope"}), 401),
        (client.get("/api/v1/tickets", headers={"Authorization": "Basic abc"}), 401),
        (anna.get("/tickets/00000000-0000-0000-0000-000000000000"), 404),
        (anna.get("/tickets/not-a-uuid"), 422),
        (anna.post(f"/tickets/{ticket}/type", {"type": "complaint"}), 422),
        (anna.post(f"/tickets/{ticket}/replies", {"text": ""}), 422),
        (anna.post(f"/tickets/{ticket}/replies", {"text": "hi", "colour": "red"}), 422),
        (anna.post(f"/tickets/{ticket}/assign", {"assignee": "ghost"}), 422),
        (anna.get("/tickets", limit=0), 422),
        (anna.get("/nowhere"), 404),
        (
            client.post(
                f"/api/v1/tickets/{ticket}/replies",
                content=b"{not json",
                headers={**anna.headers(), "Content-Type": "application/json"},
            ),
            400,
        ),
    ]
    for response, status in cases:
        assert response.status_code == status, response.text
        body = response.json()
        assert set(body) == {"error", "detail"} and body["detail"], body
    assert "type" in cases[5][0].json()["detail"]


def test_a_customer_has_their_tickets_and_colleagues_notes(users: Users) -> None:
    anna = users["anna"]
    ticket = open_vk_ticket(users)
    customer = ok(anna.get(f"/tickets/{ticket}"))["customer"]["id"]
    noted = ok(anna.post(f"/customers/{customer}/notes", {"text": "Клиент тревожный"}))
    seen = ok(anna.get(f"/customers/{customer}", min_position=noted["position"]))
    assert seen["identities"] == ["vk:id100"]
    assert [n["text"] for n in seen["notes"]] == ["Клиент тревожный"]
    assert users["vk-bot"].get(f"/customers/{customer}").status_code == 403
    assert users["vk-bot"].post(f"/customers/{customer}/notes", {"text": "x"}).status_code == 403
