"""QA reviews through the API: the `qa` role writes reviews and nothing else, a review scores a
ticket of the recorded sample against the current checklist, the operator it concerns reads it
(and only they, among operators), and the QA report adds them up per operator and month."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from tests.integration.qa_desk import Desk, ask, draw, qa_desk, week

GOOD = {"greeting": 2, "accuracy": 2, "tone": 1, "resolution": 2}


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    with qa_desk(tmp_path / "data") as d:
        yield d


@pytest.fixture
def drawn(desk: Desk) -> dict[str, Any]:
    """The week, projected, and March's sample of two drawn on 1 April."""
    tickets = week(desk)
    desk.runtime.runner.catch_up()
    desk.at("2026-04-01T08:00")
    sample = draw(desk).json()
    return {"tickets": tickets, "sample": sample["tickets"]}


def review(desk: Desk, ticket: str, who: str = "quinn", **body: Any) -> Any:
    payload = {"month": "2026-03", "size": 2, "ticket_id": ticket, "scores": GOOD, "passed": True, **body}
    return ask(desk, who, "POST", "/qa/reviews", payload)


def operator_of(desk: Desk, ticket: str) -> str:
    return str(ask(desk, "root", "GET", f"/tickets/{ticket}").json()["assignee"] or "")


def test_a_reviewer_scores_a_sampled_ticket_and_the_operator_it_concerns_reads_it(
    desk: Desk, drawn: dict[str, Any]
) -> None:
    ticket = drawn["tickets"]["C"]  # boris resolved it: his one resolution of March is always drawn
    assert ticket in drawn["sample"]
    recorded = review(desk, ticket, comment="Warm greeting; the fix could be explained")
    assert recorded.status_code == 201, recorded.text
    shown = ask(desk, "quinn", "GET", f"/qa/reviews/2026-03/{ticket}").json()
    operator = shown["operator"]
    assert operator == "boris" == operator_of(desk, ticket)  # not anna, who resolved it first
    assert (shown["score_pct"], shown["passed"], shown["reviewer"], shown["checklist_version"]) == (
        87.5,
        True,
        "quinn",
        0,
    )
    assert ask(desk, operator, "GET", f"/qa/reviews/2026-03/{ticket}").status_code == 200
    other = "anna"
    assert ask(desk, other, "GET", f"/qa/reviews/2026-03/{ticket}").status_code == 404
    desk.runtime.runner.catch_up()
    mine = ask(desk, operator, "GET", "/qa/reviews").json()
    assert [r["ticket_id"] for r in mine["data"]] == [ticket]
    assert ask(desk, other, "GET", "/qa/reviews").json()["count"] == 0
    assert ask(desk, other, "GET", "/qa/reviews", operator=operator).status_code == 403


def test_a_ticket_the_seed_did_not_choose_cannot_be_reviewed(desk: Desk, drawn: dict[str, Any]) -> None:
    outside = next(t for t in drawn["tickets"].values() if t not in drawn["sample"])
    refused = review(desk, outside)
    assert refused.status_code == 422 and refused.json()["error"] == "not_in_sample"
    assert review(desk, str(uuid4())).json()["error"] == "not_in_sample"
    unsampled = ask(
        desk,
        "quinn",
        "POST",
        "/qa/reviews",
        {"month": "2026-02", "ticket_id": outside, "scores": GOOD, "passed": True},
    )
    assert unsampled.status_code == 404 and unsampled.json()["error"] == "qa_sample_not_found"


def test_a_ticket_is_reviewed_once_per_month(desk: Desk, drawn: dict[str, Any]) -> None:
    assert review(desk, drawn["sample"][0]).status_code == 201
    again = review(desk, drawn["sample"][0], who="sue", passed=False, comment="No")
    assert again.status_code == 409 and again.json()["error"] == "qa_review_exists"


def test_a_retried_review_gets_its_first_answer_and_a_reused_key_for_another_review_is_refused(
    desk: Desk, drawn: dict[str, Any]
) -> None:
    payload = {"month": "2026-03", "size": 2, "ticket_id": drawn["sample"][0], "scores": GOOD, "passed": True}
    headers = {"Authorization": "Bearer t-quinn", "Idempotency-Key": "review-1"}
    first = desk.client.post("/api/v1/qa/reviews", json=payload, headers=headers)
    head = desk.runtime.helpdesk.recorder.max_notification_id()
    again = desk.client.post("/api/v1/qa/reviews", json=payload, headers=headers)
    assert first.status_code == 201 and (again.status_code, again.json()) == (201, first.json())
    assert desk.runtime.helpdesk.recorder.max_notification_id() == head
    other = {**payload, "ticket_id": drawn["sample"][1]}
    reused = desk.client.post("/api/v1/qa/reviews", json=other, headers=headers)
    assert reused.status_code == 422 and reused.json()["error"] == "idempotency_key_reused"


def test_a_review_must_score_the_checklist_and_a_failure_must_say_why(
    desk: Desk, drawn: dict[str, Any]
) -> None:
    ticket = drawn["sample"][0]
    assert review(desk, ticket, scores={"greeting": 2}).json()["error"] == "invalid_scores"
    assert review(desk, ticket, scores={**GOOD, "tone": 5}).json()["error"] == "invalid_scores"
    unexplained = review(desk, ticket, passed=False)
    assert unexplained.status_code == 422 and unexplained.json()["error"] == "failure_unexplained"
    assert review(desk, ticket, passed=False, comment="Wrong tariff quoted").status_code == 201


def test_the_checklist_is_versioned_and_only_supervisors_and_admins_change_it(
    desk: Desk, drawn: dict[str, Any]
) -> None:
    assert ask(desk, "anna", "GET", "/qa/checklist").json()["version"] == 0
    change = {"criteria": ["greeting", "accuracy", "empathy"], "max_score": 5}
    assert ask(desk, "quinn", "PUT", "/qa/checklist", change).status_code == 403
    assert ask(desk, "sue", "PUT", "/qa/checklist", change).status_code == 200
    current = ask(desk, "quinn", "GET", "/qa/checklist").json()
    assert (current["version"], current["criteria"], current["max_score"], current["changed_by"]) == (
        1, change["criteria"], 5, "sue"
    )  # fmt: skip
    stale = review(desk, drawn["sample"][0], checklist_version=0)
    assert stale.status_code == 409 and stale.json()["error"] == "checklist_changed"
    scores = {"greeting": 5, "accuracy": 4, "empathy": 3}
    assert review(desk, drawn["sample"][0], scores=scores, checklist_version=1).status_code == 201
    conflict = desk.client.put(
        "/api/v1/qa/checklist",
        json=change | {"max_score": 3},
        headers={"Authorization": "Bearer t-root", "If-Match": "0"},
    )
    assert conflict.status_code == 409
    assert (
        ask(desk, "root", "PUT", "/qa/checklist", {"criteria": ["tone", "Tone"], "max_score": 2}).status_code
        == 422
    )


def test_the_qa_report_gives_each_operators_reviews_average_score_and_failures(
    desk: Desk, drawn: dict[str, Any]
) -> None:
    first, second = drawn["sample"]
    assert review(desk, first).status_code == 201  # 7 of 8: 87.5 %
    bad = {"greeting": 1, "accuracy": 0, "tone": 1, "resolution": 0}  # 2 of 8: 25 %
    assert review(desk, second, scores=bad, passed=False, comment="Wrong answer").status_code == 201
    desk.runtime.runner.catch_up()
    report = ask(desk, "sue", "GET", "/qa/report", month="2026-03").json()
    rows = {row["operator"]: row for row in report["data"]}
    expected: dict[str, list[tuple[float, bool]]] = {}
    for ticket, pct, passed in ((first, 87.5, True), (second, 25.0, False)):
        expected.setdefault(operator_of(desk, ticket), []).append((pct, passed))
    assert set(rows) == set(expected)
    for operator, got in expected.items():
        row = rows[operator]
        assert row["reviews"] == len(got) and row["failures"] == sum(not p for _, p in got)
        assert row["average_score_pct"] == sum(pct for pct, _ in got) / len(got)
    assert ask(desk, "anna", "GET", "/qa/report", month="2026-03").status_code == 403
    assert ask(desk, "sue", "GET", "/qa/report", month="2026-03", operator="anna").status_code == 422


def test_a_qa_token_gets_403_on_every_write_but_a_review(desk: Desk, drawn: dict[str, Any]) -> None:
    assert review(desk, drawn["sample"][0]).status_code == 201  # before the admin changes the checklist
    t = drawn["tickets"]
    customer = ask(desk, "root", "GET", f"/tickets/{t['A']}").json()["customer"]["id"]
    other = ask(desk, "root", "GET", f"/tickets/{t['B']}").json()["customer"]["id"]
    snippet = {"shortcut": "hi", "title": "Hi", "body": "Hello"}
    writes = [
        ("POST", "/tickets", "/tickets", {"channel": "vk", "customer": {"handle": "q"}, "text": "Hi"}),
        ("POST", "/tickets/{ticket_id}/messages", f"/tickets/{t['E']}/messages", {"text": "Hi"}),
        ("POST", "/tickets/{ticket_id}/replies", f"/tickets/{t['E']}/replies", {"text": "Hi"}),
        ("POST", "/tickets/{ticket_id}/notes", f"/tickets/{t['E']}/notes", {"text": "Hi"}),
        ("POST", "/tickets/{ticket_id}/assign", f"/tickets/{t['E']}/assign", {"assignee": "anna"}),
        ("POST", "/tickets/{ticket_id}/tags", f"/tickets/{t['E']}/tags", {"add": ["x"]}),
        ("POST", "/tickets/{ticket_id}/type", f"/tickets/{t['E']}/type", {"type": "question"}),
        ("POST", "/tickets/{ticket_id}/priority", f"/tickets/{t['E']}/priority", {"priority": "high"}),
        ("POST", "/tickets/{ticket_id}/pause", f"/tickets/{t['E']}/pause", {"reason": "waiting_customer"}),
        ("POST", "/tickets/{ticket_id}/resume", f"/tickets/{t['E']}/resume", {}),
        ("POST", "/tickets/{ticket_id}/resolve", f"/tickets/{t['E']}/resolve", {"resolution": "solved"}),
        ("POST", "/tickets/{ticket_id}/reopen", f"/tickets/{t['E']}/reopen", {}),
        ("POST", "/tickets/{ticket_id}/rating", f"/tickets/{t['E']}/rating", {"score": "like"}),
        ("POST", "/tickets/{ticket_id}/merge", f"/tickets/{t['A']}/merge", {"into": t["E"]}),
        ("POST", "/customers/{customer_id}/notes", f"/customers/{customer}/notes", {"text": "VIP"}),
        (
            "POST",
            "/customers/{customer_id}/identities",
            f"/customers/{customer}/identities",
            {"channel": "vk", "handle": "z"},
        ),
        ("POST", "/customers/{customer_id}/merge", f"/customers/{other}/merge", {"into": customer}),
        ("POST", "/kb/articles", "/kb/articles", {"title": "Cards", "body": "How to"}),
        ("PUT", "/kb/articles/{article_id}", f"/kb/articles/{uuid4()}", {"title": "Cards", "body": "How to"}),
        ("POST", "/snippets", "/snippets", snippet),
        ("PUT", "/snippets/{ref}", "/snippets/hi", {"title": "Hi", "body": "Hello again"}),
        ("POST", "/snippets/{ref}/archive", "/snippets/hi/archive", {}),
        ("PUT", "/sla-policies/{name}", "/sla-policies/gold", {"targets_minutes": {"first_response": 30}}),
        (
            "POST",
            "/channels",
            "/channels",
            {"name": "press-2", "kind": "mentions", "settings": {"secret": "s3cret"}},
        ),
        ("POST", "/mentions/{mention_id}/triage", f"/mentions/{uuid4()}/triage", {"decision": "ignore"}),
        ("POST", "/mentions/{mention_id}/answered", f"/mentions/{uuid4()}/answered", {}),
        ("POST", "/ingest/dead-letters/{letter_id}/retry", "/ingest/dead-letters/x/retry", None),
        ("PUT", "/qa/checklist", "/qa/checklist", {"criteria": ["tone"], "max_score": 2}),
    ]
    for method, _, path, body in writes:
        refused = ask(desk, "quinn", method, path, body)
        assert refused.status_code == 403, (method, path, refused.text)
        admitted = ask(desk, "root", method, path, body)
        assert admitted.status_code not in (403, 422), (method, path, admitted.text)  # the body was fine
    spec = desk.client.get("/openapi.json").json()["paths"]
    every = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in spec.items()
        for method in operations
        if method in ("post", "put", "patch", "delete") and not is_webhook(path)
    }
    assert every == {(m, template) for m, template, _, _ in writes} | {("POST", "/qa/reviews")}


def is_webhook(path: str) -> bool:
    """Providers' webhooks authenticate with the provider's own signature, not with a role."""
    return path.startswith("/api/v1/ingest/") and "/dead-letters/" not in path


def test_a_qa_reviewer_reads_the_sampled_tickets_and_their_notes_but_not_the_desk(
    desk: Desk, drawn: dict[str, Any]
) -> None:
    ticket = drawn["tickets"]["E"]  # still open, so it can take a note
    desk.act("anna", ticket, "notes", {"text": "Customer is on the old tariff"})
    events = ask(desk, "quinn", "GET", f"/tickets/{ticket}/events")
    assert events.status_code == 200 and "NoteAdded" in {e["type"] for e in events.json()["data"]}
    assert "Customer is on the old tariff" in ask(desk, "quinn", "GET", f"/tickets/{ticket}").text
    for path in (
        "/tickets",
        "/customers?q=a",
        "/search?q=card",
        "/kb/articles",
        "/mentions",
        "/reports/summary",
    ):
        assert ask(desk, "quinn", "GET", path).status_code == 403, path
