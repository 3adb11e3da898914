"""The store every use case works on: finding aggregates, stamping commands, reporting results.

The application never reads a clock of its own: `clock` is injected by the composition root.
Commands either append all their events atomically or raise a DomainError.
"""

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, Repository
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Recorder

from application.command import CommandResult, Context
from application.once import AnswersOnce
from domain.customer import Customer
from domain.errors import CustomerNotFoundError, InvalidValueError, TicketNotFoundError, UserNotFoundError
from domain.stamp import Stamp
from domain.ticket import Ticket
from domain.users import User

LOCK_STRIPES = 256
FUTURE_TOLERANCE = timedelta(minutes=5)


class PositionLookup(Protocol):
    """Finds the log positions of one aggregate's events: {version: position}."""

    def __call__(self, recorder: Recorder, aggregate_id: UUID) -> dict[int, int]: ...


class Desk(AnswersOnce, Application[UUID]):
    """What the use cases share; `Helpdesk` (application/helpdesk.py) adds the use cases."""

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        clock: Callable[[], datetime],
        positions: PositionLookup,
        cache: Any = None,
    ) -> None:
        """`cache`: the aggregates kept in hand, which the composition root bounds by bytes;
        without one, the event library's own cache, as `env` configures it."""
        self._cache = cache
        super().__init__(env)
        self.clock = clock
        self._positions = positions
        self._stripes = [threading.Lock() for _ in range(LOCK_STRIPES)]

    def construct_repository(self) -> Repository[UUID]:
        repository = super().construct_repository()
        if self._cache is not None:
            repository.cache = self._cache
        return repository

    @contextmanager
    def writing(self, *aggregate_ids: UUID) -> Iterator[None]:
        """Serialises writers of one aggregate inside this process, so only other processes race."""
        stripes = sorted({aggregate_id.int % LOCK_STRIPES for aggregate_id in aggregate_ids})
        for index in stripes:
            self._stripes[index].acquire()
        try:
            yield
        finally:
            for index in reversed(stripes):
                self._stripes[index].release()

    def ticket(self, ticket_id: UUID) -> Ticket:
        found = self.find(ticket_id)
        if not isinstance(found, Ticket):
            raise TicketNotFoundError(f"There is no ticket {ticket_id}.")
        return found

    def ticket_as_of(self, ticket_id: UUID, as_of: datetime) -> Ticket:
        """The ticket as the store had recorded it at `as_of`."""
        versions = [e.originator_version for e in self.history(ticket_id) if e.timestamp <= as_of]
        if not versions:
            raise TicketNotFoundError(f"Ticket {ticket_id} had not been opened by {as_of.isoformat()}.")
        return self.repository.get(ticket_id, version=max(versions))

    def history(self, ticket_id: UUID) -> list[DomainEventProtocol[UUID]]:
        """The ticket's events. Any id may be asked for (a channel's is computable from its name),
        so another aggregate's events are never returned: that id is no ticket."""
        events = events_of_kind(self.events.get(ticket_id), Ticket.Event)
        if not events:
            raise TicketNotFoundError(f"There is no ticket {ticket_id}.")
        return events

    def customer_history(self, customer_id: UUID) -> list[DomainEventProtocol[UUID]]:
        """The customer's events; another aggregate's id is no customer."""
        events = events_of_kind(self.events.get(customer_id), Customer.Event)
        if not events:
            raise CustomerNotFoundError(f"There is no customer {customer_id}.")
        return events

    def positions(self, aggregate_id: UUID) -> dict[int, int]:
        return self._positions(self.recorder, aggregate_id)

    def customer(self, customer_id: UUID) -> Customer:
        found = self.find(customer_id)
        if not isinstance(found, Customer):
            raise CustomerNotFoundError(f"There is no customer {customer_id}.")
        return found

    def user(self, name: str) -> User:
        user = self.find(User.create_id(name))
        if not isinstance(user, User):
            raise UserNotFoundError(f"There is no user named {name!r}.")
        return user

    def result_at(self, aggregate_id: UUID, version: int) -> CommandResult:
        return CommandResult(aggregate_id, version, self.positions(aggregate_id)[version])

    def replayed(self, ticket: Ticket, ctx: Context) -> CommandResult | None:
        """The answer a ticket's earlier run of this request got (its request id), else None."""
        if ctx.request_id is None or ctx.request_id not in ticket.request_versions:
            return None
        return self.result_at(ticket.id, ticket.request_versions[ctx.request_id])

    def find(self, aggregate_id: UUID) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def stamp(self, last: datetime | None, ctx: Context) -> Stamp:
        """Server-stamped times never run backwards within a ticket, even if clocks differ."""
        now = self.clock()
        occurred = ctx.occurred_at
        if occurred is None:
            occurred = now if last is None else max(now, last)
        elif occurred > now + FUTURE_TOLERANCE:
            raise InvalidValueError(f"occurred_at {occurred.isoformat()} is in the future.")
        request_id = ctx.request_id or (ctx.key.request_id if ctx.key else None)
        return Stamp(occurred, now, ctx.actor, request_id)


def events_of_kind(
    events: Iterable[DomainEventProtocol[UUID]], kind: type
) -> list[DomainEventProtocol[UUID]]:
    """All of an aggregate's events if it is of `kind` (judged by its first event), else none."""
    found = list(events)
    return found if found and isinstance(found[0], kind) else []
