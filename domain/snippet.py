"""Snippets: saved replies with placeholders that operators insert into a reply."""

import re
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import ConflictError, InvalidTitleError, InvalidValueError
from domain.event_base import StampedEvent, event_stamp
from domain.placeholders import check_placeholders
from domain.stamp import Stamp
from domain.text_forms import check_text

NAMESPACE = uuid5(NAMESPACE_URL, "https://deskstream.dev/snippet")
SHORTCUT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class SnippetArchivedError(ConflictError):
    code = "snippet_archived"


class InvalidShortcutError(InvalidValueError):
    """Shortcuts are typed after `/` in a reply, so they are short and plain."""


class Snippet(Aggregate):
    class Event(StampedEvent):
        """What every snippet event records (domain.event_base)."""

    class SnippetCreated(Event, Aggregate.Created):
        shortcut: str
        title: str
        body: str
        category: str | None

        def update(self, snippet: "Snippet") -> None:
            snippet.shortcut = self.shortcut
            snippet.title, snippet.body, snippet.category = self.title, self.body, self.category
            snippet.archived = False

    class SnippetEdited(Event):
        title: str
        body: str
        category: str | None

        def update(self, snippet: "Snippet") -> None:
            snippet.title, snippet.body, snippet.category = self.title, self.body, self.category

    class SnippetArchived(Event):
        def update(self, snippet: "Snippet") -> None:
            snippet.archived = True

    shortcut: str
    title: str
    body: str
    category: str | None
    archived: bool

    def __init__(self) -> None:
        self.archived = False

    @staticmethod
    def create_id(shortcut: str) -> UUID:
        """Shortcuts are unique: the id is derived from one."""
        return uuid5(NAMESPACE, shortcut)

    @classmethod
    def create(cls, shortcut: str, title: str, body: str, category: str | None, stamp: Stamp) -> "Snippet":
        check_shortcut(shortcut)
        check_content(title, body)
        return cls._create(
            cls.SnippetCreated,
            id=cls.create_id(shortcut),
            shortcut=shortcut,
            title=title.strip(),
            body=body,
            category=category or None,
            **event_stamp(stamp),
        )

    def edit(self, title: str, body: str, category: str | None, stamp: Stamp) -> None:
        self.check_not_archived()
        check_content(title, body)
        if (title.strip(), body, category or None) != (self.title, self.body, self.category):
            self._record(self.SnippetEdited, stamp, title=title.strip(), body=body, category=category or None)

    def archive(self, stamp: Stamp) -> None:
        if not self.archived:
            self._record(self.SnippetArchived, stamp)

    def check_not_archived(self) -> None:
        if self.archived:
            raise SnippetArchivedError(f"The snippet {self.shortcut!r} is archived.")

    def _record(self, event_class: type[Event], stamp: Stamp, **fields: Any) -> None:
        self.trigger_event(event_class, **fields, **event_stamp(stamp))


def check_shortcut(shortcut: str) -> None:
    if not SHORTCUT.match(shortcut):
        raise InvalidShortcutError(f"A shortcut has 1 to 64 of a-z 0-9 _ -; got {shortcut!r}.")


def check_content(title: str, body: str) -> None:
    if not title.strip() or len(title) > 200:
        raise InvalidTitleError("A title has 1 to 200 characters.")
    check_text(body)
    check_placeholders(body)
