"""A supervisor's monthly QA sample, recorded once drawn: drawing again returns the same tickets.

The seed is not chosen by anyone: it is a hash of the month's resolved tickets as the log
stood when the sample was first drawn, and it is recorded with the sample.
"""

import hashlib
import random
import re
from collections.abc import Sequence
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.calendar import check_zone, to_us, zone
from domain.errors import ConflictError, InvalidValueError
from domain.event_base import event_stamp
from domain.stamp import Stamp

NAMESPACE = uuid5(NAMESPACE_URL, "https://deskstream.dev/qa-sample")
MAX_SIZE = 500
DEFAULT_SIZE = 12
MONTH = re.compile(r"^(19|20)\d{2}-(0[1-9]|1[0-2])$")


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
            sample.drawn_at, sample.drawn_by = self.occurred_at, self.actor

    month: str
    size: int
    seed: str
    population: int
    ticket_ids: list[str]
    position: int
    drawn_at: datetime
    drawn_by: str

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


class InvalidMonthError(InvalidValueError):
    """A sample is of one calendar month, named YYYY-MM."""


class MonthNotEndedError(ConflictError):
    """A month still running has a population still growing: a sample of it would freeze a part."""

    code = "month_not_ended"


def check_month(month: str) -> None:
    if not MONTH.match(month):
        raise InvalidMonthError(f"A month is written YYYY-MM, e.g. 2026-03; got {month[:20]!r}.")


def month_window(month: str, tz: str) -> tuple[int, int]:
    """[first instant, first instant of the next month) in `tz`, as epoch microseconds."""
    check_month(month)
    check_zone(tz)
    year, number = int(month[:4]), int(month[5:])
    local = zone(tz)
    start = datetime(year, number, 1, tzinfo=local)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=local)
    return to_us(start), to_us(end)


def check_month_ended(month: str, tz: str, now: datetime) -> None:
    """Only a month that is over in the team's time zone may be drawn: `now` is the command's time."""
    _, end = month_window(month, tz)
    if to_us(now) < end:
        raise MonthNotEndedError(
            f"{month} has not ended yet in {tz}: its sample can be drawn from the first day of the "
            "next month on, once every ticket resolved in it is counted."
        )


def last_ended_month(now: datetime, tz: str) -> str:
    """The month before the one `now` falls in, in `tz`: the latest that can be drawn."""
    local = now.astimezone(zone(tz))
    return shift_month(f"{local.year:04d}-{local.month:02d}", -1)


def shift_month(month: str, months: int) -> str:
    """`month` moved by a number of months: ("2026-01", -1) is "2025-12"."""
    check_month(month)
    index = int(month[:4]) * 12 + int(month[5:]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
