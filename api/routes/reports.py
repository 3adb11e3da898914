"""Reports for supervisors and auditors: summary, operators, daily, breakdown, hourly staffing,
QA sample and an Excel export. Same events, same filters: byte-identical JSON."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import AwareDatetime

from api.auth import CurrentUser, RuntimeDep, require
from api.bootstrap import Runtime
from api.errors import ApiError
from domain.calendar import check_zone, from_us, to_us
from domain.errors import InvalidValueError
from domain.values import Role
from projections import reports
from projections.analytics import AnalyticsDb
from projections.analytics_view import View, open_view
from projections.reports import ReportQuery

router = APIRouter(prefix="/reports", tags=["reports"])
REPORT_READERS = (Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)
MAX_WINDOW_DAYS = 400


@dataclass(frozen=True)
class ReportContext:
    runtime: Runtime
    query: ReportQuery

    @property
    def db(self) -> AnalyticsDb:
        assert self.runtime.analytics is not None
        return self.runtime.analytics

    def run(self, build: Callable[[View, ReportQuery], dict[str, Any]]) -> Response:
        q = self.query
        with open_view(self.db, q.start, q.end, q.as_of) as view:
            body = build(view, q)
            stamp = {"as_of": from_us(view.as_of).isoformat(), "position": view.position}
        return json_response({**stamp, "from": iso(q.start), "to": iso(q.end), **body})


def report_context(
    runtime: RuntimeDep,
    user: CurrentUser,
    start: Annotated[AwareDatetime, Query(alias="from", description="Window start (inclusive)")],
    end: Annotated[AwareDatetime, Query(alias="to", description="Window end (exclusive)")],
    operator: str | None = None,
    channel: str | None = None,
    type: Literal["question", "problem", "incident"] | None = None,
    tag: str | None = None,
    as_of: Annotated[
        AwareDatetime | None, Query(description="Only events recorded by then; default: the last one")
    ] = None,
    clock: Literal["business", "calendar"] = "business",
    tz: Annotated[str, Query(max_length=64, description="Time zone for days and hours")] = "UTC",
    min_position: Annotated[int, Query(ge=0)] = 0,
) -> ReportContext:
    require(user, REPORT_READERS, "read reports")
    window(start, end)
    check_zone(tz)
    if min_position:
        runtime.runner.wait_for(min_position, runtime.settings.min_position_timeout)
    query = ReportQuery(
        start=to_us(start),
        end=to_us(end),
        as_of=to_us(as_of) if as_of else None,
        operator=operator,
        channel=channel,
        type=type,
        tag=tag.strip().lower() if tag else None,
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


@router.get("/summary")
def summary(ctx: ReportDep) -> Response:
    """Tickets received and resolved, response and resolution times, SLA outcomes and CSI."""
    return ctx.run(reports.summary)


@router.get("/operators")
def operators(ctx: ReportDep) -> Response:
    """The summary's figures per operator, plus how many tickets each was assigned."""
    return ctx.run(reports.operators)


@router.get("/daily")
def daily(ctx: ReportDep) -> Response:
    """Tickets received and resolved per day (in `tz`)."""
    return ctx.run(reports.daily)


@router.get("/breakdown")
def breakdown(ctx: ReportDep, by: Literal["type", "tag", "channel"]) -> Response:
    """Tickets received per type, tag or channel, with shares."""
    return ctx.run(lambda view, q: reports.breakdown(view, q, by))


def json_response(body: dict[str, Any]) -> Response:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return Response(content=text, media_type="application/json")


def iso(us: int) -> str:
    return from_us(us).isoformat()


def not_ready() -> ApiError:
    return ApiError(409, "analytics_unavailable", "Analytics are not available in this process.")
