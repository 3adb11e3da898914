"""The supervisor's dashboard, `/dashboard`, and the tickets behind any of its figures,
`/dashboard/tickets?figure=…`: the report API's answers for the period and filters of the URL,
as cards, charts and a table, with a live strip of the desk right now and the Excel export.

Every figure comes from the API's own route for the same query (api/web/dashboard_data.py), so
the page and `GET /api/v1/reports/…` cannot disagree. The API takes bearer tokens only, so the
export has a page route here, `/dashboard/export.xlsx`, answering the API's own workbook.
"""

from datetime import datetime
from functools import partial
from typing import Annotated, Any
from urllib.parse import parse_qsl

from anyio import to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.auth import REPORT_READERS, get_runtime, require
from api.bootstrap import Runtime
from api.web import dashboard_links as links
from api.web import report_filters
from api.web.catalogue import translate
from api.web.dashboard_cards import cards
from api.web.dashboard_charts import charts
from api.web.dashboard_data import drilled, gather, workbook
from api.web.dashboard_figures import at_label, title
from api.web.dashboard_format import change, number, period_label, shown
from api.web.dashboard_operators import table
from api.web.templating import render
from api.web.viewer import PageViewer, Viewer
from domain.calendar import to_us
from domain.errors import InvalidValueError
from projections import drilldown
from projections.desk_now import DeskNow, desk_now
from projections.report_members import CLOCKS
from projections.reports import BREAKDOWN_BY

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
PAGE_SIZE = 50
MAX_PAGE = 10_000
ACTION = "read reports"
LABELS = {
    "preset": {p: f"dashboard.preset_{p}" for p in report_filters.PRESETS},
    "type": {v: f"dashboard.type_{v}" for v in report_filters.TYPES},
    "clock": {c: f"dashboard.clock_{c}" for c in CLOCKS},
    "unit": {"seconds": "dashboard.value_seconds", "messages": "dashboard.value_messages"},
    "chart": {by: f"dashboard.chart_by_{by}" for by in BREAKDOWN_BY},
}
"""The catalogue key of each value the pages show by name."""


def filter_of(request: Request, runtime: Runtime, viewer: Viewer) -> report_filters.ReportFilter:
    return report_filters.parse(request.query_params, viewer.zone, runtime.helpdesk.clock())


@router.get("/dashboard")
async def dashboard(request: Request, runtime: RuntimeDep, viewer: PageViewer) -> Response:
    """The whole page; a wrong field is named next to it (422) and nothing is counted."""
    require(viewer.user, REPORT_READERS, ACTION)
    f = filter_of(request, runtime, viewer)
    params = dict(request.query_params)
    context = await to_thread.run_sync(dashboard_context, runtime, viewer, f, params)
    return render(request, "dashboard.html", context, 422 if f.errors else 200)


@router.get("/dashboard/now")
async def now_strip(request: Request, runtime: RuntimeDep, viewer: PageViewer) -> Response:
    """The live strip alone, which the page script refetches when the desk changes."""
    require(viewer.user, REPORT_READERS, ACTION)
    f = filter_of(request, runtime, viewer)
    now = await to_thread.run_sync(desk_figures, runtime, f)
    return render(request, "dashboard_now.html", {"now": now, "links": page_links(f), "position": 0})


@router.get("/dashboard/export.xlsx")
async def export(request: Request, runtime: RuntimeDep, viewer: PageViewer) -> Response:
    """The API's workbook (`GET /api/v1/reports/export.xlsx`) for the page's filters, on the session."""
    require(viewer.user, REPORT_READERS, ACTION)
    q = filter_of(request, runtime, viewer).query()
    if q is None:
        raise InvalidValueError("The period or a filter of the export is wrong; fix it on the dashboard.")
    return await to_thread.run_sync(workbook, runtime, q)


@router.get("/dashboard/tickets")
async def tickets(request: Request, runtime: RuntimeDep, viewer: PageViewer) -> Response:
    """One page of the tickets behind a figure, each linking to its ticket page."""
    require(viewer.user, REPORT_READERS, ACTION)
    f = filter_of(request, runtime, viewer)
    params = dict(request.query_params)
    context = await to_thread.run_sync(tickets_context, runtime, viewer, f, params)
    failed = f.errors or context["errors"]
    return render(request, "dashboard_tickets.html", context, 422 if failed else 200)


def page_links(f: report_filters.ReportFilter) -> dict[str, str]:
    return {
        "export": links.export(f),
        "staffing": links.staffing(f),
        "policy": links.policy(f),
        "now": links.now_strip(f),
        "inbox": links.inbox(f),
        "dashboard": links.dashboard(f),
    }


def helpers(language: str) -> dict[str, Any]:
    """Formatters the templates call, bound to the reader's language."""
    return {
        "fig": partial(shown, language=language),
        "delta": partial(change, language=language),
        "num": partial(number, language=language),
        "labels": LABELS,
    }


def desk_figures(runtime: Runtime, f: report_filters.ReportFilter) -> DeskNow:
    now = to_us(runtime.helpdesk.clock())
    return desk_now(runtime.queue_db, runtime.analytics, f.narrowing(), now)


def dashboard_context(
    runtime: Runtime, viewer: Viewer, f: report_filters.ReportFilter, params: dict[str, str]
) -> dict[str, Any]:
    position = runtime.runner.position(("queue",))
    context: dict[str, Any] = {
        "filter": f,
        "presets": report_filters.PRESETS,
        "clocks": CLOCKS,
        "types": report_filters.TYPES,
        "links": page_links(f),
        "position": position,
        "now": desk_figures(runtime, f),
        "reports": None,
        **helpers(viewer.language),
    }
    q, previous = f.query(), f.previous()
    if q is None or previous is None:
        return context
    reports = gather(runtime, q, previous)
    t = partial(translate, viewer.language)
    return {
        **context,
        "reports": reports,
        "period": period_label(q.start, q.end, q.tz, viewer.language),
        "previous_period": period_label(previous.start, previous.end, q.tz, viewer.language),
        "as_of": datetime.fromisoformat(reports.as_of),
        "cards": cards(f, reports.summary, reports.previous),
        "charts": charts(f, reports, t, viewer.language),
        "table": table(f, reports.operators, params),
        "choices": reports.choices,
    }


def tickets_context(
    runtime: Runtime, viewer: Viewer, f: report_filters.ReportFilter, params: dict[str, str]
) -> dict[str, Any]:
    name = params.get("figure", "").strip()
    errors: dict[str, str] = {}
    figure = None
    try:
        figure = drilldown.parse_figure(name)
    except drilldown.UnknownFigureError:
        errors["figure"] = "dashboard.bad_figure"
    page = page_number(params.get("page"), errors)
    t = partial(translate, viewer.language)
    context: dict[str, Any] = {
        "filter": f,
        "figure": name,
        "errors": errors,
        "heading": title(figure, t, viewer.language) if figure else t("dashboard.title_unknown"),
        "hidden": [(k, v) for k, v in parse_qsl(f.api_query()) if k != "figure"],
        "back": links.dashboard(f),
        "answer": None,
        **helpers(viewer.language),
    }
    q = f.query()
    if figure is None or q is None or errors:
        return context
    answer = drilled(runtime, q, name, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    pages = max(1, -(-answer["count"] // PAGE_SIZE))
    here = links.drill(f, name)
    return {
        **context,
        "answer": answer,
        "rows": [row_view(row) for row in answer["data"]],
        "at_label": at_label(figure),
        "unit": figure.unit,
        "value_label": "dashboard.value_sla"
        if figure.kind == "sla"
        else LABELS["unit"].get(figure.unit or "", ""),
        "period": period_label(q.start, q.end, q.tz, viewer.language),
        "page": page,
        "pages": pages,
        "previous": links.paged(here, page - 1) if page > 1 else None,
        "next": links.paged(here, page + 1) if page < pages else None,
        "first": (page - 1) * PAGE_SIZE + 1,
        "last": (page - 1) * PAGE_SIZE + len(answer["data"]),
    }


def row_view(row: dict[str, Any]) -> dict[str, Any]:
    """The API's row, with its instants as datetimes for the viewer's clock."""
    return {
        **row,
        "opened_at": datetime.fromisoformat(row["opened_at"]),
        "at": datetime.fromisoformat(row["at"]),
    }


def page_number(value: str | None, errors: dict[str, str]) -> int:
    text = (value or "1").strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_PAGE:
        errors["page"] = "dashboard.bad_page"
        return 1
    return int(text)
