"""Use cases: load an aggregate, call one command, save, return version and log position.

The application never reads a clock of its own: `clock` is injected by the composition root.
Commands either append all their events atomically or raise a DomainError.
"""

import dataclasses
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, DomainEventProtocol
from eventsourcing.persistence import IntegrityError, Recorder

from domain.command import CommandResult, Context
from domain.customer import Customer, identities
from domain.errors import (
    CustomerNotFoundError,
    InvalidValueError,
    TicketNotFoundError,
    UserNotFoundError,
    VersionConflictError,
)
from domain.once import AnswersOnce
from domain.qa_sample import QaSample
from domain.sla_policy import PolicyNotFoundError, PolicySpec, SlaPolicy
from domain.stamp import Stamp
from domain.ticket import Ticket
from domain.users import ApiToken, User

TICKET_NAMESPACE = uuid5(NAMESPACE_URL, "https://deskstream.dev/ticket")
SAVE_ATTEMPTS = 8
LOCK_STRIPES = 256
FUTURE_TOLERANCE = timedelta(minutes=5)


class PositionLookup(Protocol):
    """Finds the log positions of one aggregate's events: {version: position}."""

    def __call__(self, recorder: Recorder, aggregate_id: UUID) -> dict[int, int]: ...


TicketAction = Callable[[Ticket, Stamp], None]
MERGE_HOPS = 10
"""Customers merged into customers merged into others: followed this far, then the last found."""


class Helpdesk(AnswersOnce, Application[UUID]):
    name = "deskstream"

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        clock: Callable[[], datetime],
        positions: PositionLookup,
    ) -> None:
        super().__init__(env)
        self.clock = clock
        self._positions = positions
        self._stripes = [threading.Lock() for _ in range(LOCK_STRIPES)]

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

    def open_ticket(
        self,
        channel: str,
        customer_name: str,
        customer_handle: str,
        subject: str | None,
        text: str,
        external_id: str | None,
        ctx: Context,
        kind: str | None = None,
    ) -> CommandResult:
        """A retry (same external id or Idempotency-Key) finds the ticket it opened before. The
        customer is `<kind>:<handle>`, as intake names them; without a kind, the channel's name."""
        ticket_id = new_ticket_id(channel, external_id, ctx)
        handles = identities(kind or channel, customer_handle)
        for _ in range(SAVE_ATTEMPTS):
            existing = self.find(ticket_id)
            if existing is not None:
                return self.result_at(ticket_id, 1)
            stamp = self.stamp(None, ctx)
            customer_id, new = self.customer_for(handles, customer_name, stamp)
            ticket = Ticket.open(ticket_id, channel, customer_id, subject, text, external_id, stamp)
            try:
                return self.commit(ctx, ticket, *new, ticket)
            except IntegrityError:
                continue
        raise VersionConflictError("The ticket could not be opened; please retry.")

    def customer_for(
        self, candidates: tuple[str, ...], name: str, stamp: Stamp
    ) -> tuple[UUID, list[Customer]]:
        """Whose ticket a first message from this identity opens: the identity's own customer, or
        the one it was linked to or merged into (so the ticket shows in that customer's history);
        `candidates` are its forms (`customer.identities`), the normal one first. An identity never
        seen before registers a customer under the normal form, returned to be saved with the ticket."""
        for candidate in candidates:
            found = self.find(Customer.create_id(candidate))
            if isinstance(found, Customer):
                return self.survivor(found).id, []
        registered = Customer.register(name, candidates[0], stamp)
        return registered.id, [registered]

    def survivor(self, customer: Customer) -> Customer:
        """The record a customer's tickets belong to now: the one it was merged into, followed
        along a chain of merges for up to MERGE_HOPS records."""
        for _ in range(MERGE_HOPS):
            target = self.find(customer.merged_into) if customer.merged_into is not None else None
            if not isinstance(target, Customer):
                break
            customer = target
        return customer

    def receive_message(
        self, ticket_id: UUID, text: str, external_id: str | None, ctx: Context
    ) -> CommandResult:
        if external_id and not ctx.request_id:
            ctx = dataclasses.replace(ctx, request_id=f"message:{external_id}")
        return self.change(ticket_id, ctx, None, lambda t, s: t.receive_message(text, external_id, s))

    def merge(self, source_id: UUID, target_id: UUID, ctx: Context, expected: int | None) -> CommandResult:
        with self.writing(source_id, target_id):
            return self._merge(source_id, target_id, ctx, expected)

    def _merge(self, source_id: UUID, target_id: UUID, ctx: Context, expected: int | None) -> CommandResult:
        for attempt in range(SAVE_ATTEMPTS):
            source, target = self.ticket(source_id), self.ticket(target_id)
            replayed = self._replayed(source, ctx)
            if replayed is not None:
                return replayed
            check_version(source, expected)
            source.merge_into(target, self.stamp(max_time(source, target), ctx))
            try:
                return self.commit(ctx, source, source, target)
            except IntegrityError:
                if expected is not None:
                    raise VersionConflictError("The ticket changed meanwhile; reload it.") from None
                back_off(attempt)
        raise VersionConflictError("The tickets are busy; please retry.")

    def change(
        self, ticket_id: UUID, ctx: Context, expected: int | None, action: TicketAction
    ) -> CommandResult:
        """Without If-Match a lost race is retried on fresh state; with it, it is a conflict."""
        with self.writing(ticket_id):
            return self._change(ticket_id, ctx, expected, action)

    def _change(
        self, ticket_id: UUID, ctx: Context, expected: int | None, action: TicketAction
    ) -> CommandResult:
        for attempt in range(SAVE_ATTEMPTS):
            ticket = self.ticket(ticket_id)
            replayed = self._replayed(ticket, ctx)
            if replayed is not None:
                return replayed
            check_version(ticket, expected)
            action(ticket, self.stamp(ticket.last_occurred_at, ctx))
            try:
                return self.commit(ctx, ticket)
            except IntegrityError:
                if expected is not None:
                    raise VersionConflictError("The ticket changed meanwhile; reload it.") from None
                back_off(attempt)
        raise VersionConflictError("The ticket is busy; please retry.")

    def add_customer_note(self, customer_id: UUID, text: str, ctx: Context) -> CommandResult:
        with self.writing(customer_id):
            for attempt in range(SAVE_ATTEMPTS):
                customer = self.customer(customer_id)
                customer.add_note(text, self.stamp(None, ctx))
                try:
                    return self.commit(ctx, customer)
                except IntegrityError:
                    back_off(attempt)
        raise VersionConflictError("The customer is busy; please retry.")

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

    def register_user(self, name: str, role: str) -> User:
        """Registers a new user, or changes an existing one's role."""
        user = self.find(User.create_id(name))
        if isinstance(user, User):
            user.change_role(role, self.clock())
        else:
            user = User.register(name, role, self.clock())
        self.save(user)
        return user

    def issue_token(self, token_hash: str, user_name: str) -> None:
        self.user(user_name)
        self.save(ApiToken.issue(token_hash, user_name, self.clock()))

    def revoke_token(self, token_hash: str) -> str | None:
        """The name of the token's user, or None if no such token was issued; revoking twice is one."""
        token = self.find(ApiToken.create_id(token_hash))
        if not isinstance(token, ApiToken):
            return None
        token.revoke(self.clock())
        self.save(token)
        return token.user_name

    def authenticate(self, token_hash: str) -> User | None:
        token = self.find(ApiToken.create_id(token_hash))
        if not isinstance(token, ApiToken) or token.revoked:
            return None
        return self.user(token.user_name)

    def user(self, name: str) -> User:
        user = self.find(User.create_id(name))
        if not isinstance(user, User):
            raise UserNotFoundError(f"There is no user named {name!r}.")
        return user

    def result_at(self, aggregate_id: UUID, version: int) -> CommandResult:
        return CommandResult(aggregate_id, version, self.positions(aggregate_id)[version])

    def _replayed(self, ticket: Ticket, ctx: Context) -> CommandResult | None:
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

    # --- SLA policies and QA samples (analytics) ---

    def define_sla_policy(
        self, name: str, spec: PolicySpec, effective_from: datetime | None, ctx: Context
    ) -> CommandResult:
        """Defines the policy, or records a new version of it (effective from now by default)."""
        policy_id = SlaPolicy.create_id(name)
        with self.writing(policy_id):
            stamp = self.stamp(None, ctx)
            policy = self.find(policy_id)
            if policy is None:
                policy = SlaPolicy.define(name, spec, effective_from or stamp.occurred_at, stamp)
            else:
                policy.change(spec, effective_from or stamp.occurred_at, stamp)
            return self.commit(ctx, policy)

    def sla_policy(self, name: str) -> SlaPolicy:
        found = self.find(SlaPolicy.create_id(name))
        if not isinstance(found, SlaPolicy):
            raise PolicyNotFoundError(f"There is no SLA policy named {name!r}.")
        return found

    def qa_sample(self, month: str, size: int) -> QaSample | None:
        found = self.find(QaSample.create_id(month, size))
        return found if isinstance(found, QaSample) else None

    def draw_qa_sample(
        self, month: str, size: int, population: list[tuple[str, str]], position: int, ctx: Context
    ) -> QaSample:
        """The first draw is recorded; a concurrent or later draw returns the recorded one."""
        existing = self.qa_sample(month, size)
        if existing is not None:
            return existing
        sample = QaSample.draw(month, size, population, position, self.stamp(None, ctx))
        try:
            self.save(sample)
        except IntegrityError:
            return self.qa_sample(month, size) or sample
        return sample


def events_of_kind(
    events: Iterable[DomainEventProtocol[UUID]], kind: type
) -> list[DomainEventProtocol[UUID]]:
    """All of an aggregate's events if it is of `kind` (judged by its first event), else none."""
    found = list(events)
    return found if found and isinstance(found[0], kind) else []


def new_ticket_id(channel: str, external_id: str | None, ctx: Context) -> UUID:
    """Deterministic when the request can be retried, so the retry lands on the same ticket."""
    if external_id:
        return uuid5(TICKET_NAMESPACE, f"external:{channel}:{external_id}")
    if ctx.request_id:
        return uuid5(TICKET_NAMESPACE, f"request:{ctx.actor}:{ctx.request_id}")
    return uuid4()


def back_off(attempt: int) -> None:
    """Jittered, so writers in other processes that collided do not collide again in step."""
    time.sleep(random.uniform(0, 0.002 * 2**attempt))


def check_version(aggregate: Aggregate, expected: int | None) -> None:
    if expected is not None and aggregate.version != expected:
        raise VersionConflictError(
            f"The ticket is at version {aggregate.version}, not {expected}; reload it."
        )


def max_time(*tickets: Ticket) -> datetime:
    return max(t.last_occurred_at for t in tickets)
