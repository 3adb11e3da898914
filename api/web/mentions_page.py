"""The mention moderation queue (`GET /api/v1/mentions`) and its triage, as a page.

The queue is the API's query, oldest captured first: it is a queue, and the mention that has
waited longest is the one to take next (as in the inbox); it also keeps the list still while a
moderator works down it, since what she triages leaves from the top. Triage posts call the same
use cases as `POST /api/v1/mentions/{id}/triage` and `/answered`, with the API's own body models,
so a bad category or tag gets the API's sentence. A triaged row is swapped for a one-line note
of what became of it (with the ticket's link); colleagues' pages drop it when the live stream
says it was triaged (static/mentions.js).
"""

from datetime import datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit
from uuid import UUID

from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from api.auth import HISTORY_READERS, STAFF, get_runtime, require
from api.bootstrap import Runtime
from api.choices import one_of
from api.errors import describe
from api.reading import ViewsAt, views_at
from api.routes.mentions import AnsweredIn, TriageIn
from api.web.pages_errors import FRAGMENT_HEADER
from api.web.templating import render
from api.web.viewer import Form, FormViewer, PageViewer, Viewer
from application.command import CommandResult, Context
from domain.errors import InvalidValueError
from domain.mention import Decision

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
PAGE_SIZE = 50
MAX_PAGE = 10_000
VIEWS = ("ingest",)
StatusChoice = one_of(("new",), Decision)
LINK_SCHEMES = ("http", "https")
Body = TypeVar("Body", TriageIn, AnsweredIn)


@router.get("/mentions")
async def mentions_page(
    request: Request,
    runtime: RuntimeDep,
    viewer: PageViewer,
    status: StatusChoice = "new",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    min_position: Annotated[int, Depends(ViewsAt(*VIEWS))] = 0,
) -> Response:
    """The whole page, or (asked by the page script) just the queue, to refresh it in place."""
    require(viewer.user, HISTORY_READERS, "read mentions")
    context = await to_thread.run_sync(queue_context, runtime, viewer, status, page)
    template = "mentions_queue.html" if FRAGMENT_HEADER in request.headers else "mentions.html"
    return render(request, template, context)


@router.post("/mentions/{mention_id}/triage")
async def triage(mention_id: UUID, request: Request, runtime: RuntimeDep, posted: FormViewer) -> Response:
    """Ticket for the channel's owner (`reply`), `marketing` (a category, tags), or `ignore`."""
    viewer, form = posted
    require(viewer.user, STAFF, "triage mentions")
    body = checked(TriageIn, {**fields(form, "decision", "category"), "tags": tags_of(form)})
    helpdesk = runtime.helpdesk
    args = (mention_id, body.decision, body.category, body.tags, Context(viewer.name))
    result = await to_thread.run_sync(helpdesk.triage_mention, *args)
    done = {"category": body.category, "tags": body.tags}
    return await settled(request, runtime, form, result, "mentions_done.html", done)


@router.post("/mentions/{mention_id}/answered")
async def answered(mention_id: UUID, request: Request, runtime: RuntimeDep, posted: FormViewer) -> Response:
    """The reply was posted on the site the mention came from."""
    viewer, form = posted
    require(viewer.user, STAFF, "mark mentions")
    body = checked(AnsweredIn, fields(form, "note"))
    args = (mention_id, body.note, Context(viewer.name))
    result = await to_thread.run_sync(runtime.helpdesk.answer_on_site, *args)
    return await settled(request, runtime, form, result, "mentions_answered.html", {"note": body.note})


async def settled(
    request: Request, runtime: Runtime, form: Form, result: CommandResult, template: str, done: dict[str, Any]
) -> Response:
    """Once the queue has the change: the row's new fragment for the script, else back to the list."""
    runtime.runner.wake()
    await views_at(runtime, result.position, VIEWS)
    if FRAGMENT_HEADER not in request.headers:
        return RedirectResponse(back_to(form), status_code=303)
    found = await to_thread.run_sync(runtime.helpdesk.mention, result.id)
    owner = await to_thread.run_sync(channel_owner, runtime, found.channel)
    return render(request, template, {"mention": found, "owner": owner, **done})


def queue_context(runtime: Runtime, viewer: Viewer, status: str, page: int) -> dict[str, Any]:
    ingest = runtime.ingest
    rows, count = ingest.store.mentions(status, PAGE_SIZE, (page - 1) * PAGE_SIZE) if ingest else ([], 0)
    channels = ingest.store.channels() if ingest else []
    categories = ingest.store.mention_report(None, None) if ingest else []
    return {
        "rows": [mention_view(row) for row in rows],
        "count": count,
        "status": status,
        "statuses": ("new", *Decision),
        "page": page,
        "pages": max(1, -(-count // PAGE_SIZE)),
        "owners": {c["name"]: c["owner"] for c in channels},
        "categories": sorted({c["category"] for c in categories if c["category"]}),
        "can_triage": viewer.may(STAFF),
        "position": runtime.runner.position(VIEWS),
        "here": f"/mentions?status={status}&page={page}",
    }


def mention_view(row: dict[str, Any]) -> dict[str, Any]:
    """The view's row with its times as instants and its address as a link only if it is a web page
    (the monitoring tool sends any text as `url`; a `javascript:` one must never become a link)."""
    times = {key: parse_time(row[key]) for key in ("published_at", "captured_at", "triaged_at")}
    link = row["url"] if urlsplit(row["url"]).scheme.lower() in LINK_SCHEMES else None
    return {**row, **times, "link": link}


def parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def channel_owner(runtime: Runtime, channel: str) -> str | None:
    found = runtime.helpdesk.channel(channel)
    return found.owner if found is not None else None


def fields(form: Form, *names: str) -> dict[str, str]:
    """The named fields that were filled in (an empty field means "not given", as in the API)."""
    given = {name: (form.get(name) or [""])[0].strip() for name in names}
    return {name: value for name, value in given.items() if value}


def tags_of(form: Form) -> list[str]:
    """Tags typed into one field, separated by commas (`branch, vip`)."""
    return [t.strip() for value in form.get("tags", []) for t in value.split(",") if t.strip()]


def checked(model: type[Body], values: dict[str, Any]) -> Body:
    """The API's own body model: the same limits, and the same sentence when one is broken."""
    try:
        return model(**values)
    except ValidationError as exc:
        raise InvalidValueError("; ".join(describe(dict(p)) for p in exc.errors())) from None


def back_to(form: Form) -> str:
    """The list the form was posted from: only a path of this page."""
    back = (form.get("back") or [""])[0]
    return back if back.startswith("/mentions?") and "//" not in back else "/mentions"
