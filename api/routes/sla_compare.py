"""Policy then versus policy now: `GET /api/v1/reports/sla-compare`, beside the other reports and
with their filters, answered and cached as they are (api/routes/reports.py's ReportContext)."""

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.compare_models import SlaCompareReport
from api.report_models import documented
from api.routes.reports import ReportDep
from projections import policy_compare

router = APIRouter(prefix="/reports", tags=["reports"])
POLICY = "The policy to re-judge by; default: each ticket's own policy"
VERSION = "Its version; default: the version in force at the report's as-of time"


@router.get("/sla-compare", responses=documented(SlaCompareReport))
def sla_compare(
    ctx: ReportDep,
    policy: Annotated[str | None, Query(max_length=64, description=POLICY)] = None,
    version: Annotated[int | None, Query(ge=1, le=1_000_000, description=VERSION)] = None,
) -> Response:
    """The SLA figures under the versions that governed each ticket (the summary's `sla`) beside the
    same tickets judged under another version: would we have met today's targets then?"""
    build = partial(policy_compare.compare, ctx.db, policy, version)
    return ctx.run(build, f"sla-compare:{policy}:{version}")
