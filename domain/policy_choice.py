"""Why a ticket is judged under the SLA policy version it is: the reasoning of
`domain.sla_policy.in_force`, laid out for a reader.

Per policy, the version in force when the ticket opened (the latest effective_from not after the
opening); of those, the ones whose `applies_to` matches the ticket's channel, type and priority;
of those, the lowest rank, then the first name. Versions that took effect after the opening are
listed too: they never govern this ticket, however the policy reads today.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from domain.sla_policy import PolicyVersion, in_force

SCOPES = (("channels", "channel"), ("types", "type"), ("priorities", "priority"))


@dataclass(frozen=True, slots=True)
class ScopeMatch:
    key: str
    """channels, types or priorities."""
    wanted: tuple[str, ...]
    """What `applies_to` lists; empty means any."""
    value: str | None
    """The ticket's channel, type or priority."""
    matched: bool


@dataclass(frozen=True, slots=True)
class Candidate:
    version: PolicyVersion
    scope: tuple[ScopeMatch, ...]
    chosen: bool

    @property
    def matches(self) -> bool:
        return all(s.matched for s in self.scope)


@dataclass(frozen=True, slots=True)
class PolicyChoice:
    chosen: PolicyVersion | None
    reason: str
    """only_match, lowest_rank, first_name (a tie on rank), none_matched or none_in_force."""
    opened: int
    channel: str
    type: str | None
    priority: str
    candidates: tuple[Candidate, ...]
    """The version of each policy in force at the opening, chosen one first."""
    later: tuple[PolicyVersion, ...]
    """Versions effective after the opening, oldest first: not this ticket's."""


def policy_choice(
    versions: Sequence[PolicyVersion], channel: str, ticket_type: str | None, priority: str, opened: int
) -> PolicyChoice:
    chosen = in_force(list(versions), channel, ticket_type, priority, opened)
    values = {"channel": channel, "type": ticket_type, "priority": priority}
    candidates = [
        Candidate(v, scope_of(v, values), chosen is not None and v == chosen)
        for v in versions_at(versions, opened)
    ]
    candidates.sort(key=lambda c: (not c.chosen, not c.matches, c.version.spec.rank, c.version.name))
    later = sorted(
        (v for v in versions if v.effective_from > opened),
        key=lambda v: (v.effective_from, v.name, v.version),
    )
    return PolicyChoice(
        chosen,
        reason_for(chosen, candidates),
        opened,
        channel,
        ticket_type,
        priority,
        tuple(candidates),
        tuple(later),
    )


def versions_at(versions: Sequence[PolicyVersion], opened: int) -> list[PolicyVersion]:
    """Per policy name, the version in force at `opened` (as in_force picks it)."""
    by_name: dict[str, PolicyVersion] = {}
    for v in versions:
        best = by_name.get(v.name)
        if v.effective_from <= opened and (
            best is None or (v.effective_from, v.version) > (best.effective_from, best.version)
        ):
            by_name[v.name] = v
    return [by_name[name] for name in sorted(by_name)]


def scope_of(version: PolicyVersion, values: dict[str, str | None]) -> tuple[ScopeMatch, ...]:
    wanted = version.spec.applies_to
    return tuple(
        ScopeMatch(key, tuple(wanted[key]), values[field], not wanted[key] or values[field] in wanted[key])
        for key, field in SCOPES
    )


def reason_for(chosen: PolicyVersion | None, candidates: list[Candidate]) -> str:
    if not candidates:
        return "none_in_force"
    if chosen is None:
        return "none_matched"
    rivals = [c.version for c in candidates if c.matches and not c.chosen]
    if not rivals:
        return "only_match"
    if any(v.spec.rank == chosen.spec.rank for v in rivals):
        return "first_name"
    return "lowest_rank"
