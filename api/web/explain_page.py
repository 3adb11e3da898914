"""The explain page, `/tickets/{id}/explain`: how each metric of a ticket came out, as a timeline
a supervisor can follow, built from the very answer `GET /api/v1/tickets/{id}/explain` gives.

Each wait and the resolution is shown as its parts (counted, skipped for the night, a weekend or
a holiday, paused, resolved until reopened) with the events that bound them, their sum, and
beside it the figure the report tables hold for the ticket: the two are the same number. Then the
policy version that judged the ticket and why. Before reading, the page waits (briefly) for the
analytics view to reach the ticket's last event, so a change just made is in the explanation.
"""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.auth import HISTORY_READERS, get_runtime, require
from api.bootstrap import Runtime
from api.explain_models import explanation_public
from api.reading import views_at
from api.ticket_explanation import ticket_explanation
from api.web.catalogue import translate
from api.web.charts.timeline_strip import timeline_strip
from api.web.formatting import UNITS, format_duration, format_time
from api.web.templating import render
from api.web.viewer import PageViewer, Viewer
from domain.calendar import WEEKDAYS
from domain.metrics_explain import CLOCKS
from projections.ticket_figures import report_figures

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Text = Annotated[str, Query(max_length=64)]
VIEWS = ("analytics",)


@router.get("/tickets/{ticket_id}/explain")
async def explain_page(
    ticket_id: UUID, request: Request, runtime: RuntimeDep, viewer: PageViewer, clock: Text = "business",
    as_of: Text = "",
) -> Response:  # fmt: skip
    """`clock`: business or calendar time; `as_of`: a local date and time (or an ISO instant)."""
    require(viewer.user, HISTORY_READERS, "read ticket history")
    problems: dict[str, str] = {}
    if clock not in CLOCKS:
        problems["clock"] = translate(viewer.language, "explain.bad_clock")
        clock = "business"
    at = parse_as_of(as_of, viewer.zone)
    if as_of and at is None:
        problems["as_of"] = translate(viewer.language, "explain.bad_as_of")
    if at is None:
        positions = await to_thread.run_sync(runtime.helpdesk.positions, ticket_id)
        await views_at(runtime, max(positions.values(), default=0), VIEWS)
    context = await to_thread.run_sync(explain_context, runtime, viewer, ticket_id, at, clock)
    query = {"clock": clock, "as_of": as_of if at is not None else ""}
    return render(request, "explain.html", {**context, "problems": problems, "query": query})


def parse_as_of(text: str, zone: str) -> datetime | None:
    """A datetime-local field's value (in the viewer's zone) or an ISO instant; None if blank or bad."""
    if not text.strip():
        return None
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=ZoneInfo(zone))


def explain_context(
    runtime: Runtime, viewer: Viewer, ticket_id: UUID, as_of: datetime | None, clock: str
) -> dict[str, Any]:
    found = explanation_public(ticket_explanation(runtime, ticket_id, as_of, clock))
    live = as_of is None and runtime.analytics is not None
    figures = report_figures(runtime.analytics, str(ticket_id)) if live else None  # type: ignore[arg-type]
    events = {e["position"]: {**e, "label": event_label(e["type"], viewer.language)} for e in found["events"]}
    metrics = [metric_view(m, figures, clock, viewer) for m in found["metrics"]]
    return {
        "x": found,
        "ticket": runtime.helpdesk.ticket(ticket_id),
        "metrics": metrics,
        "events": events,
        "instant": datetime.fromisoformat,
        "zone": viewer.zone,
        "calendar_days": week_order(found["policy"]["calendar"]),
        "exact": lambda us: exact_seconds(us, viewer.language),
        "kinds_shown": sorted({p["kind"] for m in metrics for s in m["stretches"] for p in s["parts"]}),
    }


def week_order(calendar: dict[str, Any] | None) -> list[tuple[str, list[list[str]]]]:
    """The calendar's working hours Monday first (its JSON keeps weekdays in alphabetical order)."""
    weekly = (calendar or {}).get("weekly") or {}
    return [(day, weekly[day]) for day in WEEKDAYS if day in weekly]


def event_label(kind: str, language: str) -> str:
    """`ReplySent` → the catalogue's `explain.event_reply_sent`; an unnamed type as it is."""
    key = "explain.event_" + "".join(f"_{c.lower()}" if c.isupper() else c for c in kind).lstrip("_")
    text = translate(language, key)
    return kind if text == key else text


def metric_view(
    metric: dict[str, Any], figures: dict[str, Any] | None, clock: str, viewer: Viewer
) -> dict[str, Any]:
    """The API's metric, each stretch with its strip and the report's figure for it."""
    label = translate(viewer.language, f"explain.metric_{metric['metric']}")
    describe = part_describer(viewer)
    stretches = []
    for s in metric["stretches"]:
        figure = report_figure(figures, metric["metric"], s, clock)
        stretches.append(
            {
                **s,
                "strip": timeline_strip(s["parts"], label, describe),
                "report_us": None if figure is None else round(figure * 1_000_000),
            }
        )
    return {**metric, "stretches": stretches}


def report_figure(
    figures: dict[str, Any] | None, metric: str, stretch: dict[str, Any], clock: str
) -> float | None:
    if figures is None:
        return None
    if metric == "resolution":
        return figures["resolution"][clock]  # type: ignore[no-any-return]
    return figures["waits"].get(stretch["seq"], {}).get(clock)  # type: ignore[no-any-return]


def instant_writer(viewer: Viewer) -> Any:
    def write(at: datetime) -> str:
        return format_time(at, viewer.language, viewer.zone)

    return write


def part_describer(viewer: Viewer) -> Any:
    """A part's tooltip: what it was, from when to when, and what it counted."""
    language, write = viewer.language, instant_writer(viewer)

    def describe(part: dict[str, Any]) -> str:
        what = translate(language, f"explain.kind_{part['kind']}")
        span = (
            f"{write(datetime.fromisoformat(part['start']))} – {write(datetime.fromisoformat(part['end']))}"
        )
        counted = format_duration(part["seconds"], language)
        return translate(language, "explain.part_title", what=what, span=span, counted=counted)

    return describe


def exact_seconds(us: int | None, language: str) -> str:
    """Microseconds as seconds, exactly: `3000 s`, `12.5 s` (no rounding: sums must be seen to hold)."""
    if us is None:
        return ""
    whole, rest = divmod(us, 1_000_000)
    text = f"{whole}" if not rest else f"{whole}.{rest:06d}".rstrip("0")
    return f"{text.replace('.', ',') if language == 'ru' else text} {UNITS[language]['s']}"
