"""What every command is given (who asks, and how) and what it gives back."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.idempotency import RequestKey


@dataclass(frozen=True, slots=True)
class CommandResult:
    id: UUID
    version: int
    position: int


@dataclass(frozen=True, slots=True)
class Context:
    """Who asks, and (for imports and channel adapters only) when it happened.

    `request_id` is a provider's message id (recorded on the events, so a redelivery is a no-op);
    `key` is the caller's Idempotency-Key, answered once by `Helpdesk.once` (application/once.py)."""

    actor: str
    occurred_at: datetime | None = None
    request_id: str | None = None
    key: RequestKey | None = None
