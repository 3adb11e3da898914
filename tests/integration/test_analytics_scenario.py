"""A hand-computed week of tickets through the HTTP API: every figure asserted to the second.

Policy "std": first response 60 min, next response 120 min, resolution 480 min, business hours
Mon-Fri 09:00-18:00 Europe/Moscow (UTC+3), holiday Monday 2026-03-09.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import hash_token
from api.bootstrap import Runtime
from tests.support import Clock, sqlite_runtime

STD = {
    "targets_minutes": {"first_response": 60, "next_response": 120, "resolution": 480},
    "calendar": {
        "tz": "Europe/Moscow",
        "weekly": {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": ["2026-03-09"],
    },
    "effective_from": "2026-03-01T00:00:00Z",
}
MONTH = {"from": "2026-03-01T00:00:00Z", "to": "2026-04-01T00:00:00Z"}


class Desk:
    """Drives the API as the people involved would, at the times the test sets."""

    def __init__(self, client: TestClient, runtime: Runtime, clock: Clock) -> None:
        self.client, self.runtime, self.clock = client, runtime, clock
        for name, role in (("root", "admin"), ("bot", "service"), ("sue", "supervisor"),
                           ("anna", "operator"), ("boris", "operator"), ("audrey", "auditor")):  # fmt: skip
            runtime.helpdesk.register_user(name, role)
            runtime.helpdesk.issue_token(hash_token(f"t-{name}"), name)

    def at(self, when: str) -> "Desk":
        self.clock.now = datetime.fromisoformat(when).replace(tzinfo=UTC)
        return self

    def call(self, who: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.client.request(
            method, f"/api/v1{path}", json=body, headers={"Authorization": f"Bearer t-{who}"}
        )
        assert response.status_code < 300, response.text
        return response.json()

    def open(self, handle: str) -> str:
        body = {"channel": "vk", "customer": {"handle": handle}, "text": "Help"}
        return str(self.call("bot", "POST", "/tickets", body)["id"])

    def act(self, who: str, ticket: str, action: str, body: dict[str, Any] | None = None) -> None:
        self.call(who, "POST", f"/tickets/{ticket}/{action}", body or {})

    def report(self, name: str, who: str = "sue", **params: str) -> tuple[dict[str, Any], bytes]:
        self.runtime.runner.catch_up()
        response = self.client.get(
            f"/api/v1/reports/{name}",
            params={**MONTH, **params},
            headers={"Authorization": f"Bearer t-{who}"},
        )
        assert response.status_code == 200, response.text
        return response.json(), response.content


@contextmanager
def scenario_desk(data: Path) -> Iterator[Desk]:
    """A served desk on 1 March 2026 with the standard SLA policy in force."""
    clock = Clock(datetime(2026, 3, 1, tzinfo=UTC))
    runtime = sqlite_runtime(data, clock)
    try:
        with TestClient(create_app(runtime)) as client:
            d = Desk(client, runtime, clock)
            d.call("root", "PUT", "/sla-policies/std", STD)
            yield d
    finally:
        runtime.close()


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    with scenario_desk(tmp_path / "data") as d:
        yield d


def week(d: Desk) -> dict[str, str]:
    """A: night + weekend + holiday; B: department pause and auto-resume; C: reopen and
    reassignment with ratings; D: spam without reply; E: still waiting at the end."""
    t: dict[str, str] = {}
    t["A"] = d.at("2026-03-06T14:30").open("a")  # Fri 17:30 MSK
    d.at("2026-03-10T06:20").act("anna", t["A"], "replies", {"text": "Hi"})  # Tue 09:20 MSK
    t["B"] = d.at("2026-03-10T07:00").open("b")  # Tue 10:00 MSK
    d.at("2026-03-10T07:10").act(
        "anna", t["B"], "pause", {"reason": "waiting_department", "department": "billing"}
    )
    d.at("2026-03-10T08:00").act("bot", t["B"], "messages", {"text": "any news?"})  # resumes it
    d.at("2026-03-10T08:30").act("anna", t["B"], "replies", {"text": "Done"})
    d.at("2026-03-10T09:00").act("bot", t["B"], "messages", {"text": "one more thing"})
    d.at("2026-03-10T09:45").act("anna", t["B"], "replies", {"text": "Sure"})
    d.at("2026-03-10T10:00").act("anna", t["B"], "resolve", {"resolution": "solved"})
    t["C"] = d.at("2026-03-11T06:00").open("c")  # Wed 09:00 MSK
    d.at("2026-03-11T06:01").act("sue", t["C"], "assign", {"assignee": "anna"})
    d.at("2026-03-11T06:30").act("anna", t["C"], "replies", {"text": "Hi"})
    d.at("2026-03-11T07:00").act("anna", t["C"], "resolve", {"resolution": "solved"})
    d.at("2026-03-11T07:05").act("bot", t["C"], "rating", {"score": "like"})
    d.at("2026-03-11T09:00").act("bot", t["C"], "messages", {"text": "broken again"})  # reopens
    d.at("2026-03-11T09:10").act("sue", t["C"], "assign", {"assignee": "boris"})
    d.at("2026-03-11T11:00").act("boris", t["C"], "replies", {"text": "Fixed"})
    d.at("2026-03-11T11:30").act("boris", t["C"], "resolve", {"resolution": "solved"})
    d.at("2026-03-11T11:40").act("bot", t["C"], "rating", {"score": "dislike"})
    t["D"] = d.at("2026-03-11T12:00").open("d")
    d.at("2026-03-11T12:05").act("anna", t["D"], "resolve", {"resolution": "spam"})
    t["E"] = d.at("2026-03-12T14:00").open("e")  # Thu 17:00 MSK
    return t


def test_the_summary_of_a_hand_computed_week(desk: Desk) -> None:
    week(desk)
    summary, _ = desk.report("summary")
    assert summary["as_of"] == "2026-03-12T14:00:00+00:00"
    assert (summary["tickets_received"], summary["tickets_resolved"]) == (5, 3)
    assert summary["first_response"] == {
        "count": 3, "avg_seconds": 2400.0, "median_seconds": 2400.0, "p90_seconds": 2880.0
    }  # fmt: skip
    assert summary["next_response"] == {
        "count": 2, "avg_seconds": 4950.0, "median_seconds": 4950.0, "p90_seconds": 6750.0
    }  # fmt: skip
    assert summary["resolution"] == {
        "count": 3, "avg_seconds": 6900.0, "median_seconds": 7800.0, "p90_seconds": 11640.0
    }  # fmt: skip
    assert summary["sla"] == {
        "first_response": {"achieved": 3, "breached": 0, "pending": 1, "achieved_pct": 100.0},
        "next_response": {"achieved": 2, "breached": 0, "pending": 0, "achieved_pct": 100.0},
        "resolution": {"achieved": 3, "breached": 1, "pending": 1, "achieved_pct": 75.0},
    }
    assert summary["csi"] == {"likes": 1, "dislikes": 1, "csi_pct": 50.0}


def test_calendar_clock_counts_nights_and_weekends_but_never_pauses(desk: Desk) -> None:
    week(desk)
    summary, _ = desk.report("summary", clock="calendar")
    # A: Fri 14:30Z -> Tue 06:20Z; B: 40 min (50 min paused); C: 30 min
    assert summary["first_response"]["count"] == 3
    assert summary["first_response"]["median_seconds"] == 2400.0
    assert summary["first_response"]["avg_seconds"] == (316200 + 2400 + 1800) / 3


def test_pending_turns_breached_exactly_when_business_time_runs_out(desk: Desk) -> None:
    week(desk)
    first = lambda s: s["sla"]["first_response"]  # noqa: E731
    at_close, _ = desk.report("summary", as_of="2026-03-12T15:30:00Z")  # Thu 18:30 MSK: 60 min used
    assert first(at_close)["pending"] == 1
    at_opening, _ = desk.report("summary", as_of="2026-03-13T06:00:00Z")  # Fri 09:00 MSK
    assert first(at_opening)["pending"] == 1
    after, _ = desk.report("summary", as_of="2026-03-13T06:00:01Z")
    assert (first(after)["pending"], first(after)["breached"]) == (0, 1)


def test_operators_get_their_replies_resolutions_and_ratings(desk: Desk) -> None:
    week(desk)
    body, _ = desk.report("operators")
    rows = {r["operator"]: r for r in body["data"]}
    assert sorted(rows) == ["anna", "boris"]
    anna, boris = rows["anna"], rows["boris"]
    assert anna["first_response"]["count"] == 3
    assert anna["next_response"]["avg_seconds"] == 2700.0
    assert boris["next_response"]["avg_seconds"] == 7200.0
    assert boris["resolution"] == {
        "count": 1, "avg_seconds": 12600.0, "median_seconds": 12600.0, "p90_seconds": 12600.0
    }  # fmt: skip
    assert (anna["tickets_resolved"], boris["tickets_resolved"]) == (0, 1)
    assert (anna["csi"]["likes"], boris["csi"]["dislikes"]) == (1, 1)
    assert (anna["tickets_assigned"], boris["tickets_assigned"]) == (1, 1)
    assert boris["sla"]["next_response"]["achieved"] == 1


def test_as_of_reproduces_what_was_known_then(desk: Desk) -> None:
    t = week(desk)
    earlier, _ = desk.report("summary", as_of="2026-03-11T08:00:00Z")
    assert (earlier["tickets_received"], earlier["tickets_resolved"]) == (
        3,
        2,
    )  # C resolved, not reopened yet
    assert earlier["csi"] == {"likes": 1, "dislikes": 0, "csi_pct": 100.0}
    assert t["E"]


def test_reports_are_byte_identical_after_a_replay_and_through_the_as_of_path(desk: Desk) -> None:
    week(desk)
    names = ("summary", "operators", "daily")
    before = [desk.report(n, tz="Europe/Moscow")[1] for n in names]
    desk.runtime.runner.rebuild()
    after = [desk.report(n, tz="Europe/Moscow")[1] for n in names]
    assert after == before
    folded = [desk.report(n, tz="Europe/Moscow", as_of="2026-03-12T14:00:00Z")[1] for n in names]
    assert folded == before


def test_a_later_policy_change_does_not_move_earlier_tickets(desk: Desk) -> None:
    week(desk)
    before, _ = desk.report("summary")
    stricter = {**STD, "targets_minutes": {"first_response": 1, "next_response": 1, "resolution": 1}}
    stricter["effective_from"] = "2026-03-12T15:00:00Z"
    desk.at("2026-03-12T14:30").call("root", "PUT", "/sla-policies/std", stricter)
    after, _ = desk.report("summary", as_of=before["as_of"])
    assert after["sla"] == before["sla"]
    policies = desk.call("audrey", "GET", "/sla-policies")
    assert [v["version"] for v in policies["data"][0]["versions"]] == [1, 2]


def test_only_supervisors_auditors_and_admins_read_reports(desk: Desk) -> None:
    response = desk.client.get(
        "/api/v1/reports/summary", params=MONTH, headers={"Authorization": "Bearer t-anna"}
    )
    assert response.status_code == 403
    bad = desk.client.get(
        "/api/v1/reports/summary", params={"from": MONTH["to"], "to": MONTH["from"]},
        headers={"Authorization": "Bearer t-sue"},
    )  # fmt: skip
    assert bad.status_code == 422


def test_hourly_load_counts_customer_messages_in_the_team_time_zone(desk: Desk) -> None:
    week(desk)
    body, _ = desk.report("hourly", tz="Europe/Moscow", aht_seconds="600", target_seconds="3600")
    slots = {(s["weekday"], s["hour"]): s for s in body["data"]}
    assert len(slots) == 7 * 24
    assert sum(s["messages"] for s in body["data"]) == 5 + 3  # openings + customer messages
    tuesday_ten = slots[(2, 10)]  # B opened 10:00 MSK on Tuesday
    assert tuesday_ten["messages"] == 1 and tuesday_ten["occurrences"] == 5
    assert tuesday_ten["arrivals_per_hour"] == 0.2 and tuesday_ten["agents"] == 1
    assert slots[(7, 3)]["agents"] == 0


def test_qa_sample_is_drawn_once_and_recorded(desk: Desk) -> None:
    week(desk)
    desk.runtime.runner.catch_up()
    desk.at("2026-04-01T00:00")  # a month is drawn once it has ended
    params = {"month": "2026-03", "size": "2"}
    first = desk.client.get(
        "/api/v1/reports/qa-sample", params=params, headers={"Authorization": "Bearer t-sue"}
    )
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["population"] == 3 and len(body["tickets"]) == 2
    desk.at("2026-04-02T10:00").act("bot", week_ticket(desk, "C"), "messages", {"text": "again"})
    again = desk.client.get(
        "/api/v1/reports/qa-sample", params=params, headers={"Authorization": "Bearer t-audrey"}
    )
    assert again.content == first.content


def week_ticket(desk: Desk, _: str) -> str:
    rows = (
        desk.runtime.analytics.cursor()
        .execute(  # type: ignore[union-attr]
            "SELECT ticket_id FROM tickets WHERE reopens = 1"
        )
        .fetchall()
    )
    return str(rows[0][0])


def test_the_excel_export_has_three_readable_sheets(desk: Desk) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    week(desk)
    desk.runtime.runner.catch_up()
    response = desk.client.get(
        "/api/v1/reports/export.xlsx", params=MONTH, headers={"Authorization": "Bearer t-sue"}
    )
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Summary", "Operators", "Tickets"]
    tickets = book["Tickets"]
    assert tickets.max_row == 1 + 5
    header = [c.value for c in tickets[1]]
    assert "sla first response" in header
    assert book["Operators"].max_row == 1 + 2
