"""The Ticket aggregate: one customer conversation and everything done about it."""

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.copying import CheapCopy
from domain.event_base import StampedEvent, event_stamp
from domain.message_parts import AuthorWhenSet, message_parts
from domain.stamp import Stamp
from domain.text_forms import check_text, identifier, normalise_tags
from domain.ticket_guards import TicketGuards, check_assignee, check_department, check_tags_apart
from domain.values import (
    PauseReason,
    Priority,
    ReopenReason,
    ReplyStatus,
    Resolution,
    ResumeReason,
    Score,
    Status,
    TicketType,
    parse,
)


class Ticket(TicketGuards, CheapCopy, Aggregate):
    """State is rebuilt from events only; command methods guard, then record a past-tense fact."""

    class Event(StampedEvent):
        """Every event also moves the ticket's clock and remembers its request (for retries)."""

        def apply(self, ticket: "Ticket") -> None:
            ticket.last_occurred_at = self.occurred_at
            if self.request_id is not None:
                ticket.request_versions[self.request_id] = self.originator_version
            self.update(ticket)

    class TicketOpened(AuthorWhenSet, Event, Aggregate.Created):
        channel: str
        customer_id: UUID
        subject: str | None
        text: str
        external_id: str | None
        attachments: list[dict[str, Any]] | None = None
        author: dict[str, str] | None = None  # who wrote it, in a group conversation (message_parts)

        def update(self, ticket: "Ticket") -> None:
            ticket.channel = self.channel
            ticket.customer_id = self.customer_id
            ticket.subject = self.subject
            ticket.opened_at = self.occurred_at
            ticket.status = Status.OPEN
            ticket.assignee = None
            ticket.tags = ()
            ticket.type = None
            ticket.priority = Priority.NORMAL
            ticket.resolution = None
            ticket.resolutions = 0
            ticket.ratings = 0
            ticket.waiting_since = self.occurred_at
            ticket.pause_reason = None
            ticket.merged_into = None
            ticket.merged_from = ()
            ticket.deliveries = {}
            ticket.reply_statuses = {}

    class CustomerMessageReceived(AuthorWhenSet, Event):
        text: str
        external_id: str | None
        attachments: list[dict[str, Any]] | None = None
        author: dict[str, str] | None = None

        def update(self, ticket: "Ticket") -> None:
            if ticket.waiting_since is None:
                ticket.waiting_since = self.occurred_at

    class ReplySent(Event):
        text: str
        snippet: UUID | None = None  # the snippet the reply was made from, if any
        article: UUID | None = None  # the knowledge-base article it quotes or links, if any

        def update(self, ticket: "Ticket") -> None:
            ticket.waiting_since = None

    class ReplyDelivered(Event):
        """The channel's provider accepted the reply recorded at `reply_version`."""

        reply_version: int
        channel: str
        provider_message_id: str | None

        def update(self, ticket: "Ticket") -> None:
            ticket.deliveries[self.reply_version] = self.provider_message_id

    class ReplyDeliveryFailed(Event):
        """The provider refused the reply for good, or every retry failed; `error` is theirs."""

        reply_version: int
        channel: str
        error: str
        attempts: int

    class ReplyStatusReported(Event):
        """The provider reports a delivered reply sent, delivered, read or failed (`error` is theirs).
        `status_at` is the provider's own time for it; the event's occurred_at is when we heard, so
        that a late or reordered report never moves the ticket's clock back."""

        reply_version: int
        provider_message_id: str
        status: str
        status_at: datetime
        error: str | None

        def update(self, ticket: "Ticket") -> None:
            seen = ticket.reply_statuses.get(self.reply_version, ())
            ticket.reply_statuses[self.reply_version] = (*seen, self.status)

    class NoteAdded(Event):
        text: str

    class TagsChanged(Event):
        added: list[str]
        removed: list[str]

        def update(self, ticket: "Ticket") -> None:
            tags = (set(ticket.tags) | set(self.added)) - set(self.removed)
            ticket.tags = tuple(sorted(tags))

    class TypeSet(Event):
        type: str

        def update(self, ticket: "Ticket") -> None:
            ticket.type = self.type

    class PrioritySet(Event):
        priority: str

        def update(self, ticket: "Ticket") -> None:
            ticket.priority = self.priority

    class Assigned(Event):
        assignee: str
        comment: str | None

        def update(self, ticket: "Ticket") -> None:
            ticket.assignee = self.assignee

    class Paused(Event):
        reason: str
        department: str | None

        def update(self, ticket: "Ticket") -> None:
            ticket.status = Status.PAUSED
            ticket.pause_reason = self.reason

    class Resumed(Event):
        reason: str

        def update(self, ticket: "Ticket") -> None:
            ticket.status = Status.OPEN
            ticket.pause_reason = None

    class Resolved(Event):
        resolution: str

        def update(self, ticket: "Ticket") -> None:
            ticket.status = Status.RESOLVED
            ticket.resolution = self.resolution
            ticket.resolutions += 1
            ticket.pause_reason = None
            ticket.waiting_since = None

    class Reopened(Event):
        reason: str

        def update(self, ticket: "Ticket") -> None:
            ticket.status = Status.OPEN
            ticket.resolution = None

    class Rated(Event):
        score: str
        comment: str | None

        def update(self, ticket: "Ticket") -> None:
            ticket.ratings += 1

    class MergedInto(Event):
        target_id: UUID

        def update(self, ticket: "Ticket") -> None:
            ticket.status = Status.MERGED
            ticket.merged_into = self.target_id
            ticket.waiting_since = None
            ticket.pause_reason = None

    class MergeReceived(Event):
        source_id: UUID

        def update(self, ticket: "Ticket") -> None:
            ticket.merged_from = (*ticket.merged_from, self.source_id)

    # Declared for type checkers; every one is set by TicketOpened.
    channel: str
    customer_id: UUID
    subject: str | None
    opened_at: datetime
    status: str
    assignee: str | None
    tags: tuple[str, ...]
    type: str | None
    priority: str
    resolution: str | None
    resolutions: int
    ratings: int
    waiting_since: datetime | None
    pause_reason: str | None
    merged_into: UUID | None
    merged_from: tuple[UUID, ...]
    deliveries: dict[int, str | None]  # reply version → the provider's message id
    reply_statuses: dict[int, tuple[str, ...]]  # reply version → statuses reported, in arrival order
    last_occurred_at: datetime
    request_versions: dict[str, int]

    def __init__(self) -> None:
        self.request_versions = {}

    @classmethod
    def open(
        cls,
        ticket_id: UUID,
        channel: str,
        customer_id: UUID,
        subject: str | None,
        text: str,
        external_id: str | None,
        stamp: Stamp,
        attachments: list[dict[str, Any]] | None = None,
        author: dict[str, str] | None = None,
    ) -> "Ticket":
        check_text(text)
        return cls._create(
            cls.TicketOpened,
            id=ticket_id,
            channel=channel,
            customer_id=customer_id,
            subject=subject,
            text=text,
            external_id=external_id,
            **message_parts(attachments, author),
            **event_stamp(stamp),
        )

    def receive_message(
        self,
        text: str,
        external_id: str | None,
        stamp: Stamp,
        attachments: list[dict[str, Any]] | None = None,
        author: dict[str, str] | None = None,
    ) -> None:
        """A customer's message also wakes a paused ticket and reopens a resolved one."""
        self.check_not_merged()
        check_text(text)
        parts = message_parts(attachments, author)
        if self.status == Status.RESOLVED:
            self._record(self.Reopened, stamp, reason=ReopenReason.CUSTOMER_REPLIED.value)
        elif self.status == Status.PAUSED:
            self._record(self.Resumed, stamp, reason=ResumeReason.CUSTOMER_REPLIED.value)
        self._record(self.CustomerMessageReceived, stamp, text=text, external_id=external_id, **parts)

    def reply(
        self, text: str, stamp: Stamp, snippet: UUID | None = None, article: UUID | None = None
    ) -> None:
        self.check_workable()
        check_text(text)
        self._record(self.ReplySent, stamp, text=text, snippet=snippet, article=article)

    def record_delivery(self, reply_version: int, provider_message_id: str | None, stamp: Stamp) -> None:
        """Deliveries are facts about the past, so they are recorded even on a resolved ticket."""
        self._record(
            self.ReplyDelivered,
            stamp,
            reply_version=reply_version,
            channel=self.channel,
            provider_message_id=provider_message_id,
        )

    def record_delivery_failure(self, reply_version: int, error: str, attempts: int, stamp: Stamp) -> None:
        self._record(
            self.ReplyDeliveryFailed,
            stamp,
            reply_version=reply_version,
            channel=self.channel,
            error=error[:2000],
            attempts=attempts,
        )

    def report_reply_status(
        self,
        reply_version: int,
        provider_message_id: str,
        status: str,
        status_at: datetime,
        error: str | None,
        stamp: Stamp,
    ) -> None:
        """Providers retry reports and reorder them ("read" may come before "delivered"), so each
        distinct status of a reply is recorded once, whatever the order, and a repeat records nothing.
        A fact about the past like a delivery, so it is recorded on a resolved or merged ticket too."""
        value = parse(ReplyStatus, status, "status")
        self.check_delivered(reply_version, provider_message_id)
        if value in self.reply_statuses.get(reply_version, ()):
            return
        self._record(
            self.ReplyStatusReported,
            stamp,
            reply_version=reply_version,
            provider_message_id=provider_message_id,
            status=value,
            status_at=status_at,
            error=error[:2000] if error else None,
        )

    def add_note(self, text: str, stamp: Stamp) -> None:
        self.check_workable()
        check_text(text)
        self._record(self.NoteAdded, stamp, text=text)

    def change_tags(self, add: list[str], remove: list[str], stamp: Stamp) -> None:
        """Only real changes are recorded, so the history shows what actually moved. Tags stored
        before they were normalised are matched by their normal form and removed as stored."""
        self.check_not_merged()
        wanted, unwanted = normalise_tags(add), normalise_tags(remove)
        check_tags_apart(wanted, unwanted)
        current = {identifier(t) for t in self.tags}
        added = [t for t in wanted if t not in current]
        removed = [t for t in self.tags if identifier(t) in unwanted]
        if added or removed:
            self._record(self.TagsChanged, stamp, added=added, removed=removed)

    def set_type(self, ticket_type: str, stamp: Stamp) -> None:
        self.check_not_merged()
        value = parse(TicketType, ticket_type, "type")
        if value != self.type:
            self._record(self.TypeSet, stamp, type=value)

    def set_priority(self, priority: str, stamp: Stamp) -> None:
        self.check_not_merged()
        value = parse(Priority, priority, "priority")
        if value != self.priority:
            self._record(self.PrioritySet, stamp, priority=value)

    def assign(self, assignee: str, comment: str | None, stamp: Stamp) -> None:
        self.check_workable()
        check_assignee(assignee)
        self._record(self.Assigned, stamp, assignee=assignee, comment=comment or None)

    def pause(self, reason: str, department: str | None, stamp: Stamp) -> None:
        self.check_not_merged()
        value = parse(PauseReason, reason, "reason")
        self.check_pausable()
        check_department(value, department)
        self._record(self.Paused, stamp, reason=value, department=department or None)

    def resume(self, stamp: Stamp) -> None:
        self.check_not_merged()
        self.check_paused()
        self._record(self.Resumed, stamp, reason=ResumeReason.OPERATOR.value)

    def resolve(self, resolution: str, stamp: Stamp) -> None:
        self.check_not_merged()
        value = parse(Resolution, resolution, "resolution")
        self.check_not_resolved()
        self._record(self.Resolved, stamp, resolution=value)

    def reopen(self, stamp: Stamp) -> None:
        self.check_not_merged()
        self.check_resolved()
        self._record(self.Reopened, stamp, reason=ReopenReason.OPERATOR.value)

    def rate(self, score: str, comment: str | None, stamp: Stamp) -> None:
        """One rating per resolution: a reopened and re-resolved ticket may be rated again."""
        self.check_not_merged()
        value = parse(Score, score, "score")
        self.check_resolved()
        self.check_not_rated()
        self._record(self.Rated, stamp, score=value, comment=comment or None)

    def merge_into(self, target: "Ticket", stamp: Stamp) -> None:
        """Records both sides, so neither ticket changes without a trace."""
        self.check_mergeable_into(target)
        self._record(self.MergedInto, stamp, target_id=target.id)
        target._record(target.MergeReceived, stamp, source_id=self.id)

    def _record(self, event_class: type[Event], stamp: Stamp, **fields: Any) -> None:
        self.check_time(stamp.occurred_at)
        self.trigger_event(event_class, **fields, **event_stamp(stamp))
