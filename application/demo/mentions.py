"""Posts about the bank on review sites and in the press, and how the moderator triaged them.

Five a week, captured by a monitoring tool on the `reviews` channel. The moderator sends the
ones that need an answer to a ticket (answered on the site, then resolved), files praise and
complaints for marketing, and ignores the rest; those of the last days are still waiting in
her queue.
"""

import random
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from application.command import Context
from application.demo.catalogue import FIRST_NAMES, LAST_NAMES, REVIEWS
from application.demo.staff import MODERATOR
from application.demo.ticket_life import INTAKE
from application.tickets import new_ticket_id
from domain.customer import Customer, identity
from domain.mention import Mention
from domain.stamp import Stamp
from domain.ticket import Ticket

PER_WEEK = 5
BACKLOG = timedelta(days=3)
"""The moderator is behind: mentions captured in the last three days wait in her queue."""
REVIEW_SITES = (
    ("Яндекс Карты", "Офис на Тверской"),
    ("2ГИС", "Офис на Невском"),
    ("Google Maps", "Офис на Тверской"),
    ("Banki.ru", None),
)
PRESS = (("vc.ru", None), ("РБК", None))
"""Reviews are posted on review sites (some about an office); news about the bank in the press."""
POSTS = (
    ("Третий день не могу дозвониться, в чате отвечают шаблонами.", 2.0, "reply"),
    ("Карту заблокировали без объяснений, деньги не вернули.", 1.0, "reply"),
    ("Очень вежливые сотрудники, помогли за пять минут!", 5.0, "marketing"),
    ("Удобное приложение, но кешбэк считают странно.", 4.0, "marketing"),
    ("Очередь в офисе час, окон работает два.", 2.0, "reply"),
    ("Банк запускает новую карту для путешественников", None, "ignore"),
)


def mention_times(rng: random.Random, start: datetime, end: datetime) -> list[datetime]:
    weeks = max(0, int((end - start).days / 7))
    seconds = int((end - start).total_seconds())
    return sorted(start + timedelta(seconds=rng.randrange(seconds)) for _ in range(weeks * PER_WEEK))


def mention_life(rng: random.Random, number: int, at: datetime, end: datetime, known: set[UUID]) -> list[Any]:
    """The mention and, once triaged, what the triage made (a customer and a ticket)."""
    text, rating, decision = rng.choice(POSTS)
    source, place = rng.choice(PRESS if rating is None else REVIEW_SITES)
    author = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)[0]}."
    fields = {
        "source": source,
        "url": f"https://reviews.example/{number}",
        "author": author,
        "text": text,
        "published_at": at - timedelta(minutes=rng.expovariate(1 / 40)),
        "rating": rating,
        "place": place,
    }
    mention = Mention.capture(REVIEWS.name, f"post-{number}", fields, Stamp(at, at, INTAKE))
    triaged = at + timedelta(minutes=rng.expovariate(1 / 240))
    if triaged > end or at > end - BACKLOG:
        return [mention]
    stamp = Stamp(triaged, triaged, MODERATOR)
    if decision != "reply":
        category = ("praise" if (rating or 0) >= 4 else "complaint") if decision == "marketing" else None
        mention.triage(decision, category, [], None, stamp)
        return [mention]
    customers, ticket = opened_for(mention, author, source, stamp, known)
    mention.triage("reply", None, [], ticket.id, stamp)
    answered_on_site(rng, mention, ticket, end)
    return [mention, *customers, ticket]


def opened_for(
    mention: Mention, author: str, source: str, stamp: Stamp, known: set[UUID]
) -> tuple[list[Customer], Ticket]:
    """As the triage use case opens it (application/mentions.py): on the mention's channel,
    assigned to the channel's owner, tagged with the source; the author registered if new."""
    handle = identity("mention", f"{source}/{author}")
    customer_id = Customer.create_id(handle)
    new = [] if customer_id in known else [Customer.register(author, handle, stamp)]
    known.add(customer_id)
    external_id = f"mention:{mention.id}"
    ticket_id = new_ticket_id(REVIEWS.name, external_id, Context(MODERATOR))
    subject = f"{source}: {mention.url}"
    ticket = Ticket.open(ticket_id, REVIEWS.name, customer_id, subject, mention.text, external_id, stamp)
    ticket.assign(REVIEWS.owner, None, stamp)
    ticket.change_tags(["mention", source.lower()], [], stamp)
    return new, ticket


def answered_on_site(rng: random.Random, mention: Mention, ticket: Ticket, end: datetime) -> None:
    """Mentions are answered where they were posted: a note on the ticket, then resolved."""
    at = ticket.last_occurred_at + timedelta(minutes=rng.expovariate(1 / 60))
    if at > end:
        return
    stamp = Stamp(at, at, MODERATOR)
    note = "Ответили на площадке, предложили написать в чат с номером договора."
    ticket.add_note(note, stamp)
    mention.mark_answered_on_site(note, stamp)
    ticket.resolve("solved", stamp)
