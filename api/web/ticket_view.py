"""What the ticket page is rendered from: the ticket, its events as a conversation, its customer
and SLA clock, read as `GET /api/v1/tickets/{id}` and `/events` read them.

Every part of the page (the conversation, the controls, the composer) renders from
`ticket_context`, so a fragment refreshed on its own shows the same as the whole page would.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import Response

from api.auth import STAFF, WRITERS
from api.bootstrap import Runtime
from api.web import ticket_pickers
from api.web.customer_card import card
from api.web.qa_ticket import reviews_shown
from api.web.templating import render
from api.web.ticket_forms import Problem, new_key
from api.web.ticket_sla import SlaClock, policies, sla_clock
from api.web.ticket_timeline import Item, timeline
from api.web.viewer import Viewer
from domain.customer import Customer
from domain.errors import UserNotFoundError
from domain.ticket import Ticket
from domain.values import PauseReason, Priority, Resolution, Role, Status, TicketType
from ingest import registry
from ingest.channel_kind import Replies

ASSIGNABLE = (Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN)
CHOICES = {
    "types": [v.value for v in TicketType],
    "priorities": [v.value for v in Priority],
    "reasons": [v.value for v in PauseReason],
    "resolutions": [v.value for v in Resolution],
}


@dataclass(frozen=True, slots=True)
class TicketView:
    ticket: Ticket
    items: list[Item]
    customer: Customer
    position: int
    """The log position of the ticket's last event: where the page's live updates start."""
    sla: SlaClock | None
    events: list[Any]


def load(runtime: Runtime, ticket_id: UUID) -> TicketView:
    """The ticket as `GET /tickets/{id}` reads it, and its events up to that version."""
    helpdesk = runtime.helpdesk
    ticket = helpdesk.ticket(ticket_id)
    events = [e for e in helpdesk.history(ticket_id) if e.originator_version <= ticket.version]
    positions = helpdesk.positions(ticket_id)
    customer = helpdesk.survivor(helpdesk.customer(ticket.customer_id))
    clock = sla_clock(str(ticket_id), events, positions, policies(runtime.analytics), helpdesk.clock())
    items = timeline(events, positions, replies_pulled(helpdesk, ticket.channel))
    return TicketView(ticket, items, customer, positions.get(ticket.version, 0), clock, events)


def ticket_context(runtime: Runtime, viewer: Viewer, view: TicketView, **extra: Any) -> dict[str, Any]:
    """What every part of the page is rendered from; `extra` adds a part's own (drafts, problems)."""
    ticket = view.ticket
    return {
        "ticket": ticket,
        "ticket_id": ticket.id,
        "items": view.items,
        "customer": view.customer,
        "sla": view.sla,
        "position": view.position,
        "can_write": viewer.may(WRITERS),
        "can_use_snippets": viewer.may(STAFF),
        "can_note_customer": viewer.may(STAFF),
        "workable": ticket.status in (Status.OPEN, Status.PAUSED),
        "choices": CHOICES,
        "assignable": assignable(runtime, view, viewer),
        "new_key": new_key,
        "drafts": {},
        "problems": {},
        "acted": None,
        "queries": {},
        "kb_q": "",
        **extra,
    }


def assignable(runtime: Runtime, view: TicketView, viewer: Viewer) -> list[str]:
    """Staff to suggest for assignment: the channel's owner, whoever worked on this ticket, the
    viewer. There is no list of users to offer; any staff member's name may be typed."""
    channel = runtime.helpdesk.channel(view.ticket.channel)
    names = [channel.owner if channel else None, view.ticket.assignee, viewer.name]
    names += [item.actor for item in view.items]
    names += [str(item.data["assignee"]) for item in view.items if item.data.get("assignee")]
    return sorted(name for name in dict.fromkeys(n for n in names if n) if staff(runtime, name))


def staff(runtime: Runtime, name: str) -> bool:
    try:
        return runtime.helpdesk.user(name).role in ASSIGNABLE
    except UserNotFoundError:
        return False


def page(
    request: Request,
    runtime: Runtime,
    viewer: Viewer,
    ticket_id: UUID,
    drafts: Mapping[str, Mapping[str, str]] | None = None,
    problems: Mapping[str, Problem] | None = None,
    queries: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The whole page. A form that failed without the page script comes back in it as typed, with
    what went wrong beside its fields."""
    view = load(runtime, ticket_id)
    asked = dict(queries or {})
    context = ticket_context(runtime, viewer, view, drafts=dict(drafts or {}), problems=dict(problems or {}))
    context.update(
        card=card(runtime, view.customer, view.ticket.id),
        queries=asked,
        kb_q=asked.get("kb_q", ""),
        snippets=ticket_pickers.snippet_list(runtime, asked.get("snippet_q", "")),
        articles=ticket_pickers.article_list(runtime, asked.get("kb_q", "")),
        targets=ticket_pickers.merge_targets(runtime, view.ticket, asked.get("merge_q", "")),
        qa_reviews=reviews_shown(runtime, viewer, view.ticket, view.events),
    )
    return render(request, "ticket.html", context, status)


def replies_pulled(helpdesk: Any, channel_name: str) -> bool:
    """Whether the channel's customers fetch replies themselves (the widget): then a reply is in
    their chat as soon as it is recorded, with no delivery to wait for."""
    channel = helpdesk.channel(channel_name)
    return (
        channel is not None
        and channel.kind in registry.names()
        and (registry.kind_of(channel.kind).replies == Replies.PULLED)
    )
