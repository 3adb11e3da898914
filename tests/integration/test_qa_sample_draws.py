"""The QA sample's defects, found by trying it as a new user would (issue 15, item 8), one test
each: a draw read the analytics view while it was behind the log and recorded what it saw, it
drew months still running, ignored `min_position`, and took report filters it then ignored. And
every parameter README promises for a report is taken or refused, never silently dropped."""

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.qa_desk import Desk, ask, draw, qa_desk, week

ROOT = Path(__file__).resolve().parents[2]
APRIL = "2026-04-01T00:00"
VALUES = {
    "from": "2026-03-01T00:00:00Z",
    "to": "2026-04-01T00:00:00Z",
    "operator": "anna",
    "channel": "vk",
    "type": "question",
    "tag": "vip",
    "as_of": "2026-03-12T14:00:00Z",
    "clock": "calendar",
    "tz": "Europe/Moscow",
    "min_position": "0",
}
REPORTS = {
    "summary": {},
    "operators": {},
    "daily": {},
    "breakdown": {"by": "type"},
    "hourly": {},
    "export.xlsx": {},
}


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    with qa_desk(tmp_path / "data") as d:
        yield d


def test_a_draw_while_the_analytics_view_is_behind_the_log_records_nothing_and_says_so(
    tmp_path: Path,
) -> None:
    with qa_desk(tmp_path / "data", min_position_timeout=0.2) as desk:
        week(desk)  # nothing projected yet: the view is empty
        desk.at(APRIL)
        behind = draw(desk)
        assert behind.status_code == 503, behind.text
        assert behind.json()["error"] == "views_behind" and "Nothing was recorded" in behind.json()["detail"]
        assert desk.runtime.helpdesk.qa_sample("2026-03", 2) is None
        desk.runtime.runner.catch_up()
        drawn = draw(desk)
        assert drawn.status_code == 200 and drawn.json()["population"] == 3


def test_a_draw_waits_for_the_analytics_view_to_reach_the_log_head(desk: Desk) -> None:
    week(desk)
    desk.at(APRIL)
    projector = threading.Timer(0.4, desk.runtime.runner.catch_up)
    projector.start()
    try:
        answer = draw(desk)
    finally:
        projector.join()
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["population"] == 3 and len(body["tickets"]) == 2  # B and C solved, D spam, in March
    assert body["position"] >= desk.runtime.helpdesk.recorder.max_notification_id() - 1


def test_a_month_that_has_not_ended_in_the_teams_time_zone_is_refused_with_409(desk: Desk) -> None:
    week(desk)
    desk.runtime.runner.catch_up()
    desk.at("2026-03-31T21:30")  # 1 April 00:30 in Moscow; 17:30 on 31 March in New York and UTC 21:30
    for tz in ("America/New_York", None):
        early = draw(desk, **({"tz": tz} if tz else {}))
        assert early.status_code == 409, early.text
        assert set(early.json()) == {"error", "detail"} and early.json()["error"] == "month_not_ended"
        assert f"has not ended yet in {tz or 'UTC'}" in early.json()["detail"]  # UTC: the team's default
    assert desk.runtime.helpdesk.qa_sample("2026-03", 2) is None
    assert draw(desk, month="2026-04", tz="Europe/Moscow").status_code == 409
    ended = draw(desk, tz="Europe/Moscow")
    assert ended.status_code == 200 and ended.json()["population"] == 3


def test_the_qa_sample_honours_min_position_as_every_report_does(desk: Desk) -> None:
    week(desk)
    desk.at(APRIL)
    ahead = draw(desk, min_position=10**9)
    assert ahead.status_code == 422 and ahead.json()["error"] == "position_ahead_of_log"
    desk.runtime.runner.catch_up()
    assert draw(desk, min_position=desk.runtime.helpdesk.recorder.max_notification_id()).status_code == 200


def test_a_report_filter_passed_to_the_qa_sample_is_refused_not_ignored(desk: Desk) -> None:
    week(desk)
    desk.runtime.runner.catch_up()
    desk.at(APRIL)
    for name in ("from", "to", "operator", "channel", "type", "tag", "as_of", "clock"):
        refused = draw(desk, **{name: VALUES[name]})
        assert refused.status_code == 422, (name, refused.text)
        assert refused.json()["error"] == "unknown_parameter" and repr(name) in refused.json()["detail"]
    assert desk.runtime.helpdesk.qa_sample("2026-03", 2) is None


def promised_parameters() -> set[str]:
    """What README's reports paragraph and docs/analytics.md say every report takes."""
    readme = re.search(r"Reports \(.*?\) take\s(.*?);", (ROOT / "README.md").read_text(), re.S)
    docs = re.search(r"Common report parameters: (.*?);", (ROOT / "docs/analytics.md").read_text(), re.S)
    assert readme and docs
    return set(re.findall(r"`(\w+)", readme.group(1) + docs.group(1)))


def test_every_parameter_readme_promises_is_taken_by_each_report_or_refused_never_ignored(desk: Desk) -> None:
    promised = promised_parameters()
    assert {
        "from",
        "to",
        "operator",
        "channel",
        "type",
        "tag",
        "as_of",
        "clock",
        "tz",
        "min_position",
    } <= promised
    week(desk)
    desk.runtime.runner.catch_up()
    for report, own in REPORTS.items():
        answer = ask(desk, "sue", "GET", f"/reports/{report}", **own, **{p: VALUES[p] for p in promised})
        assert answer.status_code == 200, (report, answer.text)
        typo = ask(desk, "sue", "GET", f"/reports/{report}", **own, **VALUES, operatr="anna")
        assert typo.status_code == 422 and typo.json()["error"] == "unknown_parameter", report
    desk.at(APRIL)
    taken = {p for p in promised if draw(desk, **{p: VALUES[p]}).status_code == 200}
    assert taken == {"tz", "min_position"}
    for p in promised - taken:
        assert draw(desk, **{p: VALUES[p]}).json()["error"] == "unknown_parameter", p


def test_a_draw_is_recorded_once_and_later_events_do_not_move_it(desk: Desk) -> None:
    t = week(desk)
    desk.runtime.runner.catch_up()
    desk.at(APRIL)
    first = draw(desk)
    assert first.status_code == 200
    desk.at("2026-04-02T10:00").act("bot", t["C"], "messages", {"text": "again"})  # reopens C
    desk.runtime.runner.catch_up()
    again = draw(desk, who="audrey")
    assert again.content == first.content
