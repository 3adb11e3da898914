"""Writes a realistic synthetic helpdesk history into an event store, in bulk.

    .venv/bin/python bench/seed.py --data /tmp/ds-seed --tickets 100000
    .venv/bin/deskstream --data /tmp/ds-seed replay          # rebuild every projection, prints events/s
    DESKSTREAM_DATA=/tmp/ds-seed .venv/bin/deskstream serve  # and look at the reports

Twelve months, 20 operators, 8 channels, arrivals following a day/night and weekday curve (the
night is quiet but not empty), about 10 events per ticket: assignment, replies, a pause for the
customer or for another department, customer messages that resume it, resolutions with ratings,
some spam closed without a reply, some reopened. The domain's own commands build every ticket, so
every guard holds; many aggregates go into one transaction, which is what makes it fast. One
ticket's events are contiguous in the log (a real log interleaves them): projections do not care.
"""

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid5

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

from api.settings import Settings  # noqa: E402
from api.store import event_positions, store_env  # noqa: E402
from application.helpdesk import Helpdesk  # noqa: E402
from domain.customer import Customer  # noqa: E402
from domain.stamp import Stamp  # noqa: E402
from domain.ticket import Ticket  # noqa: E402

START = datetime(2025, 11, 1, tzinfo=UTC)
CHANNELS = ["telegram", "whatsapp", "vk", "email", "widget", "yandex_maps", "google_maps", "2gis"]
OPERATORS = [f"operator{n:02d}" for n in range(1, 21)]
HOURLY = [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 13, 12, 13, 14, 14, 13, 12, 10, 8, 6, 4, 3, 2]
WEEKDAY = [1.0, 1.0, 1.0, 1.0, 0.9, 0.6, 0.5]
NAMESPACE = UUID("6f1d3c8e-5b0a-4c47-9d55-2f3b8e7a9c01")


def arrival(rng: random.Random, days: int) -> datetime:
    """A moment drawn from the day/night and weekday curves."""
    while True:
        day = rng.randrange(days)
        moment = START + timedelta(days=day)
        if rng.random() <= WEEKDAY[moment.weekday()]:
            hour = rng.choices(range(24), weights=HOURLY)[0]
            return moment + timedelta(hours=hour, seconds=rng.randrange(3600))


def ticket_life(rng: random.Random, n: int, customer: UUID, at: datetime) -> Ticket:
    """One ticket from first message to rating, through the domain's commands."""
    channel = rng.choice(CHANNELS)
    operator = rng.choice(OPERATORS)

    def stamp(minutes: float, actor: str = operator) -> Stamp:
        nonlocal at
        at += timedelta(minutes=minutes)
        return Stamp(at, at, actor)

    ticket = Ticket.open(
        uuid5(NAMESPACE, f"ticket:{n}"),
        channel,
        customer,
        "Card blocked",
        "Моя карта заблокирована",
        None,
        stamp(0, "intake"),
    )
    if rng.random() < 0.04:
        ticket.resolve("spam", stamp(rng.expovariate(1 / 30)))
        return ticket
    ticket.assign(operator, None, stamp(rng.expovariate(1 / 5), "supervisor"))
    ticket.change_tags([rng.choice(["card", "payment", "app", "limits", "fraud"])], [], stamp(0.5))
    ticket.set_type(rng.choice(["question", "problem", "incident"]), stamp(0.1))
    ticket.reply("Здравствуйте! Проверяю.", stamp(rng.expovariate(1 / 20)))
    if rng.random() < 0.3:
        reason = rng.choice(["waiting_customer", "waiting_department"])
        ticket.pause(reason, "Card department" if reason == "waiting_department" else None, stamp(1))
    ticket.receive_message("Спасибо, жду", None, stamp(rng.expovariate(1 / 90), "intake"))
    ticket.reply("Карта разблокирована.", stamp(rng.expovariate(1 / 30)))
    ticket.resolve("solved", stamp(rng.expovariate(1 / 60)))
    if rng.random() < 0.05:
        ticket.receive_message("Опять не работает", None, stamp(rng.expovariate(1 / 600), "intake"))
        ticket.reply("Исправили ещё раз.", stamp(rng.expovariate(1 / 30)))
        ticket.resolve("solved", stamp(5))
    if rng.random() < 0.4:
        ticket.rate(
            "like" if rng.random() < 0.85 else "dislike", None, stamp(rng.expovariate(1 / 60), "intake")
        )
    return ticket


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, required=True, help="data directory for the SQLite event store")
    p.add_argument("--postgres", help="a PostgreSQL URL instead")
    p.add_argument("--tickets", type=int, default=100_000)
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--chunk", type=int, default=500, help="tickets per transaction")
    args = p.parse_args()
    settings = Settings(data_dir=args.data, postgres_url=args.postgres, run_projections=False)
    helpdesk = Helpdesk(store_env(settings), clock=lambda: START, positions=event_positions)
    rng = random.Random(2026)
    customers: dict[int, Customer] = {}
    started, events = time.perf_counter(), 0
    for first in range(0, args.tickets, args.chunk):
        batch: list[Ticket | Customer] = []
        for n in range(first, min(first + args.chunk, args.tickets)):
            at = arrival(rng, args.days)
            who = rng.randrange(max(1, args.tickets // 3))
            if who not in customers:
                customers[who] = Customer.register(
                    f"Клиент {who}", f"telegram:{who}", Stamp(at, at, "intake")
                )
                batch.append(customers[who])
            ticket = ticket_life(rng, n, customers[who].id, at)
            events += ticket.version
            batch.append(ticket)
        events += sum(1 for a in batch if isinstance(a, Customer))
        helpdesk.save(*batch)
        seconds = time.perf_counter() - started
        print(
            f"\r{first + args.chunk:>9,} tickets, {events:>11,} events, {events / seconds:,.0f} events/s",
            end="",
            flush=True,
        )
    print(f"\nseeded {args.tickets:,} tickets ({events:,} events) in {time.perf_counter() - started:.0f} s")
    helpdesk.close()


if __name__ == "__main__":
    main()
