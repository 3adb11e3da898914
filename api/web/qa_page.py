"""The QA pages: `/qa` (a month's sample as a work list, drawing a month that has ended, and the
proof it was not cherry-picked), `/qa/report` (per operator: reviews, average score, failures)
and `/qa/mine` (the reviews that concern the operator looking).

Months are the team's (DESKSTREAM_TIME_ZONE, or `tz=`), as `GET /api/v1/reports/qa-sample`
draws them; a draw from the page is that same draw (api/qa_drawing.py), so it waits for the
views and refuses a month that has not ended.
"""

from typing import Annotated, Any
from urllib.parse import urlencode

from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import QA_READERS, QA_REVIEWERS, get_runtime, require
from api.bootstrap import Runtime
from api.errors import STATUS_BY_ERROR, ApiError
from api.qa_drawing import at_head, drawn
from api.web.qa_sample_view import progress, proof, work_list
from api.web.templating import render
from api.web.viewer import Form, FormViewer, PageViewer, Viewer
from domain.calendar import check_zone
from domain.errors import DomainError
from domain.qa_review import score_pct
from domain.qa_sample import DEFAULT_SIZE, MAX_SIZE, MONTH, check_month_ended, last_ended_month, shift_month
from domain.qa_scores import ReviewFigures, operator_figures
from domain.values import Role
from projections import qa_reviews

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
MonthQuery = Annotated[str | None, Query(pattern=MONTH.pattern)]
SizeQuery = Annotated[int, Query(ge=1, le=MAX_SIZE)]
ZoneQuery = Annotated[str | None, Query(max_length=64)]
MINE = (*QA_READERS, Role.OPERATOR)


@router.get("/qa")
async def qa_page(
    request: Request,
    runtime: RuntimeDep,
    viewer: PageViewer,
    month: MonthQuery = None,
    size: SizeQuery = DEFAULT_SIZE,
    tz: ZoneQuery = None,
) -> Response:
    """The month's work list (the last ended month by default), or the button that draws it."""
    require(viewer.user, QA_READERS, "read QA samples")
    zone = team_zone(runtime, tz)
    chosen = month or last_ended_month(runtime.helpdesk.clock(), zone)
    await at_head(runtime)
    context = await to_thread.run_sync(month_context, runtime, viewer, chosen, size, zone)
    return render(request, "qa.html", context)


@router.post("/qa/sample")
async def draw(request: Request, runtime: RuntimeDep, posted: FormViewer) -> Response:
    """Draws the month's sample (recorded for good) and shows it; a refusal is shown on the page."""
    viewer, form = posted
    require(viewer.user, QA_READERS, "draw QA samples")
    month, size, zone = month_of(form), size_of(form), team_zone(runtime, first(form, "tz") or None)
    try:
        await drawn(runtime, viewer.name, month, size, zone)
    except (ApiError, DomainError) as exc:
        context = await to_thread.run_sync(month_context, runtime, viewer, month, size, zone)
        status, detail = (exc.status, exc.detail) if isinstance(exc, ApiError) else (status_of(exc), str(exc))
        return render(request, "qa.html", {**context, "problem": detail}, status)
    return RedirectResponse(f"/qa?{urlencode({'month': month, 'size': size, 'tz': zone})}", status_code=303)


@router.get("/qa/report")
async def report_page(
    request: Request, runtime: RuntimeDep, viewer: PageViewer, month: MonthQuery = None, tz: ZoneQuery = None
) -> Response:
    """Per operator reviewed in the month: reviews, failures, the average score."""
    require(viewer.user, QA_READERS, "read the QA report")
    zone = team_zone(runtime, tz)
    chosen = month or last_ended_month(runtime.helpdesk.clock(), zone)
    await at_head(runtime)
    rows = await to_thread.run_sync(month_rows, runtime, chosen)
    figures = operator_figures(
        [ReviewFigures(r["operator"], r["scores"], r["max_score"], r["passed"]) for r in rows]
    )
    context = {**months(chosen, zone), "figures": figures, "criteria": criteria_of(figures)}
    return render(request, "qa_report.html", context)


@router.get("/qa/mine")
async def mine(request: Request, runtime: RuntimeDep, viewer: PageViewer) -> Response:
    """The reviews that concern the viewer, newest first."""
    require(viewer.user, MINE, "read QA reviews")
    assert runtime.analytics is not None
    await at_head(runtime)
    rows = await to_thread.run_sync(qa_reviews.reviews, runtime.analytics, None, viewer.name)
    shown = [{**row, "score_pct": score_pct(row["scores"], row["max_score"])} for row in reversed(rows)]
    return render(request, "qa_mine.html", {"reviews": shown})


def month_context(runtime: Runtime, viewer: Viewer, month: str, size: int, zone: str) -> dict[str, Any]:
    helpdesk = runtime.helpdesk
    sample = helpdesk.qa_sample(month, size)
    items = work_list(runtime, sample) if sample else []
    return {
        **months(month, zone, size),
        "sample": sample,
        "items": items,
        "progress": progress(items),
        "proof": proof(runtime, sample, zone) if sample else None,
        "ended": ended(runtime, month, zone),
        "checklist": helpdesk.qa_checklist(),
        "can_review": viewer.may(QA_REVIEWERS),
        "problem": None,
    }


def months(month: str, zone: str, size: int = DEFAULT_SIZE) -> dict[str, Any]:
    """The month shown and its neighbours; links keep the zone and the sample size."""
    return {
        "month": month,
        "tz": zone,
        "size": size,
        "previous": shift_month(month, -1),
        "following": shift_month(month, 1),
    }


def ended(runtime: Runtime, month: str, zone: str) -> bool:
    try:
        check_month_ended(month, zone, runtime.helpdesk.clock())
    except DomainError:
        return False
    return True


def month_rows(runtime: Runtime, month: str) -> list[dict[str, Any]]:
    assert runtime.analytics is not None
    return qa_reviews.reviews(runtime.analytics, month)


def criteria_of(figures: list[dict[str, Any]]) -> list[str]:
    """Every criterion scored in the month, in the order first met."""
    return list(dict.fromkeys(c for row in figures for c in row["criteria"]))


def team_zone(runtime: Runtime, tz: str | None) -> str:
    zone = tz or runtime.settings.time_zone
    check_zone(zone)
    return zone


def first(form: Form, name: str) -> str:
    return (form.get(name) or [""])[0].strip()


def month_of(form: Form) -> str:
    month = first(form, "month")
    if not MONTH.match(month):
        raise ApiError(422, "invalid_month", "A month is written YYYY-MM, e.g. 2026-03.")
    return month


def size_of(form: Form) -> int:
    size = first(form, "size") or str(DEFAULT_SIZE)
    if not size.isascii() or not size.isdigit() or not 1 <= int(size) <= MAX_SIZE:
        raise ApiError(422, "invalid_size", f"A sample has 1 to {MAX_SIZE} tickets.")
    return int(size)


def status_of(exc: DomainError) -> int:
    return next((status for kind, status in STATUS_BY_ERROR if isinstance(exc, kind)), 422)
