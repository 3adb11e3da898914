"""Re-judging a ticket without folding its events again, where that gives the very same outcomes.

A ticket's done SLA items keep the business time they took (`elapsed`); under another version
their outcome is `elapsed > target`, exactly as `domain.metrics` judges a done item, as long as
that time is the same business time: the version that governed the ticket and the one judging it
have the same calendar. Only an item still running needs its events (its deadline under the new
target), and so does a ticket the new version would give targets for other metrics. A month of
tickets is then judged from the report tables, and only the few still open are folded again.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from domain.sla_policy import METRICS, PolicyVersion


@dataclass(frozen=True, slots=True)
class Settled:
    """A ticket as the report tables hold it: enough to judge it again if its items are done."""

    ticket_id: str
    policy: str | None
    version: int | None
    channel: str
    type: str | None
    priority: str
    items: tuple[tuple[str, bool, int | None], ...]
    """(metric, done, elapsed µs) of each SLA item it had then."""


def judged_settled(
    ticket: Settled, judge: PolicyVersion, governing: PolicyVersion | None
) -> dict[str, str] | None:
    """metric → outcome under `judge`; None when only a re-fold can tell."""
    if governing is None or governing.spec.calendar != judge.spec.calendar:
        return None
    if not judge.matches(ticket.channel, ticket.type, ticket.priority):
        return None
    if targeted(judge) != targeted(governing) or not all(done for _, done, _ in ticket.items):
        return None
    return {metric: late(elapsed, judge.target_us(metric)) for metric, _, elapsed in ticket.items}


def targeted(version: PolicyVersion) -> set[str]:
    return {m for m in METRICS if version.target_us(m) is not None}


def late(elapsed: int | None, target: int | None) -> str:
    return "breached" if (elapsed or 0) > (target or 0) else "achieved"


def settled_of(rows: Sequence[tuple[object, ...]]) -> list[Settled]:
    """Tickets from rows of (ticket, policy, version, channel, type, priority, metric, done,
    elapsed seconds), sorted by ticket; a ticket without SLA items has one row of NULL metric."""
    found: list[Settled] = []
    current: list[tuple[object, ...]] = []
    for row in [*rows, None]:
        if current and (row is None or row[0] != current[0][0]):
            found.append(one(current))
            current = []
        if row is not None:
            current.append(row)
    return found


def one(rows: list[tuple[object, ...]]) -> Settled:
    tid, policy, version, channel, kind, priority = rows[0][:6]
    items = tuple(
        (str(r[6]), bool(r[7]), None if r[8] is None else round(float(r[8]) * 1_000_000))  # type: ignore[arg-type]
        for r in rows
        if r[6] is not None
    )
    return Settled(
        str(tid),
        policy,
        version,
        str(channel),
        kind,
        str(priority),
        items,  # type: ignore[arg-type]
    )
