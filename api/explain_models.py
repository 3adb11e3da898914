"""What `GET /api/v1/tickets/{id}/explain` returns, and how an Explanation becomes it.

Times are ISO 8601 (UTC); durations are seconds (floats, as the reports give them) and also
integer microseconds, in which the parts of a stretch add up exactly to its total.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.calendar import from_us
from domain.metrics_explain import EventMark, Explanation, MetricExplanation, Part, Stretch, Verdict
from domain.policy_choice import Candidate, PolicyChoice
from domain.sla_policy import PolicyVersion

US = 1_000_000


class Public(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PartPublic(Public):
    kind: str = Field(
        description="counted; skipped working hours: outside_hours, weekend, holiday; "
        "not open: paused, resolved (until reopened), merged"
    )
    start: str
    end: str
    seconds: float = Field(description="What the metric counted of this part")
    microseconds: int
    wall_seconds: float = Field(description="The part's length on the wall clock")
    after_position: int | None = Field(description="Log position of the event this part follows")
    before_position: int | None = Field(description="Log position of the event that ends it")
    reason: str | None = Field(description="A pause's reason")
    department: str | None
    holiday: str | None = Field(description="A holiday's local date")


class StretchPublic(Public):
    seq: int | None = Field(description="The wait's number in the ticket (0: first); null: resolution")
    status: str = Field(description="answered, open, cancelled (a wait); resolved, open, merged")
    start: str
    end: str | None
    started_by: int | None = Field(description="Log position of the event that started it")
    ended_by: int | None = Field(description="Log position of the event that ended it")
    operator: str | None
    parts: list[PartPublic]
    counted_seconds: float = Field(description="The parts' sum (so far, while open)")
    counted_microseconds: int
    total_seconds: float | None = Field(description="The metric's figure, as the report counts it")
    total_microseconds: int | None
    breach_at: str | None = Field(description="When it passed (or will pass) the target")


class VerdictPublic(Public):
    policy: str
    policy_version: int
    target_seconds: float
    outcome: str = Field(description="achieved, breached or pending, judged at as_of")
    done: bool
    late: bool
    elapsed_seconds: float | None = Field(description="Business time the SLA judged")
    done_at: str | None
    breach_at: str | None
    operator: str | None


class MetricPublic(Public):
    metric: str
    total_seconds: float | None = Field(description="The ticket's sample (null for next_response: per wait)")
    total_microseconds: int | None
    stretches: list[StretchPublic]
    sla: VerdictPublic | None


class ScopePublic(Public):
    key: str = Field(description="channels, types or priorities")
    wanted: list[str] = Field(description="What applies_to lists; empty: any")
    value: str | None = Field(description="The ticket's value")
    matched: bool


class VersionPublic(Public):
    policy: str
    version: int
    effective_from: str
    rank: int
    targets_minutes: dict[str, int | None]


class CandidatePublic(VersionPublic):
    chosen: bool
    matches: bool
    scope: list[ScopePublic]


class PolicyWhyPublic(Public):
    policy: str | None
    version: int | None
    effective_from: str | None
    calendar: dict[str, Any] | None
    reason: str = Field(description="only_match, lowest_rank, first_name, none_matched, none_in_force")
    opened_at: str = Field(description="The ticket's opening, which picks each policy's version")
    channel: str
    type: str | None
    priority: str
    candidates: list[CandidatePublic] = Field(description="Each policy's version in force at the opening")
    later_versions: list[VersionPublic] = Field(description="Versions effective after it: not this ticket's")


class EventMarkPublic(Public):
    position: int
    type: str
    occurred_at: str
    actor: str


class ExplainPublic(Public):
    ticket_id: str
    as_of: str = Field(description="The instant outcomes are judged at")
    position: int = Field(description="The last log position of the ticket's events included")
    clock: str
    status: str
    policy: PolicyWhyPublic
    metrics: list[MetricPublic]
    events: list[EventMarkPublic] = Field(description="Every event a stretch or part names")


def iso(us: int | None) -> str | None:
    return None if us is None else from_us(us).isoformat()


def seconds(us: int | None) -> float | None:
    return None if us is None else us / US


def explanation_public(x: Explanation) -> dict[str, Any]:
    return {
        "ticket_id": x.ticket_id,
        "as_of": iso(x.as_of),
        "position": x.position,
        "clock": x.clock,
        "status": x.status,
        "policy": policy_public(x.choice),
        "metrics": [metric_public(m) for m in x.metrics],
        "events": [event_public(e) for e in x.events],
    }


def metric_public(m: MetricExplanation) -> dict[str, Any]:
    return {
        "metric": m.metric,
        "total_seconds": seconds(m.total_us),
        "total_microseconds": m.total_us,
        "stretches": [stretch_public(s) for s in m.stretches],
        "sla": verdict_public(m.verdict) if m.verdict else None,
    }


def stretch_public(s: Stretch) -> dict[str, Any]:
    counted = sum(p.counted_us for p in s.parts)
    return {
        "seq": s.seq,
        "status": s.status,
        "start": iso(s.start),
        "end": iso(s.end),
        "started_by": s.started_by,
        "ended_by": s.ended_by,
        "operator": s.operator,
        "parts": [part_public(p) for p in s.parts],
        "counted_seconds": counted / US,
        "counted_microseconds": counted,
        "total_seconds": seconds(s.total_us),
        "total_microseconds": s.total_us,
        "breach_at": iso(s.breach_at),
    }


def part_public(p: Part) -> dict[str, Any]:
    return {
        "kind": p.kind,
        "start": iso(p.start),
        "end": iso(p.end),
        "seconds": p.counted_us / US,
        "microseconds": p.counted_us,
        "wall_seconds": (p.end - p.start) / US,
        "after_position": p.after,
        "before_position": p.before,
        "reason": p.reason,
        "department": p.department,
        "holiday": p.holiday,
    }


def verdict_public(v: Verdict) -> dict[str, Any]:
    item = v.item
    return {
        "policy": item.policy,
        "policy_version": item.policy_version,
        "target_seconds": item.target_us / US,
        "outcome": v.outcome,
        "done": item.done,
        "late": item.late,
        "elapsed_seconds": seconds(item.elapsed_us),
        "done_at": iso(item.done_at),
        "breach_at": iso(v.breach_at),
        "operator": item.operator,
    }


def version_public(v: PolicyVersion) -> dict[str, Any]:
    return {
        "policy": v.name,
        "version": v.version,
        "effective_from": v.effective_from_iso,
        "rank": v.spec.rank,
        "targets_minutes": dict(v.spec.targets),
    }


def candidate_public(c: Candidate) -> dict[str, Any]:
    scope = [
        {"key": s.key, "wanted": list(s.wanted), "value": s.value, "matched": s.matched} for s in c.scope
    ]
    return {**version_public(c.version), "chosen": c.chosen, "matches": c.matches, "scope": scope}


def policy_public(c: PolicyChoice) -> dict[str, Any]:
    v = c.chosen
    return {
        "policy": v.name if v else None,
        "version": v.version if v else None,
        "effective_from": v.effective_from_iso if v else None,
        "calendar": v.spec.calendar if v else None,
        "reason": c.reason,
        "opened_at": iso(c.opened),
        "channel": c.channel,
        "type": c.type,
        "priority": c.priority,
        "candidates": [candidate_public(x) for x in c.candidates],
        "later_versions": [version_public(x) for x in c.later],
    }


def event_public(e: EventMark) -> dict[str, Any]:
    return {"position": e.position, "type": e.type, "occurred_at": iso(e.occurred), "actor": e.actor}
