"""The closed vocabularies of the domain, shared by code, API, Avro schemas and docs."""

from enum import StrEnum

from domain.errors import UnknownValueError


class Status(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    RESOLVED = "resolved"
    MERGED = "merged"


class TicketType(StrEnum):
    QUESTION = "question"
    PROBLEM = "problem"
    INCIDENT = "incident"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class PauseReason(StrEnum):
    WAITING_CUSTOMER = "waiting_customer"
    WAITING_DEPARTMENT = "waiting_department"


class ResumeReason(StrEnum):
    OPERATOR = "operator"
    CUSTOMER_REPLIED = "customer_replied"


class Resolution(StrEnum):
    SOLVED = "solved"
    SPAM = "spam"
    NO_REPLY_NEEDED = "no_reply_needed"
    DUPLICATE = "duplicate"


class ReopenReason(StrEnum):
    OPERATOR = "operator"
    CUSTOMER_REPLIED = "customer_replied"


class ReplyStatus(StrEnum):
    """What a provider reports about a reply it accepted; reports may come in any order."""

    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


class Score(StrEnum):
    LIKE = "like"
    DISLIKE = "dislike"


class Role(StrEnum):
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    SERVICE = "service"
    ADMIN = "admin"
    QA = "qa"
    """Reads the sampled tickets and their notes, and records QA reviews; writes nothing else."""


def parse(enum: type[StrEnum], value: str, field: str) -> str:
    """The member's value, or an error naming every allowed one: commands take plain strings."""
    try:
        return enum(value).value
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise UnknownValueError(f"{field} must be one of {allowed}; got {value!r}.") from None
