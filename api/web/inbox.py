"""The inbox: the queue as the API serves it (`GET /api/v1/tickets`), filtered by its URL, with
the channels' counts, SLA badges, the viewer's saved views, and live updates (api/web/live.py).

`GET /inbox` is the page; with `X-Fragment` it is only the list, which the page script refetches
when the live stream says a ticket changed. `GET /inbox/sidebar` is the channels' counts alone,
for the same refresh. Saved views are posted forms: answered with the views' part of the sidebar
over fetch, or with a redirect to the saved filter without script.
"""

from datetime import UTC, datetime
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import READERS, STAFF, get_runtime, require
from api.bootstrap import Runtime
from api.web.inbox_filters import LABELS, PRIORITIES, STATUSES, TYPES, InboxFilter, parse, parse_query
from api.web.inbox_page import Inbox, channels, gather, sidebar_url, view_links
from api.web.pages_errors import FRAGMENT_HEADER
from api.web.templating import render
from api.web.viewer import Form, FormViewer, PageViewer, Viewer
from application.command import Context
from domain.errors import DomainError
from domain.saved_views import TooManyViewsError


class WrongFilterError(DomainError):
    code = "invalid_filter"


VIEW_ERRORS: list[tuple[type[DomainError], str]] = [
    (TooManyViewsError, "inbox.view_too_many"),
    (WrongFilterError, "inbox.view_bad_filter"),
]
"""The catalogue's sentence for what went wrong with a view; any other refusal is its name's."""

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


@router.get("/inbox")
async def inbox(request: Request, runtime: RuntimeDep, viewer: PageViewer) -> Response:
    require(viewer.user, READERS, "read the queue")
    f = parse(request.query_params)
    page = await to_thread.run_sync(gather, runtime, f, viewer.name, datetime.now(UTC))
    context = page_context(page, viewer)
    status = 422 if f.errors else 200
    if FRAGMENT_HEADER in request.headers:
        return render(request, "inbox_list.html", context, status)
    return render(request, "inbox.html", context, status)


@router.get("/inbox/sidebar")
async def sidebar(request: Request, runtime: RuntimeDep, viewer: PageViewer) -> Response:
    """The channels and their counts, for the page's live refresh."""
    require(viewer.user, READERS, "read the queue")
    f = parse(request.query_params)
    links = await to_thread.run_sync(channels, runtime, f)
    return render(request, "inbox_channels.html", {"channels": links, "sidebar": sidebar_url(f)})


@router.post("/inbox/views")
async def save_view(request: Request, runtime: RuntimeDep, posted: FormViewer) -> Response:
    viewer, form = posted
    require(viewer.user, STAFF, "save views")
    name, f = field(form, "name"), parse_query(field(form, "filters"))
    try:
        if f.errors:
            raise WrongFilterError("The filter to save has a wrong value; fix it first.")
        await to_thread.run_sync(runtime.helpdesk.save_view, name, f.filters, Context(viewer.name))
    except DomainError as error:
        key = next((k for cls, k in VIEW_ERRORS if isinstance(error, cls)), "inbox.view_bad_name")
        return await view_error(request, runtime, viewer, f, name, key)
    return await views_answer(request, runtime, viewer, f)


@router.post("/inbox/views/delete")
async def delete_view(request: Request, runtime: RuntimeDep, posted: FormViewer) -> Response:
    viewer, form = posted
    require(viewer.user, STAFF, "delete views")
    f = parse_query(field(form, "filters"))
    await to_thread.run_sync(runtime.helpdesk.delete_view, field(form, "name"), Context(viewer.name))
    return await views_answer(request, runtime, viewer, f)


async def views_answer(request: Request, runtime: Runtime, viewer: Viewer, f: InboxFilter) -> Response:
    """Over fetch the saved views' part of the sidebar; else back to the filter (PRG)."""
    if FRAGMENT_HEADER not in request.headers:
        return RedirectResponse(f"/inbox?{f.filters}", status_code=303)
    views = await to_thread.run_sync(view_links, runtime, f, viewer.name)
    context = {"views": views, "filter": f, "may_save": True, "typed_name": "", "view_error": None}
    return render(request, "inbox_views.html", context)


async def view_error(
    request: Request, runtime: Runtime, viewer: Viewer, f: InboxFilter, name: str, key: str
) -> Response:
    """Next to the name field: in the form's error box over fetch, or on the page re-rendered
    with what was typed."""
    if FRAGMENT_HEADER in request.headers:
        return render(request, "inbox_view_error.html", {"view_error": key}, 422)
    page = await to_thread.run_sync(gather, runtime, f, viewer.name, datetime.now(UTC))
    context = {**page_context(page, viewer), "typed_name": name, "view_error": key}
    return render(request, "inbox.html", context, 422)


def page_context(page: Inbox, viewer: Viewer) -> dict[str, Any]:
    return {
        "page": page,
        "filter": page.filter,
        "channels": page.channels,
        "sidebar": page.sidebar,
        "views": page.views,
        "may_save": viewer.may(STAFF),
        "typed_name": "",
        "view_error": None,
        "labels": LABELS,
        "statuses": [(value, LABELS[value]) for value in STATUSES],
        "types": [(value, LABELS[value]) for value in TYPES],
        "priorities": [(value, LABELS[value]) for value in PRIORITIES],
    }


def field(form: Form, name: str) -> str:
    return next(iter(form.get(name, [])), "")
