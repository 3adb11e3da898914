"""Reports for supervisors and auditors: summary, operators, daily, breakdown, hourly staffing and
an Excel export (the QA sample: api/routes/qa.py). Same events, same filters: byte-identical JSON.
A parameter a report does not take is refused (api/known_parameters.py), never ignored."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api import excel
from api.auth import REPORT_READERS, Allowed, RuntimeDep
from api.bootstrap import Runtime
from api.choices import one_of
from api.known_parameters import known_parameters
from api.models import Instant
from api.reading import ViewsAt
from api.report_models import (
    BreakdownReport,
    DailyReport,
    HourlyReport,
    OperatorsReport,
    SummaryReport,
    documented,
)
from domain.calendar import check_zone, from_us, to_us
from domain.errors import InvalidValueError
from domain.text_forms import identifier
from domain.users import User
from domain.values import TicketType
from projections import erlang, export_sheet, reports
from projections.analytics import AnalyticsDb
from projections.analytics_view import View, open_view
from projections.reports import BREAKDOWN_BY, CLOCKS, ReportQuery

router = APIRouter(prefix="/reports", tags=["reports"], dependencies=[Depends(known_parameters)])
MAX_WINDOW_DAYS = 400


@dataclass(frozen=True)
class ReportContext:
    runtime: Runtime
    query: ReportQuery

    @property
    def db(self) -> AnalyticsDb:
        assert self.runtime.analytics is not None
        return self.runtime.analytics

    def run(self, build: Callable[[View, ReportQuery], dict[str, Any]], name: str) -> Response:
        """Results at the default as-of are cached per projection position: they cannot change."""
        q = self.query
        with open_view(self.db, q.start, q.end, q.as_of) as view:
            key = (name, q, view.position)
            cached = self.db.report_cache.get(key) if q.as_of is None else None
            if cached is None:
                stamp = {"as_of": from_us(view.as_of).isoformat(), "position": view.position}
                cached = json_text({**stamp, "from": iso(q.start), "to": iso(q.end), **build(view, q)})
                if q.as_of is None:
                    self.db.remember(key, cached)
        return Response(content=cached, media_type="application/json")


def report_context(
    runtime: RuntimeDep,
    user: Annotated[User, Depends(Allowed(REPORT_READERS, "read reports"))],
    start: Annotated[Instant, Query(alias="from", description="Window start (inclusive)")],
    end: Annotated[Instant, Query(alias="to", description="Window end (exclusive)")],
    operator: str | None = None,
    channel: str | None = None,
    type: one_of(TicketType) | None = None,
    tag: Annotated[str | None, Query(max_length=200)] = None,
    as_of: Annotated[
        Instant | None, Query(description="Only events recorded by then; default: the last one")
    ] = None,
    clock: one_of(CLOCKS) = "business",
    tz: Annotated[str, Query(max_length=64, description="Time zone for days and hours")] = "UTC",
    min_position: Annotated[int, Depends(ViewsAt("analytics"))] = 0,
) -> ReportContext:
    window(start, end)
    check_zone(tz)
    query = ReportQuery(
        start=to_us(start),
        end=to_us(end),
        as_of=to_us(as_of) if as_of else None,
        operator=operator,
        channel=channel,
        type=type,
        tag=identifier(tag) if tag else None,
        clock=clock,
        tz=tz,
    )
    return ReportContext(runtime, query)


def window(start: datetime, end: datetime) -> None:
    if end <= start:
        raise InvalidValueError("'to' must be after 'from'.")
    if (end - start).days > MAX_WINDOW_DAYS:
        raise InvalidValueError(f"A report covers at most {MAX_WINDOW_DAYS} days.")


ReportDep = Annotated[ReportContext, Depends(report_context)]


@router.get("/summary", responses=documented(SummaryReport))
def summary(ctx: ReportDep) -> Response:
    """Tickets received and resolved, response and resolution times, SLA outcomes and CSI."""
    return ctx.run(reports.summary, "summary")


@router.get("/operators", responses=documented(OperatorsReport))
def operators(ctx: ReportDep) -> Response:
    """The summary's figures per operator, plus how many tickets each was assigned."""
    return ctx.run(reports.operators, "operators")


@router.get("/daily", responses=documented(DailyReport))
def daily(ctx: ReportDep) -> Response:
    """Tickets received and resolved per day (in `tz`)."""
    return ctx.run(reports.daily, "daily")


@router.get("/breakdown", responses=documented(BreakdownReport))
def breakdown(ctx: ReportDep, by: one_of(BREAKDOWN_BY)) -> Response:
    """Tickets received per type, tag or channel, with shares."""
    return ctx.run(lambda view, q: reports.breakdown(view, q, by), f"breakdown:{by}")


def json_text(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def json_response(body: dict[str, Any]) -> Response:
    return Response(content=json_text(body), media_type="application/json")


def iso(us: int) -> str:
    return from_us(us).isoformat()


@router.get("/hourly", responses=documented(HourlyReport))
def hourly(
    ctx: ReportDep,
    aht_seconds: Annotated[float, Query(gt=0, le=86_400, description="Average handling time")] = 300.0,
    target_seconds: Annotated[float, Query(gt=0, le=86_400, description="Answer within (s)")] = 3600.0,
    service_level: Annotated[float, Query(gt=0, lt=1, description="Share answered in target")] = 0.8,
) -> Response:
    """7 × 24 load (messages per weekday and hour in `tz`) with an Erlang C staffing recommendation."""
    return ctx.run(
        lambda view, q: erlang.hourly(view, q, aht_seconds, target_seconds, service_level),
        f"hourly:{aht_seconds}:{target_seconds}:{service_level}",
    )


@router.get("/export.xlsx")
def export_xlsx(ctx: ReportDep) -> Response:
    """Summary, Operators and Tickets sheets for the same filters, as an Excel workbook; times in
    `tz`. The same query gives the same bytes: the file's own times are the view's as-of."""
    q = ctx.query
    with open_view(ctx.db, q.start, q.end, q.as_of) as view:
        heading = excel.Heading(q, view.as_of)
        content = excel.workbook(
            reports.summary(view, q),
            reports.operators(view, q)["data"],
            export_sheet.ticket_sheet(view, ctx.db, q),
            heading,
        )
    return Response(
        content,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{heading.file_name}"'},
    )
