"""Writes the demo year into an event store, in bulk: setup, tickets, mentions, the policy change.

Everything happens in time order: the desk's setup at the year's start, then each ticket at its
arrival (its whole life saved with it, so one ticket's events are contiguous in the log; a real
log interleaves them, projections do not care), a mention at its capture, the stricter policy
the week before it takes effect. Many aggregates go into one transaction, which is what makes
it fast. One random stream, seeded, draws everything in that order: the same seed, size and
year give the same events.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from application.command import Context
from application.demo import mentions
from application.demo.arrivals import Year, arrivals, in_outage, outages
from application.demo.catalogue import CHANNELS, FIRST_NAMES, LAST_NAMES, LATIN, TOPICS, DemoChannel, Topic
from application.demo.setup import ARTICLES, STANDARD, desk_setup, tighten, tightening
from application.demo.staff import DAY, NIGHT, OPERATORS, SHIFTS, SUPERVISOR, on_shift, shift_at
from application.demo.ticket_life import INTAKE, Case, live
from application.desk import Desk
from application.tickets import new_ticket_id
from domain.customer import Customer, identity
from domain.sla_policy import SlaPolicy
from domain.snippet import Snippet
from domain.stamp import Stamp

DEFAULT_SEED = 2026
CUSTOMERS_PER_TICKET = 1 / 3
"""Customers come back: a year's tickets are written by about a third as many people."""
Progress = Callable[[int, int], None]
"""Called after each transaction with (tickets written, events written)."""


@dataclass
class Written:
    tickets: int = 0
    customers: int = 0
    mentions: int = 0
    events: int = 0
    pending: list[Any] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Person:
    """A customer as the history knows them: they write from one channel, in one language."""

    id: UUID
    name: str
    handle: str
    channel: DemoChannel
    english: bool


def write_year(
    desk: Desk,
    year: Year,
    tickets: int,
    seed: int = DEFAULT_SEED,
    chunk: int = 500,
    progress: Progress | None = None,
) -> Written:
    """Writes the year into `desk`'s store; returns what it wrote."""
    rng = random.Random(seed)
    written = Written()
    setup = desk_setup(year)
    save(desk, written, setup)
    standard = next(a for a in setup if isinstance(a, SlaPolicy) and a.name == STANDARD)
    outage = outages(rng, year)
    recorded, effective = tightening(year)
    happenings: list[tuple[datetime, int, int]] = [(recorded, 0, 0)] if effective > year.start else []
    happenings += [(at, 1, n) for n, at in enumerate(arrivals(rng, tickets, year, outage))]
    happenings += [(at, 2, n) for n, at in enumerate(mentions.mention_times(rng, year.start, year.end))]
    people: dict[int, Person] = {}
    known: set[UUID] = set()
    pool = max(1, int(tickets * CUSTOMERS_PER_TICKET))
    for at, what, n in sorted(happenings):
        if what == 0:
            tighten(standard, recorded, effective)
            written.pending.append(standard)
        elif what == 1:
            written.pending += ticket(rng, n, at, year, outage, people, pool, known)
            written.tickets += 1
        else:
            written.pending += mentions.mention_life(rng, n, at, year.end, known)
            written.mentions += 1
        if len(written.pending) >= chunk:
            save(desk, written, [])
            if progress is not None:
                progress(written.tickets, written.events)
    save(desk, written, [])
    written.customers = len(known)
    return written


def save(desk: Desk, written: Written, more: list[Any]) -> None:
    batch, written.pending = [*written.pending, *more], []
    if batch:
        written.events += sum(len(a.pending_events) for a in batch)
        desk.save(*batch)


def ticket(
    rng: random.Random,
    n: int,
    at: datetime,
    year: Year,
    outage: list[tuple[datetime, datetime]],
    people: dict[int, Person],
    pool: int,
    known: set[UUID],
) -> list[Any]:
    """The ticket's customer (if new) and the ticket, lived up to the year's end."""
    who = rng.randrange(pool)
    new: list[Any] = []
    if who not in people:
        people[who] = person(rng, who)
    customer = people[who]
    if customer.id not in known:
        known.add(customer.id)
        new.append(registered(customer, at))
    case = case_of(rng, n, at, year, outage, customer)
    return [*new, live(rng, case, at, year.end)]


def person(rng: random.Random, who: int) -> Person:
    first = rng.choice(FIRST_NAMES)
    last = LATIN.get(first) or rng.choice(LAST_NAMES)
    if first not in LATIN and first.endswith(("а", "я")):
        last = last + "а"
    channel = rng.choices(CHANNELS, weights=[c.weight for c in CHANNELS])[0]
    handle = identity(channel.kind, HANDLES[channel.kind](who))
    return Person(Customer.create_id(handle), f"{first} {last}", handle, channel, first in LATIN)


HANDLES: dict[str, Callable[[int], str]] = {
    "telegram": lambda who: str(500_000_000 + who),
    "whatsapp": lambda who: f"7916{who:07d}",
    "vk": lambda who: f"id{300_000 + who}",
    "email": lambda who: f"client{who}@mail.example",
    "widget": lambda who: f"visitor-{who:06d}",
}
"""Each kind's handle for the n-th customer: ids, phone numbers and addresses nobody has."""


def registered(customer: Person, at: datetime) -> Customer:
    return Customer.register(customer.name, customer.handle, Stamp(at, at, INTAKE))


def case_of(
    rng: random.Random,
    n: int,
    at: datetime,
    year: Year,
    outage: list[tuple[datetime, datetime]],
    customer: Person,
) -> Case:
    local = at.astimezone(year.zone)
    shift = shift_at(local.hour)
    weekday = (local - timedelta(hours=SHIFTS[DAY][0])).weekday() if shift == NIGHT else local.weekday()
    crew = on_shift(shift, weekday) or tuple(m for m in OPERATORS if m.shift == shift)
    operator = rng.choice(crew)
    colleague = rng.choice([m for m in crew if m != operator] or [operator])
    topic = topic_at(rng, at, outage)
    variant = 2 if customer.english else rng.randrange(2)
    external_id = f"demo-{n}"
    channel = customer.channel
    article = next((a for a in ARTICLES if a.topic == topic.tag), None)
    return Case(
        number=n,
        ticket_id=new_ticket_id(channel.name, external_id, Context(INTAKE)),
        external_id=external_id,
        channel=channel,
        customer_id=customer.id,
        customer_name=customer.name,
        topic=topic,
        subject=topic.subjects[variant],
        text=topic.messages[variant],
        operator=operator,
        colleague=colleague,
        assigner=SUPERVISOR.name if shift == DAY and weekday < 5 else operator.name,
        pace=pace(shift, weekday, in_outage(at, outage), channel) * operator.pace * urgency(topic),
        snippet=Snippet.create_id(topic.tag),
        article=(article.id, article.quoted) if article is not None else None,
        extra_tags=("vip",) if rng.random() < 0.04 else (),
        answer_from=business_start(at, year) if channel.kind == "email" else None,
    )


def topic_at(rng: random.Random, at: datetime, outage: list[tuple[datetime, datetime]]) -> Topic:
    if in_outage(at, outage) and rng.random() < 0.7:
        return next(t for t in TOPICS if t.tag == "outage")
    return rng.choices(TOPICS, weights=[t.weight for t in TOPICS])[0]


def pace(shift: str, weekday: int, outage: bool, channel: DemoChannel) -> float:
    """Nights have a third of the staff for a third of the load, but every answer waits for one of
    fewer people; weekends are thinner still; an outage floods everyone; e-mail waits longest."""
    factor = 1.4 if shift == NIGHT else 1.0
    factor *= 1.25 if weekday >= 5 else 1.0
    factor *= 3.0 if outage else 1.0
    return factor * (4.0 if channel.kind == "email" else 1.0)


def business_start(at: datetime, year: Year) -> datetime | None:
    """The first moment of the e-mail desk's hours (weekdays 09:00-18:00, not a holiday) at or
    after `at`, or None if `at` is inside them."""
    holidays = set(year.holidays())
    local = at.astimezone(year.zone)
    day = local.date()
    for offset in range(15):
        candidate = day + timedelta(days=offset)
        if candidate.weekday() >= 5 or candidate.isoformat() in holidays:
            continue
        opens = datetime(candidate.year, candidate.month, candidate.day, 9, tzinfo=year.zone)
        closes = opens + timedelta(hours=9)
        if local < opens:
            return opens
        if local < closes:
            return None
    return None


def urgency(topic: Topic) -> float:
    """Incidents (fraud, outages) jump the queue: they are answered twice as fast."""
    return 0.5 if topic.type == "incident" else 1.0
