"""Customers: who they are across channels, their tickets, and colleagues' notes about them."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from api.auth import READERS, STAFF, Allowed, RuntimeDep
from api.caller import CallerDep
from api.models import CommandPublic, CustomerMergeIn, IdentityIn, TextIn
from api.public import CustomerHistoryPublic, CustomerPublic, CustomersPublic
from api.reading import ViewsAt
from domain.errors import CustomerNotFoundError
from domain.event_types import EventType
from domain.users import User
from projections.queue_store import QueueFilter
from projections.search_queries import customers, history

router = APIRouter(prefix="/customers", tags=["customers"])
EVERY_STATUS = ("open", "paused", "resolved", "merged")


@router.get("/{customer_id}", response_model=CustomerPublic)
def get_customer(
    customer_id: UUID,
    runtime: RuntimeDep,
    user: Annotated[User, Depends(Allowed(READERS, "read customers"))],
    min_position: Annotated[int, Depends(ViewsAt("queue", "search"))] = 0,
) -> dict[str, Any]:
    """The customer, their identities on every channel, their tickets and (for staff) notes.

    Tickets are the survivor's: this record's, those of records merged into it and, for a record
    that was merged away, those of the customer it now belongs to (`survivor_id`)."""
    helpdesk = runtime.helpdesk
    customer = helpdesk.customer(customer_id)
    survivor = helpdesk.survivor(customer)
    tickets, count = runtime.queue.query(
        QueueFilter(status=EVERY_STATUS, customer_id=str(customer_id)), limit=500, offset=0
    )
    notes = [
        {"text": e.text, "actor": e.actor, "occurred_at": e.occurred_at.isoformat()}
        for e in helpdesk.customer_history(customer_id)
        if type(e).__name__ == EventType.CUSTOMER_NOTE_ADDED
    ]
    return {
        "id": str(customer.id),
        "name": customer.name,
        "identities": list(customer.identities),
        "registered_at": customer.registered_at.isoformat(),
        "merged_into": str(customer.merged_into) if customer.merged_into else None,
        "survivor_id": str(survivor.id),
        "merged_from": runtime.queue.merged_from(str(customer_id)),
        "tickets": {"data": tickets, "count": count},
        "notes": notes,
    }


@router.post("/{customer_id}/notes")
def add_customer_note(customer_id: UUID, body: TextIn, caller: CallerDep) -> CommandPublic:
    """A note colleagues see whenever they deal with this customer ("anxious client")."""
    ctx = caller.context(body, STAFF, "add customer notes")
    return caller.done(caller.helpdesk.add_customer_note(customer_id, body.text, ctx))


@router.get("", response_model=CustomersPublic)
def find_customers(
    runtime: RuntimeDep,
    user: Annotated[User, Depends(Allowed(READERS, "find customers"))],
    q: Annotated[str, Query(max_length=200, description="Name or handle; a first few letters will do")] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
    min_position: Annotated[int, Depends(ViewsAt("queue", "search"))] = 0,
) -> dict[str, Any]:
    """Customers by name or channel handle (merged records appear as their survivor)."""
    data, count = customers(runtime.search, q, limit, offset)
    return {"data": data, "count": count, "position": runtime.runner.position(("queue", "search"))}


@router.get("/{customer_id}/history", response_model=CustomerHistoryPublic)
def customer_history(
    customer_id: UUID,
    runtime: RuntimeDep,
    user: Annotated[User, Depends(Allowed(READERS, "read customer histories"))],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
    min_position: Annotated[int, Depends(ViewsAt("queue", "search"))] = 0,
) -> dict[str, Any]:
    """Every ticket of the customer on every channel with its messages and notes."""
    found = history(runtime.search, str(customer_id), True, limit, offset)
    if not found:
        raise CustomerNotFoundError(f"There is no customer {customer_id}.")
    return found


@router.post("/{customer_id}/identities")
def link_identity(customer_id: UUID, body: IdentityIn, caller: CallerDep) -> CommandPublic:
    """The same person on another channel: their messages from there reach this customer."""
    ingest = caller.runtime.ingest
    kind = ingest.service.identity_kind(body.channel) if ingest is not None else body.channel
    ctx = caller.context(body, STAFF, "link identities")
    return caller.done(caller.helpdesk.link_identity(customer_id, kind, body.handle, ctx))


@router.post("/{customer_id}/merge")
def merge_customer(customer_id: UUID, body: CustomerMergeIn, caller: CallerDep) -> CommandPublic:
    """Merge this customer record into another; the other keeps both records' identities and tickets."""
    ctx = caller.context(body, STAFF, "merge customers")
    return caller.done(caller.helpdesk.merge_customers(customer_id, body.into, ctx))
