"""Intake: a provider's message into the customer's thread, whatever the channel kind.

`take_in` threads the message into the customer's open ticket or opens one, with the thread's
Conversation, in one atomic `save`; a redelivered message (its provider id) is a no-op.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any
from uuid import UUID

from application.command import Context
from application.customers import customer_for, known_customer, same_customer
from application.desk import Desk
from application.saving import retrying
from application.tickets import new_ticket_id
from domain.conversation import Conversation
from domain.customer import identities
from domain.stamp import Stamp
from domain.ticket import Ticket
from domain.values import Status


@dataclass(frozen=True)
class Author:
    """Who wrote a message in a group conversation: the provider's id of the writer and the
    name the payload (or the provider's API) gives, "" when none does."""

    handle: str
    name: str = ""


@dataclass(frozen=True)
class Inbound:
    """One customer message as every adapter hands it over, whatever the provider."""

    channel: str
    kind: str
    handle: str
    name: str
    thread: str
    external_id: str
    text: str
    occurred_at: datetime
    subject: str | None = None
    attachments: Sequence[dict[str, Any]] = field(default_factory=tuple)
    ticket_hint: UUID | None = None
    author: Author | None = None  # set in group conversations (several people write in one thread)


@dataclass(frozen=True)
class IntakeResult:
    ticket_id: UUID
    version: int
    position: int
    outcome: str  # opened | appended | duplicate


def take_in(desk: Desk, message: Inbound, owner: str | None, window_hours: float, actor: str) -> IntakeResult:
    """Threads the message into the customer's open ticket, or opens one; retries are no-ops."""
    conversation_id = Conversation.create_id(message.channel, message.thread)
    attempt = partial(_take_in, desk, message, owner, window_hours, actor, conversation_id)
    return retrying(desk, (conversation_id,), attempt, "The conversation is busy; please retry.")


def _take_in(
    desk: Desk,
    message: Inbound,
    owner: str | None,
    window_hours: float,
    actor: str,
    conversation_id: UUID,
) -> IntakeResult:
    request_id = f"message:{message.external_id}"
    ctx = Context(actor, message.occurred_at, request_id)
    opened_id = new_ticket_id(message.channel, message.external_id, ctx)
    if desk.find(opened_id) is not None:
        return duplicate(desk, opened_id, request_id)
    conversation = desk.find(conversation_id)
    candidates = list(conversation.tickets) if conversation else []
    if message.ticket_hint is not None and is_senders_ticket(desk, message, message.ticket_hint):
        candidates.append(message.ticket_hint)
    ticket: Ticket | None = None
    for ticket_id in reversed(candidates):
        found = desk.find(ticket_id)
        if isinstance(found, Ticket) and request_id in found.request_versions:
            return duplicate(desk, found.id, request_id)
        if ticket is None and isinstance(found, Ticket):
            ticket = found
    ticket = follow_merges(desk, ticket)
    now = desk.clock()
    occurred = min(message.occurred_at, now)
    attachments = [dict(a) for a in message.attachments] or None
    author = {"handle": message.author.handle, "name": message.author.name} if message.author else None
    if ticket is not None and not too_late(ticket, occurred, window_hours):
        # Out-of-order delivery: a message older than the ticket's last event is filed at that time.
        stamp = Stamp(max(occurred, ticket.last_occurred_at), now, actor, request_id)
        ticket.receive_message(message.text, message.external_id, stamp, attachments, author)
        thread = thread_for(conversation, message, ticket.id, stamp)
        recordings = desk.save(ticket, *thread)
        return IntakeResult(ticket.id, ticket.version, recordings[-1].notification.id, "appended")
    stamp = Stamp(occurred, now, actor, request_id)
    customer_id, new = customer_for(desk, identities(message.kind, message.handle), message.name, stamp)
    ticket = Ticket.open(
        opened_id,
        message.channel,
        customer_id,
        message.subject,
        message.text,
        message.external_id,
        stamp,
        attachments,
        author,
    )
    if owner:
        ticket.assign(owner, None, stamp)
    thread = thread_for(conversation, message, ticket.id, stamp)
    recordings = desk.save(*new, ticket, *thread)
    return IntakeResult(ticket.id, ticket.version, recordings[-1].notification.id, "opened")


def is_senders_ticket(desk: Desk, message: Inbound, ticket_id: UUID) -> bool:
    """A ticket named by the message (an answer to one of our mails) takes it only from that
    ticket's own customer on its channel: whoever else saw one of our Message-IDs, a colleague in
    copy or a forwarder, must not write into another customer's ticket, and opens their own."""
    found = desk.find(ticket_id)
    if not isinstance(found, Ticket) or found.channel != message.channel:
        return False
    sender = known_customer(desk, identities(message.kind, message.handle))
    return same_customer(desk, found.customer_id, sender)


def duplicate(desk: Desk, ticket_id: UUID, request_id: str) -> IntakeResult:
    ticket = desk.ticket(ticket_id)
    version = ticket.request_versions.get(request_id, 1)
    result = desk.result_at(ticket_id, version)
    return IntakeResult(ticket_id, result.version, result.position, "duplicate")


def follow_merges(desk: Desk, ticket: Ticket | None) -> Ticket | None:
    for _ in range(10):
        if ticket is None or ticket.status != Status.MERGED or ticket.merged_into is None:
            return ticket
        ticket = desk.find(ticket.merged_into)
    return None


def too_late(ticket: Ticket, occurred: datetime, window_hours: float) -> bool:
    """A resolved ticket is reopened by a message within the window; later, a new ticket opens."""
    if ticket.status != Status.RESOLVED:
        return False
    return (occurred - ticket.last_occurred_at).total_seconds() > window_hours * 3600


def thread_for(
    conversation: Conversation | None, message: Inbound, ticket_id: UUID, stamp: Stamp
) -> list[Conversation]:
    if conversation is None:
        return [Conversation.start(message.channel, message.thread, ticket_id, stamp)]
    conversation.move_to(ticket_id, stamp)
    return [conversation] if conversation.pending_events else []
