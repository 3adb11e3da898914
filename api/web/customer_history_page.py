"""A customer's history, `/customers/{id}/history`: who they are on every channel, their tickets
(each with its status and dates, linked to the ticket and its history), colleagues' notes about
them, and the customer's own events with their positions and data.

The same reads as `GET /api/v1/customers/{id}`: the tickets are the survivor's (this record's,
those of records merged into it), the events this record's own. An id that is no customer's is
a 404, as there.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.auth import HISTORY_READERS, get_runtime, require
from api.bootstrap import Runtime
from api.routes.customers import EVERY_STATUS
from api.views import event_public
from api.web.history_fields import Row, rows
from api.web.history_times import Times, instant_param
from api.web.templating import render
from api.web.viewer import PageViewer
from domain.customer import Customer
from domain.event_types import EventType
from projections.queue_store import QueueFilter
from projections.records import record_from_event

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
MAX_TICKETS = 500
"""As many as `GET /api/v1/customers/{id}` lists."""


@dataclass(frozen=True, slots=True)
class CustomerHistory:
    customer: Customer
    survivor: Customer
    merged_from: list[str]
    tickets: list[dict[str, Any]]
    count: int
    notes: list[Row]
    rows: list[Row]


@router.get("/customers/{customer_id}/history")
def customer_history(
    customer_id: UUID, request: Request, runtime: RuntimeDep, viewer: PageViewer
) -> Response:
    require(viewer.user, HISTORY_READERS, "read customer histories")
    times = Times(viewer.language, viewer.zone)
    found = read_customer(runtime, customer_id, viewer.language, times)
    return render(request, "customer_history.html", {"found": found, "times": times, "iso": instant_param})


def read_customer(runtime: Runtime, customer_id: UUID, language: str, times: Times) -> CustomerHistory:
    helpdesk = runtime.helpdesk
    customer = helpdesk.customer(customer_id)
    events = helpdesk.customer_history(customer_id)
    positions = helpdesk.positions(customer_id)
    records = [record_from_event(positions[e.originator_version], e) for e in events]
    public = [event_public(positions[e.originator_version], e) for e in events]
    told = rows(records, public, language, times)
    tickets, count = runtime.queue.query(
        QueueFilter(status=EVERY_STATUS, customer_id=str(customer_id)), limit=MAX_TICKETS, offset=0
    )
    return CustomerHistory(
        customer=customer,
        survivor=helpdesk.survivor(customer),
        merged_from=runtime.queue.merged_from(str(customer_id)),
        tickets=[dated(row) for row in tickets],
        count=count,
        notes=[row for row in told if row.record.type == EventType.CUSTOMER_NOTE_ADDED],
        rows=told,
    )


def dated(row: dict[str, Any]) -> dict[str, Any]:
    """A queue row with its times as instants, for the page to write in the viewer's zone."""
    times = {k: datetime.fromisoformat(row[k]) if row.get(k) else None for k in ("opened_at", "updated_at")}
    return {**row, **times}
