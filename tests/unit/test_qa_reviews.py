"""QA in the domain: which months may be drawn, the checklist's versions, what a review must hold,
the QA report's figures, and the population re-derived from ticket histories."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.calendar import to_us
from domain.errors import HiddenCharacterError
from domain.qa_checklist import DEFAULT, InvalidChecklistError, QaChecklist
from domain.qa_population import population, rederive, strata
from domain.qa_review import (
    CommentTooLongError,
    InvalidScoresError,
    NotInSampleError,
    QaReview,
    UnexplainedFailureError,
    candidate_months,
)
from domain.qa_sample import (
    MonthNotEndedError,
    QaSample,
    check_month_ended,
    last_ended_month,
    month_window,
    shift_month,
)
from domain.qa_scores import ReviewFigures, operator_figures
from domain.ticket import Ticket
from projections.analytics import fact_of
from projections.records import record_from_event
from tests.support import stamp

IDS = [uuid4() for _ in range(4)]
TICKETS = [str(i) for i in IDS]
SCORES = {"greeting": 2, "accuracy": 1, "tone": 2, "resolution": 1}


def drawn(size: int = 2) -> QaSample:
    population = [(TICKETS[0], "anna"), (TICKETS[1], "anna"), (TICKETS[2], "boris"), (TICKETS[3], "boris")]
    return QaSample.draw("2026-03", size, population, 40, stamp())


def test_a_month_may_be_drawn_only_once_it_has_ended_in_the_teams_time_zone() -> None:
    moscow_midnight = datetime(2026, 3, 31, 21, 0, tzinfo=UTC)  # 1 April 00:00 in Moscow
    with pytest.raises(MonthNotEndedError, match="not ended yet in Europe/Moscow"):
        check_month_ended("2026-03", "Europe/Moscow", moscow_midnight - timedelta(microseconds=1))
    check_month_ended("2026-03", "Europe/Moscow", moscow_midnight)
    with pytest.raises(MonthNotEndedError):
        check_month_ended("2026-03", "America/New_York", moscow_midnight)  # still 17:00 on 31 March there


def test_a_months_window_is_its_local_midnights_and_months_count_across_years() -> None:
    start, end = month_window("2026-03", "Europe/Moscow")
    assert (start, end) == (
        to_us(datetime(2026, 2, 28, 21, tzinfo=UTC)),
        to_us(datetime(2026, 3, 31, 21, tzinfo=UTC)),
    )
    assert shift_month("2026-01", -1) == "2025-12" and shift_month("2026-12", 1) == "2027-01"
    assert last_ended_month(datetime(2026, 3, 31, 21, 30, tzinfo=UTC), "Europe/Moscow") == "2026-03"
    assert last_ended_month(datetime(2026, 3, 31, 21, 30, tzinfo=UTC), "UTC") == "2026-02"


def test_until_a_checklist_is_defined_version_0_scores_four_criteria_from_0_to_2() -> None:
    assert (DEFAULT.version, DEFAULT.criteria, DEFAULT.max_score) == (
        0,
        ("greeting", "accuracy", "tone", "resolution"),
        2,
    )


def test_each_change_of_the_checklist_is_a_new_version_and_an_unchanged_one_records_nothing() -> None:
    checklist = QaChecklist.define([" greeting ", "accuracy"], 2, stamp(0, "sofia"))
    assert checklist.current.criteria == ("greeting", "accuracy")
    checklist.change(["greeting", "accuracy"], 2, stamp(1, "sofia"))
    assert checklist.version == 1
    checklist.change(["greeting", "accuracy", "empathy"], 5, stamp(2, "sofia"))
    current = checklist.current
    assert (current.version, current.max_score, current.changed_by) == (2, 5, "sofia")


@pytest.mark.parametrize(
    ("criteria", "max_score", "error"),
    [
        ([], 2, InvalidChecklistError),
        (["tone", "Tone "], 2, InvalidChecklistError),
        ([f"c{i}" for i in range(13)], 2, InvalidChecklistError),
        (["x" * 41], 2, InvalidChecklistError),
        (["tone"], 0, InvalidChecklistError),
        (["tone"], 11, InvalidChecklistError),
        (["to\u200bne"], 2, HiddenCharacterError),
    ],
)
def test_a_checklist_a_reviewer_could_not_use_is_refused(
    criteria: list[str], max_score: int, error: type
) -> None:
    with pytest.raises(error):
        QaChecklist.define(criteria, max_score, stamp())


def test_a_review_records_a_score_per_criterion_in_the_checklists_order() -> None:
    sample = drawn(size=4)
    scores = dict(reversed(list(SCORES.items())))
    review = QaReview.record(sample, IDS[0], "anna", DEFAULT, scores, "Well done", True, stamp(5, "quinn"))
    assert list(review.scores) == list(DEFAULT.criteria)
    assert (review.reviewer, review.month, review.checklist_version, review.max_score) == (
        "quinn",
        "2026-03",
        0,
        2,
    )
    assert review.score_pct == 75.0
    assert review.id == QaReview.create_id("2026-03", IDS[0])


def test_only_a_ticket_the_seed_chose_can_be_reviewed() -> None:
    sample = drawn(size=2)
    outside = next(t for t in TICKETS if t not in sample.ticket_ids)
    with pytest.raises(NotInSampleError, match="not in the QA sample of 2026-03"):
        QaReview.record(sample, IDS[TICKETS.index(outside)], "anna", DEFAULT, SCORES, "", True, stamp())


@pytest.mark.parametrize(
    "scores",
    [
        {"greeting": 2, "accuracy": 1, "tone": 2},
        {**SCORES, "speed": 1},
        {**SCORES, "tone": 3},
        {**SCORES, "tone": -1},
        {**SCORES, "tone": True},
    ],
)
def test_scores_off_the_checklist_or_off_its_scale_are_refused(scores: dict[str, int]) -> None:
    with pytest.raises(InvalidScoresError):
        QaReview.record(drawn(4), IDS[0], "anna", DEFAULT, scores, "", True, stamp())


def test_a_failed_review_says_why_and_a_comment_is_not_a_flood() -> None:
    with pytest.raises(UnexplainedFailureError):
        QaReview.record(drawn(4), IDS[0], "anna", DEFAULT, SCORES, "  ", False, stamp())
    with pytest.raises(CommentTooLongError):
        QaReview.record(drawn(4), IDS[0], "anna", DEFAULT, SCORES, "x" * 4001, True, stamp())


def test_a_ticket_page_looks_for_reviews_in_every_month_its_resolution_falls_in_for_some_zone() -> None:
    assert candidate_months([datetime(2026, 3, 31, 22, 0, tzinfo=UTC)]) == ["2026-03", "2026-04"]
    assert candidate_months([datetime(2026, 3, 15, 12, 0, tzinfo=UTC)]) == ["2026-03"]


reviews = st.lists(
    st.builds(
        ReviewFigures,
        operator=st.sampled_from(["anna", "boris", ""]),
        scores=st.fixed_dictionaries({c: st.integers(0, 2) for c in ("greeting", "tone")}),
        max_score=st.just(2),
        passed=st.booleans(),
    ),
    max_size=30,
)


@given(reviews)
def test_the_qa_report_counts_every_review_once_and_averages_within_its_reviews(given_reviews: list) -> None:
    rows = operator_figures(given_reviews)
    assert sum(r["reviews"] for r in rows) == len(given_reviews)
    assert sum(r["failures"] for r in rows) == sum(not r.passed for r in given_reviews)
    for row in rows:
        mine = [r for r in given_reviews if r.operator == row["operator"]]
        pcts = [100 * sum(r.scores.values()) / 4 for r in mine]
        assert min(pcts) - 1e-9 <= row["average_score_pct"] <= max(pcts) + 1e-9
        assert row["passed"] + row["failures"] == row["reviews"]
    assert [r["operator"] for r in rows] == sorted({r.operator for r in given_reviews})


def test_the_qa_report_of_two_reviews_by_hand() -> None:
    rows = operator_figures(
        [
            ReviewFigures("anna", {"greeting": 2, "tone": 1}, 2, True),  # 75 %
            ReviewFigures("anna", {"greeting": 0, "tone": 1}, 2, False),  # 25 %
        ]
    )
    assert rows == [
        {
            "operator": "anna",
            "reviews": 2,
            "failures": 1,
            "passed": 1,
            "average_score_pct": 50.0,
            "criteria": {"greeting": 1.0, "tone": 1.0},
        }
    ]


def test_the_population_is_the_tickets_whose_final_resolution_falls_in_the_month_with_its_resolver() -> None:
    march, april = (to_us(datetime(2026, m, 1, tzinfo=UTC)) for m in (3, 4))
    kept = Ticket.open(uuid4(), "vk", uuid4(), "Card", "Help", None, stamp(0))
    kept.assign("anna", None, stamp(1))
    kept.resolve("solved", stamp(2))
    moved = Ticket.open(uuid4(), "vk", uuid4(), "Card", "Help", None, stamp(0))
    moved.assign("anna", None, stamp(1))
    moved.resolve("solved", stamp(2))
    moved.reopen(stamp(3))
    moved.assign("boris", None, stamp(4))
    moved.resolve("solved", stamp(60 * 24 * 40, "boris"))  # in April now
    histories = {str(t.id): facts(t) for t in (kept, moved)}
    assert population(histories, march, april) == [(str(kept.id), "anna")]
    assert population(histories, april, to_us(datetime(2026, 5, 1, tzinfo=UTC))) == [(str(moved.id), "boris")]


@given(
    st.lists(
        st.tuples(st.uuids().map(str), st.sampled_from(["anna", "boris", "oleg", ""])),
        unique_by=lambda p: p[0],
    ),
    st.integers(1, 20),
)
def test_a_sample_drawn_again_from_its_population_is_the_recorded_one(found: list, size: int) -> None:
    sample = QaSample.draw("2026-03", size, found, 7, stamp())
    assert rederive("2026-03", size, sorted(found)).equals(sample)
    if found:
        assert not rederive("2026-03", size, sorted(found)[1:]).equals(sample)
    rows = strata(sorted(found), sample.ticket_ids)
    assert sum(r[1] for r in rows) == len(found) and sum(r[2] for r in rows) == len(sample.ticket_ids)


def facts(ticket: Ticket) -> list:
    return [fact_of(record_from_event(n, event)) for n, event in enumerate(ticket.collect_events(), 1)]
