"""QA use cases: the month's sample, the checklist reviews are scored against, and the reviews.

The sample's population comes from the caller (the analytics view, read once it has reached the
log's head): the application reads no view. Everything else is the aggregates' own.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.command import CommandResult, Context
from application.desk import Desk
from application.once import answered_once
from application.saving import retrying
from domain.errors import NotFoundError
from domain.qa_checklist import DEFAULT, Checklist, QaChecklist
from domain.qa_review import QaReview, QaReviewExistsError, candidate_months, check_current
from domain.qa_sample import QaSample, check_month_ended


class QaSampleNotFoundError(NotFoundError):
    code = "qa_sample_not_found"


def qa_sample(desk: Desk, month: str, size: int) -> QaSample | None:
    found = desk.find(QaSample.create_id(month, size))
    return found if isinstance(found, QaSample) else None


def recorded_sample(desk: Desk, month: str, size: int) -> QaSample:
    found = qa_sample(desk, month, size)
    if found is None:
        raise QaSampleNotFoundError(f"No QA sample of {month} with {size} tickets has been drawn yet.")
    return found


def check_qa_month(desk: Desk, month: str, tz: str) -> None:
    """Refuses (409) a month that has not ended in `tz`, before any view is read for it."""
    check_month_ended(month, tz, desk.clock())


def draw_qa_sample(
    desk: Desk,
    month: str,
    size: int,
    tz: str,
    population: list[tuple[str, str]],
    position: int,
    ctx: Context,
) -> QaSample:
    """The first draw of an ended month is recorded; a concurrent or later draw returns it."""
    existing = qa_sample(desk, month, size)
    if existing is not None:
        return existing
    stamp = desk.stamp(None, ctx)
    check_month_ended(month, tz, stamp.occurred_at)
    sample = QaSample.draw(month, size, population, position, stamp)
    try:
        desk.save(sample)
    except IntegrityError:
        return qa_sample(desk, month, size) or sample
    return sample


def qa_checklist(desk: Desk) -> Checklist:
    """The current version; version 0, the built-in one, until one is defined."""
    found = desk.find(QaChecklist.create_id())
    return found.current if isinstance(found, QaChecklist) else DEFAULT


@answered_once
def define_qa_checklist(
    desk: Desk, criteria: list[str], max_score: int, ctx: Context, expected: int | None
) -> CommandResult:
    """A new checklist version; with If-Match, only if the checklist is still at `expected`."""
    checklist_id = QaChecklist.create_id()

    def attempt() -> CommandResult:
        checklist = desk.find(checklist_id)
        stamp = desk.stamp(None, ctx)
        if checklist is None:
            check_current(DEFAULT, expected)
            return desk.commit(ctx, QaChecklist.define(criteria, max_score, stamp))
        check_current(checklist.current, expected)
        checklist.change(criteria, max_score, stamp)
        return desk.commit(ctx, checklist)

    busy, changed = "The checklist is busy; please retry.", "The checklist changed meanwhile; reload it."
    return retrying(desk, (checklist_id,), attempt, busy, expected, changed)


def qa_review(desk: Desk, month: str, ticket_id: UUID) -> QaReview | None:
    found = desk.find(QaReview.create_id(month, ticket_id))
    return found if isinstance(found, QaReview) else None


@answered_once
def record_qa_review(
    desk: Desk,
    month: str,
    size: int,
    ticket_id: UUID,
    scores: Mapping[str, int],
    comment: str,
    passed: bool,
    checklist_version: int | None,
    ctx: Context,
) -> CommandResult:
    """Scores one ticket of the month's recorded sample; `checklist_version` is the version the
    form showed (None: the current one). A ticket is reviewed once per month."""
    sample = recorded_sample(desk, month, size)
    review_id = QaReview.create_id(month, ticket_id)

    def attempt() -> CommandResult:
        if desk.find(review_id) is not None:
            raise QaReviewExistsError(f"Ticket {ticket_id} has been reviewed for {month} already.")
        checklist = qa_checklist(desk)
        check_current(checklist, checklist_version)
        operator = operator_at(desk, ticket_id, sample.position)
        stamp = desk.stamp(None, ctx)
        review = QaReview.record(sample, ticket_id, operator, checklist, scores, comment, passed, stamp)
        return desk.commit(ctx, review)

    busy = "The review is being recorded by someone else; please reload."
    return retrying(desk, (review_id,), attempt, busy)


def operator_at(desk: Desk, ticket_id: UUID, position: int) -> str:
    """Who the review concerns: the assignee of the ticket as it stood at the sample's log
    position, when it was resolved (its stratum in the draw); "" if nobody held it."""
    positions = desk.positions(ticket_id)
    versions = [version for version, at in positions.items() if at <= position]
    if not versions:
        return ""
    ticket = desk.repository.get(ticket_id, version=max(versions))
    return ticket.assignee or ""


def reviews_of_ticket(desk: Desk, ticket_id: UUID, resolved_at: Iterable[datetime]) -> list[QaReview]:
    """The ticket's reviews, oldest month first: looked up by the months it was resolved in."""
    found = (qa_review(desk, month, ticket_id) for month in candidate_months(resolved_at))
    return [review for review in found if review is not None]
