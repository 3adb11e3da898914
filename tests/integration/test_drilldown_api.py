"""`GET /api/v1/reports/tickets`: the tickets behind each figure of the hand-computed week of
test_analytics_scenario, and `GET /api/v1/reports/distribution`, against the summary's figures.

The week (March 2026, policy "std" on Moscow business hours): A waits over a weekend and a
holiday for anna's answer; B is paused, resumed, answered twice and resolved unassigned; C is
anna's, rated, reopened, boris's, rated again; D is spam; E still waits.
"""

from typing import Any

import pytest

from api.dashboard_models import DistributionReport, ReportTickets
from tests.integration.test_analytics_scenario import MONTH, Desk, desk, week  # noqa: F401 - the fixture


def drill(d: Desk, figure: str, who: str = "sue", **params: str) -> Any:
    d.runtime.runner.catch_up()
    return d.client.get(
        "/api/v1/reports/tickets",
        params={**MONTH, "figure": figure, **params},
        headers={"Authorization": f"Bearer t-{who}"},
    )


def listed(d: Desk, figure: str, **params: str) -> dict[str, Any]:
    response = drill(d, figure, **params)
    assert response.status_code == 200, response.text
    body = response.json()
    ReportTickets.model_validate(body)
    return body  # type: ignore[no-any-return]


def names(t: dict[str, str], body: dict[str, Any]) -> list[str]:
    """The week's letters of the listed rows, in the list's order."""
    letter = {ticket: name for name, ticket in t.items()}
    return [letter[row["ticket"]] for row in body["data"]]


def test_each_count_lists_the_tickets_it_counted(desk: Desk) -> None:  # noqa: F811
    t = week(desk)
    summary, _ = desk.report("summary")
    expected = {
        "received": (summary["tickets_received"], ["A", "B", "C", "D", "E"]),
        "resolved": (summary["tickets_resolved"], ["B", "C", "D"]),
        "resolution": (summary["resolution"]["count"], ["B", "C", "D"]),
        "first_response": (summary["first_response"]["count"], ["A", "B", "C"]),
        "next_response": (summary["next_response"]["count"], ["B", "C"]),
        "csi:like": (summary["csi"]["likes"], ["C"]),
        "csi:dislike": (summary["csi"]["dislikes"], ["C"]),
    }
    for figure, (count, letters) in expected.items():
        body = listed(desk, figure)
        assert (body["count"], names(t, body)) == (count, letters), figure
        assert body["figure"] == figure


def test_samples_carry_their_seconds_on_the_reports_clock(desk: Desk) -> None:  # noqa: F811
    t = week(desk)
    business = listed(desk, "first_response")
    rows = zip(names(t, business), business["data"], strict=True)
    assert [(n, r["value"], r["operator"]) for n, r in rows] == [
        ("A", 3000.0, "anna"), ("B", 2400.0, "anna"), ("C", 1800.0, "anna")
    ]  # fmt: skip
    calendar = listed(desk, "first_response", clock="calendar")
    assert [r["value"] for r in calendar["data"]] == [316200.0, 2400.0, 1800.0]
    assert business["unit"] == "seconds"
    nexts = listed(desk, "next_response")
    assert [(r["value"], r["operator"]) for r in nexts["data"]] == [(2700.0, "anna"), (7200.0, "boris")]
    assert listed(desk, "received")["data"][0]["value"] is None


def test_sla_outcomes_list_exactly_the_tickets_judged_so(desk: Desk) -> None:  # noqa: F811
    t = week(desk)
    summary, _ = desk.report("summary")
    for metric in ("first_response", "next_response", "resolution"):
        for outcome in ("achieved", "breached", "pending"):
            body = listed(desk, f"sla:{metric}:{outcome}")
            assert body["count"] == summary["sla"][metric][outcome] == len(body["data"]), (metric, outcome)
    assert names(t, listed(desk, "sla:resolution:breached")) == ["A"]
    assert names(t, listed(desk, "sla:first_response:pending")) == ["E"]
    assert names(t, listed(desk, "sla:next_response:achieved")) == ["B", "C"]
    earlier = listed(desk, "sla:first_response:pending", as_of="2026-03-13T06:00:01Z")
    assert earlier["count"] == 0  # E's hour of business time ran out at Friday's opening
    assert names(t, listed(desk, "sla:first_response:breached", as_of="2026-03-13T06:00:01Z")) == ["E"]


def test_an_operators_figure_lists_that_operators_rows(desk: Desk) -> None:  # noqa: F811
    t = week(desk)
    operators, _ = desk.report("operators")
    rows = {r["operator"]: r for r in operators["data"]}
    assert names(t, listed(desk, "next_response", operator="boris")) == ["C"]
    assert names(t, listed(desk, "csi:like", operator="anna")) == ["C"]
    assert listed(desk, "csi:like", operator="boris")["count"] == 0
    for name in ("anna", "boris"):
        body = listed(desk, "assigned", operator=name)
        assert body["count"] == rows[name]["tickets_assigned"] == 1
        assert names(t, body) == ["C"] and body["data"][0]["operator"] == name


def test_buckets_days_breakdowns_and_hours_list_their_tickets(desk: Desk) -> None:  # noqa: F811
    t = week(desk)
    assert names(t, listed(desk, "frt:1800-3600")) == ["A", "B", "C"]
    assert listed(desk, "frt:0-1800")["count"] == 0
    assert names(t, listed(desk, "frt:86400-inf", clock="calendar")) == ["A"]
    assert names(t, listed(desk, "daily:received:2026-03-11")) == ["C", "D"]
    assert names(t, listed(desk, "daily:resolved:2026-03-11")) == ["C", "D"]
    assert listed(desk, "breakdown:type:")["count"] == 5  # nobody set a type
    assert listed(desk, "breakdown:channel:vk")["count"] == 5
    assert listed(desk, "breakdown:tag:vip")["count"] == 0
    tuesday = listed(desk, "arrivals:2:10", tz="Europe/Moscow")  # B opened 10:00 MSK on Tuesday
    assert names(t, tuesday) == ["B"] and tuesday["data"][0]["value"] == 1
    assert tuesday["unit"] == "messages"
    body, _ = desk.report("hourly", tz="Europe/Moscow")
    cells = [(c["weekday"], c["hour"], c["messages"]) for c in body["data"] if c["messages"]]
    for weekday, hour, messages in cells:
        found = listed(desk, f"arrivals:{weekday}:{hour}", tz="Europe/Moscow")
        assert sum(row["value"] for row in found["data"]) == messages


def test_a_long_list_comes_in_pages_oldest_first(desk: Desk) -> None:  # noqa: F811
    t = week(desk)
    first = listed(desk, "received", limit="2")
    second = listed(desk, "received", limit="2", offset="2")
    last = listed(desk, "received", limit="2", offset="4")
    assert (first["count"], second["count"], last["count"]) == (5, 5, 5)
    assert names(t, first) + names(t, second) + names(t, last) == ["A", "B", "C", "D", "E"]


def test_distribution_buckets_add_up_to_the_summarys_first_responses(desk: Desk) -> None:  # noqa: F811
    week(desk)
    for clock, counts in (("business", [0, 0, 3, 0, 0, 0, 0]), ("calendar", [0, 0, 2, 0, 0, 0, 1])):
        body, _ = desk.report("distribution", clock=clock)
        DistributionReport.model_validate(body)
        summary, _ = desk.report("summary", clock=clock)
        assert [b["count"] for b in body["data"]] == counts
        assert body["samples"] == summary["first_response"]["count"] == 3
        for bucket in body["data"]:
            assert listed(desk, bucket["figure"], clock=clock)["count"] == bucket["count"]


@pytest.mark.parametrize(
    "figure",
    ["nonsense", "sla:first_response:late", "sla:speed:achieved", "frt:600-300", "frt:-1-5", "frt:0-",
     "csi:meh", "daily:received:2026-02-30", "daily:received:2026-W10-1", "daily:opened:2026-03-01",
     "arrivals:8:1", "arrivals:1:24", "breakdown:colour:red", "received:extra", "breakdown:type"],
)  # fmt: skip
def test_an_unknown_figure_is_refused_with_a_sentence(desk: Desk, figure: str) -> None:  # noqa: F811
    response = drill(desk, figure)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "unknown_figure"
    assert "sla:<metric>:<achieved|breached|pending>" in body["detail"] and figure[:20] in body["detail"]


def test_the_list_is_refused_as_every_report_is(desk: Desk) -> None:  # noqa: F811
    assert drill(desk, "received", who="anna").status_code == 403
    missing = desk.client.get(
        "/api/v1/reports/tickets", params=MONTH, headers={"Authorization": "Bearer t-sue"}
    )
    assert missing.status_code == 422 and missing.json()["error"] == "invalid_request"
    assert drill(desk, "received", limit="0").status_code == 422
    assert drill(desk, "received", **{"to": MONTH["from"], "from": MONTH["to"]}).status_code == 422
    assert drill(desk, "received", who="audrey").status_code == 200


def test_the_document_declares_both_routes(desk: Desk) -> None:  # noqa: F811
    paths = desk.client.get("/openapi.json").json()["paths"]
    for path, model in (("tickets", ReportTickets), ("distribution", DistributionReport)):
        schema = paths[f"/api/v1/reports/{path}"]["get"]["responses"]["200"]["content"]["application/json"]
        assert schema["schema"]["$ref"].endswith(f"/{model.__name__}")
    parameters = {p["name"] for p in paths["/api/v1/reports/tickets"]["get"]["parameters"]}
    assert {"figure", "limit", "offset", "from", "to", "operator", "clock"} <= parameters
