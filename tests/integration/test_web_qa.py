"""The QA pages over HTTP: who sees them, drawing a month from the page, the read-only ticket
with its review form (errors beside their fields), the operator's view of a review, the report.
The browser story (tests/browser/test_qa_story.py) shows the same pages in use."""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from api.web.sessions import COOKIE
from tests.integration.qa_desk import Desk, qa_desk, week

MONTH = "2026-03"


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    with qa_desk(tmp_path / "data", run_projections=True) as d:
        d.tickets = week(d)  # type: ignore[attr-defined]
        d.at("2026-04-01T08:00")
        yield d


def cookie(desk: Desk, name: str) -> dict[str, str]:
    assert desk.runtime.sessions is not None
    return {"Cookie": f"{COOKIE}={desk.runtime.sessions.start(desk.runtime.helpdesk.user(name))}"}


def page(desk: Desk, name: str, path: str) -> Any:
    return desk.client.get(path, headers=cookie(desk, name), follow_redirects=False)


def post(desk: Desk, name: str, path: str, **form: str) -> Any:
    headers = cookie(desk, name)
    assert desk.runtime.sessions is not None
    session = desk.runtime.sessions.read(headers["Cookie"].split("=", 1)[1])
    assert session is not None
    return desk.client.post(
        path, data={"csrf": session.csrf, **form}, headers=headers, follow_redirects=False
    )


def drawn(desk: Desk) -> list[str]:
    answer = post(desk, "quinn", "/qa/sample", month=MONTH, size="2", tz="UTC")
    assert answer.status_code == 303, answer.text
    sample = desk.runtime.helpdesk.qa_sample(MONTH, 2)
    assert sample is not None
    return list(sample.ticket_ids)


def scored(**extra: str) -> dict[str, str]:
    return {
        "size": "2",
        "checklist_version": "0",
        **{f"score-{i}": "2" for i in range(4)},
        "passed": "pass",
        **extra,
    }


def test_a_qa_reviewer_lands_on_the_qa_page_and_sees_nothing_else_of_the_desk(desk: Desk) -> None:
    assert page(desk, "quinn", "/").headers["location"] == "/qa"
    qa = page(desk, "quinn", "/qa")
    assert qa.status_code == 200
    nav = re.search(r'<nav class="mainnav">(.*?)</nav>', qa.text, re.S)
    assert nav and re.findall(r'href="([^"]+)"', nav.group(1)) == ["/qa"]
    for path in ("/inbox", "/mentions", "/search", f"/tickets/{desk.tickets['A']}"):  # type: ignore[attr-defined]
        assert page(desk, "quinn", path).status_code == 403, path
    assert page(desk, "quinn", "/me").status_code == 200
    assert page(desk, "anna", "/qa").status_code == 403
    assert 'href="/qa"' not in page(desk, "anna", "/inbox").text
    assert 'href="/qa"' in page(desk, "sue", "/inbox").text


def test_the_page_draws_an_ended_month_and_shows_its_seed_and_the_population_it_came_from(desk: Desk) -> None:
    before = page(desk, "quinn", f"/qa?month={MONTH}&size=2&tz=UTC").text
    assert 'action="/qa/sample"' in before
    tickets = drawn(desk)
    shown = page(desk, "quinn", f"/qa?month={MONTH}&size=2&tz=UTC").text
    sample = desk.runtime.helpdesk.qa_sample(MONTH, 2)
    assert sample is not None and sample.seed in shown
    assert all(f'data-ticket="{t}"' in shown for t in tickets)
    assert "0 of 2 reviewed" in shown
    assert 'id="qa-proof-verdict"' in shown and "exactly the recorded ones" in shown
    assert re.search(r"<td>boris</td><td class=\"num\">1</td><td class=\"num\">1</td>", shown)
    assert "deskstream qa sample --month 2026-03 --size 2 --tz UTC" in shown


def test_a_month_still_running_offers_no_draw_and_a_posted_draw_is_refused(desk: Desk) -> None:
    running = page(desk, "quinn", "/qa?month=2026-04&tz=UTC")
    assert 'action="/qa/sample"' not in running.text and "has not ended yet in UTC" in running.text
    refused = post(desk, "quinn", "/qa/sample", month="2026-04", size="2", tz="UTC")
    assert refused.status_code == 409 and "has not ended yet in UTC" in refused.text
    assert desk.runtime.helpdesk.qa_sample("2026-04", 2) is None


def test_a_sampled_ticket_opens_read_only_with_its_notes_and_a_review_form(desk: Desk) -> None:
    tickets = drawn(desk)
    c = desk.tickets["C"]  # type: ignore[attr-defined]
    desk.at("2026-03-11T12:00").act("anna", c, "reopen")  # a note, and resolved again in March
    desk.act("anna", c, "notes", {"text": "Internal: tariff mix-up"})
    desk.act("anna", c, "resolve", {"resolution": "solved"})
    desk.at("2026-04-01T08:00")
    shown = page(desk, "quinn", f"/qa/reviews/{MONTH}/{c}?size=2")
    assert shown.status_code == 200
    assert "Internal: tariff mix-up" in shown.text and "Fixed" in shown.text
    for form in ('id="reply-form"', 'class="action resolve-form"', "/assign"):
        assert form not in shown.text
    assert 'action="/qa/reviews/2026-03/' in shown.text and "Concerns boris" in shown.text
    assert all(f'name="score-{i}"' in shown.text for i in range(4))
    outside = desk.tickets["A"]  # type: ignore[attr-defined]
    assert page(desk, "quinn", f"/qa/reviews/{MONTH}/{outside}?size=2").status_code == 422
    assert c in tickets


def test_a_refused_review_comes_back_as_typed_with_the_error_beside_its_field(desk: Desk) -> None:
    drawn(desk)
    c = desk.tickets["C"]  # type: ignore[attr-defined]
    path = f"/qa/reviews/{MONTH}/{c}"
    unscored = post(desk, "quinn", path, size="2", checklist_version="0", comment="Kept as typed")
    assert unscored.status_code == 422
    assert unscored.text.count("Choose a score.") == 4 and "Choose pass or fail." in unscored.text
    assert ">Kept as typed</textarea>" in unscored.text
    unexplained = post(desk, "quinn", path, **scored(passed="fail"))
    assert unexplained.status_code == 422 and 'id="qa-comment-error"' in unexplained.text
    assert desk.runtime.helpdesk.qa_review(MONTH, UUID(c)) is None


def test_a_recorded_review_leads_to_the_next_ticket_and_the_operator_sees_it_on_the_ticket_page(
    desk: Desk,
) -> None:
    tickets = drawn(desk)
    c = desk.tickets["C"]  # type: ignore[attr-defined]
    done = post(desk, "quinn", f"/qa/reviews/{MONTH}/{c}", **scored(comment="Clear and kind"))
    assert done.status_code == 303
    other = next(t for t in tickets if t != c)
    assert done.headers["location"] == f"/qa/reviews/{MONTH}/{other}?size=2"
    last = post(
        desk, "quinn", f"/qa/reviews/{MONTH}/{other}", **scored(passed="fail", comment="Spam? Say why.")
    )
    assert last.headers["location"] == f"/qa?month={MONTH}&size=2"
    assert "All reviewed" in page(desk, "quinn", f"/qa?month={MONTH}&size=2&tz=UTC").text
    boris = page(desk, "boris", f"/tickets/{c}").text
    assert 'id="qa-reviews"' in boris and "Clear and kind" in boris and 'href="/qa/mine"' in boris
    assert 'id="qa-reviews"' not in page(desk, "anna", f"/tickets/{c}").text
    assert 'id="qa-reviews"' in page(desk, "sue", f"/tickets/{c}").text
    mine = page(desk, "boris", "/qa/mine").text
    assert "Clear and kind" in mine and "Spam? Say why." not in mine
    report = page(desk, "sue", f"/qa/report?month={MONTH}&tz=UTC").text
    assert re.search(
        r'data-operator="boris">\s*<td>boris</td>\s*<td class="num">1</td>\s*<td class="num">100.0 %</td>',
        report,
    )
