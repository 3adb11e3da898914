"""Customers: who they are across channels, their tickets, and colleagues' notes about them."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from api.auth import STAFF, CurrentUser, RuntimeDep
from api.caller import CallerDep
from api.models import CommandPublic, TextIn
from domain.values import Role
from projections.queue_store import QueueFilter

router = APIRouter(prefix="/customers", tags=["customers"])
EVERY_STATUS = ("open", "paused", "resolved", "merged")


@router.get("/{customer_id}")
def get_customer(
    customer_id: UUID,
    runtime: RuntimeDep,
    user: CurrentUser,
    min_position: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """The customer, their identities on every channel, their tickets and (for staff) notes."""
    if min_position:
        runtime.runner.wait_for(min_position, runtime.settings.min_position_timeout)
    helpdesk = runtime.helpdesk
    customer = helpdesk.customer(customer_id)
    tickets, count = runtime.queue.query(
        QueueFilter(status=EVERY_STATUS, customer_id=str(customer_id)), limit=500, offset=0
    )
    notes = [
        {"text": e.text, "actor": e.actor, "occurred_at": e.occurred_at.isoformat()}
        for e in helpdesk.history(customer_id)
        if type(e).__name__ == "CustomerNoteAdded"
    ]
    return {
        "id": str(customer.id),
        "name": customer.name,
        "identities": list(customer.identities),
        "registered_at": customer.registered_at.isoformat(),
        "tickets": {"data": tickets, "count": count},
        "notes": notes if user.role != Role.SERVICE else [],
    }


@router.post("/{customer_id}/notes")
def add_customer_note(customer_id: UUID, body: TextIn, caller: CallerDep) -> CommandPublic:
    """A note colleagues see whenever they deal with this customer ("anxious client")."""
    return caller.run(
        body,
        STAFF,
        "add customer notes",
        lambda ctx: caller.runtime.helpdesk.add_customer_note(customer_id, body.text, ctx),
    )
