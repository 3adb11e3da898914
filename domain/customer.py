"""The Customer aggregate: one person, however many channels they write from."""

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.copying import CheapCopy
from domain.errors import ConflictError, InvalidValueError
from domain.event_base import StampedEvent, event_stamp
from domain.stamp import Stamp
from domain.text_forms import check_text, identifier, visible

NAMESPACE = uuid5(NAMESPACE_URL, "https://deskstream.dev/customer")


def identity(kind: str, handle: str) -> str:
    """A customer's address with one kind of channel, e.g. "telegram:123456" or "email:ann@example.com":
    the channel kind and the provider's handle, never a channel's configured name ("support-tg"), so
    every channel and entry point of a kind finds the same customer. A channel name that is not
    configured (an import) stands in for the kind.

    The handle is an identifier (domain.text_forms): "Ann@Example.com", "ａｎｎ@example.com" and
    "ann@example.com" are one customer. Numeric ids are unchanged."""
    clean = identifier(handle)
    if not clean:
        raise EmptyHandleError("The customer's handle is empty.")
    return f"{kind}:{clean}"


def identities(kind: str, handle: str) -> tuple[str, ...]:
    """Where to look for the customer: the identity, then the form customers were registered under
    before handles were normalised (as typed; e-mail lower-cased), when it differs. Record ids are
    derived from the first identity, so a customer registered as "telegram:AnnS" is found again."""
    first = identity(kind, handle)
    raw = handle.strip()
    legacy = f"{kind}:{raw.lower() if kind == 'email' else raw}"
    return (first,) if legacy == first or not raw else (first, legacy)


class Customer(CheapCopy, Aggregate):
    class Event(StampedEvent):
        """What every customer event records (domain.event_base)."""

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

    class CustomerMergedInto(Event):
        target_id: UUID

        def update(self, customer: "Customer") -> None:
            customer.merged_into = self.target_id

    class CustomerMergeReceived(Event):
        source_id: UUID
        identities: list[str]

        def update(self, customer: "Customer") -> None:
            new = [i for i in self.identities if i not in customer.identities]
            customer.identities = (*customer.identities, *new)

    name: str
    identities: tuple[str, ...]
    registered_at: datetime
    notes: int
    merged_into: UUID | None

    def __init__(self) -> None:
        self.notes = 0
        self.merged_into = None

    @staticmethod
    def create_id(first_identity: str) -> UUID:
        """Derived from the first identity, so the same sender always finds the same customer."""
        return uuid5(NAMESPACE, first_identity)

    @classmethod
    def register(cls, name: str, first_identity: str, stamp: Stamp) -> "Customer":
        display = visible(name).strip() or first_identity.split(":", 1)[1]
        return cls._create(
            cls.CustomerRegistered,
            id=cls.create_id(first_identity),
            name=display,
            identities=[first_identity],
            **event_stamp(stamp),
        )

    @classmethod
    def register_alias(cls, alias_identity: str, owner: "Customer", stamp: Stamp) -> "Customer":
        """A record for an identity linked to `owner`, merged at once, so its messages reach the owner."""
        alias = cls.register(owner.name, alias_identity, stamp)
        alias._record(alias.CustomerMergedInto, stamp, target_id=owner.id)
        return alias

    def merge_into(self, target: "Customer", stamp: Stamp) -> None:
        """Records both sides; the target takes over the source's identities, tickets and history."""
        self.check_mergeable_into(target)
        self._record(self.CustomerMergedInto, stamp, target_id=target.id)
        target._record(
            target.CustomerMergeReceived, stamp, source_id=self.id, identities=list(self.identities)
        )

    def check_mergeable_into(self, target: "Customer") -> None:
        if target.id == self.id:
            raise CustomerMergeIntoItselfError("A customer cannot be merged into itself.")
        self.check_not_merged()
        target.check_not_merged()

    def check_not_merged(self) -> None:
        if self.merged_into is not None:
            raise CustomerMergeError(f"The customer {self.id} was merged into {self.merged_into}.")

    def link_identity(self, new_identity: str, stamp: Stamp) -> None:
        self.check_not_merged()
        if new_identity not in self.identities:
            self._record(self.IdentityLinked, stamp, identity=new_identity)

    def add_note(self, text: str, stamp: Stamp) -> None:
        check_text(text)
        self._record(self.CustomerNoteAdded, stamp, text=text)

    def _record(self, event_class: type[Event], stamp: Stamp, **fields: Any) -> None:
        self.trigger_event(event_class, **fields, **event_stamp(stamp))


class CustomerMergeError(ConflictError):
    code = "invalid_customer_merge"


class CustomerMergeIntoItselfError(CustomerMergeError):
    """One person cannot be folded into themselves."""


class EmptyHandleError(InvalidValueError):
    """A handle that is empty once normalised would make every such sender one customer."""


class IdentityTakenError(ConflictError):
    code = "identity_taken"
