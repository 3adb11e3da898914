"""`GET /tickets/{id}/explain` on the hand-computed week of test_analytics_scenario: each ticket's
parts add up to the figure the report counts for it, with the events that bound them."""

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from api.explain_models import ExplainPublic
from domain.calendar import to_us
from projections.analytics import load_policies
from projections.sla_policy_queries import versions_recorded
from tests.integration.test_analytics_scenario import Desk, desk, week  # noqa: F401 - the fixture

MINUTE = 60_000_000


def at(text: str) -> int:
    return to_us(datetime.fromisoformat(text).replace(tzinfo=UTC))


def explained(d: Desk, ticket: str, who: str = "sue", **params: str) -> Any:
    d.runtime.runner.catch_up()
    response = d.client.get(
        f"/api/v1/tickets/{ticket}/explain", params=params, headers={"Authorization": f"Bearer t-{who}"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    ExplainPublic.model_validate(body)
    return body


def positions(d: Desk, ticket: str) -> dict[str, list[int]]:
    events = d.call("audrey", "GET", f"/tickets/{ticket}/events")["data"]
    found: dict[str, list[int]] = {}
    for e in events:
        found.setdefault(e["type"], []).append(e["position"])
    return found


def metric(body: dict[str, Any], name: str) -> dict[str, Any]:
    return next(m for m in body["metrics"] if m["metric"] == name)


def test_a_first_response_over_a_weekend_and_a_holiday_sums_to_the_report(desk: Desk) -> None:  # noqa: F811
    t = week(desk)
    frt = metric(explained(desk, t["A"]), "first_response")
    (wait,) = frt["stretches"]
    assert [(p["kind"], p["holiday"]) for p in wait["parts"]] == [
        ("counted", None), ("outside_hours", None), ("weekend", None), ("holiday", "2026-03-09"),
        ("outside_hours", None), ("counted", None),
    ]  # fmt: skip
    assert [p["microseconds"] for p in wait["parts"]] == [30 * MINUTE, 0, 0, 0, 0, 20 * MINUTE]
    assert sum(p["microseconds"] for p in wait["parts"]) == frt["total_microseconds"] == 50 * MINUTE
    ids = positions(desk, t["A"])
    assert (wait["started_by"], wait["ended_by"]) == (ids["TicketOpened"][0], ids["ReplySent"][0])
    # the only first reply between 06:00 and 07:00 UTC on Tuesday is A's: the report's figure is A's
    alone, _ = desk.report("summary", **{"from": "2026-03-10T06:00:00Z", "to": "2026-03-10T07:00:00Z"})
    assert alone["first_response"]["median_seconds"] == frt["total_seconds"] == 3000.0
    assert frt["sla"]["outcome"] == "achieved" and frt["sla"]["target_seconds"] == 3600.0


def test_on_the_calendar_clock_the_same_wait_is_one_part_as_long_as_the_reports(desk: Desk) -> None:  # noqa: F811
    t = week(desk)
    frt = metric(explained(desk, t["A"], clock="calendar"), "first_response")
    (part,) = frt["stretches"][0]["parts"]
    assert part["kind"] == "counted" and part["seconds"] == frt["total_seconds"] == 316200.0
    window = {"from": "2026-03-10T06:00:00Z", "to": "2026-03-10T07:00:00Z", "clock": "calendar"}
    alone, _ = desk.report("summary", **window)
    assert alone["first_response"]["median_seconds"] == 316200.0


def test_every_ticket_of_the_week_adds_up_to_its_rows_in_the_report_tables(desk: Desk) -> None:  # noqa: F811
    t = week(desk)
    db = desk.runtime.analytics
    assert db is not None
    for ticket in t.values():
        body = explained(desk, ticket)
        rows = (
            db.cursor()
            .execute(
                "SELECT seq, business_seconds FROM waits WHERE ticket_id = ? AND status = 'answered'",
                [ticket],
            )
            .fetchall()
        )
        waits = {s["seq"]: s for m in body["metrics"][:2] for s in m["stretches"]}
        assert {seq: waits[seq]["total_seconds"] for seq, _ in rows} == dict(rows)
        for seq, _ in rows:
            assert sum(p["microseconds"] for p in waits[seq]["parts"]) == waits[seq]["total_microseconds"]
        (resolved,) = (
            db.cursor()
            .execute("SELECT resolution_business_seconds FROM tickets WHERE ticket_id = ?", [ticket])
            .fetchall()[0]
        )
        assert metric(body, "resolution")["total_seconds"] == resolved


def test_a_pause_and_a_reopen_are_parts_bounded_by_their_events(desk: Desk) -> None:  # noqa: F811
    t = week(desk)
    b, ids = metric(explained(desk, t["B"]), "first_response"), positions(desk, t["B"])
    paused = [p for p in b["stretches"][0]["parts"] if p["kind"] == "paused"]
    assert [(p["reason"], p["department"]) for p in paused] == [("waiting_department", "billing")]
    assert (paused[0]["after_position"], paused[0]["before_position"]) == (
        ids["Paused"][0],
        ids["Resumed"][0],
    )
    assert b["total_seconds"] == 2400.0
    c, ids = metric(explained(desk, t["C"]), "resolution"), positions(desk, t["C"])
    gap = [p for p in c["stretches"][0]["parts"] if p["kind"] == "resolved"]
    assert [(p["after_position"], p["before_position"]) for p in gap] == [
        (ids["Resolved"][0], ids["Reopened"][0])
    ]
    assert c["total_seconds"] == 12600.0 and c["stretches"][0]["ended_by"] == ids["Resolved"][1]


def test_the_policy_that_judged_is_named_with_why_and_the_versions_after_it(desk: Desk) -> None:  # noqa: F811
    t = week(desk)
    later = {"targets_minutes": {"first_response": 15, "next_response": 120, "resolution": 480},
             "calendar": None, "effective_from": "2026-03-12T15:00:00Z"}  # fmt: skip
    desk.at("2026-03-12T15:00").call("root", "PUT", "/sla-policies/std", later)
    policy = explained(desk, t["A"])["policy"]
    assert (policy["policy"], policy["version"], policy["reason"]) == ("std", 1, "only_match")
    assert (
        policy["effective_from"] == "2026-03-01T00:00:00+00:00"
        and policy["calendar"]["tz"] == "Europe/Moscow"
    )
    assert [(c["policy"], c["version"], c["chosen"]) for c in policy["candidates"]] == [("std", 1, True)]
    assert [s["matched"] for s in policy["candidates"][0]["scope"]] == [True, True, True]
    assert [(v["version"], v["targets_minutes"]["first_response"]) for v in policy["later_versions"]] == [
        (2, 15)
    ]
    db = desk.runtime.analytics
    assert (
        db is not None and versions_recorded(db) == load_policies(db)[0]
    )  # the small table reads as the log
    assert (
        versions_recorded(db, until=at("2026-03-12T14:59"))
        == load_policies(db, until=at("2026-03-12T14:59"))[0]
    )


def test_as_of_shows_a_wait_still_open_then_and_when_it_would_breach(desk: Desk) -> None:  # noqa: F811
    t = week(desk)
    then = explained(desk, t["A"], as_of="2026-03-09T00:00:00Z")
    frt = metric(then, "first_response")
    assert frt["stretches"][0]["status"] == "open" and frt["total_seconds"] is None
    assert frt["stretches"][0]["counted_microseconds"] == 30 * MINUTE
    assert frt["sla"]["outcome"] == "pending" and frt["sla"]["breach_at"] == "2026-03-10T06:30:00+00:00"
    e = metric(explained(desk, t["E"]), "first_response")
    assert (e["sla"]["outcome"], e["sla"]["breach_at"]) == ("pending", "2026-03-13T06:00:00+00:00")


def test_explain_is_refused_for_no_ticket_and_for_a_channel_adapter(desk: Desk) -> None:  # noqa: F811
    t = week(desk)
    desk.runtime.runner.catch_up()
    missing = desk.client.get(f"/api/v1/tickets/{uuid4()}/explain", headers={"Authorization": "Bearer t-sue"})
    assert missing.status_code == 404 and missing.json()["error"] == "ticket_not_found"
    customer = desk.call("audrey", "GET", f"/tickets/{t['A']}")["customer"]["id"]
    other = desk.client.get(f"/api/v1/tickets/{customer}/explain", headers={"Authorization": "Bearer t-sue"})
    assert other.status_code == 404
    bot = desk.client.get(f"/api/v1/tickets/{t['A']}/explain", headers={"Authorization": "Bearer t-bot"})
    assert bot.status_code == 403
    bad = desk.client.get(
        f"/api/v1/tickets/{t['A']}/explain",
        params={"clock": "lunar"},
        headers={"Authorization": "Bearer t-sue"},
    )
    assert bad.status_code == 422 and set(bad.json()) == {"error", "detail"}
    schema = desk.client.get("/openapi.json").json()
    answer = schema["paths"]["/api/v1/tickets/{ticket_id}/explain"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/ExplainPublic")
