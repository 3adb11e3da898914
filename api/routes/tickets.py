"""Tickets: open, act on, list (the queue view), read the current state and the full history."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from api.auth import (
    CUSTOMER_SIDE,
    READERS,
    TICKET_READERS,
    WRITERS,
    Allowed,
    CurrentUser,
    RuntimeDep,
    require,
)
from api.caller import CallerDep
from api.choices import one_of
from api.models import (
    AssignIn,
    CommandIn,
    CommandPublic,
    EventsPublic,
    FilterValue,
    Instant,
    MergeIn,
    MessageIn,
    PauseIn,
    PriorityIn,
    RatingIn,
    ReplyIn,
    ResolveIn,
    TagsIn,
    TextIn,
    TicketOpenIn,
    TicketsPublic,
    TypeIn,
    filter_values,
)
from api.public import TicketPublic
from api.reading import ViewsAt
from api.views import event_public, ticket_detail
from domain.text_forms import identifier
from domain.users import User
from domain.values import Priority, Role, Status, TicketType
from projections.queue_store import QueueFilter

router = APIRouter(prefix="/tickets", tags=["tickets"])
StatusChoice = one_of(Status)
CUSTOMER_FILTER = (
    "A customer: their tickets and those of every record merged into them, along chains of merges "
    "too. A record that was merged away stands for the customer it was merged into (as in search), "
    "so its id lists the same tickets as the survivor's."
)


@router.post("", status_code=201)
def open_ticket(body: TicketOpenIn, caller: CallerDep) -> CommandPublic:
    """Open a ticket for a customer's first message on a channel."""
    ingest = caller.runtime.ingest
    kind = ingest.service.identity_kind(body.channel) if ingest is not None else body.channel
    ctx = caller.context(body, WRITERS, "open tickets")
    customer = body.customer
    return caller.done(
        caller.helpdesk.open_ticket(
            body.channel, customer.name, customer.handle, body.subject, body.text, body.external_id, ctx, kind
        )
    )


@router.post("/{ticket_id}/messages")
def receive_message(ticket_id: UUID, body: MessageIn, caller: CallerDep) -> CommandPublic:
    """Record a customer's message; it resumes a paused ticket and reopens a resolved one."""
    ctx = caller.context(body, CUSTOMER_SIDE, "record customer messages")
    return caller.done(caller.helpdesk.receive_message(ticket_id, body.text, body.external_id, ctx))


@router.post("/{ticket_id}/replies")
def reply(ticket_id: UUID, body: ReplyIn, caller: CallerDep) -> CommandPublic:
    """Reply to the customer: text, a snippet with placeholders filled, or a public article."""
    ctx = caller.context(body, WRITERS, "reply")
    result = caller.helpdesk.reply(ticket_id, body.text, body.snippet, body.article, ctx, caller.if_match)
    return caller.done(result)


@router.post("/{ticket_id}/notes")
def add_note(ticket_id: UUID, body: TextIn, caller: CallerDep) -> CommandPublic:
    """Leave an internal comment the customer never sees."""
    ctx = caller.context(body, WRITERS, "add notes")
    return caller.done(caller.helpdesk.add_note(ticket_id, body.text, ctx, caller.if_match))


@router.post("/{ticket_id}/assign")
def assign(ticket_id: UUID, body: AssignIn, caller: CallerDep) -> CommandPublic:
    """Assign or reassign the ticket to a user, with an optional comment for them."""
    require(caller.user, WRITERS, "assign tickets")
    caller.existing_user(body.assignee)
    ctx = caller.context(body, WRITERS, "assign tickets")
    result = caller.helpdesk.assign(ticket_id, body.assignee, body.comment, ctx, caller.if_match)
    return caller.done(result)


@router.post("/{ticket_id}/tags")
def change_tags(ticket_id: UUID, body: TagsIn, caller: CallerDep) -> CommandPublic:
    """Add and remove tags."""
    ctx = caller.context(body, WRITERS, "tag tickets")
    return caller.done(caller.helpdesk.change_tags(ticket_id, body.add, body.remove, ctx, caller.if_match))


@router.post("/{ticket_id}/type")
def set_type(ticket_id: UUID, body: TypeIn, caller: CallerDep) -> CommandPublic:
    """Classify the ticket as a question, problem or incident."""
    ctx = caller.context(body, WRITERS, "set the type")
    return caller.done(caller.helpdesk.set_type(ticket_id, body.type, ctx, caller.if_match))


@router.post("/{ticket_id}/priority")
def set_priority(ticket_id: UUID, body: PriorityIn, caller: CallerDep) -> CommandPublic:
    """Set the priority."""
    ctx = caller.context(body, WRITERS, "set the priority")
    return caller.done(caller.helpdesk.set_priority(ticket_id, body.priority, ctx, caller.if_match))


@router.post("/{ticket_id}/pause")
def pause(ticket_id: UUID, body: PauseIn, caller: CallerDep) -> CommandPublic:
    """Pause while waiting for the customer or another department; paused time is not counted."""
    ctx = caller.context(body, WRITERS, "pause tickets")
    return caller.done(caller.helpdesk.pause(ticket_id, body.reason, body.department, ctx, caller.if_match))


@router.post("/{ticket_id}/resume")
def resume(ticket_id: UUID, caller: CallerDep, body: CommandIn | None = None) -> CommandPublic:
    """Resume a paused ticket."""
    ctx = caller.context(body, WRITERS, "resume tickets")
    return caller.done(caller.helpdesk.resume(ticket_id, ctx, caller.if_match))


@router.post("/{ticket_id}/resolve")
def resolve(ticket_id: UUID, body: ResolveIn, caller: CallerDep) -> CommandPublic:
    """Resolve: solved, spam, no reply needed, or duplicate."""
    ctx = caller.context(body, WRITERS, "resolve tickets")
    return caller.done(caller.helpdesk.resolve(ticket_id, body.resolution, ctx, caller.if_match))


@router.post("/{ticket_id}/reopen")
def reopen(ticket_id: UUID, caller: CallerDep, body: CommandIn | None = None) -> CommandPublic:
    """Reopen a resolved ticket."""
    ctx = caller.context(body, WRITERS, "reopen tickets")
    return caller.done(caller.helpdesk.reopen(ticket_id, ctx, caller.if_match))


@router.post("/{ticket_id}/rating")
def rate(ticket_id: UUID, body: RatingIn, caller: CallerDep) -> CommandPublic:
    """Record the customer's like or dislike after a resolution (one per resolution)."""
    ctx = caller.context(body, CUSTOMER_SIDE, "record ratings")
    return caller.done(caller.helpdesk.rate(ticket_id, body.score, body.comment, ctx, caller.if_match))


@router.post("/{ticket_id}/merge")
def merge(ticket_id: UUID, body: MergeIn, caller: CallerDep) -> CommandPublic:
    """Merge this ticket into another; both record it, and this one leaves every queue."""
    ctx = caller.context(body, WRITERS, "merge tickets")
    return caller.done(caller.helpdesk.merge(ticket_id, body.into, ctx, caller.if_match))


@router.get("")
def list_tickets(
    runtime: RuntimeDep,
    user: Annotated[User, Depends(Allowed(READERS, "read the queue"))],
    status: Annotated[list[StatusChoice], filter_values()] = [],  # noqa: B006 - FastAPI copies defaults
    channel: Annotated[list[FilterValue], filter_values()] = [],  # noqa: B006
    assignee: str | None = None,
    unassigned: bool = False,
    tag: Annotated[list[FilterValue], filter_values()] = [],  # noqa: B006
    type: one_of(TicketType) | None = None,
    priority: one_of(Priority) | None = None,
    customer: Annotated[UUID | None, Query(description=CUSTOMER_FILTER)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
    min_position: Annotated[int, Depends(ViewsAt("queue"))] = 0,
) -> TicketsPublic:
    """The queue, longest-waiting customer first; filters combine with AND. Rows name the customer
    a ticket belongs to now (`customer.id`, `name`: the survivor of merges) and the record it was
    opened with (`customer.recorded_id`)."""
    filters = QueueFilter(
        status=status,
        channel=channel,
        assignee=assignee,
        unassigned=unassigned,
        tag=[identifier(t) for t in tag],
        type=type,
        priority=priority,
        customer_id=str(customer) if customer else None,
    )
    rows, count = runtime.queue.query(filters, limit, offset)
    return TicketsPublic(data=rows, count=count, position=runtime.runner.position(("queue",)))


@router.get("/{ticket_id}", response_model=TicketPublic)
def get_ticket(
    ticket_id: UUID, runtime: RuntimeDep, user: CurrentUser, as_of: Instant | None = None
) -> dict[str, Any]:
    """The ticket's current state and conversation; `as_of` gives it as recorded at that time.

    `customer` is the customer the ticket belongs to now (after merges of customer records, even
    with `as_of`); `customer.recorded_id` is the record it was opened with."""
    helpdesk = runtime.helpdesk
    ticket = helpdesk.ticket_as_of(ticket_id, as_of) if as_of else helpdesk.ticket(ticket_id)
    events = [e for e in helpdesk.history(ticket_id) if e.originator_version <= ticket.version]
    customer = helpdesk.survivor(helpdesk.customer(ticket.customer_id))
    return ticket_detail(ticket, events, customer, include_notes=user.role != Role.SERVICE)


@router.get("/{ticket_id}/events")
def get_events(ticket_id: UUID, runtime: RuntimeDep, user: CurrentUser) -> EventsPublic:
    """Every event of the ticket, in order: what happened, when, recorded when, by whom."""
    require(user, TICKET_READERS, "read ticket history")
    events = runtime.helpdesk.history(ticket_id)
    positions = runtime.helpdesk.positions(ticket_id)
    data = [event_public(positions[e.originator_version], e) for e in events]
    return EventsPublic(data=data, count=len(data))
