"""What a ticket's history is told from: every event of the ticket in log order, one step of the
as-of slider per event, and the ticket as it was recorded at the as-of instant, with its SLA clock
as judged then.

The ticket as of an instant is what `GET /api/v1/tickets/{id}?as_of=` answers (the application's
`ticket_as_of`), and its conversation the events up to that version. Its SLA clock is the ticket
page's (api/web/ticket_sla.py), judged at the instant under the policy versions recorded by then,
as an as-of report judges them (`load_policies(until=)`): a policy version recorded later,
even one effective from earlier, was not known then. The events are those of
`GET /api/v1/tickets/{id}/events`, so an id that is no ticket's is a 404 here as there.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from api.bootstrap import Runtime
from api.models import EventPublic
from api.views import event_public
from api.web.history_as_of import AsOfProblem
from api.web.history_times import Times, instant_param
from api.web.ticket_sla import SlaClock, policies, sla_clock
from api.web.ticket_timeline import Item, timeline
from api.web.ticket_view import replies_pulled
from domain.calendar import to_us
from domain.customer import Customer
from domain.sla_policy import PolicyVersion
from domain.ticket import Ticket
from projections.analytics import AnalyticsDb, load_policies
from projections.records import EventRecord, record_from_event

CONVERSATION = ("customer", "reply", "note")


@dataclass(frozen=True, slots=True)
class TicketHistory:
    ticket_id: UUID
    events: list[Any]
    """The ticket's domain events, in log order."""
    positions: dict[int, int]
    records: list[EventRecord]
    public: list[EventPublic]
    """Each event as `GET /api/v1/tickets/{id}/events` answers it."""

    @property
    def version(self) -> int:
        return self.records[-1].version

    @property
    def first_recorded(self) -> datetime:
        return self.records[0].recorded_at


@dataclass(frozen=True, slots=True)
class Step:
    """One position of the slider: the ticket as recorded once this event was."""

    number: int
    record: EventRecord
    as_of: str


@dataclass(frozen=True, slots=True)
class AsOf:
    instant: datetime
    """The instant judged at: the one asked for, or the desk's now."""
    asked: bool
    ticket: Ticket
    customer: Customer
    items: list[Item]
    sla: SlaClock | None
    position: int
    """The log position of the last event the state covers."""
    step: int
    """The number of the last step recorded by the instant."""

    @property
    def conversation(self) -> list[Item]:
        return [item for item in self.items if item.kind in CONVERSATION]


def read_history(runtime: Runtime, ticket_id: UUID) -> TicketHistory:
    """Positions are read after the events, so every event read has its position."""
    helpdesk = runtime.helpdesk
    events = helpdesk.history(ticket_id)
    positions = helpdesk.positions(ticket_id)
    records = [record_from_event(positions[e.originator_version], e) for e in events]
    public = [event_public(positions[e.originator_version], e) for e in events]
    return TicketHistory(ticket_id, events, positions, records, public)


def steps(history: TicketHistory) -> list[Step]:
    return [
        Step(number, record, instant_param(record.recorded_at))
        for number, record in enumerate(history.records, start=1)
    ]


def check_recorded_by(history: TicketHistory, instant: datetime | None, times: Times) -> None:
    """An instant before the ticket's first event has no ticket to show: said next to the field."""
    if instant is not None and instant < history.first_recorded:
        raise AsOfProblem("history.as_of_before", first=times.local(history.first_recorded))


def state_as_of(
    runtime: Runtime, history: TicketHistory, instant: datetime | None
) -> tuple[AsOf, TicketHistory]:
    """The ticket as the API reads it at `instant` (now when None), and the history it was read
    with: re-read if an event was recorded between the two reads, so both tell the same ticket."""
    helpdesk = runtime.helpdesk
    ticket = (
        helpdesk.ticket_as_of(history.ticket_id, instant) if instant else helpdesk.ticket(history.ticket_id)
    )
    if ticket.version > history.version:
        history = read_history(runtime, history.ticket_id)
    judged_at = instant or helpdesk.clock()
    events = [e for e in history.events if e.originator_version <= ticket.version]
    versions = policies_then(runtime.analytics, instant)
    sla = sla_clock(str(ticket.id), events, history.positions, versions, judged_at)
    items = timeline(events, history.positions, replies_pulled(helpdesk, ticket.channel))
    customer = helpdesk.survivor(helpdesk.customer(ticket.customer_id))
    state = AsOf(
        instant=judged_at,
        asked=instant is not None,
        ticket=ticket,
        customer=customer,
        items=items,
        sla=sla,
        position=history.positions[ticket.version],
        step=len(events),
    )
    return state, history


def policies_then(db: AnalyticsDb | None, instant: datetime | None) -> list[PolicyVersion]:
    """Every policy version recorded by `instant`; all of them (as the ticket page reads them)
    when the ticket is judged now."""
    if db is None:
        return []
    if instant is None:
        return policies(db)
    return load_policies(db, until=to_us(instant))[0]


def covered(history: TicketHistory, instant: datetime) -> list[EventPublic]:
    """The events recorded by `instant`, as the API answers them."""
    return [e for e in history.public if e.recorded_at <= instant]
