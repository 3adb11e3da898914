"""The population a month's QA sample is drawn from, as a fold of the tickets' own events.

The analytics view answers it at draw time (`tickets`: resolved now, final resolution in the
month, with its resolver). The same definition is folded here from ticket histories, so that
anyone can re-derive a recorded sample from the log alone (`deskstream qa sample`) and the /qa
page can show the population it was drawn from: the same metrics fold, the same seed, the same
stratified draw.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.event_types import EventType
from domain.metrics import Fact, ticket_metrics
from domain.qa_sample import QaSample, seed_of, stratified
from domain.values import Status

Population = list[tuple[str, str]]
"""(ticket id, operator) of each ticket resolved in the month; "" for a ticket nobody held."""


def candidate(fact: Fact, start: int, end: int) -> bool:
    """A ticket can only belong if one of its resolutions happened in the window."""
    return fact.type == EventType.RESOLVED and start <= fact.occurred < end


def population(histories: Mapping[str, Sequence[Fact]], start: int, end: int) -> Population:
    """Tickets whose final resolution (as the histories stand) falls in [start, end), with the
    assignee at that resolution: `tickets.resolver` of the analytics view."""
    found = []
    for ticket_id, facts in histories.items():
        m = ticket_metrics(ticket_id, facts, ())
        if (
            m is not None
            and m.status == Status.RESOLVED
            and m.resolved is not None
            and start <= m.resolved < end
        ):
            found.append((ticket_id, m.resolver or ""))
    return sorted(found)


@dataclass(frozen=True, slots=True)
class Rederived:
    """A sample drawn again from a population: what a recorded sample must equal."""

    seed: str
    population: int
    ticket_ids: list[str]

    def equals(self, sample: QaSample) -> bool:
        return (self.seed, self.population, self.ticket_ids) == (
            sample.seed,
            sample.population,
            list(sample.ticket_ids),
        )


def rederive(month: str, size: int, found: Population) -> Rederived:
    seed = seed_of(month, found)
    return Rederived(seed, len(found), stratified(found, size, seed))


def strata(found: Population, sampled: Sequence[str]) -> list[tuple[str, int, int]]:
    """(operator, tickets in the population, tickets sampled) per operator, by operator."""
    chosen = set(sampled)
    counts: dict[str, list[int]] = {}
    for ticket_id, operator in found:
        row = counts.setdefault(operator, [0, 0])
        row[0] += 1
        row[1] += ticket_id in chosen
    return [(operator, row[0], row[1]) for operator, row in sorted(counts.items())]
