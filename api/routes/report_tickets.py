"""The reports a supervisor clicks through: the tickets behind any figure, and the first-response
distribution whose bars lead to them. Same filters, same errors and the same caching as every
report (api/routes/reports.py `report_context`), so a figure and its list always agree."""

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.dashboard_models import DistributionReport, ReportTickets
from api.report_models import documented
from api.routes.reports import ReportDep
from projections import drilldown, report_distribution

router = APIRouter(prefix="/reports", tags=["reports"])
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000
FIGURE = (
    "The figure, as the dashboard names it: received, resolved, assigned, first_response, "
    "next_response, resolution, frt:<lo>-<hi>, sla:<metric>:<achieved|breached|pending>, "
    "csi:<like|dislike>, breakdown:<type|tag|channel>:<key>, daily:<received|resolved>:<YYYY-MM-DD>, "
    "arrivals:<isoweekday>:<hour>"
)


@router.get("/tickets", responses=documented(ReportTickets))
def report_tickets(
    ctx: ReportDep,
    figure: Annotated[str, Query(min_length=1, max_length=300, description=FIGURE)],
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Response:
    """The tickets behind one figure of the reports: the rows its SQL counted, oldest first."""
    chosen = drilldown.parse_figure(figure)
    build = partial(drilldown.tickets, figure=chosen, limit=limit, offset=offset)
    return ctx.run(build, f"tickets:{chosen.name}:{limit}:{offset}")


@router.get("/distribution", responses=documented(DistributionReport))
def distribution(ctx: ReportDep) -> Response:
    """First response times in buckets (<15 min, 15-30, 30-60, 1-4 h, 4-8 h, 8-24 h, >24 h)."""
    return ctx.run(report_distribution.distribution, "distribution")
