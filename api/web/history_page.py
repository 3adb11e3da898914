"""The auditor's time travel, `/tickets/{id}/history[?as_of=]`: every event of the ticket with
both its times, its actor, its log position and its data, and beside them the ticket as it was
recorded at the as-of instant (status, assignee, tags, conversation, SLA clock as judged then).

The slider has one step per event (static/history.js); without script the same steps are
plain links. Nothing on the page changes anything: its only forms are GETs. The exports,
`history.json` and `history.html` (api/web/history_export.py), are linked with the same as-of.
"""

from collections import Counter
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from api.auth import HISTORY_READERS, get_runtime, require
from api.bootstrap import Runtime
from api.web import customer_history_page, history_export
from api.web.catalogue import translate
from api.web.history_as_of import AsOfProblem, read_as_of
from api.web.history_fields import event_label, rows
from api.web.history_times import Times, instant_param
from api.web.history_view import AsOf, TicketHistory, check_recorded_by, read_history, state_as_of, steps
from api.web.templating import render
from api.web.viewer import PageViewer, Viewer
from domain.event_types import EVENT_TYPES

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
EventTypes = Annotated[list[str], Query(max_length=len(EVENT_TYPES))]
Problem = tuple[str, dict[str, Any]]


@router.get("/tickets/{ticket_id}/history")
def ticket_history(
    ticket_id: UUID,
    request: Request,
    runtime: RuntimeDep,
    viewer: PageViewer,
    as_of: str = "",
    event: EventTypes = [],  # noqa: B006 - FastAPI copies defaults
) -> Response:
    """`event` keeps the table to those event types; the slider and the state still cover all."""
    require(viewer.user, HISTORY_READERS, "read ticket history")
    context = history_context(runtime, viewer, ticket_id, as_of, event)
    return render(request, "history.html", context, 422 if context["errors"] else 200)


@router.get("/tickets/{ticket_id}/history.json")
def history_json(ticket_id: UUID, runtime: RuntimeDep, viewer: PageViewer, as_of: str = "") -> Response:
    """The events recorded by the as-of instant (by default, the last one's), as the API gives them."""
    require(viewer.user, HISTORY_READERS, "export ticket history")
    history = read_history(runtime, ticket_id)
    try:
        instant = asked_instant(runtime, viewer, history, as_of)
    except AsOfProblem as problem:
        detail = translate(viewer.language, problem.key, **problem.params)
        return JSONResponse({"error": "invalid_as_of", "detail": detail}, status_code=422)
    return history_export.json_file(history, instant)


@router.get("/tickets/{ticket_id}/history.html")
def history_html(
    ticket_id: UUID, request: Request, runtime: RuntimeDep, viewer: PageViewer, as_of: str = ""
) -> Response:
    """A printable document of the same events and the ticket as of the same instant."""
    require(viewer.user, HISTORY_READERS, "export ticket history")
    history = read_history(runtime, ticket_id)
    try:
        instant = asked_instant(runtime, viewer, history, as_of)
    except AsOfProblem as problem:
        code, detail = "invalid_as_of", translate(viewer.language, problem.key, **problem.params)
        return request.app.state.page_error(request, 422, code, detail)  # type: ignore[no-any-return]
    return history_export.html_document(request, runtime, viewer, history, instant)


def asked_instant(runtime: Runtime, viewer: Viewer, history: TicketHistory, typed: str) -> datetime | None:
    instant = read_as_of(typed, viewer.zone, runtime.helpdesk.clock())
    check_recorded_by(history, instant, Times(viewer.language, viewer.zone))
    return instant


def history_context(
    runtime: Runtime, viewer: Viewer, ticket_id: UUID, typed: str, chosen: list[str]
) -> dict[str, Any]:
    times = Times(viewer.language, viewer.zone)
    history = read_history(runtime, ticket_id)
    errors: dict[str, Problem] = {}
    instant = None
    try:
        instant = asked_instant(runtime, viewer, history, typed)
    except AsOfProblem as problem:
        errors["as_of"] = (problem.key, problem.params)
    unknown = [name for name in chosen if name not in EVENT_TYPES]
    if unknown:
        errors["event"] = ("history.unknown_event", {"types": ", ".join(unknown)})
    state = None
    if "as_of" not in errors:
        state, history = state_as_of(runtime, history, instant)
    return {
        "ticket_id": str(ticket_id),
        "history": history,
        "state": state,
        "rows": rows(history.records, history.public, viewer.language, times, chosen, instant),
        "event_types": event_types(history, viewer.language, chosen),
        "errors": errors,
        "typed": typed if errors.get("as_of") or instant is None else times.typed(instant),
        "asked": instant_param(instant) if instant and not errors.get("as_of") else "",
        "times": times,
        "iso": instant_param,
        "when": times.local,
        **links(str(ticket_id), history, state, chosen, times),
    }


def event_types(history: TicketHistory, language: str, chosen: list[str]) -> list[dict[str, Any]]:
    """The filter's choices: the types this ticket has, in the order they first happened."""
    counts = Counter(record.type for record in history.records)
    return [
        {"type": name, "label": event_label(language, name), "count": count, "checked": name in chosen}
        for name, count in counts.items()
    ]


def links(
    ticket_id: str, history: TicketHistory, state: AsOf | None, chosen: list[str], times: Times
) -> dict[str, Any]:
    """The slider's steps as links (and the previous and next one), now, and the exports: each
    keeps the filter, and the exports keep the as-of instant asked for."""
    base = f"/tickets/{ticket_id}/history"
    language = times.language
    every = steps(history)
    current = state.step if state else len(every)
    slider = [
        {
            "number": step.number,
            "href": href(base, as_of=step.as_of, event=chosen) + "#as-of",
            "label": translate(
                language,
                "history.step_label",
                number=step.number,
                count=len(every),
                event=event_label(language, step.record.type),
                position=step.record.position,
                at=times.local(step.record.recorded_at),
            ),
            "current": step.number == current,
            "later": step.number > current,
        }
        for step in every
    ]
    asked = state.instant if state and state.asked else None
    export = {"as_of": instant_param(asked)} if asked else {}
    return {
        "slider": slider,
        "current": current,
        "links": {
            "previous": slider[current - 2]["href"] if current > 1 else None,
            "next": slider[current]["href"] if current < len(slider) else None,
            "now": href(base, event=chosen) + "#as-of",
            "all_events": href(base, as_of=instant_param(asked) if asked else "") + "#events",
            "json": href(f"{base}.json", **export),
            "html": href(f"{base}.html", **export),
            "ticket": f"/tickets/{ticket_id}",
        },
    }


def href(path: str, **query: Any) -> str:
    kept = {k: v for k, v in query.items() if v}
    return f"{path}?{urlencode(kept, doseq=True)}" if kept else path


router.include_router(customer_history_page.router)
