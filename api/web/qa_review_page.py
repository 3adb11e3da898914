"""A sampled ticket, read-only, with its review form: `/qa/reviews/{month}/{ticket_id}`.

The conversation is the ticket page's own template (notes included), without any of its forms:
a reviewer reads, and writes only the review. The form scores each criterion of the current
checklist and carries the version it showed, so a checklist changed meanwhile is said instead of
scoring against criteria the reviewer never saw. A refused review comes back as typed, with what
was wrong beside its field; a recorded one leads to the next ticket still to review.
"""

from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from anyio import to_thread
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import QA_READERS, QA_REVIEWERS, get_runtime, require
from api.bootstrap import Runtime
from api.web.qa_sample_view import progress, work_list
from api.web.templating import render
from api.web.ticket_view import load, ticket_context
from api.web.viewer import Form, FormViewer, PageViewer, Viewer
from application.command import Context
from domain.errors import DomainError
from domain.qa_review import (
    ChecklistChangedError,
    CommentTooLongError,
    QaReviewExistsError,
    UnexplainedFailureError,
    check_sampled,
)
from domain.qa_sample import DEFAULT_SIZE, MAX_SIZE, MONTH

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
MonthPath = Annotated[str, Path(pattern=MONTH.pattern)]
VERDICTS = {"pass": True, "fail": False}
FIELD_ERRORS: list[tuple[type[DomainError], str, str]] = [
    (UnexplainedFailureError, "comment", "qa.failure_needs_comment"),
    (CommentTooLongError, "comment", "qa.comment_too_long"),
]
"""A refusal that belongs beside one field: (error, field, catalogue key)."""


@router.get("/qa/reviews/{month}/{ticket_id}")
async def review_page(
    request: Request,
    runtime: RuntimeDep,
    viewer: PageViewer,
    month: MonthPath,
    ticket_id: UUID,
    size: Annotated[int, Query(ge=1, le=MAX_SIZE)] = DEFAULT_SIZE,
) -> Response:
    require(viewer.user, QA_READERS, "read QA samples")
    context = await to_thread.run_sync(review_context, runtime, viewer, month, size, ticket_id)
    return render(request, "qa_review.html", context)


@router.post("/qa/reviews/{month}/{ticket_id}")
async def record(
    request: Request, runtime: RuntimeDep, posted: FormViewer, month: MonthPath, ticket_id: UUID
) -> Response:
    viewer, form = posted
    require(viewer.user, QA_REVIEWERS, "record QA reviews")
    size = whole(first(form, "size")) or DEFAULT_SIZE
    checklist = await to_thread.run_sync(runtime.helpdesk.qa_checklist)
    typed = typed_review(form, len(checklist.criteria))
    problems = missing(typed)
    if not problems:
        scores = {c: int(typed["scores"][i]) for i, c in enumerate(checklist.criteria)}
        args = (month, size, ticket_id, scores, typed["comment"], VERDICTS[typed["passed"]])
        version, ctx = whole(first(form, "checklist_version")), Context(viewer.name)
        try:
            await to_thread.run_sync(runtime.helpdesk.record_qa_review, *args, version, ctx)
            return await to_thread.run_sync(next_page, runtime, month, size)
        except QaReviewExistsError:
            return RedirectResponse(here(month, size, ticket_id), status_code=303)
        except DomainError as exc:
            problems = refusal(exc)
    context = await to_thread.run_sync(review_context, runtime, viewer, month, size, ticket_id)
    status = 409 if "checklist" in problems else 422
    if status == 409:
        typed["scores"] = {}  # they were given against other criteria
    return render(request, "qa_review.html", {**context, "typed": typed, "problems": problems}, status)


def review_context(
    runtime: Runtime, viewer: Viewer, month: str, size: int, ticket_id: UUID
) -> dict[str, Any]:
    helpdesk = runtime.helpdesk
    sample = helpdesk.recorded_sample(month, size)
    check_sampled(sample, ticket_id)
    view = load(runtime, ticket_id)
    review = helpdesk.qa_review(month, ticket_id)
    items = work_list(runtime, sample)
    index = sample.ticket_ids.index(str(ticket_id))
    return {
        **ticket_context(runtime, viewer, view),
        "month": month,
        "size": size,
        "sample": sample,
        "review": review,
        "operator": review.operator if review else helpdesk.qa_operator(ticket_id, sample.position),
        "checklist": helpdesk.qa_checklist(),
        "can_review": viewer.may(QA_REVIEWERS),
        "index": index,
        "previous": here(month, size, UUID(sample.ticket_ids[index - 1])) if index > 0 else None,
        "following": here(month, size, UUID(sample.ticket_ids[index + 1]))
        if index + 1 < len(items)
        else None,
        "progress": progress(items),
        "list": f"/qa?{urlencode({'month': month, 'size': size})}",
        "typed": {"scores": {}, "passed": "", "comment": ""},
        "problems": {},
    }


def here(month: str, size: int, ticket_id: UUID) -> str:
    return f"/qa/reviews/{month}/{ticket_id}?size={size}"


def next_page(runtime: Runtime, month: str, size: int) -> Response:
    """The next ticket of the sample still to review, or the work list once none is left."""
    left = progress(work_list(runtime, runtime.helpdesk.recorded_sample(month, size)))["next"]
    target = (
        here(month, size, UUID(left.ticket_id))
        if left
        else f"/qa?{urlencode({'month': month, 'size': size})}"
    )
    return RedirectResponse(target, status_code=303)


def typed_review(form: Form, criteria: int) -> dict[str, Any]:
    return {
        "scores": {i: first(form, f"score-{i}") for i in range(criteria)},
        "passed": first(form, "passed") if first(form, "passed") in VERDICTS else "",
        "comment": (form.get("comment") or [""])[0],
    }


def missing(typed: dict[str, Any]) -> dict[str, str]:
    """Beside each field left out or not a score: the catalogue key of what to do."""
    problems = {
        f"score-{i}": "qa.choose_score" for i, value in typed["scores"].items() if whole(value) is None
    }
    if not typed["passed"]:
        problems["passed"] = "qa.choose_verdict"
    return problems


def refusal(exc: DomainError) -> dict[str, str]:
    if isinstance(exc, ChecklistChangedError):
        return {"checklist": "qa.checklist_changed"}
    for kind, field, key in FIELD_ERRORS:
        if isinstance(exc, kind):
            return {field: key}
    return {"form": str(exc)}


def whole(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) < 6 else None


def first(form: Form, name: str) -> str:
    return (form.get(name) or [""])[0].strip()
