"""How each metric of one ticket came out, from the same facts and policy versions the report
folds (`domain.metrics.ticket_metrics`): a supervisor can see *why* a figure is what it is.

Per metric, the stretches it measured (the first wait; every later wait; the span from opening
to the final resolution), each with the events that started and ended it, cut into parts: the
open time counted (with a business calendar, only its working hours), the working hours skipped
(nights, weekends, holidays), the pauses (with reason and department) and the time a ticket lay
resolved before it was reopened. Then the policy version that judged it and why, its target, the
outcome at the as-of instant and the instant it was (or will be) breached.

Nothing here measures a second time. The figures are ticket_metrics' own; the parts come from the
same active spans it sums, and each part counts `domain.calendar.business_us` of itself, so the
parts of a stretch add up, to the microsecond, to the metric (a hypothesis test holds it to that).
The events' log positions come from folding the facts with the metrics' own `step`, watching
which fact started and ended each wait and each open, paused or resolved state.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from domain.business_segments import business_segments
from domain.calendar import BusinessCalendar
from domain.errors import InvalidValueError
from domain.metrics import (
    Fact,
    SlaItem,
    TicketMetrics,
    Wait,
    deadline,
    outcome,
    step,
    ticket_metrics,
)
from domain.policy_choice import PolicyChoice, policy_choice
from domain.sla_policy import METRICS, PolicyVersion

CLOCKS = ("business", "calendar")
GAP_KINDS = {"paused": "paused", "resolved": "resolved", "merged": "merged"}
"""What a stretch of time outside the open spans is, by the ticket's status then."""


class UnknownClockError(InvalidValueError):
    """Durations are business time (the policy's calendar) or calendar time; nothing else."""


@dataclass(frozen=True, slots=True)
class Part:
    kind: str
    """counted, outside_hours, weekend, holiday, paused, resolved (until reopened) or merged."""
    start: int
    end: int
    counted_us: int
    after: int | None
    """Log position of the event the part follows: the latest start of a wait or of a state."""
    before: int | None
    """Log position of the event that ends it; None while it runs at the as-of instant."""
    reason: str | None = None
    department: str | None = None
    holiday: str | None = None


@dataclass(frozen=True, slots=True)
class Stretch:
    seq: int | None
    """The wait's number in the ticket (0 is the first), None for the resolution."""
    status: str
    """A wait: answered, open or cancelled; the resolution: resolved, open or merged."""
    start: int
    end: int | None
    started_by: int | None
    ended_by: int | None
    operator: str | None
    parts: tuple[Part, ...]
    total_us: int | None
    """The metric's figure (ticket_metrics'), None until done."""
    breach_at: int | None
    """When it went past target (if late), or will if nothing changes (if running)."""


@dataclass(frozen=True, slots=True)
class Verdict:
    item: SlaItem
    outcome: str
    """achieved, breached or pending at the as-of instant."""
    breach_at: int | None


@dataclass(frozen=True, slots=True)
class MetricExplanation:
    metric: str
    stretches: tuple[Stretch, ...]
    verdict: Verdict | None
    total_us: int | None
    """The ticket's one sample of the metric (first response, resolution); None for next
    response, which counts a sample per wait."""


@dataclass(frozen=True, slots=True)
class EventMark:
    position: int
    type: str
    occurred: int
    actor: str


@dataclass(frozen=True, slots=True)
class Explanation:
    ticket_id: str
    as_of: int
    position: int
    clock: str
    status: str
    choice: PolicyChoice
    metrics: tuple[MetricExplanation, ...]
    events: tuple[EventMark, ...]
    """Every event a stretch or part names, in log order."""


@dataclass(slots=True)
class State:
    status: str
    start: int
    started_by: int
    end: int | None = None
    ended_by: int | None = None
    reason: str | None = None
    department: str | None = None


@dataclass(slots=True)
class Trace:
    waits: list[list[int | None]]
    """[started_by, ended_by] of each wait."""
    states: list[State]


def check_clock(clock: str) -> None:
    if clock not in CLOCKS:
        raise UnknownClockError(f"The clock is business or calendar; got {clock!r}.")


def explain(
    ticket_id: str, facts: Sequence[Fact], policies: Sequence[PolicyVersion], as_of: int, clock: str
) -> Explanation | None:
    """`facts`: the ticket's events recorded by `as_of`, in log order. None before its opening."""
    check_clock(clock)
    m = ticket_metrics(ticket_id, facts, policies)
    if m is None:
        return None
    trace = traced(ticket_id, facts)
    calendar = m.calendar if clock == "business" else None
    explained = tuple(metric_explanation(m, trace, metric, calendar, clock, as_of) for metric in METRICS)
    choice = policy_choice(policies, m.channel, m.type, m.priority, m.opened)
    return Explanation(
        ticket_id, as_of, facts[-1].position, clock, m.status, choice, explained, marks(facts, explained)
    )


def traced(ticket_id: str, facts: Sequence[Fact]) -> Trace:
    """The metrics' own fold, watched: which fact started and ended each wait and state."""
    opened = facts[0].data
    m = TicketMetrics(ticket_id, opened["channel"], str(opened["customer_id"]), opened.get("subject"))
    trace = Trace([], [])
    for fact in facts:
        step(m, fact)
        observe(trace, m, fact)
    return trace


def observe(trace: Trace, m: TicketMetrics, fact: Fact) -> None:
    if len(m.waits) > len(trace.waits):
        trace.waits.append([fact.position, None])
    if trace.waits and trace.waits[-1][1] is None and m.waits[-1].status != "open":
        trace.waits[-1][1] = fact.position
    current = trace.states[-1] if trace.states else None
    if current is not None and current.status == m.status:
        return
    if current is not None:
        current.end, current.ended_by = fact.occurred, fact.position
    pause = m.pauses[-1] if m.status == "paused" and m.pauses else None
    trace.states.append(
        State(
            m.status,
            fact.occurred,
            fact.position,
            reason=pause.reason if pause else None,
            department=pause.department if pause else None,
        )
    )


def metric_explanation(
    m: TicketMetrics, trace: Trace, metric: str, calendar: BusinessCalendar | None, clock: str, as_of: int
) -> MetricExplanation:
    item = next((s for s in m.sla if s.metric == metric), None)
    target = item.target_us if item else None
    if metric == "resolution":
        stretches = [resolution_stretch(m, trace, calendar, clock, as_of, target)]
    else:
        seqs = [0] if metric == "first_response" else range(1, len(m.waits))
        stretches = [wait_stretch(m, trace, seq, calendar, clock, as_of, target) for seq in seqs]
    verdict = None
    if item is not None:
        late = next((s.breach_at for s in stretches if s.status != "open" and s.breach_at is not None), None)
        verdict = Verdict(item, outcome(item, as_of), late if item.late else item.breach_at)
    total = None if metric == "next_response" else stretches[0].total_us
    return MetricExplanation(metric, tuple(stretches), verdict, total)


def wait_stretch(
    m: TicketMetrics,
    trace: Trace,
    seq: int,
    calendar: BusinessCalendar | None,
    clock: str,
    as_of: int,
    target: int | None,
) -> Stretch:
    wait, (started_by, ended_by) = m.waits[seq], trace.waits[seq]
    if wait.status == "cancelled":
        return Stretch(seq, wait.status, wait.start, wait.end, started_by, ended_by, None, (), None, None)
    end = wait.end if wait.status == "answered" else None
    parts = parts_of(m, trace, wait.start, end, started_by, ended_by, calendar, as_of)
    total = wait_total(wait, clock)
    return Stretch(
        seq, wait.status, wait.start, end, started_by, ended_by, wait.operator, parts, total,
        breach(m, wait.start, target, wait.business_us),
    )  # fmt: skip


def wait_total(wait: Wait, clock: str) -> int | None:
    if wait.status != "answered":
        return None
    return wait.business_us if clock == "business" else wait.calendar_us


def resolution_stretch(
    m: TicketMetrics,
    trace: Trace,
    calendar: BusinessCalendar | None,
    clock: str,
    as_of: int,
    target: int | None,
) -> Stretch:
    opened_by = trace.states[0].started_by
    last = trace.states[-1]
    if m.status == "merged":
        return Stretch(None, "merged", m.opened, last.start, opened_by, last.started_by, None, (), None, None)
    if m.status == "resolved":
        end, ended_by = m.resolved, last.started_by
        total = m.resolution_business_us if clock == "business" else m.resolution_calendar_us
        elapsed = m.resolution_business_us
    else:
        end, ended_by, total, elapsed = None, None, None, None
    parts = parts_of(m, trace, m.opened, end, opened_by, ended_by, calendar, as_of)
    status = "resolved" if m.status == "resolved" else "open"
    return Stretch(
        None, status, m.opened, end, opened_by, ended_by, m.resolver if end else m.assignee, parts, total,
        breach(m, m.opened, target, elapsed),
    )  # fmt: skip


def breach(m: TicketMetrics, start: int, target: int | None, elapsed: int | None) -> int | None:
    """The last instant within target: for a stretch done late, or one still running."""
    if target is None or (elapsed is not None and elapsed <= target):
        return None
    return deadline(m.active, start, target, m.calendar)


def parts_of(
    m: TicketMetrics,
    trace: Trace,
    start: int,
    end: int | None,
    started_by: int | None,
    ended_by: int | None,
    calendar: BusinessCalendar | None,
    as_of: int,
) -> tuple[Part, ...]:
    """[start, end) (to the as-of instant while it runs) cut into parts: the open spans as
    ticket_metrics' active_us clips them, cut by the calendar, and the gaps between them."""
    until = end if end is not None else max(as_of, start)
    pieces: list[Part] = []
    at = start
    for a, b in m.active:
        lo, hi = max(a or 0, start), min(until if b is None else b, until)
        if hi <= lo:
            continue
        if lo > at:
            pieces.extend(gap(trace.states, at, lo))
        for s in business_segments(calendar, lo, hi):
            pieces.append(Part(s.kind, s.start, s.end, s.counted_us, None, None, holiday=s.holiday))
        at = hi
    if at < until:
        pieces.extend(gap(trace.states, at, until))
    bounds = [
        (start, started_by),
        *((s.start, s.started_by) for s in trace.states if start <= s.start < until),
    ]
    bounds.sort(key=lambda b: (b[0], b[1] or 0))
    bounds.append((until, ended_by))
    return tuple(bounded(p, bounds) for p in pieces)


def gap(states: list[State], start: int, end: int) -> list[Part]:
    """Time outside the open spans, by what the ticket was then: paused or resolved."""
    found = []
    for s in states:
        lo, hi = max(s.start, start), min(end if s.end is None else s.end, end)
        if hi > lo:
            kind = GAP_KINDS.get(s.status, "stopped")
            found.append(Part(kind, lo, hi, 0, None, None, s.reason, s.department))
    return found


def bounded(part: Part, bounds: list[tuple[int, int | None]]) -> Part:
    after = next((pos for at, pos in reversed(bounds) if at <= part.start), bounds[0][1])
    before = next((pos for at, pos in bounds if at >= part.end), bounds[-1][1])
    return Part(
        part.kind, part.start, part.end, part.counted_us, after, before,
        part.reason, part.department, part.holiday,
    )  # fmt: skip


def marks(facts: Sequence[Fact], metrics: tuple[MetricExplanation, ...]) -> tuple[EventMark, ...]:
    named: set[int | None] = set()
    for explained in metrics:
        for s in explained.stretches:
            named |= {s.started_by, s.ended_by, *(p.after for p in s.parts), *(p.before for p in s.parts)}
    return tuple(EventMark(f.position, f.type, f.occurred, f.actor) for f in facts if f.position in named)
