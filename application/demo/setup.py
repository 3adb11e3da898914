"""The demo desk as its admin set it up at the year's start: users, channels, SLA policies,
saved replies and knowledge-base articles; and the stricter policy the team adopted mid-year.

The policies give the reports something to judge: `standard` for every channel (calendar time,
the team works nights), tightened from 30 to 15 minutes of first response half way through the
year, so that the policy comparison has two versions to set side by side; `email` with business
hours in the team's zone and its public holidays, so that business and calendar clocks differ;
and `urgent` for urgent tickets on any channel.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from application.demo.arrivals import Year
from application.demo.catalogue import CHANNELS, REVIEWS, TOPICS
from application.demo.staff import ADMIN, SUPERVISOR, team
from application.demo.ticket_life import snippet_body
from application.passwords import hash_password
from domain.article import Article
from domain.channel import Channel
from domain.sla_policy import PolicySpec, SlaPolicy
from domain.snippet import Snippet
from domain.stamp import Stamp
from domain.users import User

ARTICLE_NAMESPACE = uuid5(NAMESPACE_URL, "https://deskstream.dev/demo/article")
STANDARD = "standard"
STANDARD_V1 = {"first_response": 30, "next_response": 60, "resolution": 1440}
STANDARD_V2 = {"first_response": 15, "next_response": 30, "resolution": 480}
TIGHTENED_AFTER_MONTHS = 6
"""The stricter `standard` takes effect on the first of the seventh month, recorded a week before."""
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


@dataclass(frozen=True, slots=True)
class DemoArticle:
    slug: str
    title: str
    body: str
    category: str
    tags: tuple[str, ...]
    visibility: str
    topic: str | None
    """The topic whose answers quote it (public articles only)."""

    @property
    def id(self) -> UUID:
        return uuid5(ARTICLE_NAMESPACE, self.slug)

    @property
    def quoted(self) -> str:
        """What a reply quoting it says, as the reply use case writes it."""
        return f"{self.title}\n\n{self.body}"


ARTICLES = (
    DemoArticle("unblock-card", "Как разблокировать карту",
                "Откройте приложение → «Карта» → «Разблокировать». Если кнопки нет, карту "
                "заблокировала служба безопасности: напишите нам, и мы снимем блокировку.",
                "cards", ("card",), "public", "card"),
    DemoArticle("card-limits", "Лимиты по картам",
                "Снятие наличных — до 150 000 ₽ в месяц без комиссии, переводы по номеру телефона — "
                "до 100 000 ₽ в месяц. Поменять лимиты: «Карта» → «Лимиты».",
                "cards", ("limits",), "public", "limits"),
    DemoArticle("fraud-first-steps", "Если с карты списали деньги без вашего ведома",
                "Заблокируйте карту в приложении и напишите нам. Мы оспорим операцию; деньги "
                "возвращаются в течение 10 рабочих дней.", "security", ("fraud",), "public", "fraud"),
    DemoArticle("night-shift", "Ночная смена: что решаем сами, что передаём утром",
                "Блокировки, лимиты и мошенничество решаем сразу. Справки и закрытие счетов — "
                "утренней смене, с заметкой в тикете.", "internal", ("shift",), "internal", None),
)  # fmt: skip


def business_calendar(year: Year) -> dict[str, Any]:
    return {
        "tz": year.zone.key,
        "weekly": {day: [["09:00", "18:00"]] for day in WEEKDAYS},
        "holidays": year.holidays(),
    }


def policies(year: Year) -> list[SlaPolicy]:
    admin = Stamp(year.start, year.start, ADMIN.name)
    everyone: dict[str, list[str]] = {}
    email = {"channels": [c.name for c in CHANNELS if c.kind == "email"]}
    specs = (
        (STANDARD, PolicySpec.build(dict(STANDARD_V1), None, everyone, rank=10)),
        ("email", PolicySpec.build({"first_response": 240, "next_response": 480, "resolution": 1080},
                                   business_calendar(year), email, rank=5)),
        ("urgent", PolicySpec.build({"first_response": 10, "next_response": 30, "resolution": 240},
                                    None, {"priorities": ["urgent"]}, rank=1)),
    )  # fmt: skip
    return [SlaPolicy.define(name, spec, year.start, admin) for name, spec in specs]


def tightening(year: Year) -> tuple[datetime, datetime]:
    """(recorded at, effective from) of `standard` version 2."""
    effective = year.month_starts()[min(TIGHTENED_AFTER_MONTHS, len(year.month_starts()) - 1)]
    return max(year.start, effective - timedelta(days=7)), effective


def tighten(policy: SlaPolicy, recorded: datetime, effective: datetime) -> None:
    spec = PolicySpec.build(dict(STANDARD_V2), None, {}, rank=10)
    policy.change(spec, effective, Stamp(recorded, recorded, SUPERVISOR.name))


def users(at: datetime) -> list[User]:
    """Everyone who signs in, with their published demo password (application/demo/staff.py)."""
    found = []
    for member in team():
        user = User.register(member.name, member.role, at)
        user.set_password(hash_password(member.password), at)
        found.append(user)
    return found


def channels(at: datetime) -> list[Channel]:
    stamp = Stamp(at, at, ADMIN.name)
    return [Channel.add(c.name, c.kind, c.owner, dict(c.settings), stamp) for c in (*CHANNELS, REVIEWS)]


def snippets(at: datetime) -> list[Snippet]:
    stamp = Stamp(at, at, SUPERVISOR.name)
    return [
        Snippet.create(topic.tag, topic.subjects[0], snippet_body(topic), topic.tag, stamp)
        for topic in TOPICS
    ]


def articles(at: datetime) -> list[Article]:
    stamp = Stamp(at, at, SUPERVISOR.name)
    return [
        Article.write(a.id, {"title": a.title, "body": a.body, "category": a.category,
                             "tags": list(a.tags), "visibility": a.visibility}, stamp)
        for a in ARTICLES
    ]  # fmt: skip


def desk_setup(year: Year) -> list[Any]:
    """Everything recorded at the year's start, in the order an admin would add it."""
    at = year.start
    return [*users(at), *channels(at), *policies(year), *snippets(at), *articles(at)]
