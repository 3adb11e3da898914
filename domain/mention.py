"""The Mention aggregate: a public post or review about us, captured by a monitoring tool.

A mention is not a ticket: it waits in a moderation queue until someone triages it as needing a
reply (a ticket is opened), as marketing material (counted by category, never in support
metrics), or as noise.
"""

from datetime import datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import ConflictError, InvalidValueError, NotFoundError
from domain.event_base import StampedEvent, event_stamp
from domain.stamp import Stamp
from domain.text_forms import identifier, normalise_tags
from domain.values import parse

NAMESPACE = uuid5(NAMESPACE_URL, "https://deskstream.dev/mention")


class Decision(StrEnum):
    REPLY = "reply"
    MARKETING = "marketing"
    IGNORE = "ignore"


class MentionNotFoundError(NotFoundError):
    code = "mention_not_found"


class MentionAlreadyTriagedError(ConflictError):
    code = "mention_already_triaged"


class MentionNotForReplyError(ConflictError):
    code = "mention_not_for_reply"


class MissingCategoryError(InvalidValueError):
    """A mention triaged as marketing names no category."""


class Mention(Aggregate):
    class Event(StampedEvent):
        """What every mention event records (domain.event_base)."""

    class MentionCaptured(Event, Aggregate.Created):
        channel: str
        source: str
        url: str
        author: str
        text: str
        published_at: datetime
        rating: float | None
        place: str | None
        external_id: str

        def update(self, mention: "Mention") -> None:
            mention.channel, mention.source, mention.author = self.channel, self.source, self.author
            mention.url, mention.text, mention.published_at = self.url, self.text, self.published_at
            mention.decision, mention.ticket_id, mention.answered = None, None, False

    class MentionTriaged(Event):
        decision: str
        category: str | None
        tags: list[str]
        ticket_id: UUID | None

        def update(self, mention: "Mention") -> None:
            mention.decision, mention.ticket_id = self.decision, self.ticket_id

    class MentionAnsweredOnSite(Event):
        note: str | None

        def update(self, mention: "Mention") -> None:
            mention.answered = True

    channel: str
    source: str
    author: str
    url: str
    text: str
    published_at: datetime
    decision: str | None
    ticket_id: UUID | None
    answered: bool

    def __init__(self) -> None:
        self.decision, self.ticket_id, self.answered = None, None, False

    @staticmethod
    def create_id(channel: str, external_id: str) -> UUID:
        return uuid5(NAMESPACE, f"{channel}\n{external_id}")

    @classmethod
    def capture(
        cls,
        channel: str,
        external_id: str,
        fields: dict[str, object],
        stamp: Stamp,
    ) -> "Mention":
        return cls._create(
            cls.MentionCaptured,
            id=cls.create_id(channel, external_id),
            channel=channel,
            external_id=external_id,
            **fields,
            **event_stamp(stamp),
        )

    def triage(
        self, decision: str, category: str | None, tags: list[str], ticket_id: UUID | None, stamp: Stamp
    ) -> None:
        value = parse(Decision, decision, "decision")
        self.check_not_triaged()
        category = identifier(category or "") or None
        check_category(value, category)
        self.trigger_event(
            self.MentionTriaged,
            decision=value,
            category=category,
            tags=normalise_tags(tags),
            ticket_id=ticket_id,
            **event_stamp(stamp),
        )

    def mark_answered_on_site(self, note: str | None, stamp: Stamp) -> None:
        self.check_triaged_for_reply()
        if not self.answered:
            self.trigger_event(self.MentionAnsweredOnSite, note=note or None, **event_stamp(stamp))

    def check_not_triaged(self) -> None:
        if self.decision is not None:
            raise MentionAlreadyTriagedError(f"The mention was already triaged as {self.decision}.")

    def check_triaged_for_reply(self) -> None:
        if self.decision != Decision.REPLY:
            raise MentionNotForReplyError("Only a mention triaged for a reply can be answered on site.")


def check_category(decision: str, category: str | None) -> None:
    """Marketing mentions are counted by category, so one without it would count nowhere."""
    if decision == Decision.MARKETING and category is None:
        raise MissingCategoryError("A marketing mention needs a category.")
