"""The metric definitions of DESIGN.md ("Metrics"), as pure functions of one ticket's events.

`ticket_metrics(facts, policies)` folds a ticket's events (in log order) into its waits,
pauses, assignments, ratings, resolution time and SLA outcomes. Everything is integer
microseconds of `occurred_at`; no clock is read. An SLA item that is not done yet carries
`breach_at`, the last instant at which it is still within target, so a report judges
pending/breached at any as-of time without re-folding: breached iff as_of > breach_at.
"""

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from domain.calendar import BusinessCalendar, business_us, instant_after
from domain.sla_policy import METRICS, PolicyVersion, in_force

Span = list[int | None]
"""[start, end]; end None while it lasts."""


class Fact(NamedTuple):
    """One event as metrics need it: times as epoch microseconds. A named tuple: a projection
    builds one per event, and a tuple is several times cheaper to make than a frozen dataclass."""

    position: int
    version: int
    type: str
    occurred: int
    recorded: int
    actor: str
    data: Mapping[str, Any]


@dataclass(slots=True)
class Wait:
    start: int
    end: int | None = None
    operator: str | None = None
    status: str = "open"
    """open, answered (ended by a reply) or cancelled (resolved or merged before any reply)."""
    calendar_us: int | None = None
    business_us: int | None = None
    paused_us: int | None = None


@dataclass(slots=True)
class Pause:
    reason: str
    department: str | None
    start: int
    end: int | None = None
    ended_by: str | None = None


@dataclass(slots=True)
class Assignment:
    assignee: str
    by: str
    comment: str | None
    start: int
    end: int | None = None


@dataclass(frozen=True, slots=True)
class Rating:
    score: str
    comment: str | None
    at: int
    operator: str | None


@dataclass(frozen=True, slots=True)
class SlaItem:
    metric: str
    policy: str
    policy_version: int
    target_us: int
    done: bool
    late: bool
    elapsed_us: int | None
    done_at: int | None
    breach_at: int | None
    operator: str | None


@dataclass(slots=True)
class TicketMetrics:
    ticket_id: str
    channel: str
    customer_id: str
    subject: str | None
    status: str = "open"
    type: str | None = None
    priority: str = "normal"
    tags: set[str] = field(default_factory=set)
    assignee: str | None = None
    opened: int = 0
    first_reply: int | None = None
    resolved: int | None = None
    resolution: str | None = None
    resolver: str | None = None
    resolution_calendar_us: int | None = None
    resolution_business_us: int | None = None
    merged_into: str | None = None
    reopens: int = 0
    replies: int = 0
    last_event: int = 0
    last_recorded: int = 0
    position: int = 0
    version: int = 0
    policy: PolicyVersion | None = None
    active: list[Span] = field(default_factory=list)
    waits: list[Wait] = field(default_factory=list)
    pauses: list[Pause] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
    messages: list[tuple[int, int]] = field(default_factory=list)
    """(occurred, recorded) of each customer message, the opening one included."""
    sla: list[SlaItem] = field(default_factory=list)
    calendar: BusinessCalendar | None = None
    """The policy's business calendar (None: calendar time), looked up once per ticket."""


def ticket_metrics(
    ticket_id: str, facts: Sequence[Fact], policies: Sequence[PolicyVersion]
) -> TicketMetrics | None:
    """None while the ticket has no TicketOpened (e.g. an as-of time before it was recorded)."""
    if not facts or facts[0].type != "TicketOpened":
        return None
    d = facts[0].data
    m = TicketMetrics(ticket_id, d["channel"], str(d["customer_id"]), d.get("subject"))
    for fact in facts:
        step(m, fact)
    m.policy, m.calendar = policy_for(policies, m.channel, m.type, m.priority, m.opened)
    measure(m)
    m.sla = [item for metric in METRICS if (item := sla_item(m, metric)) is not None]
    return m


class _Policies:
    """in_force answers for one list of policy versions, memoised: the answer depends on the
    opening time only through which versions have taken effect by then."""

    __slots__ = ("bounds", "found", "versions")

    def __init__(self, versions: tuple[PolicyVersion, ...]) -> None:
        self.versions = versions
        self.bounds = sorted({v.effective_from for v in versions})
        self.found: dict[tuple[Any, ...], tuple[PolicyVersion | None, BusinessCalendar | None]] = {}


_POLICIES: dict[tuple[int, ...], _Policies] = {}


def policy_for(
    policies: Sequence[PolicyVersion], channel: str, ticket_type: str | None, priority: str, opened: int
) -> tuple[PolicyVersion | None, BusinessCalendar | None]:
    """The version in force for a ticket (domain.sla_policy.in_force) and its business calendar."""
    key = tuple(map(id, policies))
    memo = _POLICIES.get(key)
    if memo is None or any(a is not b for a, b in zip(memo.versions, policies, strict=True)):
        if len(_POLICIES) > 64:
            _POLICIES.clear()
        memo = _POLICIES[key] = _Policies(tuple(policies))
    case = (bisect_right(memo.bounds, opened), channel, ticket_type, priority)
    found = memo.found.get(case)
    if found is None:
        policy = in_force(list(policies), channel, ticket_type, priority, opened)
        found = memo.found[case] = (policy, None if policy is None else policy.business_calendar)
    return found


def step(m: TicketMetrics, f: Fact) -> None:
    d, at = f.data, f.occurred
    m.last_event, m.last_recorded, m.position, m.version = at, f.recorded, f.position, f.version
    match f.type:
        case "TicketOpened":
            m.opened = at
            m.active.append([at, None])
            m.waits.append(Wait(at))
            m.messages.append((at, f.recorded))
        case "CustomerMessageReceived":
            m.messages.append((at, f.recorded))
            if m.status == "open" and not (m.waits and m.waits[-1].status == "open"):
                m.waits.append(Wait(at))
        case "ReplySent":
            m.replies += 1
            m.first_reply = at if m.first_reply is None else m.first_reply
            if m.waits and m.waits[-1].status == "open":
                wait = m.waits[-1]
                wait.end, wait.operator, wait.status = at, f.actor, "answered"
        case "TagsChanged":
            m.tags = (m.tags | set(d["added"])) - set(d["removed"])
        case "TypeSet":
            m.type = d["type"]
        case "PrioritySet":
            m.priority = d["priority"]
        case "Assigned":
            if m.assignments:
                m.assignments[-1].end = at
            m.assignments.append(Assignment(d["assignee"], f.actor, d.get("comment"), at))
            m.assignee = d["assignee"]
        case "Paused":
            stop_active(m, at)
            m.pauses.append(Pause(d["reason"], d.get("department"), at))
            m.status = "paused"
        case "Resumed":
            end_pause(m, at, d["reason"])
            m.active.append([at, None])
            m.status = "open"
        case "Resolved":
            close(m, at, "resolved")
            m.status, m.resolved, m.resolution, m.resolver = "resolved", at, d["resolution"], m.assignee
        case "Reopened":
            m.status, m.resolved, m.resolution, m.resolver = "open", None, None, None
            m.reopens += 1
            m.active.append([at, None])
        case "Rated":
            m.ratings.append(Rating(d["score"], d.get("comment"), at, m.assignee))
        case "MergedInto":
            close(m, at, "merged")
            m.status, m.merged_into = "merged", str(d["target_id"])
        case _:
            pass


def stop_active(m: TicketMetrics, at: int) -> None:
    if m.active and m.active[-1][1] is None:
        m.active[-1][1] = at


def end_pause(m: TicketMetrics, at: int, by: str) -> None:
    if m.pauses and m.pauses[-1].end is None:
        m.pauses[-1].end, m.pauses[-1].ended_by = at, by


def close(m: TicketMetrics, at: int, why: str) -> None:
    """Resolution and merge end the open time, any pause, and cancel a wait nobody answered."""
    stop_active(m, at)
    end_pause(m, at, why)
    if m.waits and m.waits[-1].status == "open":
        m.waits[-1].end, m.waits[-1].status = at, "cancelled"


def measure(m: TicketMetrics) -> None:
    calendar = m.calendar
    for wait in m.waits:
        if wait.status == "answered" and wait.end is not None:
            wait.calendar_us = active_us(m.active, wait.start, wait.end, None)
            wait.business_us = active_us(m.active, wait.start, wait.end, calendar)
            wait.paused_us = wait.end - wait.start - wait.calendar_us
    if m.status == "resolved" and m.resolved is not None:
        m.resolution_calendar_us = active_us(m.active, m.opened, m.resolved, None)
        m.resolution_business_us = active_us(m.active, m.opened, m.resolved, calendar)


def active_us(active: list[Span], start: int, end: int, calendar: BusinessCalendar | None) -> int:
    """Open, unpaused (and, with a calendar, working) time in [start, end)."""
    total = 0
    for a, b in active:
        lo, hi = max(a or 0, start), min(end if b is None else b, end)
        if hi > lo:
            total += business_us(calendar, lo, hi)
    return total


def deadline(active: list[Span], start: int, budget: int, calendar: BusinessCalendar | None) -> int | None:
    """The last instant the item is within budget, if the ticket stays as it is now; None if it
    is not running (paused, resolved), so it cannot breach until something happens."""
    for a, b in active:
        lo = max(a or 0, start)
        if b is None:
            return instant_after(calendar, lo, budget)
        if b <= lo:
            continue
        used = business_us(calendar, lo, b)
        if used > budget:
            return instant_after(calendar, lo, budget)
        budget -= used
    return None


def sla_item(m: TicketMetrics, metric: str) -> SlaItem | None:
    policy = m.policy
    target = None if policy is None else policy.target_us(metric)
    if policy is None or target is None:
        return None
    item = {"first_response": first_response, "next_response": next_response, "resolution": resolution}
    fields = item[metric](m, target)
    if fields is None:
        return None
    return SlaItem(metric, policy.name, policy.version, target, **fields)


def first_response(m: TicketMetrics, target: int) -> dict[str, Any] | None:
    wait = m.waits[0]
    if wait.status == "cancelled":
        return None
    if wait.status == "answered":
        elapsed = wait.business_us or 0
        return done_item(elapsed, elapsed > target, wait.end, wait.operator)
    return open_item(deadline(m.active, wait.start, target, m.calendar), m.assignee)


def next_response(m: TicketMetrics, target: int) -> dict[str, Any] | None:
    waits = [w for w in m.waits[1:] if w.status != "cancelled"]
    if not waits:
        return None
    answered = [w for w in waits if w.status == "answered"]
    late = [w for w in answered if (w.business_us or 0) > target]
    worst = max((w.business_us or 0 for w in answered), default=None)
    if waits[-1].status == "open":
        item = open_item(deadline(m.active, waits[-1].start, target, m.calendar), m.assignee)
        item.update(late=bool(late), elapsed_us=worst)
        if late:
            item["operator"] = late[0].operator
        return item
    blamed = late[0] if late else answered[-1]
    return done_item(worst or 0, bool(late), answered[-1].end, blamed.operator)


def resolution(m: TicketMetrics, target: int) -> dict[str, Any] | None:
    if m.status == "merged":
        return None
    if m.status == "resolved":
        elapsed = m.resolution_business_us or 0
        return done_item(elapsed, elapsed > target, m.resolved, m.resolver)
    return open_item(deadline(m.active, m.opened, target, m.calendar), m.assignee)


def done_item(elapsed: int, late: bool, at: int | None, operator: str | None) -> dict[str, Any]:
    return {
        "done": True,
        "late": late,
        "elapsed_us": elapsed,
        "done_at": at,
        "breach_at": None,
        "operator": operator,
    }


def open_item(breach_at: int | None, operator: str | None) -> dict[str, Any]:
    return {
        "done": False,
        "late": False,
        "elapsed_us": None,
        "done_at": None,
        "breach_at": breach_at,
        "operator": operator,
    }


def outcome(item: SlaItem, as_of: int) -> str:
    """achieved, breached or pending, judged at `as_of` (the same rule the report SQL applies)."""
    if item.late:
        return "breached"
    if item.done:
        return "achieved"
    if item.breach_at is not None and as_of > item.breach_at:
        return "breached"
    return "pending"
