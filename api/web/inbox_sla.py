"""The SLA badge of each inbox row: time left to the response target, paused, or breached.

The targets and the clock that counts against them (paused time and business hours left out) are
the analytics view's: `sla.breach_at` of the response not given yet (projections/sla_due.py),
folded by the same pure functions as the reports (domain/metrics.py). That view follows the log
every few seconds (DESKSTREAM_ANALYTICS_PACE). A row it has not folded yet at the queue row's
version (a new ticket, a customer's new message) gets an estimate from the queue row and the
policy in force: the target counted from when the customer began waiting, in the policy's
business hours, without any pause inside that wait. The estimate is marked as one, and it is
replaced by the exact figure as soon as the analytics view has caught up.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.calendar import instant_after, to_us
from domain.sla_policy import PolicyVersion, in_force
from projections.sla_due import ResponseDue

SOON_SECONDS = 15 * 60
"""Under this much time left the badge turns amber."""


@dataclass(frozen=True, slots=True)
class Badge:
    kind: str
    """left (time to the target), breached (past it) or paused (its clock stopped)."""
    metric: str | None
    seconds: float | None
    estimated: bool = False

    @property
    def tone(self) -> str:
        if self.kind == "breached":
            return "bad"
        if self.kind == "paused":
            return "paused"
        return "warn" if (self.seconds or 0) < SOON_SECONDS else "ok"


def badge(
    row: dict[str, Any],
    due: ResponseDue | None,
    policies: Callable[[], Sequence[PolicyVersion]],
    now: datetime,
) -> Badge | None:
    """`row` is the queue's row (ticket_json); `policies` is called only for an estimate."""
    if row["status"] not in ("open", "paused"):
        return None
    fresh = due is not None and due.version >= row["version"]
    if fresh and due is not None:
        exact = judged(due.metric, due.breach_at, to_us(now))
        if row["status"] == "paused" and (exact is None or exact.kind != "breached"):
            return Badge("paused", due.metric, None)
        return exact
    if row["status"] == "paused":
        return Badge("paused", None, None)
    return estimate(row, policies(), to_us(now))


def judged(metric: str | None, breach_at: int | None, now: int) -> Badge | None:
    if metric is None:
        return None
    if breach_at is None:
        return Badge("paused", metric, None)
    if breach_at < now:
        return Badge("breached", metric, minutes((now - breach_at) / 1e6))
    return Badge("left", metric, minutes((breach_at - now) / 1e6))


def minutes(seconds: float) -> float:
    """Whole minutes once past the first, rounded down (so "left" never overstates the time): a
    queue is read in minutes, and "3 h 5 s" reads as noise."""
    return seconds if seconds < 60 else seconds // 60 * 60


def estimate(row: dict[str, Any], policies: Sequence[PolicyVersion], now: int) -> Badge | None:
    if not row["waiting_since"]:
        return None
    opened, waiting = (to_us(datetime.fromisoformat(row[k])) for k in ("opened_at", "waiting_since"))
    policy = in_force(list(policies), row["channel"], row["type"], row["priority"], opened)
    metric = "first_response" if waiting == opened else "next_response"
    target = policy.target_us(metric) if policy is not None else None
    if policy is None or target is None:
        return None
    breach_at = instant_after(policy.business_calendar, waiting, target)
    found = judged(metric, breach_at, now)
    return None if found is None else Badge(found.kind, metric, found.seconds, estimated=True)
