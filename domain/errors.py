"""Domain errors: each names what went wrong, so the API can map a class to one HTTP status.

`ConflictError` subclasses mean "the request is well-formed but the ticket's current state
forbids it" (409); `InvalidCommandError` subclasses mean "the request itself is wrong" (422).
"""


class DomainError(Exception):
    """Base of every error a command can raise; the message is a sentence for a person."""

    code = "domain_error"


class ConflictError(DomainError):
    code = "conflict"


class InvalidCommandError(DomainError):
    code = "invalid_command"


class NotFoundError(DomainError):
    code = "not_found"


class TicketNotFoundError(NotFoundError):
    code = "ticket_not_found"


class CustomerNotFoundError(NotFoundError):
    code = "customer_not_found"


class UserNotFoundError(NotFoundError):
    code = "user_not_found"


class TicketResolvedError(ConflictError):
    code = "ticket_resolved"


class TicketMergedError(ConflictError):
    code = "ticket_merged"


class TicketNotPausableError(ConflictError):
    code = "ticket_not_pausable"


class TicketNotPausedError(ConflictError):
    code = "ticket_not_paused"


class TicketNotResolvedError(ConflictError):
    code = "ticket_not_resolved"


class AlreadyRatedError(ConflictError):
    code = "already_rated"


class InvalidMergeError(ConflictError):
    code = "invalid_merge"


class MergeIntoItselfError(InvalidMergeError):
    """Merging a ticket into itself would close it with nowhere for its customer to go."""


class SourceAlreadyMergedError(InvalidMergeError):
    """A ticket is merged once: its target already holds its history."""


class MergeTargetMergedError(InvalidMergeError):
    """Merging into a merged ticket would hide the history one hop further away."""


class MergeTargetResolvedError(InvalidMergeError):
    """The merged ticket's customer would wait on a ticket nobody works on."""


class ReplyNotDeliveredError(ConflictError):
    """A status report names a reply the provider never accepted, or under another message id."""

    code = "reply_not_delivered"


class VersionConflictError(ConflictError):
    """The caller's If-Match version is not the ticket's current version."""

    code = "version_conflict"


class TimeTravelError(InvalidCommandError):
    """An `occurred_at` earlier than the ticket's last event would corrupt every duration."""

    code = "occurred_at_before_last_event"


class EmptyTextError(InvalidCommandError):
    code = "empty_text"


class InvalidValueError(InvalidCommandError):
    code = "invalid_value"


class UnknownValueError(InvalidValueError):
    """A value outside its closed vocabulary (domain.values): a status, a reason, a role…"""


class TextTooLongError(InvalidValueError):
    """More text than any message, reply or note needs; it would bloat every view."""


class HiddenCharacterError(InvalidValueError):
    """A typed name hiding zero-width or text-direction characters, which can disguise it."""


class InvalidTitleError(InvalidValueError):
    """A snippet's or an article's title is empty or longer than a title."""


class InvalidTagError(InvalidValueError):
    """A tag that is empty, or too long, once in its normal form."""


class TagAddedAndRemovedError(InvalidValueError):
    """One request may not both add and remove a tag: which one was meant is unknown."""


class MissingAssigneeError(InvalidValueError):
    """An assignment names nobody."""


class MissingDepartmentError(InvalidValueError):
    """Waiting for a department needs to say which one, or nobody can chase it."""


class ForbiddenError(DomainError):
    """The acting user's role may not do this (e.g. an auditor writing)."""

    code = "forbidden"
