"""The QA report's figures: per operator and month, how many reviews, how many failed, and the
average score, as pure functions of the reviews.

A review's score is its share of the highest possible total (domain.qa_review.score_pct), so
reviews scored against different checklist versions or scales still average together; each
criterion's average is of the raw scores given for it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.qa_review import score_pct


@dataclass(frozen=True, slots=True)
class ReviewFigures:
    operator: str
    scores: Mapping[str, int]
    max_score: int
    passed: bool


def operator_figures(reviews: Sequence[ReviewFigures]) -> list[dict[str, Any]]:
    """One row per operator reviewed, by name; reviews are summed in the order given."""
    by_operator: dict[str, list[ReviewFigures]] = {}
    for review in reviews:
        by_operator.setdefault(review.operator, []).append(review)
    return [figures(operator, rows) for operator, rows in sorted(by_operator.items())]


def figures(operator: str, reviews: Sequence[ReviewFigures]) -> dict[str, Any]:
    given: dict[str, list[int]] = {}
    for review in reviews:
        for criterion, score in review.scores.items():
            given.setdefault(criterion, []).append(score)
    failures = sum(not r.passed for r in reviews)
    return {
        "operator": operator,
        "reviews": len(reviews),
        "failures": failures,
        "passed": len(reviews) - failures,
        "average_score_pct": sum(score_pct(r.scores, r.max_score) for r in reviews) / len(reviews),
        "criteria": {c: sum(s) / len(s) for c, s in sorted(given.items())},
    }
