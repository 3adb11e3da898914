"""Customer use cases: who a message's sender is, notes about them, identities, merging records."""

from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.command import CommandResult, Context
from application.desk import Desk
from application.once import answered_once
from application.saving import retrying
from domain.customer import Customer, IdentityTakenError, identities
from domain.errors import VersionConflictError
from domain.stamp import Stamp

MERGE_HOPS = 10
"""Customers merged into customers merged into others: followed this far, then the last found."""


def customer_for(
    desk: Desk, candidates: tuple[str, ...], name: str, stamp: Stamp
) -> tuple[UUID, list[Customer]]:
    """Whose ticket a first message from this identity opens: the identity's own customer, or
    the one it was linked to or merged into (so the ticket shows in that customer's history);
    `candidates` are its forms (`customer.identities`), the normal one first. An identity never
    seen before registers a customer under the normal form, returned to be saved with the ticket."""
    known = known_customer(desk, candidates)
    if known is not None:
        return known, []
    registered = Customer.register(name, candidates[0], stamp)
    return registered.id, [registered]


def known_customer(desk: Desk, candidates: tuple[str, ...]) -> UUID | None:
    """The customer an identity (in its forms) belongs to now, None if it was never seen."""
    for candidate in candidates:
        found = desk.find(Customer.create_id(candidate))
        if isinstance(found, Customer):
            return survivor(desk, found).id
    return None


def same_customer(desk: Desk, customer_id: UUID, other: UUID | None) -> bool:
    """Whether two customer ids are one record now, after any merges."""
    found = desk.find(customer_id)
    return other is not None and isinstance(found, Customer) and survivor(desk, found).id == other


def survivor(desk: Desk, customer: Customer) -> Customer:
    """The record a customer's tickets belong to now: the one it was merged into, followed
    along a chain of merges for up to MERGE_HOPS records."""
    for _ in range(MERGE_HOPS):
        target = desk.find(customer.merged_into) if customer.merged_into is not None else None
        if not isinstance(target, Customer):
            break
        customer = target
    return customer


@answered_once
def add_customer_note(desk: Desk, customer_id: UUID, text: str, ctx: Context) -> CommandResult:
    """A note colleagues see whenever they deal with this customer."""

    def attempt() -> CommandResult:
        customer = desk.customer(customer_id)
        customer.add_note(text, desk.stamp(None, ctx))
        return desk.commit(ctx, customer)

    return retrying(desk, (customer_id,), attempt, "The customer is busy; please retry.")


@answered_once
def link_identity(desk: Desk, customer_id: UUID, kind: str, handle: str, ctx: Context) -> CommandResult:
    """The same person on another channel. Future messages from that identity reach this customer
    through an alias record; an identity that already has its own customer must be merged instead."""
    forms = identities(kind, handle)
    new, alias_id = forms[0], Customer.create_id(forms[0])
    with desk.writing(customer_id, alias_id):
        owner = desk.customer(customer_id)
        existing = desk.find(alias_id)
        check_identity_free(desk, forms, owner)
        stamp = desk.stamp(None, ctx)
        owner.link_identity(new, stamp)
        alias = [] if existing is not None else [Customer.register_alias(new, owner, stamp)]
        try:
            return desk.commit(ctx, owner, owner, *alias)
        except IntegrityError:
            raise VersionConflictError("The customer changed meanwhile; retry.") from None


def check_identity_free(desk: Desk, forms: tuple[str, ...], owner: Customer) -> None:
    """Neither the identity nor the form it had before handles were normalised has another owner."""
    for form in forms:
        taken = desk.find(Customer.create_id(form))
        if isinstance(taken, Customer) and taken.merged_into != owner.id and taken.id != owner.id:
            raise IdentityTakenError(f"{form} belongs to customer {taken.id}; merge the two customers.")


@answered_once
def merge_customers(desk: Desk, source_id: UUID, target_id: UUID, ctx: Context) -> CommandResult:
    """The target keeps both records' identities and tickets."""

    def attempt() -> CommandResult:
        source, target = desk.customer(source_id), desk.customer(target_id)
        source.merge_into(target, desk.stamp(None, ctx))
        return desk.commit(ctx, target, source, target)

    return retrying(desk, (source_id, target_id), attempt, "The customers are busy; please retry.")
