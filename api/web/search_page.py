"""Archive search (`GET /api/v1/search`) and customer search (`GET /api/v1/customers`), as pages.

Both run the API's queries with the API's limits. The archive form is a GET, so a search is a link
that can be kept or shared, and the inbox's "/" key lands here with `?q=`. Bad input is shown next
to its field with what was typed still in it (status 422), and nothing is searched: a period
that ends before it starts, a channel the desk does not have, a query over the API's length.
Days in the period are the viewer's days: `to` includes its whole day. Matched words come from
the search's own highlights; the template escapes every piece and marks only those.
"""

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

from anyio import to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from api.auth import READERS, get_runtime, require
from api.bootstrap import Runtime
from api.models import FilterValue, Instant
from api.routes.customers import EVERY_STATUS
from api.routes.search import StatusChoice
from api.web.templating import render
from api.web.viewer import PageViewer
from domain.text_forms import identifier
from domain.values import Status
from projections.queue_store import QueueFilter
from projections.search_queries import SearchQuery, customers, search

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
PAGE_SIZE = 20
MAX_PAGE = 10_000 // PAGE_SIZE + 1
"""The API pages up to offset 10,000."""
SIDE_CUSTOMERS = 5
CUSTOMER_TICKETS = 50
ARCHIVE_FIELDS = ("q", "customer", "tag", "channel", "status", "from", "to", "page")
CUSTOMER_FIELDS = ("q", "page")
INSTANT = TypeAdapter(Instant)
Model = TypeVar("Model", bound=BaseModel)
Problem = tuple[str, dict[str, Any]]
"""A catalogue key and its placeholders: what is wrong with one field."""
Period = tuple[datetime | None, datetime | None]


class ArchiveForm(BaseModel):
    """The API's filters as the form sends them: one value each, days instead of instants."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    q: str = Field(default="", max_length=500)
    customer: UUID | None = None
    tag: FilterValue = ""
    channel: FilterValue = ""
    status: StatusChoice | None = None
    start: date | None = Field(default=None, alias="from")
    to: date | None = None
    page: int = Field(default=1, ge=1, le=MAX_PAGE)

    @property
    def anything(self) -> bool:
        return any((self.q.strip(), self.customer, self.tag, self.channel, self.status, self.start, self.to))


class CustomerForm(BaseModel):
    model_config = ConfigDict(extra="ignore")
    q: str = Field(default="", max_length=200)
    page: int = Field(default=1, ge=1, le=MAX_PAGE)


@router.get("/search")
async def archive(request: Request, runtime: RuntimeDep, viewer: PageViewer) -> Response:
    require(viewer.user, READERS, "search the archive")
    typed = typed_fields(request.query_params, ARCHIVE_FIELDS)
    context = await to_thread.run_sync(archive_context, runtime, typed, viewer.zone)
    return render(request, "search.html", context, 422 if context["errors"] else 200)


@router.get("/search/customers")
async def find_customers(request: Request, runtime: RuntimeDep, viewer: PageViewer) -> Response:
    require(viewer.user, READERS, "find customers")
    typed = typed_fields(request.query_params, CUSTOMER_FIELDS)
    context = await to_thread.run_sync(customers_context, runtime, typed)
    return render(request, "search_customers.html", context, 422 if context["errors"] else 200)


def archive_context(runtime: Runtime, typed: dict[str, str], zone: str) -> dict[str, Any]:
    channels = [c["name"] for c in runtime.ingest.store.channels()] if runtime.ingest else []
    form, errors = valid(ArchiveForm, typed)
    customer = None
    if form is not None:
        customer = check_archive(runtime, form, channels, errors)
    context: dict[str, Any] = {
        "typed": typed,
        "errors": errors,
        "channels": channels,
        "statuses": [s.value for s in Status],
        "customer": customer,
        "searched": False,
        "without_customer": link("/search", {**typed, "customer": "", "page": ""}),
    }
    if form is None or errors or not form.anything:
        return context
    since, until = period(form, zone, errors)
    if errors:
        return context
    found = search(runtime.search, archive_query(form, since, until))
    people = customers(runtime.search, form.q, SIDE_CUSTOMERS, 0)[0] if form.q.strip() else []
    hits = [hit_view(h) for h in found.hits]
    pages = pager("/search", typed, form.page, found.count)
    tickets = customer_tickets(runtime, customer) if customer and not form.q.strip() else None
    found_all = {"hits": hits, "found": found, "people": people, "tickets": tickets}
    return {**context, "searched": True, **found_all, **pages}


def customer_tickets(runtime: Runtime, customer: dict[str, Any]) -> dict[str, Any]:
    """The customer's tickets on every channel, as `GET /api/v1/customers/{id}` lists them."""
    only_theirs = QueueFilter(status=EVERY_STATUS, customer_id=customer["id"])
    rows, count = runtime.queue.query(only_theirs, CUSTOMER_TICKETS, 0)
    opened = [{**row, "opened": datetime.fromisoformat(row["opened_at"])} for row in rows]
    return {"rows": opened, "count": count}


def check_archive(
    runtime: Runtime, form: ArchiveForm, channels: list[str], errors: dict[str, Problem]
) -> dict[str, Any] | None:
    """What the API would take but answer with nothing: said here, next to the field."""
    if form.start and form.to and form.start > form.to:
        errors["to"] = ("search.period_backwards", {})
    if form.channel and form.channel not in channels:
        errors["channel"] = ("search.unknown_channel", {"channel": form.channel})
    if form.customer is None:
        return None
    customer = runtime.queue.customer(str(form.customer))
    if customer is None:
        errors["customer"] = ("search.unknown_customer", {"customer": str(form.customer)})
    return customer


def period(form: ArchiveForm, zone: str, errors: dict[str, Problem]) -> Period:
    """From the start of the first day to the end of the last, in the viewer's zone."""
    last = form.to + timedelta(days=1) if form.to and form.to < date.max else form.to
    return instant(form.start, zone, "from", errors), instant(last, zone, "to", errors)


def archive_query(form: ArchiveForm, since: datetime | None, until: datetime | None) -> SearchQuery:
    """The API's query, as `GET /api/v1/search` builds it (staff and auditors see notes too)."""
    return SearchQuery(
        text=form.q,
        customer_id=str(form.customer) if form.customer else None,
        tags=[identifier(form.tag)] if form.tag else [],
        channels=[form.channel] if form.channel else [],
        statuses=[form.status] if form.status else [],
        since=since,
        until=until,
        include_notes=True,
        limit=PAGE_SIZE,
        offset=(form.page - 1) * PAGE_SIZE,
    )


def instant(day: date | None, zone: str, name: str, errors: dict[str, Problem]) -> datetime | None:
    """The start of a day in the viewer's zone, held to the API's range (with its sentence)."""
    if day is None:
        return None
    try:
        return INSTANT.validate_python(datetime.combine(day, time(), ZoneInfo(zone)))
    except ValidationError as exc:
        errors[name] = ("search.api_says", {"detail": exc.errors()[0]["msg"]})
        return None


def customers_context(runtime: Runtime, typed: dict[str, str]) -> dict[str, Any]:
    """`GET /api/v1/customers?q=`: by name or handle, a first few letters being enough."""
    form, errors = valid(CustomerForm, typed)
    context: dict[str, Any] = {"typed": typed, "errors": errors, "searched": False}
    if form is None or not form.q.strip():
        return context
    people, count = customers(runtime.search, form.q, PAGE_SIZE, (form.page - 1) * PAGE_SIZE)
    pages = pager("/search/customers", typed, form.page, count)
    found = [{**p, "since": datetime.fromisoformat(p["registered_at"])} for p in people]
    return {**context, "searched": True, "people": found, "count": count, **pages}


def typed_fields(params: Mapping[str, str], names: tuple[str, ...]) -> dict[str, str]:
    """What the viewer typed, kept as typed so that a refused form comes back filled in."""
    return {name: params.get(name, "").strip() if name != "q" else params.get(name, "") for name in names}


def valid(model: type[Model], typed: dict[str, str]) -> tuple[Model | None, dict[str, Problem]]:
    try:
        return model.model_validate({k: v for k, v in typed.items() if v != ""}), {}
    except ValidationError as exc:
        return None, {str(p["loc"][0]): problem(p) for p in exc.errors()}


def problem(p: Any) -> Problem:
    """The API's sentence for a broken limit, in the viewer's language where the catalogue has it."""
    kind, ctx = p["type"], p.get("ctx") or {}
    if kind == "string_too_long":
        return "search.too_long", {"max": ctx.get("max_length")}
    if kind.startswith("date"):
        return "search.bad_date", {}
    if kind.startswith("uuid"):
        return "search.bad_customer", {}
    return "search.api_says", {"detail": p["msg"]}


def hit_view(found: dict[str, Any]) -> dict[str, Any]:
    customer = found["customer"]
    return {
        **found,
        "at": datetime.fromisoformat(found["occurred_at"]),
        "pieces": [pieces(f["text"], f["highlights"]) for f in found["fragments"]],
        "name_pieces": pieces(customer["name"] or "", customer["highlights"]),
    }


def pieces(text: str, highlights: list[list[int]]) -> list[tuple[str, bool]]:
    """The text cut at its highlights: (text, matched) pairs, for the template to escape and mark."""
    out: list[tuple[str, bool]] = []
    last = 0
    for start, end in highlights:
        if start > last:
            out.append((text[last:start], False))
        out.append((text[start:end], True))
        last = end
    if last < len(text):
        out.append((text[last:], False))
    return out


def pager(path: str, typed: dict[str, str], page: int, count: int) -> dict[str, Any]:
    pages = min(MAX_PAGE, max(1, -(-count // PAGE_SIZE)))
    return {
        "page": page,
        "pages": pages,
        "previous": link(path, {**typed, "page": str(page - 1)}) if page > 1 else None,
        "next": link(path, {**typed, "page": str(page + 1)}) if page < pages else None,
    }


def link(path: str, values: dict[str, str]) -> str:
    kept = {k: v for k, v in values.items() if v and not (k == "page" and v == "1")}
    return f"{path}?{urlencode(kept)}" if kept else path
