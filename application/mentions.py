"""Mention use cases: a post naming us on another site, captured, then triaged by staff.

A mention triaged `reply` opens a ticket on the mention's channel, assigned to its owner.
"""

from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.channels import channel
from application.command import CommandResult, Context
from application.customers import customer_for
from application.desk import Desk
from application.once import answered_once
from application.saving import retrying
from application.tickets import new_ticket_id
from domain.customer import identities
from domain.mention import Decision, Mention, MentionNotFoundError
from domain.stamp import Stamp
from domain.ticket import Ticket


def capture_mention(
    desk: Desk, channel_name: str, external_id: str, fields: dict[str, Any], ctx: Context
) -> CommandResult:
    """Idempotent on the tool's id for the mention (or its URL)."""
    mention_id = Mention.create_id(channel_name, external_id)
    if desk.find(mention_id) is not None:
        return desk.result_at(mention_id, 1)
    now = desk.clock()
    mention = Mention.capture(channel_name, external_id, fields, Stamp(now, now, ctx.actor, ctx.request_id))
    try:
        recordings = desk.save(mention)
    except IntegrityError:
        return desk.result_at(mention_id, 1)
    return CommandResult(mention.id, mention.version, recordings[-1].notification.id)


def mention(desk: Desk, mention_id: UUID) -> Mention:
    found = desk.find(mention_id)
    if not isinstance(found, Mention):
        raise MentionNotFoundError(f"There is no mention {mention_id}.")
    return found


@answered_once
def triage_mention(
    desk: Desk,
    mention_id: UUID,
    decision: str,
    category: str | None,
    tags: list[str],
    ctx: Context,
) -> CommandResult:
    """`reply` opens a ticket on the mention's channel, assigned to its owner, in the same save."""

    def attempt() -> CommandResult:
        found = mention(desk, mention_id)
        stamp = desk.stamp(None, ctx)
        new: list[Any] = []
        ticket_id = None
        if decision == Decision.REPLY and found.decision is None:
            new = open_for_mention(desk, found, tags, stamp)
            ticket_id = new[-1].id
        found.triage(decision, category, tags, ticket_id, stamp)
        return desk.commit(ctx, found, *new, found)

    return retrying(desk, (mention_id,), attempt, "The mention is busy; please retry.")


def open_for_mention(desk: Desk, found: Mention, tags: list[str], stamp: Stamp) -> list[Any]:
    """The ticket a mention triaged `reply` opens (and its author's customer, if new), unsaved."""
    config = channel(desk, found.channel)
    author = identities("mention", f"{found.source}/{found.author}")
    customer_id, customers = customer_for(desk, author, found.author, stamp)
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


@answered_once
def answer_on_site(desk: Desk, mention_id: UUID, note: str | None, ctx: Context) -> CommandResult:
    with desk.writing(mention_id):
        found = mention(desk, mention_id)
        found.mark_answered_on_site(note, desk.stamp(None, ctx))
        return desk.commit(ctx, found)
