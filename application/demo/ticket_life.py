"""One ticket's life, from the customer's first message to the rating, through the domain's commands.

The mix is a card desk's: most tickets are answered and solved, some wait for the customer or
for another department, some come back, a few are spam or need no answer. Times depend on the
shift (nights are slower), the channel (e-mail is slowest) and the operator. A life stops where
the history ends: tickets that arrived in its last hours are still open, waiting or paused.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from application.demo.catalogue import (
    CLOSINGS,
    NOTES,
    QUEUED_REPLY_KINDS,
    RATING_COMMENTS,
    REASSIGN_COMMENTS,
    SPAM,
    THANKS,
    DemoChannel,
    Topic,
)
from application.demo.staff import Member
from domain.placeholders import first_name, render
from domain.stamp import Stamp
from domain.ticket import Ticket

INTAKE = "ingest"
"""The actor of customers' messages and deliveries, as the channel adapters record them."""


class HistoryEnded(Exception):
    """The next step would happen after the history's end: the ticket stays as it is."""


@dataclass
class Moments:
    """The ticket's clock: each step some minutes after the last, never past the end."""

    at: datetime
    end: datetime

    def after(self, minutes: float, actor: str, request_id: str | None = None) -> Stamp:
        self.at += timedelta(minutes=minutes)
        if self.at > self.end:
            raise HistoryEnded
        return Stamp(self.at, self.at, actor, request_id)

    def not_before(self, moment: datetime | None) -> None:
        if moment is not None and moment > self.at:
            if moment > self.end:
                raise HistoryEnded
            self.at = moment


@dataclass(frozen=True)
class Case:
    """Everything one ticket's life is drawn from, decided by the history before it starts."""

    number: int
    ticket_id: UUID
    external_id: str
    channel: DemoChannel
    customer_id: UUID
    customer_name: str
    topic: Topic
    subject: str
    text: str
    operator: Member
    colleague: Member
    """Who takes the ticket over if it is reassigned."""
    assigner: str
    pace: float
    """How slow the desk is at the opening (shift, weekday, outage), times the operator's pace."""
    snippet: UUID | None = None
    article: tuple[UUID, str] | None = None
    """A public article the answer may quote: its id and its text."""
    extra_tags: tuple[str, ...] = field(default_factory=tuple)
    answer_from: datetime | None = None
    """For e-mail: the first answer waits for business hours (the e-mail desk's day)."""


@dataclass
class Life:
    rng: random.Random
    case: Case
    moments: Moments
    ticket: Ticket
    messages: int = 0
    first_reply_at: datetime | None = None

    def reply(self, text: str, minutes: float, actor: str, snippet: UUID | None = None,
              article: UUID | None = None) -> None:  # fmt: skip
        self.ticket.reply(text, self.moments.after(minutes, actor), snippet=snippet, article=article)
        self.first_reply_at = self.first_reply_at or self.moments.at
        if self.case.channel.kind in QUEUED_REPLY_KINDS:
            version = self.ticket.version
            stamp = self.moments.after(0.02, INTAKE, f"delivery:{version}")
            provider_id = f"{self.case.channel.kind}-{self.case.number}-{version}"
            self.ticket.record_delivery(version, provider_id, stamp)

    def customer_writes(self, text: str, minutes: float) -> None:
        self.messages += 1
        external_id = f"{self.case.external_id}-{self.messages}"
        stamp = self.moments.after(minutes, INTAKE, f"message:{external_id}")
        self.ticket.receive_message(text, external_id, stamp)

    def wait(self, mean_minutes: float) -> float:
        """A response time: mostly near the mean, now and then far longer (a queue, a lunch)."""
        minutes = self.rng.expovariate(1 / (mean_minutes * self.case.pace))
        if self.rng.random() < 0.06:
            minutes += self.rng.expovariate(1 / 150)
        return minutes

    def paused_for(self, mean_minutes: float) -> float:
        """How long a customer or a department keeps the ticket waiting: a quarter take days."""
        minutes = self.rng.expovariate(1 / mean_minutes)
        if self.rng.random() < 0.25:
            minutes += self.rng.expovariate(1 / (60 * 30))
        return minutes


def open_ticket(case: Case, at: datetime) -> Ticket:
    stamp = Stamp(at, at, INTAKE, f"message:{case.external_id}")
    return Ticket.open(
        case.ticket_id, case.channel.name, case.customer_id, case.subject, case.text, case.external_id, stamp
    )


def live(rng: random.Random, case: Case, at: datetime, end: datetime) -> Ticket:
    """The ticket as it stands at `end` (or at the end of its life, if that comes first)."""
    life = Life(rng, case, Moments(at, end), open_ticket(case, at))
    try:
        draw = rng.random()
        if draw < 0.03:
            dismissed(life, "spam", SPAM)
        elif draw < 0.06:
            dismissed(life, "no_reply_needed", THANKS)
        else:
            answered(life)
    except HistoryEnded:
        pass
    return life.ticket


def dismissed(life: Life, resolution: str, texts: tuple[str, ...]) -> None:
    """Spam and "never mind" are closed without an answer: they have no first response."""
    if resolution == "no_reply_needed":
        life.customer_writes(life.rng.choice(texts), life.rng.expovariate(1 / 10))
    life.ticket.resolve(resolution, life.moments.after(life.wait(20), life.case.operator.name))


def answered(life: Life) -> None:
    rng, case, ticket = life.rng, life.case, life.ticket
    operator = case.operator.name
    ticket.assign(operator, None, life.moments.after(rng.expovariate(1 / 2), case.assigner))
    ticket.set_type(case.topic.type, life.moments.after(0.3, operator))
    ticket.change_tags([case.topic.tag, *case.extra_tags], [], life.moments.after(0.1, operator))
    priority = "urgent" if case.topic.type == "incident" and rng.random() < 0.3 else None
    if priority or case.topic.type == "incident":
        ticket.set_priority(priority or "high", life.moments.after(0.1, operator))
    if rng.random() < 0.03:
        operator = handed_over(life)
    life.moments.not_before(case.answer_from)
    first_answer(life, operator)
    if rng.random() < 0.35:
        life.customer_writes(case.topic.follow_up, rng.expovariate(1 / 45))
        life.reply(FOLLOW_UP_ANSWER, life.wait(10), operator)
    if rng.random() < 0.05:
        ticket.add_note(rng.choice(NOTES), life.moments.after(1, operator))
    if rng.random() < 0.5:
        life.customer_writes(rng.choice(CLOSINGS), rng.expovariate(1 / 20))
    ticket.resolve("solved", life.moments.after(rng.expovariate(1 / 15), operator))
    rated(life, operator)
    if rng.random() < 0.05:
        came_back(life, operator)


def handed_over(life: Life) -> str:
    colleague = life.case.colleague.name
    comment = life.rng.choice(REASSIGN_COMMENTS)
    life.ticket.assign(colleague, comment, life.moments.after(life.wait(5), life.case.operator.name))
    return colleague


def first_answer(life: Life, operator: str) -> None:
    """Straight away, after asking the customer for something, or after asking a department."""
    rng, case = life.rng, life.case
    draw = rng.random()
    if draw < 0.15:
        life.reply("Здравствуйте! Пришлите, пожалуйста, номер договора или последние 4 цифры карты.",
                   life.wait(8), operator)  # fmt: skip
        life.ticket.pause("waiting_customer", None, life.moments.after(0.5, operator))
        life.customer_writes("Последние цифры 4417", life.paused_for(90))
        answer(life, operator, life.wait(12))
    elif draw < 0.35 and case.topic.department:
        life.reply("Здравствуйте! Уточняю у коллег, вернусь с ответом.", life.wait(8), operator)
        life.ticket.pause("waiting_department", case.topic.department, life.moments.after(0.5, operator))
        life.ticket.resume(life.moments.after(life.paused_for(120), operator))
        answer(life, operator, rng.expovariate(1 / 5))
    else:
        answer(life, operator, life.wait(8))


def answer(life: Life, operator: str, minutes: float) -> None:
    """The topic's answer: from its snippet, quoting a public article, or typed."""
    rng, case = life.rng, life.case
    draw = rng.random()
    if case.snippet is not None and draw < 0.5:
        text = render(snippet_body(case.topic), {"customer_first_name": first_name(case.customer_name)})
        life.reply(text, minutes, operator, snippet=case.snippet)
    elif case.article is not None and draw < 0.6:
        life.reply(case.article[1], minutes, operator, article=case.article[0])
    else:
        life.reply(case.topic.answer, minutes, operator)


def snippet_body(topic: Topic) -> str:
    """The saved reply of each topic (application/demo/setup.py creates them from this)."""
    return "{{customer_first_name}}, здравствуйте! " + topic.answer


FOLLOW_UP_ANSWER = "Проверил ещё раз и поправил. Если повторится, напишите нам."


def rated(life: Life, operator: str) -> None:
    """Four customers in ten rate; a slow first answer is liked less."""
    rng = life.rng
    if rng.random() >= 0.4:
        return
    slow = life.first_reply_at is not None and life.first_reply_at - life.ticket.opened_at > timedelta(
        hours=1
    )
    score = "like" if rng.random() < life.case.operator.liked - (0.3 if slow else 0.0) else "dislike"
    comment = rng.choice(RATING_COMMENTS[score]) if rng.random() < 0.3 else None
    life.ticket.rate(score, comment, life.moments.after(rng.expovariate(1 / 30), INTAKE))


def came_back(life: Life, operator: str) -> None:
    """The problem returned within days: the customer's message reopens the ticket."""
    rng = life.rng
    life.customer_writes("Опять та же проблема.", rng.expovariate(1 / (60 * 36)))
    life.reply("Посмотрел ещё раз, теперь исправлено окончательно.", life.wait(15), operator)
    life.ticket.resolve("solved", life.moments.after(rng.expovariate(1 / 20), operator))
    rated(life, operator)
