"""The Customer aggregate: one person, however many channels they write from."""

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.copying import CheapCopy
from domain.errors import InvalidValueError
from domain.stamp import Stamp
from domain.ticket import check_text, event_stamp

NAMESPACE = uuid5(NAMESPACE_URL, "https://deskstream.dev/customer")


def identity(channel: str, handle: str) -> str:
    """A customer's address on one channel, e.g. "telegram:123456" or "email:ann@example.com"."""
    clean = handle.strip()
    if not clean:
        raise InvalidValueError("The customer's handle is empty.")
    return f"{channel}:{clean.lower() if channel == 'email' else clean}"


class Customer(CheapCopy, Aggregate):
    class Event(Aggregate.Event):
        occurred_at: datetime
        actor: str
        request_id: str | None

        def apply(self, customer: "Customer") -> None:
            self.update(customer)

        def update(self, customer: "Customer") -> None:
            """Each event's own effect; the default changes nothing."""

    class CustomerRegistered(Event, Aggregate.Created):
        name: str
        identities: list[str]

        def update(self, customer: "Customer") -> None:
            customer.name = self.name
            customer.identities = tuple(self.identities)
            customer.registered_at = self.occurred_at
            customer.notes = 0

    class IdentityLinked(Event):
        identity: str

        def update(self, customer: "Customer") -> None:
            customer.identities = (*customer.identities, self.identity)

    class CustomerNoteAdded(Event):
        text: str

        def update(self, customer: "Customer") -> None:
            customer.notes += 1

    name: str
    identities: tuple[str, ...]
    registered_at: datetime
    notes: int

    def __init__(self) -> None:
        self.notes = 0

    @staticmethod
    def create_id(first_identity: str) -> UUID:
        """Derived from the first identity, so the same sender always finds the same customer."""
        return uuid5(NAMESPACE, first_identity)

    @classmethod
    def register(cls, name: str, first_identity: str, stamp: Stamp) -> "Customer":
        display = name.strip() or first_identity.split(":", 1)[1]
        return cls._create(
            cls.CustomerRegistered,
            id=cls.create_id(first_identity),
            name=display,
            identities=[first_identity],
            **event_stamp(stamp),
        )

    def link_identity(self, new_identity: str, stamp: Stamp) -> None:
        if new_identity not in self.identities:
            self._record(self.IdentityLinked, stamp, identity=new_identity)

    def add_note(self, text: str, stamp: Stamp) -> None:
        check_text(text)
        self._record(self.CustomerNoteAdded, stamp, text=text)

    def _record(self, event_class: type[Event], stamp: Stamp, **fields: Any) -> None:
        self.trigger_event(event_class, **fields, **event_stamp(stamp))
