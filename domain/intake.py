"""Intake use cases: a provider's message into the customer's thread, channels, mentions.

Functions taking the Helpdesk, so the application class stays the ticket core's. Each loads,
acts and saves in one atomic `save`, retrying on a lost race like `Helpdesk.change`.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.channel import Channel, ChannelExistsError
from domain.conversation import Conversation
from domain.customer import identities
from domain.errors import InvalidValueError, VersionConflictError
from domain.helpdesk import SAVE_ATTEMPTS, CommandResult, Context, Helpdesk, back_off, new_ticket_id
from domain.mention import Decision, Mention, MentionNotFoundError
from domain.stamp import Stamp
from domain.ticket import Ticket
from domain.values import Status


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


@dataclass(frozen=True)
class IntakeResult:
    ticket_id: UUID
    version: int
    position: int
    outcome: str  # opened | appended | duplicate


def add_channel(
    helpdesk: Helpdesk,
    name: str,
    kind: str,
    owner: str | None,
    settings: dict[str, str],
    ctx: Context,
    required: Sequence[str] = (),
) -> CommandResult:
    """`required`: the settings the kind needs (its `required_settings`), checked before anything is saved."""
    if owner:
        helpdesk.user(owner)
    if helpdesk.find(Channel.create_id(name)) is not None:
        raise ChannelExistsError(f"There is already a channel named {name!r}.")
    channel = Channel.add(name, kind, owner, settings, helpdesk.stamp(None, ctx), required)
    try:
        return helpdesk.commit(ctx, channel)
    except IntegrityError:
        raise ChannelExistsError(f"There is already a channel named {name!r}.") from None


def channel(helpdesk: Helpdesk, name: str) -> Channel | None:
    found = helpdesk.find(Channel.create_id(name))
    return found if isinstance(found, Channel) else None


def take_in(
    helpdesk: Helpdesk, message: Inbound, owner: str | None, window_hours: float, actor: str
) -> IntakeResult:
    """Threads the message into the customer's open ticket, or opens one; retries are no-ops."""
    conversation_id = Conversation.create_id(message.channel, message.thread)
    with helpdesk.writing(conversation_id):
        for attempt in range(SAVE_ATTEMPTS):
            try:
                return _take_in(helpdesk, message, owner, window_hours, actor, conversation_id)
            except IntegrityError:
                back_off(attempt)
    raise VersionConflictError("The conversation is busy; please retry.")


def _take_in(
    helpdesk: Helpdesk,
    message: Inbound,
    owner: str | None,
    window_hours: float,
    actor: str,
    conversation_id: UUID,
) -> IntakeResult:
    request_id = f"message:{message.external_id}"
    ctx = Context(actor, message.occurred_at, request_id)
    opened_id = new_ticket_id(message.channel, message.external_id, ctx)
    if helpdesk.find(opened_id) is not None:
        return duplicate(helpdesk, opened_id, request_id)
    conversation = helpdesk.find(conversation_id)
    candidates = list(conversation.tickets) if conversation else []
    if message.ticket_hint is not None:
        candidates.append(message.ticket_hint)
    ticket: Ticket | None = None
    for ticket_id in reversed(candidates):
        found = helpdesk.find(ticket_id)
        if isinstance(found, Ticket) and request_id in found.request_versions:
            return duplicate(helpdesk, found.id, request_id)
        if ticket is None and isinstance(found, Ticket):
            ticket = found
    ticket = follow_merges(helpdesk, ticket)
    now = helpdesk.clock()
    occurred = min(message.occurred_at, now)
    attachments = [dict(a) for a in message.attachments] or None
    if ticket is not None and not too_late(ticket, occurred, window_hours):
        # Out-of-order delivery: a message older than the ticket's last event is filed at that time.
        stamp = Stamp(max(occurred, ticket.last_occurred_at), now, actor, request_id)
        ticket.receive_message(message.text, message.external_id, stamp, attachments)
        thread = thread_for(conversation, message, ticket.id, stamp)
        recordings = helpdesk.save(ticket, *thread)
        return IntakeResult(ticket.id, ticket.version, recordings[-1].notification.id, "appended")
    stamp = Stamp(occurred, now, actor, request_id)
    customer_id, new = helpdesk.customer_for(identities(message.kind, message.handle), message.name, stamp)
    ticket = Ticket.open(
        opened_id,
        message.channel,
        customer_id,
        message.subject,
        message.text,
        message.external_id,
        stamp,
        attachments,
    )
    if owner:
        ticket.assign(owner, None, stamp)
    thread = thread_for(conversation, message, ticket.id, stamp)
    recordings = helpdesk.save(*new, ticket, *thread)
    return IntakeResult(ticket.id, ticket.version, recordings[-1].notification.id, "opened")


def duplicate(helpdesk: Helpdesk, ticket_id: UUID, request_id: str) -> IntakeResult:
    ticket = helpdesk.ticket(ticket_id)
    version = ticket.request_versions.get(request_id, 1)
    result = helpdesk.result_at(ticket_id, version)
    return IntakeResult(ticket_id, result.version, result.position, "duplicate")


def follow_merges(helpdesk: Helpdesk, ticket: Ticket | None) -> Ticket | None:
    for _ in range(10):
        if ticket is None or ticket.status != Status.MERGED or ticket.merged_into is None:
            return ticket
        ticket = helpdesk.find(ticket.merged_into)
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


def capture_mention(
    helpdesk: Helpdesk, channel_name: str, external_id: str, fields: dict[str, Any], ctx: Context
) -> CommandResult:
    """Idempotent on the tool's id for the mention (or its URL)."""
    mention_id = Mention.create_id(channel_name, external_id)
    if helpdesk.find(mention_id) is not None:
        return helpdesk.result_at(mention_id, 1)
    now = helpdesk.clock()
    mention = Mention.capture(channel_name, external_id, fields, Stamp(now, now, ctx.actor, ctx.request_id))
    try:
        recordings = helpdesk.save(mention)
    except IntegrityError:
        return helpdesk.result_at(mention_id, 1)
    return CommandResult(mention.id, mention.version, recordings[-1].notification.id)


def mention(helpdesk: Helpdesk, mention_id: UUID) -> Mention:
    found = helpdesk.find(mention_id)
    if not isinstance(found, Mention):
        raise MentionNotFoundError(f"There is no mention {mention_id}.")
    return found


def triage_mention(
    helpdesk: Helpdesk,
    mention_id: UUID,
    decision: str,
    category: str | None,
    tags: list[str],
    ctx: Context,
) -> CommandResult:
    """`reply` opens a ticket on the mention's channel, assigned to its owner, in the same save."""
    with helpdesk.writing(mention_id):
        for attempt in range(SAVE_ATTEMPTS):
            found = mention(helpdesk, mention_id)
            stamp = helpdesk.stamp(None, ctx)
            new: list[Any] = []
            ticket_id = None
            if decision == Decision.REPLY and found.decision is None:
                new = open_for_mention(helpdesk, found, tags, stamp)
                ticket_id = new[-1].id
            found.triage(decision, category, tags, ticket_id, stamp)
            try:
                return helpdesk.commit(ctx, found, *new, found)
            except IntegrityError:
                back_off(attempt)
    raise VersionConflictError("The mention is busy; please retry.")


def open_for_mention(helpdesk: Helpdesk, found: Mention, tags: list[str], stamp: Stamp) -> list[Any]:
    config = channel(helpdesk, found.channel)
    author = identities("mention", f"{found.source}/{found.author}")
    customer_id, customers = helpdesk.customer_for(author, found.author, stamp)
    new: list[Any] = [*customers]
    ticket_id = new_ticket_id(found.channel, f"mention:{found.id}", Context(stamp.actor))
    subject = f"{found.source}: {found.url}"[:500]
    ticket = Ticket.open(
        ticket_id, found.channel, customer_id, subject, found.text, f"mention:{found.id}", stamp
    )
    if config is not None and config.owner:
        ticket.assign(config.owner, None, stamp)
    ticket.change_tags(["mention", found.source.lower()[:64], *tags], [], stamp)
    return [*new, ticket]


def answer_on_site(helpdesk: Helpdesk, mention_id: UUID, note: str | None, ctx: Context) -> CommandResult:
    with helpdesk.writing(mention_id):
        found = mention(helpdesk, mention_id)
        found.mark_answered_on_site(note, helpdesk.stamp(None, ctx))
        return helpdesk.commit(ctx, found)


def check_handle(handle: str) -> str:
    if not handle.strip():
        raise InvalidValueError("The sender has no id.")
    return handle
