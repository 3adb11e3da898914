"""Who did something, when it happened and when it was recorded: the part every event shares."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Stamp:
    """Passed into every command, so the domain never reads a clock.

    `occurred_at` is when it happened in the world (the customer's message time, the operator's
    click); `recorded_at` is the store's record time, used by "as of" views. `request_id` makes
    retries of the same request recognisable (Idempotency-Key or a provider's message id).
    """

    occurred_at: datetime
    recorded_at: datetime
    actor: str
    request_id: str | None = None
