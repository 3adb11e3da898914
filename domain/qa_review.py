"""A QA review: one sampled ticket of a month scored against the checklist, and shown to the
operator it concerns.

A ticket is reviewed once per sample month: the review's id is derived from both, so two
reviewers racing on one ticket record one review, and the other is told it exists. Only a ticket
of the month's recorded sample can be reviewed, so the reviews are of the tickets the seed
chose and of no others.
"""

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import ConflictError, InvalidValueError
from domain.event_base import StampedEvent, event_stamp
from domain.qa_checklist import Checklist
from domain.qa_sample import QaSample
from domain.stamp import Stamp

NAMESPACE = uuid5(NAMESPACE_URL, "https://deskstream.dev/qa-review")
MAX_COMMENT = 4_000
WIDEST_OFFSET = timedelta(hours=14)
"""No time zone is further from UTC: a resolution's month, in any zone, is within this of UTC's."""


class QaReviewExistsError(ConflictError):
    code = "qa_review_exists"


class NotInSampleError(InvalidValueError):
    """Reviewing a ticket the seed did not choose would be cherry-picking."""

    code = "not_in_sample"


class InvalidScoresError(InvalidValueError):
    """A score for each criterion of the checklist, none else, each on its scale."""

    code = "invalid_scores"


class UnexplainedFailureError(InvalidValueError):
    """The operator reads the review: a failure says why."""

    code = "failure_unexplained"


class CommentTooLongError(InvalidValueError):
    code = "comment_too_long"


class ChecklistChangedError(ConflictError):
    """The form was scored against a checklist version that is no longer current."""

    code = "checklist_changed"


class QaReview(Aggregate):
    class Event(StampedEvent):
        """What every review event records (domain.event_base)."""

    class QaReviewRecorded(Event, Aggregate.Created):
        ticket_id: UUID
        operator: str
        month: str
        checklist_version: int
        scores: dict[str, int]
        max_score: int
        comment: str
        passed: bool
        reviewer: str

        def update(self, review: "QaReview") -> None:
            review.ticket_id, review.operator, review.month = self.ticket_id, self.operator, self.month
            review.checklist_version, review.max_score = self.checklist_version, self.max_score
            review.scores, review.comment, review.passed = dict(self.scores), self.comment, self.passed
            review.reviewer, review.reviewed_at = self.reviewer, self.occurred_at

    __annotations__ = {**QaReviewRecorded.__annotations__, "reviewed_at": datetime}
    """A review shows what its one event recorded, under the event's names and types, and when."""

    def __init__(self) -> None:
        self.scores = {}

    @staticmethod
    def create_id(month: str, ticket_id: UUID) -> UUID:
        return uuid5(NAMESPACE, f"{month}:{ticket_id}")

    @classmethod
    def record(
        cls,
        sample: QaSample,
        ticket_id: UUID,
        operator: str,
        checklist: Checklist,
        scores: Mapping[str, int],
        comment: str,
        passed: bool,
        stamp: Stamp,
    ) -> "QaReview":
        """`operator`: who resolved the ticket when the sample was drawn (its stratum)."""
        check_sampled(sample, ticket_id)
        ordered = checked_scores(checklist, scores)
        check_comment(comment, passed)
        return cls._create(
            cls.QaReviewRecorded,
            id=cls.create_id(sample.month, ticket_id),
            ticket_id=ticket_id,
            operator=operator,
            month=sample.month,
            checklist_version=checklist.version,
            scores=ordered,
            max_score=checklist.max_score,
            comment=comment.strip(),
            passed=passed,
            reviewer=stamp.actor,
            **event_stamp(stamp),
        )

    @property
    def score_pct(self) -> float:
        return score_pct(self.scores, self.max_score)


def check_sampled(sample: QaSample, ticket_id: UUID) -> None:
    if str(ticket_id) not in sample.ticket_ids:
        raise NotInSampleError(
            f"Ticket {ticket_id} is not in the QA sample of {sample.month} ({sample.size} tickets)."
        )


def checked_scores(checklist: Checklist, scores: Mapping[str, int]) -> dict[str, int]:
    """The scores in the checklist's order."""
    missing = [c for c in checklist.criteria if c not in scores]
    extra = sorted(set(scores) - set(checklist.criteria))
    if missing or extra:
        said = ([f"missing: {', '.join(missing)}"] if missing else []) + (
            [f"not on it: {', '.join(extra)}"] if extra else []
        )
        raise InvalidScoresError(
            f"Score each criterion of checklist version {checklist.version} once ({'; '.join(said)})."
        )
    for criterion in checklist.criteria:
        score = scores[criterion]
        if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= checklist.max_score:
            raise InvalidScoresError(f"{criterion} is scored from 0 to {checklist.max_score}; got {score!r}.")
    return {c: int(scores[c]) for c in checklist.criteria}


def check_comment(comment: str, passed: bool) -> None:
    if len(comment) > MAX_COMMENT:
        raise CommentTooLongError(f"A review's comment has at most {MAX_COMMENT} characters.")
    if not passed and not comment.strip():
        raise UnexplainedFailureError("A failed review says why in its comment: the operator reads it.")


def check_current(checklist: Checklist, version: int | None) -> None:
    if version is not None and version != checklist.version:
        raise ChecklistChangedError(
            f"The checklist is at version {checklist.version}, not {version}: "
            "reload the form and score again."
        )


def score_pct(scores: Mapping[str, int], max_score: int) -> float:
    """The share of the highest possible total, in per cent."""
    return 100.0 * sum(scores.values()) / (max_score * len(scores)) if scores and max_score else 0.0


def candidate_months(resolved_at: Iterable[datetime]) -> list[str]:
    """The months (YYYY-MM) a ticket resolved at these times may have been sampled in, in any
    team's time zone: a ticket page finds its reviews without knowing the zone they used."""
    months = {
        (at.astimezone(UTC) + shift).strftime("%Y-%m")
        for at in resolved_at
        for shift in (-WIDEST_OFFSET, WIDEST_OFFSET)
    }
    return sorted(months)
