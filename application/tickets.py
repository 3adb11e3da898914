"""Ticket use cases: open one, then everything operators and customers do to it.

Each loads the ticket, calls one command, saves and returns its version and log position, through
`change`: a retried request (its request id or Idempotency-Key) gets its first answer again, an
If-Match version that is not the ticket's is a conflict, and a lost race is run again.
"""

import dataclasses
from collections.abc import Callable
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from application import library
from application.command import CommandResult, Context
from application.customers import customer_for
from application.desk import Desk
from application.once import answered_once
from application.saving import check_version, retrying
from domain.customer import identities
from domain.errors import EmptyTextError
from domain.placeholders import first_name, render
from domain.stamp import Stamp
from domain.ticket import Ticket

TICKET_NAMESPACE = uuid5(NAMESPACE_URL, "https://deskstream.dev/ticket")
TicketAction = Callable[[Ticket, Stamp], None]
CHANGED = "The ticket changed meanwhile; reload it."


def change(
    desk: Desk, ticket_id: UUID, ctx: Context, expected: int | None, action: TicketAction
) -> CommandResult:
    """Without If-Match a lost race is retried on fresh state; with it, it is a conflict."""

    def attempt() -> CommandResult:
        ticket = desk.ticket(ticket_id)
        replayed = desk.replayed(ticket, ctx)
        if replayed is not None:
            return replayed
        check_version(ticket, expected)
        action(ticket, desk.stamp(ticket.last_occurred_at, ctx))
        return desk.commit(ctx, ticket)

    return retrying(desk, (ticket_id,), attempt, "The ticket is busy; please retry.", expected, CHANGED)


@answered_once
def open_ticket(
    desk: Desk,
    channel: str,
    customer_name: str,
    customer_handle: str,
    subject: str | None,
    text: str,
    external_id: str | None,
    ctx: Context,
    kind: str | None = None,
) -> CommandResult:
    """A retry (same external id or Idempotency-Key) finds the ticket it opened before. The
    customer is `<kind>:<handle>`, as intake names them; without a kind, the channel's name."""
    ticket_id = new_ticket_id(channel, external_id, ctx)
    handles = identities(kind or channel, customer_handle)

    def attempt() -> CommandResult:
        if desk.find(ticket_id) is not None:
            return desk.result_at(ticket_id, 1)
        stamp = desk.stamp(None, ctx)
        customer_id, new = customer_for(desk, handles, customer_name, stamp)
        ticket = Ticket.open(ticket_id, channel, customer_id, subject, text, external_id, stamp)
        return desk.commit(ctx, ticket, *new, ticket)

    return retrying(desk, (ticket_id,), attempt, "The ticket could not be opened; please retry.")


@answered_once
def receive_message(
    desk: Desk, ticket_id: UUID, text: str, external_id: str | None, ctx: Context
) -> CommandResult:
    """The provider's message id is the request id, so a redelivered message is recorded once."""
    if external_id and not ctx.request_id:
        ctx = dataclasses.replace(ctx, request_id=f"message:{external_id}")
    return change(desk, ticket_id, ctx, None, lambda t, s: t.receive_message(text, external_id, s))


@answered_once
def add_note(desk: Desk, ticket_id: UUID, text: str, ctx: Context, expected: int | None) -> CommandResult:
    return change(desk, ticket_id, ctx, expected, lambda t, s: t.add_note(text, s))


@answered_once
def assign(
    desk: Desk, ticket_id: UUID, assignee: str, comment: str | None, ctx: Context, expected: int | None
) -> CommandResult:
    return change(desk, ticket_id, ctx, expected, lambda t, s: t.assign(assignee, comment, s))


@answered_once
def change_tags(
    desk: Desk, ticket_id: UUID, add: list[str], remove: list[str], ctx: Context, expected: int | None
) -> CommandResult:
    return change(desk, ticket_id, ctx, expected, lambda t, s: t.change_tags(add, remove, s))


@answered_once
def set_type(
    desk: Desk, ticket_id: UUID, ticket_type: str, ctx: Context, expected: int | None
) -> CommandResult:
    return change(desk, ticket_id, ctx, expected, lambda t, s: t.set_type(ticket_type, s))


@answered_once
def set_priority(
    desk: Desk, ticket_id: UUID, priority: str, ctx: Context, expected: int | None
) -> CommandResult:
    return change(desk, ticket_id, ctx, expected, lambda t, s: t.set_priority(priority, s))


@answered_once
def pause(
    desk: Desk, ticket_id: UUID, reason: str, department: str | None, ctx: Context, expected: int | None
) -> CommandResult:
    return change(desk, ticket_id, ctx, expected, lambda t, s: t.pause(reason, department, s))


@answered_once
def resume(desk: Desk, ticket_id: UUID, ctx: Context, expected: int | None) -> CommandResult:
    return change(desk, ticket_id, ctx, expected, lambda t, s: t.resume(s))


@answered_once
def resolve(
    desk: Desk, ticket_id: UUID, resolution: str, ctx: Context, expected: int | None
) -> CommandResult:
    return change(desk, ticket_id, ctx, expected, lambda t, s: t.resolve(resolution, s))


@answered_once
def reopen(desk: Desk, ticket_id: UUID, ctx: Context, expected: int | None) -> CommandResult:
    return change(desk, ticket_id, ctx, expected, lambda t, s: t.reopen(s))


@answered_once
def rate(
    desk: Desk, ticket_id: UUID, score: str, comment: str | None, ctx: Context, expected: int | None
) -> CommandResult:
    return change(desk, ticket_id, ctx, expected, lambda t, s: t.rate(score, comment, s))


@answered_once
def merge(desk: Desk, source_id: UUID, target_id: UUID, ctx: Context, expected: int | None) -> CommandResult:
    """Both tickets record the merge, in one save; If-Match is the source's version."""

    def attempt() -> CommandResult:
        source, target = desk.ticket(source_id), desk.ticket(target_id)
        replayed = desk.replayed(source, ctx)
        if replayed is not None:
            return replayed
        check_version(source, expected)
        source.merge_into(target, desk.stamp(max_time(source, target), ctx))
        return desk.commit(ctx, source, source, target)

    busy = "The tickets are busy; please retry."
    return retrying(desk, (source_id, target_id), attempt, busy, expected, CHANGED)


@answered_once
def reply(
    desk: Desk,
    ticket_id: UUID,
    text: str | None,
    snippet_ref: str | None,
    article_id: UUID | None,
    ctx: Context,
    expected: int | None,
) -> CommandResult:
    """A reply from a snippet (placeholders filled; `text`, if given, is the operator's edit of it),
    from a public article, or plain text. Which snippet or article was used is recorded on it."""
    used = library.snippet(desk, snippet_ref) if snippet_ref else None
    if used is not None:
        used.check_not_archived()
    quoted = library.article(desk, article_id) if article_id else None
    if quoted is not None and not quoted.public:
        raise library.InternalArticleError("An internal article cannot be sent to a customer.")

    def act(ticket: Ticket, stamp: Stamp) -> None:
        body = text
        if body is None and used is not None:
            body = used.body
        elif body is None and quoted is not None:
            body = f"{quoted.title}\n\n{quoted.body}"
        if body is None:
            raise EmptyTextError("A reply needs text, a snippet or an article.")
        if used is not None:
            body = render(body, placeholder_values(desk, ticket, stamp.actor))
        ticket.reply(body, stamp, snippet=used.id if used else None, article=quoted.id if quoted else None)

    return change(desk, ticket_id, ctx, expected, act)


def placeholder_values(desk: Desk, ticket: Ticket, operator: str) -> dict[str, str]:
    """What a snippet's {{placeholders}} stand for on this ticket."""
    customer = desk.customer(ticket.customer_id)
    return {
        "customer_name": customer.name,
        "customer_first_name": first_name(customer.name),
        "operator_name": operator,
        "ticket_number": str(ticket.id)[:8],
        "ticket_subject": ticket.subject or "",
        "channel": ticket.channel,
    }


def new_ticket_id(channel: str, external_id: str | None, ctx: Context) -> UUID:
    """Deterministic when the request can be retried, so the retry lands on the same ticket."""
    if external_id:
        return uuid5(TICKET_NAMESPACE, f"external:{channel}:{external_id}")
    if ctx.request_id:
        return uuid5(TICKET_NAMESPACE, f"request:{ctx.actor}:{ctx.request_id}")
    return uuid4()


def max_time(*tickets: Ticket) -> datetime:
    return max(t.last_occurred_at for t in tickets)
