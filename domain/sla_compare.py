"""Policy then versus policy now: the same tickets' SLA outcomes re-judged under another version.

A ticket is governed for good by the version in force when it opened; that is what reports show,
and it never changes. To ask "would we have met the new 15-minute target last quarter?", each
ticket's facts are folded again (`domain.metrics.ticket_metrics`, the report's own fold) under
the other version, as if that version had always been in force. Its `applies_to` still holds: a
ticket outside the version's scope gets no outcome under it, and is counted as such.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from domain.errors import InvalidValueError
from domain.metrics import Fact, SlaItem, outcome, ticket_metrics
from domain.policy_choice import versions_at
from domain.sla_policy import METRICS, PolicyNotFoundError, PolicyVersion

ALWAYS = -(2**62)
"""An effective_from before any ticket: the re-judging version is in force at every opening."""
NOT_JUDGED = "none"
OUTCOMES = ("achieved", "breached", "pending")


class VersionWithoutPolicyError(InvalidValueError):
    """A version number means nothing without the policy it is a version of."""

    code = "version_without_policy"


@dataclass(frozen=True, slots=True)
class Ticket:
    ticket_id: str
    policy: str | None
    """The policy that governed it (then), None if none did."""
    facts: Sequence[Fact]


@dataclass(slots=True)
class Tally:
    """Outcome counts per metric, and which versions judged how many tickets."""

    counts: dict[str, dict[str, int]] = field(default_factory=lambda: {m: {} for m in METRICS})
    versions: dict[tuple[str, int], int] = field(default_factory=dict)

    def add(self, items: Iterable[SlaItem], as_of: int, operator: str | None) -> dict[str, str]:
        """Counts a ticket's items (those of `operator`, if given); returns metric → outcome."""
        found = {}
        for item in items:
            if operator is not None and item.operator != operator:
                continue
            judged = outcome(item, as_of)
            counts = self.counts[item.metric]
            counts[judged] = counts.get(judged, 0) + 1
            found[item.metric] = judged
        return found


@dataclass(slots=True)
class Rejudged:
    now: Tally = field(default_factory=Tally)
    outcomes: dict[str, dict[str, str]] = field(default_factory=dict)
    """ticket → metric → outcome under the other version."""
    outside_scope: int = 0
    without_policy: int = 0

    def settle(self, ticket_id: str, judge: PolicyVersion, outcomes: dict[str, str]) -> None:
        """Counts a ticket judged without a re-fold (domain.sla_settled), as rejudge would."""
        key = (judge.name, judge.version)
        self.now.versions[key] = self.now.versions.get(key, 0) + 1
        for metric, judged in outcomes.items():
            counts = self.now.counts[metric]
            counts[judged] = counts.get(judged, 0) + 1
        self.outcomes[ticket_id] = outcomes


def judging_versions(
    versions: Sequence[PolicyVersion], policy: str | None, version: int | None, as_of: int
) -> dict[str | None, PolicyVersion]:
    """Policy name → the version that re-judges its tickets; key None: one version for all.

    Default (no policy): each policy's version in force at `as_of`, its current one. A policy
    without a version: that policy's current version, for every ticket."""
    if policy is None:
        if version is not None:
            raise VersionWithoutPolicyError("Name the policy whose version to judge by.")
        return {v.name: judged_always(v) for v in versions_at(versions, as_of)}
    if version is None:
        current = [v for v in versions_at(versions, as_of) if v.name == policy]
        if not current:
            raise PolicyNotFoundError(f"There is no SLA policy named {policy!r} in force.")
        return {None: judged_always(current[0])}
    chosen = [v for v in versions if v.name == policy and v.version == version]
    if not chosen:
        raise PolicyNotFoundError(f"SLA policy {policy!r} has no version {version}.")
    return {None: judged_always(chosen[0])}


def judged_always(version: PolicyVersion) -> PolicyVersion:
    return replace(version, effective_from=ALWAYS)


def rejudge(
    tickets: Iterable[Ticket],
    judges: Mapping[str | None, PolicyVersion],
    as_of: int,
    operator: str | None,
    result: Rejudged | None = None,
) -> Rejudged:
    """Each ticket folded again under its judge (the one for all, else its own policy's), counted
    into `result` (a new one by default)."""
    result = result if result is not None else Rejudged()
    lists = {name: [v] for name, v in judges.items()}
    for ticket in tickets:
        policies = judges_of(lists, ticket)
        if policies is None:
            result.without_policy += 1
            continue
        m = ticket_metrics(ticket.ticket_id, ticket.facts, policies)
        if m is None:
            continue
        if m.policy is None:
            result.outside_scope += 1
            continue
        key = (m.policy.name, m.policy.version)
        result.now.versions[key] = result.now.versions.get(key, 0) + 1
        result.outcomes[ticket.ticket_id] = result.now.add(m.sla, as_of, operator)
    return result


def judges_of(lists: Mapping[str | None, list[PolicyVersion]], ticket: Ticket) -> list[PolicyVersion] | None:
    """The one version for all, else the current version of the policy that governed the ticket."""
    if None in lists:
        return lists[None]
    return lists.get(ticket.policy) if ticket.policy is not None else None


def judge_for(judges: Mapping[str | None, PolicyVersion], policy: str | None) -> PolicyVersion | None:
    """As judges_of, for one version rather than the list ticket_metrics takes."""
    if None in judges:
        return judges[None]
    return judges.get(policy) if policy is not None else None


def transitions(
    then: Mapping[str, Mapping[str, str]], now: Mapping[str, Mapping[str, str]]
) -> tuple[dict[str, dict[str, int]], list[tuple[str, str, str, str]]]:
    """Per metric, how many went from each outcome to each other ("achieved>breached"; "none" where
    a side judged nothing), and every (ticket, metric, then, now) that changed, by ticket."""
    counts: dict[str, dict[str, int]] = {m: {} for m in METRICS}
    changed = []
    for ticket in sorted(set(then) | set(now)):
        for metric in METRICS:
            before = then.get(ticket, {}).get(metric, NOT_JUDGED)
            after = now.get(ticket, {}).get(metric, NOT_JUDGED)
            if before == after:
                continue
            key = f"{before}>{after}"
            counts[metric][key] = counts[metric].get(key, 0) + 1
            changed.append((ticket, metric, before, after))
    return counts, changed
