"""What the dashboard shows, asked of the report API itself.

Every figure on the page is read from the answer of the API's own route for the same query
(api/routes/reports.py, api/routes/report_tickets.py), called in-process with a `ReportContext`:
the same function, the same cache per view position, the same JSON bytes a client with a token
gets. There is no second implementation to drift: a card equals `GET /api/v1/reports/summary`.
"""

import json
from dataclasses import dataclass
from typing import Any

from fastapi.responses import Response

from api.bootstrap import Runtime
from api.routes import report_tickets
from api.routes import reports as report_routes
from api.routes.reports import ReportContext
from projections.analytics_view import open_view
from projections.report_choices import Choices, choices
from projections.report_members import ReportQuery
from projections.reports import BREAKDOWN_BY


@dataclass(frozen=True)
class Reports:
    summary: dict[str, Any]
    previous: dict[str, Any]
    """The summary of the period of equal length just before."""
    operators: list[dict[str, Any]]
    daily: list[dict[str, Any]]
    breakdowns: dict[str, list[dict[str, Any]]]
    """by (type, tag, channel) → its keys' rows."""
    distribution: list[dict[str, Any]]
    choices: Choices

    @property
    def as_of(self) -> str:
        return str(self.summary["as_of"])

    @property
    def position(self) -> int:
        return int(self.summary["position"])


def answer(response: Response) -> dict[str, Any]:
    return json.loads(bytes(response.body))  # type: ignore[no-any-return]


def gather(runtime: Runtime, q: ReportQuery, previous: ReportQuery) -> Reports:
    ctx = ReportContext(runtime, q)
    return Reports(
        summary=answer(report_routes.summary(ctx)),
        previous=answer(report_routes.summary(ReportContext(runtime, previous))),
        operators=answer(report_routes.operators(ctx))["data"],
        daily=answer(report_routes.daily(ctx))["data"],
        breakdowns={by: answer(report_routes.breakdown(ctx, by))["data"] for by in BREAKDOWN_BY},
        distribution=answer(report_tickets.distribution(ctx))["data"],
        choices=filter_choices(ctx),
    )


def filter_choices(ctx: ReportContext) -> Choices:
    q = ctx.query
    with open_view(ctx.db, q.start, q.end, None) as view:
        return choices(view, q)


def drilled(runtime: Runtime, q: ReportQuery, figure: str, limit: int, offset: int) -> dict[str, Any]:
    """The API's answer to `GET /reports/tickets` for the same figure and filters."""
    return answer(report_tickets.report_tickets(ReportContext(runtime, q), figure, limit, offset))


def workbook(runtime: Runtime, q: ReportQuery) -> Response:
    """The API's own Excel export (`GET /reports/export.xlsx`) for the same filters."""
    return report_routes.export_xlsx(ReportContext(runtime, q))
