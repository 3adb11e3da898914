"""A supervisor's monthly QA sample, recorded once drawn: drawing again returns the same tickets.

The seed is not chosen by anyone: it is a hash of the month's resolved tickets as the log
stood when the sample was first drawn, and it is recorded with the sample.
"""

import hashlib
import random
from collections.abc import Sequence
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import InvalidValueError
from domain.event_base import event_stamp
from domain.stamp import Stamp

NAMESPACE = uuid5(NAMESPACE_URL, "https://deskstream.dev/qa-sample")
MAX_SIZE = 500


class QaSample(Aggregate):
    class QaSampleDrawn(Aggregate.Created):
        """Declares the stamp's fields itself, after its own: domain.event_base.StampedEvent would
        put them first, and every sample stored so far has them last."""

        month: str
        size: int
        seed: str
        population: int
        ticket_ids: list[str]
        position: int
        occurred_at: datetime
        actor: str
        request_id: str | None

        def apply(self, sample: "QaSample") -> None:
            sample.month, sample.size, sample.seed = self.month, self.size, self.seed
            sample.population, sample.ticket_ids, sample.position = (
                self.population,
                list(self.ticket_ids),
                self.position,
            )
            sample.drawn_at = self.occurred_at

    month: str
    size: int
    seed: str
    population: int
    ticket_ids: list[str]
    position: int
    drawn_at: datetime

    def __init__(self) -> None:
        self.ticket_ids = []

    @staticmethod
    def create_id(month: str, size: int) -> UUID:
        return uuid5(NAMESPACE, f"{month}:{size}")

    @classmethod
    def draw(
        cls, month: str, size: int, population: Sequence[tuple[str, str]], position: int, stamp: Stamp
    ) -> "QaSample":
        """`population` is (ticket id, operator) of the month's resolved tickets."""
        check_size(size)
        seed = seed_of(month, population)
        return cls._create(
            cls.QaSampleDrawn,
            id=cls.create_id(month, size),
            month=month,
            size=size,
            seed=seed,
            population=len(population),
            ticket_ids=stratified(population, size, seed),
            position=position,
            **event_stamp(stamp),
        )


class SampleSizeError(InvalidValueError):
    """A sample of no ticket checks nothing; one of thousands is no longer a sample."""


def check_size(size: int) -> None:
    if not 1 <= size <= MAX_SIZE:
        raise SampleSizeError(f"A QA sample has 1 to {MAX_SIZE} tickets.")


def seed_of(month: str, population: Sequence[tuple[str, str]]) -> str:
    digest = hashlib.sha256(month.encode())
    for ticket_id, operator in sorted(population):
        digest.update(f"\n{ticket_id}\t{operator}".encode())
    return digest.hexdigest()


def stratified(population: Sequence[tuple[str, str]], size: int, seed: str) -> list[str]:
    """Each operator's share of the sample follows their share of the month's resolutions
    (largest remainder), drawn with a generator seeded by `seed`; sorted by operator, then id."""
    strata: dict[str, list[str]] = {}
    for ticket_id, operator in sorted(population):
        strata.setdefault(operator, []).append(ticket_id)
    total = len(population)
    size = min(size, total)
    if not size:
        return []
    quotas = {op: len(ids) * size / total for op, ids in strata.items()}
    counts = {op: int(q) for op, q in quotas.items()}
    left = size - sum(counts.values())
    for op in sorted(strata, key=lambda o: (-(quotas[o] - counts[o]), o))[:left]:
        counts[op] += 1
    rng = random.Random(int(seed, 16))
    chosen: list[str] = []
    for op in sorted(strata):
        chosen.extend(sorted(rng.sample(strata[op], counts[op])))
    return chosen
