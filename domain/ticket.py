"""The Ticket aggregate: one customer conversation and everything done about it."""

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.copying import CheapCopy
from domain.errors import (
    AlreadyRatedError,
    EmptyTextError,
    InvalidMergeError,
    InvalidValueError,
    ReplyNotDeliveredError,
    TicketClosedError,
    TicketMergedError,
    TicketNotPausableError,
    TicketNotPausedError,
    TicketNotResolvedError,
    TimeTravelError,
)
from domain.stamp import Stamp
from domain.text_forms import identifier
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
)

MAX_TEXT = 100_000
MAX_TAG = 64


class Ticket(CheapCopy, Aggregate):
    """State is rebuilt from events only; command methods guard, then record a past-tense fact."""

    class Event(Aggregate.Event):
        occurred_at: datetime
        actor: str
        request_id: str | None

        def apply(self, ticket: "Ticket") -> None:
            ticket.last_occurred_at = self.occurred_at
            if self.request_id is not None:
                ticket.request_versions[self.request_id] = self.originator_version
            self.update(ticket)

        def update(self, ticket: "Ticket") -> None:
            """Each event's own effect on the ticket; the default changes nothing else."""

    class TicketOpened(Event, Aggregate.Created):
        channel: str
        customer_id: UUID
        subject: str | None
        text: str
        external_id: str | None
        attachments: list[dict[str, Any]] | None = None

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

    class CustomerMessageReceived(Event):
        text: str
        external_id: str | None
        attachments: list[dict[str, Any]] | None = None

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

        `status_at` is the provider's own time for it; the event's occurred_at is when we heard,
        so that a late or reordered report never moves the ticket's clock back.
        """

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
            **({"attachments": attachments} if attachments else {}),
            **event_stamp(stamp),
        )

    def receive_message(
        self,
        text: str,
        external_id: str | None,
        stamp: Stamp,
        attachments: list[dict[str, Any]] | None = None,
    ) -> None:
        """A customer's message also wakes a paused ticket and reopens a resolved one."""
        self.check_not_merged()
        check_text(text)
        if self.status == Status.RESOLVED:
            self._record(self.Reopened, stamp, reason=ReopenReason.CUSTOMER_REPLIED.value)
        elif self.status == Status.PAUSED:
            self._record(self.Resumed, stamp, reason=ResumeReason.CUSTOMER_REPLIED.value)
        extra = {"attachments": attachments} if attachments else {}
        self._record(self.CustomerMessageReceived, stamp, text=text, external_id=external_id, **extra)

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
        if set(wanted) & set(unwanted):
            raise InvalidValueError("A tag cannot be both added and removed in one request.")
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
        if not assignee.strip():
            raise InvalidValueError("The assignee must be a user's name.")
        self._record(self.Assigned, stamp, assignee=assignee, comment=comment or None)

    def pause(self, reason: str, department: str | None, stamp: Stamp) -> None:
        self.check_not_merged()
        value = parse(PauseReason, reason, "reason")
        if self.status != Status.OPEN:
            raise TicketNotPausableError(
                f"Only an open, unpaused ticket can be paused; this one is {self.status}."
            )
        if value == PauseReason.WAITING_DEPARTMENT and not (department or "").strip():
            raise InvalidValueError("Pausing to wait for a department needs the department.")
        self._record(self.Paused, stamp, reason=value, department=department or None)

    def resume(self, stamp: Stamp) -> None:
        self.check_not_merged()
        if self.status != Status.PAUSED:
            raise TicketNotPausedError(f"Only a paused ticket can be resumed; this one is {self.status}.")
        self._record(self.Resumed, stamp, reason=ResumeReason.OPERATOR.value)

    def resolve(self, resolution: str, stamp: Stamp) -> None:
        self.check_not_merged()
        value = parse(Resolution, resolution, "resolution")
        if self.status == Status.RESOLVED:
            raise TicketClosedError("The ticket is already resolved; reopen it first.")
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
        if self.ratings >= self.resolutions:
            raise AlreadyRatedError("This resolution of the ticket has already been rated.")
        self._record(self.Rated, stamp, score=value, comment=comment or None)

    def merge_into(self, target: "Ticket", stamp: Stamp) -> None:
        """Records both sides, so neither ticket changes without a trace."""
        if target.id == self.id:
            raise InvalidMergeError("A ticket cannot be merged into itself.")
        if self.status == Status.MERGED:
            raise InvalidMergeError("This ticket has already been merged into another one.")
        if target.status == Status.MERGED:
            raise InvalidMergeError("The target ticket has itself been merged; merge into its target.")
        if target.status == Status.RESOLVED:
            raise InvalidMergeError("The target ticket is resolved; reopen it before merging into it.")
        self._record(self.MergedInto, stamp, target_id=target.id)
        target._record(target.MergeReceived, stamp, source_id=self.id)

    def check_not_merged(self) -> None:
        if self.status == Status.MERGED:
            raise TicketMergedError(f"The ticket was merged into {self.merged_into}; work on that one.")

    def check_workable(self) -> None:
        """Replies, notes and assignment need a ticket that is still in someone's queue."""
        self.check_not_merged()
        if self.status == Status.RESOLVED:
            raise TicketClosedError("The ticket is resolved; reopen it first.")

    def check_delivered(self, reply_version: int, provider_message_id: str) -> None:
        """A status belongs to a reply the provider accepted, under the id it gave us then."""
        if self.deliveries.get(reply_version) != provider_message_id or not provider_message_id:
            raise ReplyNotDeliveredError(
                f"Reply {reply_version} of this ticket was not delivered as message {provider_message_id!r}."
            )

    def check_resolved(self) -> None:
        if self.status != Status.RESOLVED:
            raise TicketNotResolvedError(f"The ticket is not resolved; it is {self.status}.")

    def check_time(self, occurred_at: datetime) -> None:
        if occurred_at < self.last_occurred_at:
            raise TimeTravelError(
                f"occurred_at {occurred_at.isoformat()} is earlier than the ticket's last event "
                f"({self.last_occurred_at.isoformat()})."
            )

    def _record(self, event_class: type[Event], stamp: Stamp, **fields: Any) -> None:
        self.check_time(stamp.occurred_at)
        self.trigger_event(event_class, **fields, **event_stamp(stamp))


def event_stamp(stamp: Stamp) -> dict[str, Any]:
    return {
        "occurred_at": stamp.occurred_at,
        "actor": stamp.actor,
        "request_id": stamp.request_id,
        "timestamp": stamp.recorded_at,
    }


def check_text(text: str) -> None:
    if not text.strip():
        raise EmptyTextError("The text is empty.")
    if len(text) > MAX_TEXT:
        raise InvalidValueError(f"The text is longer than {MAX_TEXT} characters.")


def normalise_tags(tags: list[str]) -> list[str]:
    """Tags compare as identifiers (domain.text_forms), so "VIP ", "ＶＩＰ" and "vi\u200bp" are "vip"."""
    result: list[str] = []
    for tag in tags:
        clean = identifier(tag) if len(tag) <= MAX_TAG * 4 else ""
        if not clean or len(clean) > MAX_TAG:
            raise InvalidValueError(f"A tag must have 1 to {MAX_TAG} characters; got {tag[:100]!r}.")
        if clean not in result:
            result.append(clean)
    return result


def parse(enum: type[StrEnum], value: str, field: str) -> str:
    try:
        return enum(value).value
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise InvalidValueError(f"{field} must be one of {allowed}; got {value!r}.") from None
