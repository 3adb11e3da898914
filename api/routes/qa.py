"""QA: the monthly sample (`GET /reports/qa-sample`), the checklist reviews are scored against,
the reviews (shown to the operator they concern) and the QA report per operator and month.

The `qa` role draws and reads samples, reads the sampled tickets (GET /tickets/{id}, /events)
and records reviews; it writes nothing else. Operators read the reviews that concern them.
"""

from typing import Annotated, Any
from uuid import UUID

from anyio import to_thread
from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from api.auth import (
    CHECKLIST_WRITERS,
    QA_READERS,
    QA_REVIEWERS,
    TICKET_READERS,
    Allowed,
    RuntimeDep,
)
from api.bootstrap import Runtime
from api.caller import CallerDep
from api.errors import ApiError
from api.known_parameters import known_parameters
from api.models import CommandPublic
from api.qa_drawing import drawn
from api.qa_models import ChecklistIn, ChecklistPublic, QaReportPublic, ReviewIn, ReviewPublic, ReviewsPublic
from api.reading import ViewsAt
from api.report_models import QaSamplePublic, documented
from api.routes.reports import json_response
from domain.errors import NotFoundError
from domain.qa_checklist import Checklist
from domain.qa_review import QaReview, score_pct
from domain.qa_sample import DEFAULT_SIZE, MAX_SIZE, MONTH, QaSample
from domain.qa_scores import ReviewFigures, operator_figures
from domain.users import User
from domain.values import Role
from projections import qa_reviews

router = APIRouter(tags=["qa"])
MonthQuery = Annotated[str, Query(pattern=MONTH.pattern, description="YYYY-MM")]
STRICT = [Depends(known_parameters)]
REVIEW_LISTERS = (*QA_READERS, Role.OPERATOR)
TZ = (
    "The team's time zone, in which the month must have ended before it is drawn; "
    "default: DESKSTREAM_TIME_ZONE"
)


class QaReviewNotFoundError(NotFoundError):
    code = "qa_review_not_found"


NOT_ENDED = {409: {"description": "The month has not ended in `tz` (month_not_ended): nothing was drawn."}}


@router.get("/reports/qa-sample", responses={**documented(QaSamplePublic), **NOT_ENDED}, dependencies=STRICT)
async def qa_sample(
    runtime: RuntimeDep,
    user: Annotated[User, Depends(Allowed(QA_READERS, "draw QA samples"))],
    month: MonthQuery,
    size: Annotated[int, Query(ge=1, le=MAX_SIZE)] = DEFAULT_SIZE,
    tz: Annotated[str | None, Query(max_length=64, description=TZ)] = None,
    min_position: Annotated[int, Depends(ViewsAt("analytics"))] = 0,
) -> Response:
    """A stratified-by-operator random sample of an ended month's resolved tickets; the seed is a
    hash of that population, recorded with the sample, so every later draw returns the same
    tickets. The first draw waits for the analytics view to reach the log's head."""
    sample = await drawn(runtime, user.name, month, size, tz or runtime.settings.time_zone)
    return json_response(sample_body(sample))


def sample_body(sample: QaSample) -> dict[str, Any]:
    return {
        "month": sample.month,
        "size": sample.size,
        "seed": sample.seed,
        "population": sample.population,
        "position": sample.position,
        "drawn_at": sample.drawn_at.isoformat(),
        "tickets": sample.ticket_ids,
    }


@router.get("/qa/checklist", response_model=ChecklistPublic)
def checklist(
    runtime: RuntimeDep, user: Annotated[User, Depends(Allowed(TICKET_READERS, "read the QA checklist"))]
) -> dict[str, Any]:
    """The criteria reviews are scored on, each from 0 to `max_score`; version 0 is the built-in one."""
    return checklist_body(runtime.helpdesk.qa_checklist())


def checklist_body(found: Checklist) -> dict[str, Any]:
    return {
        "version": found.version,
        "criteria": list(found.criteria),
        "max_score": found.max_score,
        "changed_at": found.changed_at,
        "changed_by": found.changed_by,
    }


@router.put("/qa/checklist")
def define_checklist(body: ChecklistIn, caller: CallerDep) -> CommandPublic:
    """A new checklist version (supervisor, admin); reviews already recorded keep theirs.
    With If-Match: only if the checklist is still at that version."""
    ctx = caller.context(body, CHECKLIST_WRITERS, "change the QA checklist")
    result = caller.helpdesk.define_qa_checklist(body.criteria, body.max_score, ctx, caller.if_match)
    return caller.done(result)


NO_SAMPLE = {404: {"description": "No sample of that month and size has been drawn (qa_sample_not_found)."}}


@router.post("/qa/reviews", status_code=201, responses=NO_SAMPLE)
def record_review(body: ReviewIn, caller: CallerDep) -> CommandPublic:
    """Review one ticket of the month's recorded sample: a score per criterion, a comment (required
    when it fails) and pass/fail. Once per ticket and month (409 `qa_review_exists`)."""
    ctx = caller.context(body, QA_REVIEWERS, "record QA reviews")
    args = (body.month, body.size, body.ticket_id, body.scores, body.comment, body.passed)
    return caller.done(caller.helpdesk.record_qa_review(*args, body.checklist_version, ctx))


@router.get("/qa/reviews", response_model=ReviewsPublic, dependencies=STRICT)
def list_reviews(
    runtime: RuntimeDep,
    user: Annotated[User, Depends(Allowed(REVIEW_LISTERS, "read QA reviews"))],
    month: Annotated[str | None, Query(pattern=MONTH.pattern, description="YYYY-MM")] = None,
    operator: Annotated[str | None, Query(max_length=64)] = None,
    min_position: Annotated[int, Depends(ViewsAt("analytics"))] = 0,
) -> dict[str, Any]:
    """Reviews in the order recorded, of a month and/or an operator. An operator gets only the
    reviews that concern them (`operator` may only be their own name)."""
    operator = own_name(user, operator)
    assert runtime.analytics is not None
    rows = qa_reviews.reviews(runtime.analytics, month, operator)
    data = [public_row(row) for row in rows]
    return {"data": data, "count": len(data), "position": runtime.runner.position(("analytics",))}


def own_name(user: User, operator: str | None) -> str | None:
    if user.role in QA_READERS:
        return operator
    if operator not in (None, user.name):
        raise ApiError(403, "forbidden", "An operator reads only the QA reviews that concern them.")
    return user.name


def public_row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "score_pct": score_pct(row["scores"], row["max_score"])}


@router.get("/qa/reviews/{month}/{ticket_id}", response_model=ReviewPublic)
async def review(
    runtime: RuntimeDep,
    user: Annotated[User, Depends(Allowed(REVIEW_LISTERS, "read QA reviews"))],
    month: Annotated[str, Path(pattern=MONTH.pattern, description="YYYY-MM")],
    ticket_id: UUID,
) -> dict[str, Any]:
    """One ticket's review for a month, as recorded (no wait for any view)."""
    found = await to_thread.run_sync(runtime.helpdesk.qa_review, month, ticket_id)
    if found is None or (user.role not in QA_READERS and found.operator != user.name):
        raise QaReviewNotFoundError(f"Ticket {ticket_id} has no QA review for {month} that you may read.")
    return review_body(found)


def review_body(found: QaReview) -> dict[str, Any]:
    return {
        "id": found.id,
        "ticket_id": found.ticket_id,
        "operator": found.operator,
        "month": found.month,
        "checklist_version": found.checklist_version,
        "scores": found.scores,
        "max_score": found.max_score,
        "score_pct": found.score_pct,
        "comment": found.comment,
        "passed": found.passed,
        "reviewer": found.reviewer,
        "reviewed_at": found.reviewed_at,
    }


@router.get("/qa/report", response_model=QaReportPublic, dependencies=STRICT)
def qa_report(
    runtime: RuntimeDep,
    user: Annotated[User, Depends(Allowed(QA_READERS, "read the QA report"))],
    month: MonthQuery,
    min_position: Annotated[int, Depends(ViewsAt("analytics"))] = 0,
) -> dict[str, Any]:
    """Per operator reviewed in the month: reviews, passes, failures, the average score (per cent
    of the highest possible) and the mean score per criterion."""
    rows = operator_figures(month_figures(runtime, month))
    return {
        "month": month,
        "position": runtime.runner.position(("analytics",)),
        "data": rows,
        "count": len(rows),
    }


def month_figures(runtime: Runtime, month: str) -> list[ReviewFigures]:
    assert runtime.analytics is not None
    return [
        ReviewFigures(row["operator"], row["scores"], row["max_score"], row["passed"])
        for row in qa_reviews.reviews(runtime.analytics, month)
    ]
