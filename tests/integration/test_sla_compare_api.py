"""`GET /reports/sla-compare` on the hand-computed week of test_analytics_scenario, after the team
tightened the first-response target from 60 to 15 business minutes (std v2, from Thursday 18:00
Moscow time, 15:00 UTC; the report judges at that instant, the last one recorded).

Then (std v1, 60 min), first responses: A 50, B 40, C 30 minutes achieved; D spam, none; E opened
Thursday 17:00 and unanswered, 60 minutes used at 18:00, due Friday 09:00: pending. 3/0/1, 100 %.
Now (std v2, 15 min): A, B, C late; E went past 15 minutes at 17:15: breached. 0/4/0, 0 %.
Next response and resolution targets are the same in both versions: the same figures.
"""

from typing import Any

from api.compare_models import SlaCompareReport
from tests.integration.test_analytics_scenario import STD, Desk, desk, week  # noqa: F401 - the fixture

V2 = {**STD, "targets_minutes": {**STD["targets_minutes"], "first_response": 15},
      "effective_from": "2026-03-12T15:00:00Z"}  # fmt: skip
THEN_FIRST = {"achieved": 3, "breached": 0, "pending": 1, "achieved_pct": 100.0}
NOW_FIRST = {"achieved": 0, "breached": 4, "pending": 0, "achieved_pct": 0.0}


def compared(d: Desk, who: str = "sue", status: int = 200, **params: str) -> Any:
    d.runtime.runner.catch_up()
    response = d.client.get(
        "/api/v1/reports/sla-compare",
        params={"from": "2026-03-01T00:00:00Z", "to": "2026-04-01T00:00:00Z", **params},
        headers={"Authorization": f"Bearer t-{who}"},
    )
    assert response.status_code == status, response.text
    if status == 200:
        SlaCompareReport.model_validate(response.json())
    return response.json()


def tightened(d: Desk) -> dict[str, str]:
    t = week(d)
    d.at("2026-03-12T15:00").call("root", "PUT", "/sla-policies/std", V2)
    return t


def test_the_week_under_the_new_15_minute_target(desk: Desk) -> None:  # noqa: F811
    t = tightened(desk)
    body = compared(desk, policy="std", version="2")
    summary, _ = desk.report("summary")
    assert body["as_of"] == summary["as_of"] == "2026-03-12T15:00:00+00:00"
    assert body["then"] == summary["sla"]
    assert body["then"]["first_response"] == THEN_FIRST
    assert body["now"]["first_response"] == NOW_FIRST
    assert body["now"]["next_response"] == body["then"]["next_response"]
    assert body["now"]["resolution"] == body["then"]["resolution"]
    assert body["tickets"] == 5 and body["judged_under"]["targets_minutes"]["first_response"] == 15
    assert body["governed_by"] == [{"policy": "std", "version": 1, "tickets": 5}]
    assert body["judged_by"] == [{"policy": "std", "version": 2, "tickets": 5}]
    assert body["transitions"]["first_response"] == {"achieved>breached": 3, "pending>breached": 1}
    changed = {(c["ticket_id"], c["then"], c["now"]) for c in body["changed"]}
    assert changed == {(t[k], "achieved", "breached") for k in "ABC"} | {(t["E"], "pending", "breached")}
    assert body["changed_count"] == 4


def test_by_default_each_ticket_is_judged_by_its_policys_current_version(desk: Desk) -> None:  # noqa: F811
    tightened(desk)
    current, chosen = compared(desk), compared(desk, policy="std", version="2")
    assert current["judged_under"] is None
    assert {k: v for k, v in current.items() if k != "judged_under"} == {
        k: v for k, v in chosen.items() if k != "judged_under"
    }
    assert compared(desk, policy="std")["now"] == chosen["now"]


def test_judged_by_the_version_that_governed_them_nothing_changes(desk: Desk) -> None:  # noqa: F811
    tightened(desk)
    body = compared(desk, policy="std", version="1")
    assert body["now"] == body["then"] and body["changed"] == [] and body["changed_count"] == 0


def test_filters_are_the_reports_and_the_operator_keeps_their_own_outcomes(desk: Desk) -> None:  # noqa: F811
    tightened(desk)
    body = compared(desk, policy="std", version="2", operator="anna")
    summary, _ = desk.report("summary", operator="anna")
    assert body["then"] == summary["sla"]
    # anna answered A, B and C first: all three late at 15 minutes; E is unassigned
    assert body["now"]["first_response"] == {"achieved": 0, "breached": 3, "pending": 0, "achieved_pct": 0.0}
    spam = compared(desk, policy="std", version="2", channel="telegram")
    assert spam["tickets"] == 0 and spam["now"]["first_response"]["achieved_pct"] is None


def test_a_version_that_does_not_exist_is_a_404_and_a_bare_version_a_422(desk: Desk) -> None:  # noqa: F811
    tightened(desk)
    assert compared(desk, status=404, policy="std", version="9")["error"] == "sla_policy_not_found"
    assert compared(desk, status=404, policy="gold")["error"] == "sla_policy_not_found"
    assert compared(desk, status=422, version="2")["error"] == "version_without_policy"
    assert compared(desk, who="anna", status=403)["error"] == "forbidden"


def test_as_of_judges_then_as_the_report_does(desk: Desk) -> None:  # noqa: F811
    tightened(desk)
    body = compared(desk, policy="std", version="2", as_of="2026-03-12T14:10:00Z")
    summary, _ = desk.report("summary", as_of="2026-03-12T14:10:00Z")
    assert body["then"] == summary["sla"]
    # 14:10 UTC: E has used 10 of its 15 minutes
    assert body["now"]["first_response"] == {"achieved": 0, "breached": 3, "pending": 1, "achieved_pct": 0.0}
