"""A ticket's SLA clock as its page shows it: when the first and the next response are due (or when
they were given), and the paused segments, during which the clock stood still.

The figures are the metrics' own (`domain.metrics.ticket_metrics`, the fold the analytics view
stores), computed from the very events the page shows, so the clock never disagrees with the
conversation beside it. Policies come from the analytics view, as `GET /api/v1/sla-policies` lists them.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.calendar import from_us
from domain.metrics import SlaItem, TicketMetrics, ticket_metrics
from domain.sla_policy import PolicyVersion, policy_version
from projections.analytics import AnalyticsDb, fact_of
from projections.records import record_from_event
from projections.sla_policy_queries import policy_versions

US = 1_000_000


@dataclass(frozen=True, slots=True)
class Target:
    metric: str
    """first_response, next_response or resolution."""
    state: str
    """done, late (done after the target), running, breached (not done, past due), stopped (paused)."""
    target_seconds: float
    due: datetime | None
    done_at: datetime | None
    elapsed_seconds: float | None
    left_seconds: float | None
    """Until due; negative once past it."""


@dataclass(frozen=True, slots=True)
class PausedSegment:
    reason: str
    department: str | None
    start: datetime
    end: datetime | None
    seconds: float
    ended_by: str | None


@dataclass(frozen=True, slots=True)
class SlaClock:
    policy: str | None
    policy_version: int | None
    targets: list[Target]
    pauses: list[PausedSegment]
    paused: bool


def policies(db: AnalyticsDb | None) -> list[PolicyVersion]:
    """Every version of every policy, read as `GET /api/v1/sla-policies` reads them (a small table)."""
    if db is None:
        return []
    return [
        policy_version(
            row.name,
            row.version,
            {
                "targets": {"first_response": row.first_response, "next_response": row.next_response,
                            "resolution": row.resolution},
                "calendar": row.calendar,
                "applies_to": row.applies_to,
                "rank": row.rank,
                "effective_from": row.effective_from,
            },
        )
        for row in policy_versions(db)
    ]  # fmt: skip


def sla_clock(
    ticket_id: str,
    events: Sequence[Any],
    positions: Mapping[int, int],
    versions: list[PolicyVersion],
    now: datetime,
) -> SlaClock | None:
    facts = [fact_of(record_from_event(positions.get(e.originator_version, 0), e)) for e in events]
    metrics = ticket_metrics(ticket_id, facts, versions)
    if metrics is None:
        return None
    now_us = int(now.timestamp() * US)
    policy = metrics.policy
    return SlaClock(
        policy.name if policy else None,
        policy.version if policy else None,
        [target(item, now_us) for item in metrics.sla],
        segments(metrics, now_us),
        metrics.status == "paused",
    )


def target(item: SlaItem, now_us: int) -> Target:
    due = item.breach_at
    if item.done:
        state = "late" if item.late else "done"
    elif due is None:
        state = "stopped"
    else:
        state = "breached" if item.late or now_us > due else "running"
    return Target(
        item.metric,
        state,
        item.target_us / US,
        from_us(due) if due is not None else None,
        from_us(item.done_at) if item.done_at is not None else None,
        item.elapsed_us / US if item.elapsed_us is not None else None,
        (due - now_us) / US if due is not None and not item.done else None,
    )


def segments(metrics: TicketMetrics, now_us: int) -> list[PausedSegment]:
    return [
        PausedSegment(
            p.reason,
            p.department,
            from_us(p.start),
            from_us(p.end) if p.end is not None else None,
            ((p.end if p.end is not None else max(now_us, p.start)) - p.start) / US,
            p.ended_by,
        )
        for p in metrics.pauses
    ]
