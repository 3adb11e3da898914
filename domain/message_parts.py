"""What a customer's message carries besides its text: files (metadata) and, in a group
conversation, who wrote it.

A VK multi-user chat or a Telegram group is one thread, so one ticket, with one customer (who
wrote first); the others who write there are told apart by the author each message records.
An author is stored only when there is one (`AuthorWhenSet`), so a message without one keeps
the bytes events of its type were always stored with (tests/fixtures/stored_events.json).
"""

from collections.abc import Mapping, Sequence
from typing import Any

from domain.errors import InvalidValueError
from domain.text_forms import visible

MAX_AUTHOR = 200


class AuthorWhenSet:
    """Base of the two message events: `author` left at None is not part of the stored state.

    The store writes an event's `vars()`; a dataclass field always has a value there, so a new
    field would add `"author": null` to every message from now on. Dropped here, reading it falls
    back to the class default (None), as it does for an event stored before the field existed.
    """

    def __post_init__(self) -> None:
        super().__post_init__()  # type: ignore[misc]
        if vars(self).get("author", False) is None:
            object.__delattr__(self, "author")


def message_parts(
    attachments: Sequence[Mapping[str, Any]] | None, author: Mapping[str, str] | None
) -> dict[str, Any]:
    """The optional fields of TicketOpened / CustomerMessageReceived that this message has."""
    parts: dict[str, Any] = {}
    if attachments:
        parts["attachments"] = [dict(a) for a in attachments]
    if author:
        parts["author"] = checked_author(author)
    return parts


def checked_author(author: Mapping[str, str]) -> dict[str, str]:
    """`{"handle", "name"}`: the writer's id at the provider (required) and a display name
    (may be empty). Providers' names are cleaned of invisible characters, never refused."""
    handle = visible(str(author.get("handle") or "")).strip()[:MAX_AUTHOR]
    if not handle:
        raise InvalidValueError("A message's author needs the provider's id (handle).")
    return {"handle": handle, "name": visible(str(author.get("name") or "")).strip()[:MAX_AUTHOR]}
