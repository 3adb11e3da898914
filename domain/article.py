"""Knowledge-base articles: Markdown with a category, tags and visibility, versioned by events."""

from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import InvalidTitleError
from domain.event_base import StampedEvent, event_stamp
from domain.stamp import Stamp
from domain.text_forms import check_text, normalise_tags
from domain.values import parse


class Visibility(StrEnum):
    INTERNAL = "internal"
    PUBLIC = "public"


class Article(Aggregate):
    class Event(StampedEvent):
        """What every article event records (domain.event_base)."""

    class ArticleWritten(Event, Aggregate.Created):
        title: str
        body: str
        category: str | None
        tags: list[str]
        visibility: str

        def update(self, article: "Article") -> None:
            article.revise_from(self)

    class ArticleRevised(Event):
        title: str
        body: str
        category: str | None
        tags: list[str]
        visibility: str

        def update(self, article: "Article") -> None:
            article.revise_from(self)

    title: str
    body: str
    category: str | None
    tags: tuple[str, ...]
    visibility: str

    def __init__(self) -> None:
        """State comes from the events alone (see revise_from)."""

    def revise_from(self, event: "Article.ArticleWritten | Article.ArticleRevised") -> None:
        self.title, self.body, self.category = event.title, event.body, event.category
        self.tags, self.visibility = tuple(event.tags), event.visibility

    @classmethod
    def write(cls, article_id: UUID, content: dict[str, Any], stamp: Stamp) -> "Article":
        return cls._create(cls.ArticleWritten, id=article_id, **clean(content), **event_stamp(stamp))

    def revise(self, content: dict[str, Any], stamp: Stamp) -> None:
        """A new version only when something changed."""
        fields = clean(content)
        current = {"title": self.title, "body": self.body, "category": self.category}
        current |= {"tags": list(self.tags), "visibility": self.visibility}
        if fields != current:
            self.trigger_event(self.ArticleRevised, **fields, **event_stamp(stamp))

    @property
    def public(self) -> bool:
        return self.visibility == Visibility.PUBLIC


def check_title(title: str) -> None:
    if not title or len(title) > 300:
        raise InvalidTitleError("An article title has 1 to 300 characters.")


def clean(content: dict[str, Any]) -> dict[str, Any]:
    title = str(content.get("title", "")).strip()
    check_title(title)
    body = str(content.get("body", ""))
    check_text(body)
    return {
        "title": title,
        "body": body,
        "category": (content.get("category") or "").strip() or None,
        "tags": normalise_tags(list(content.get("tags", []))),
        "visibility": parse(Visibility, content.get("visibility", "internal"), "visibility"),
    }
