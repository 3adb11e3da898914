"""Load and staffing (`/staffing`): when customers write, how many agents each hour needs, and
what that means for the team's shifts.

The figures are `GET /api/v1/reports/hourly`'s own: the page runs the report through the API's
report context (the same query, the same cache, the same JSON) and draws what it returned. The
form is a GET with the API's names and bounds, so a view of the load is a link that can be kept,
sent or shown in a meeting; a value the API would refuse is said next to its field (422) and
nothing is counted. The shift view splits the day into the team's shifts (DESKSTREAM_SHIFTS, or
`shifts=` to try others) and gives each the agents of its busiest hour.
"""

import json
from datetime import datetime
from functools import partial
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from anyio import to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.auth import REPORT_READERS, get_runtime, require
from api.bootstrap import Runtime
from api.routes.reports import ReportContext
from api.web.staffing_charts import agents_map, arrivals_map, hours_of, percent, period_text, shift_view
from api.web.staffing_form import CUSTOM, PRESETS, Asked, chosen_preset, read, shown_parameters
from api.web.templating import render
from api.web.viewer import PageViewer, Viewer
from domain.calendar import from_us
from domain.values import TicketType
from projections import erlang, filter_choices
from projections.shifts import WEEKDAYS

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
MAX_CHOICES = 500


@router.get("/staffing")
async def staffing(request: Request, runtime: RuntimeDep, viewer: PageViewer) -> Response:
    """The heatmaps, the agents per hour and the shift view for the period and filters asked."""
    require(viewer.user, REPORT_READERS, "read the staffing figures")
    context = await to_thread.run_sync(page_context, runtime, viewer, dict(request.query_params))
    return render(request, "staffing.html", context, 422 if context["errors"] else 200)


def page_context(runtime: Runtime, viewer: Viewer, params: dict[str, str]) -> dict[str, Any]:
    channels = known_channels(runtime)
    now = runtime.helpdesk.clock()
    typed, asked, errors = read(params, viewer.zone, now, runtime.settings.shifts)
    context: dict[str, Any] = {
        "typed": typed,
        "errors": errors,
        "asked": asked,
        "presets": [(each, f"staffing.preset_{each}") for each in (*PRESETS, CUSTOM)],
        "preset": asked.preset if asked else chosen_preset(typed),
        "channels": channels,
        "operators": operators(runtime),
        "types": [(each.value, f"staffing.type_{each.value}") for each in TicketType],
        "type_values": [each.value for each in TicketType],
        "weekdays": [f"staffing.weekday_{day}" for day in WEEKDAYS],
        "tz": asked.query.tz if asked else typed["tz"] or viewer.zone,
        "team_shifts": runtime.settings.shifts,
        "shown": shown_parameters(typed, runtime.settings.shifts),
        "dates": None,
    }
    if asked is None:
        return context
    report = hourly(runtime, asked)
    hours = hours_of(report)
    language = viewer.language
    return {
        **context,
        "report": report,
        "as_of": datetime.fromisoformat(report["as_of"]),
        "level": percent(asked.level, 1, language),
        "dates": shown_dates(asked),
        "period": period_text(asked, language),
        "arrivals": arrivals_map(hours, asked, language),
        "agents": agents_map(hours, asked, language),
        "shifts": shift_view(hours, asked, language),
        "messages": sum(row["messages"] for row in report["data"]),
        "peak_agents": max(row["agents"] for row in report["data"]),
    }


def hourly(runtime: Runtime, asked: Asked) -> dict[str, Any]:
    """The API's answer to `GET /api/v1/reports/hourly` for this query, read back as JSON."""
    build = partial(erlang.hourly, aht=asked.aht, target=asked.target, level=asked.level)
    name = f"hourly:{asked.aht}:{asked.target}:{asked.level}"
    answer = ReportContext(runtime, asked.query).run(build, name)
    return dict(json.loads(bytes(answer.body)))


def operators(runtime: Runtime) -> list[str]:
    """The names the operator filter can take: whoever is or was assigned a ticket."""
    return filter_choices.assignees(runtime.analytics.cursor(), MAX_CHOICES) if runtime.analytics else []


def known_channels(runtime: Runtime) -> list[str]:
    """The configured channels and those tickets came in on (an import may bring others)."""
    configured = [c["name"] for c in runtime.ingest.store.channels()] if runtime.ingest else []
    seen = filter_choices.channels(runtime.analytics.cursor(), MAX_CHOICES) if runtime.analytics else []
    return sorted({*configured, *seen})


def shown_dates(asked: Asked) -> dict[str, str]:
    """The period's first and last day in `tz`, for the form's date fields."""
    zone = ZoneInfo(asked.query.tz)
    first = from_us(asked.query.start).astimezone(zone).date()
    last = from_us(asked.query.end - 1).astimezone(zone).date()
    return {"from": first.isoformat(), "to": last.isoformat()}
