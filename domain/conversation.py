"""The Conversation index: which ticket a customer's thread on one channel currently goes to.

Keyed by uuid5(channel, thread), written in the same save as the ticket it points at, so two
messages of one thread arriving together cannot open two tickets: the second save conflicts on
the conversation's version and is retried against the first one's result.
"""

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.copying import CheapCopy
from domain.event_base import StampedEvent, event_stamp
from domain.stamp import Stamp

NAMESPACE = uuid5(NAMESPACE_URL, "https://deskstream.dev/conversation")
RECENT = 3


class Conversation(CheapCopy, Aggregate):
    class Event(StampedEvent):
        """Every event points the conversation at a ticket."""

        ticket_id: UUID

        def update(self, conversation: "Conversation") -> None:
            conversation.tickets = (*conversation.tickets, self.ticket_id)[-RECENT:]

    class ConversationStarted(Event, Aggregate.Created):
        channel: str
        thread: str

    class ConversationMoved(Event):
        """Later messages go to another ticket: a new one after the reopen window, or a merge target."""

    tickets: tuple[UUID, ...]

    def __init__(self) -> None:
        self.tickets = ()

    @staticmethod
    def create_id(channel: str, thread: str) -> UUID:
        return uuid5(NAMESPACE, f"{channel}\n{thread}")

    @property
    def current(self) -> UUID:
        return self.tickets[-1]

    @classmethod
    def start(cls, channel: str, thread: str, ticket_id: UUID, stamp: Stamp) -> "Conversation":
        return cls._create(
            cls.ConversationStarted,
            id=cls.create_id(channel, thread),
            channel=channel,
            thread=thread,
            ticket_id=ticket_id,
            **event_stamp(stamp),
        )

    def move_to(self, ticket_id: UUID, stamp: Stamp) -> None:
        if ticket_id != self.current:
            self.trigger_event(self.ConversationMoved, ticket_id=ticket_id, **event_stamp(stamp))
