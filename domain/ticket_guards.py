"""The rules a ticket's commands obey, one named guard each, every one raising the error named
for what went wrong (domain.errors). Mixed into Ticket, which calls them before it records."""

from datetime import datetime
from uuid import UUID

from domain.errors import (
    AlreadyRatedError,
    MergeIntoItselfError,
    MergeTargetMergedError,
    MergeTargetResolvedError,
    MissingAssigneeError,
    MissingDepartmentError,
    ReplyNotDeliveredError,
    SourceAlreadyMergedError,
    TagAddedAndRemovedError,
    TicketMergedError,
    TicketNotPausableError,
    TicketNotPausedError,
    TicketNotResolvedError,
    TicketResolvedError,
    TimeTravelError,
)
from domain.values import PauseReason, Status


class TicketGuards:
    """Reads the ticket's state (set by its events); changes nothing."""

    id: UUID
    status: str
    merged_into: UUID | None
    deliveries: dict[int, str | None]
    ratings: int
    resolutions: int
    last_occurred_at: datetime

    def check_not_merged(self) -> None:
        if self.status == Status.MERGED:
            raise TicketMergedError(f"The ticket was merged into {self.merged_into}; work on that one.")

    def check_workable(self) -> None:
        """Replies, notes and assignment need a ticket that is still in someone's queue."""
        self.check_not_merged()
        if self.status == Status.RESOLVED:
            raise TicketResolvedError("The ticket is resolved; reopen it first.")

    def check_pausable(self) -> None:
        if self.status != Status.OPEN:
            raise TicketNotPausableError(
                f"Only an open, unpaused ticket can be paused; this one is {self.status}."
            )

    def check_paused(self) -> None:
        if self.status != Status.PAUSED:
            raise TicketNotPausedError(f"Only a paused ticket can be resumed; this one is {self.status}.")

    def check_not_resolved(self) -> None:
        if self.status == Status.RESOLVED:
            raise TicketResolvedError("The ticket is already resolved; reopen it first.")

    def check_resolved(self) -> None:
        if self.status != Status.RESOLVED:
            raise TicketNotResolvedError(f"The ticket is not resolved; it is {self.status}.")

    def check_not_rated(self) -> None:
        """One rating per resolution: a reopened and re-resolved ticket may be rated again."""
        if self.ratings >= self.resolutions:
            raise AlreadyRatedError("This resolution of the ticket has already been rated.")

    def check_mergeable_into(self, target: "TicketGuards") -> None:
        if target.id == self.id:
            raise MergeIntoItselfError("A ticket cannot be merged into itself.")
        if self.status == Status.MERGED:
            raise SourceAlreadyMergedError("This ticket has already been merged into another one.")
        if target.status == Status.MERGED:
            raise MergeTargetMergedError("The target ticket has itself been merged; merge into its target.")
        if target.status == Status.RESOLVED:
            raise MergeTargetResolvedError("The target ticket is resolved; reopen it before merging into it.")

    def check_delivered(self, reply_version: int, provider_message_id: str) -> None:
        """A status belongs to a reply the provider accepted, under the id it gave us then."""
        if self.deliveries.get(reply_version) != provider_message_id or not provider_message_id:
            raise ReplyNotDeliveredError(
                f"Reply {reply_version} of this ticket was not delivered as message {provider_message_id!r}."
            )

    def check_time(self, occurred_at: datetime) -> None:
        """A time earlier than the ticket's last event would make every duration negative."""
        if occurred_at < self.last_occurred_at:
            raise TimeTravelError(
                f"occurred_at {occurred_at.isoformat()} is earlier than the ticket's last event "
                f"({self.last_occurred_at.isoformat()})."
            )


def check_assignee(assignee: str) -> None:
    if not assignee.strip():
        raise MissingAssigneeError("The assignee must be a user's name.")


def check_department(reason: str, department: str | None) -> None:
    if reason == PauseReason.WAITING_DEPARTMENT and not (department or "").strip():
        raise MissingDepartmentError("Pausing to wait for a department needs the department.")


def check_tags_apart(added: list[str], removed: list[str]) -> None:
    if set(added) & set(removed):
        raise TagAddedAndRemovedError("A tag cannot be both added and removed in one request.")
