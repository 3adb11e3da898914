"""Use cases for the knowledge base, snippets and customer identities, as functions of a Helpdesk.

Each one loads, acts, saves and returns a CommandResult, like the Helpdesk's own methods.
"""

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from domain.article import Article
from domain.customer import Customer, IdentityTakenError, identities
from domain.errors import (
    ConflictError,
    EmptyTextError,
    InvalidValueError,
    NotFoundError,
    VersionConflictError,
)
from domain.helpdesk import SAVE_ATTEMPTS, CommandResult, Context, Helpdesk, back_off, check_version
from domain.placeholders import first_name, render
from domain.snippet import Snippet
from domain.stamp import Stamp
from domain.ticket import Ticket

A = TypeVar("A", bound=Aggregate)


class SnippetNotFoundError(NotFoundError):
    code = "snippet_not_found"


class ArticleNotFoundError(NotFoundError):
    code = "article_not_found"


class InternalArticleError(InvalidValueError):
    code = "internal_article"


def snippet(helpdesk: Helpdesk, ref: str) -> Snippet:
    """A snippet by its id or its shortcut."""
    try:
        snippet_id = UUID(ref)
    except ValueError:
        snippet_id = Snippet.create_id(ref)
    found = helpdesk.find(snippet_id)
    if not isinstance(found, Snippet):
        raise SnippetNotFoundError(f"There is no snippet {ref!r}.")
    return found


def article(helpdesk: Helpdesk, article_id: UUID, version: int | None = None) -> Article:
    found = helpdesk.find(article_id)
    if not isinstance(found, Article):
        raise ArticleNotFoundError(f"There is no article {article_id}.")
    if version is not None and version != found.version:
        if not 1 <= version <= found.version:
            raise ArticleNotFoundError(f"Article {article_id} has versions 1 to {found.version}.")
        return helpdesk.repository.get(article_id, version=version)  # type: ignore[no-any-return]
    return found


def create_snippet(
    helpdesk: Helpdesk, shortcut: str, title: str, body: str, category: str | None, ctx: Context
) -> CommandResult:
    if helpdesk.find(Snippet.create_id(shortcut)) is not None:
        raise ConflictError(f"A snippet with the shortcut {shortcut!r} exists already.")
    return save(helpdesk, Snippet.create(shortcut, title, body, category, helpdesk.stamp(None, ctx)), ctx)


def edit_snippet(
    helpdesk: Helpdesk,
    ref: str,
    changes: Callable[[Snippet, Stamp], None],
    ctx: Context,
    expected: int | None,
) -> CommandResult:
    snippet_id = snippet(helpdesk, ref).id
    return update(helpdesk, snippet_id, lambda: snippet(helpdesk, str(snippet_id)), changes, ctx, expected)


def write_article(helpdesk: Helpdesk, content: dict[str, Any], ctx: Context) -> CommandResult:
    return save(helpdesk, Article.write(uuid4(), content, helpdesk.stamp(None, ctx)), ctx)


def revise_article(
    helpdesk: Helpdesk, article_id: UUID, content: dict[str, Any], ctx: Context, expected: int | None
) -> CommandResult:
    return update(
        helpdesk,
        article_id,
        lambda: article(helpdesk, article_id),
        lambda a, s: a.revise(content, s),
        ctx,
        expected,
    )


def reply(
    helpdesk: Helpdesk,
    ticket_id: UUID,
    text: str | None,
    snippet_ref: str | None,
    article_id: UUID | None,
    ctx: Context,
    expected: int | None,
) -> CommandResult:
    """A reply from a snippet (placeholders filled; `text`, if given, is the operator's edit of it),
    from a public article, or plain text. Which snippet or article was used is recorded on it."""
    used = snippet(helpdesk, snippet_ref) if snippet_ref else None
    if used is not None:
        used.check_not_archived()
    quoted = article(helpdesk, article_id) if article_id else None
    if quoted is not None and not quoted.public:
        raise InternalArticleError("An internal article cannot be sent to a customer.")

    def act(ticket: Ticket, stamp: Stamp) -> None:
        body = text
        if body is None and used is not None:
            body = used.body
        elif body is None and quoted is not None:
            body = f"{quoted.title}\n\n{quoted.body}"
        if body is None:
            raise EmptyTextError("A reply needs text, a snippet or an article.")
        if used is not None:
            body = render(body, placeholder_values(helpdesk, ticket, stamp.actor))
        ticket.reply(body, stamp, snippet=used.id if used else None, article=quoted.id if quoted else None)

    return helpdesk.change(ticket_id, ctx, expected, act)


def placeholder_values(helpdesk: Helpdesk, ticket: Ticket, operator: str) -> dict[str, str]:
    customer = helpdesk.customer(ticket.customer_id)
    return {
        "customer_name": customer.name,
        "customer_first_name": first_name(customer.name),
        "operator_name": operator,
        "ticket_number": str(ticket.id)[:8],
        "ticket_subject": ticket.subject or "",
        "channel": ticket.channel,
    }


def link_identity(
    helpdesk: Helpdesk, customer_id: UUID, channel: str, handle: str, ctx: Context
) -> CommandResult:
    """The same person on another channel. Future messages from that identity reach this customer
    through an alias record; an identity that already has its own customer must be merged instead."""
    forms = identities(channel, handle)
    new, alias_id = forms[0], Customer.create_id(forms[0])
    with helpdesk.writing(customer_id, alias_id):
        owner = helpdesk.customer(customer_id)
        existing = helpdesk.find(alias_id)
        check_identity_free(helpdesk, forms, owner)
        stamp = helpdesk.stamp(None, ctx)
        owner.link_identity(new, stamp)
        alias = [] if existing is not None else [Customer.register_alias(new, owner, stamp)]
        try:
            return helpdesk.commit(ctx, owner, owner, *alias)
        except IntegrityError:
            raise VersionConflictError("The customer changed meanwhile; retry.") from None


def check_identity_free(helpdesk: Helpdesk, forms: tuple[str, ...], owner: Customer) -> None:
    """Neither the identity nor the form it had before handles were normalised has another owner."""
    for form in forms:
        taken = helpdesk.find(Customer.create_id(form))
        if isinstance(taken, Customer) and taken.merged_into != owner.id and taken.id != owner.id:
            raise IdentityTakenError(f"{form} belongs to customer {taken.id}; merge the two customers.")


def merge_customers(helpdesk: Helpdesk, source_id: UUID, target_id: UUID, ctx: Context) -> CommandResult:
    with helpdesk.writing(source_id, target_id):
        for attempt in range(SAVE_ATTEMPTS):
            source, target = helpdesk.customer(source_id), helpdesk.customer(target_id)
            source.merge_into(target, helpdesk.stamp(None, ctx))
            try:
                return helpdesk.commit(ctx, target, source, target)
            except IntegrityError:
                back_off(attempt)
    raise VersionConflictError("The customers are busy; please retry.")


def save(helpdesk: Helpdesk, aggregate: Aggregate, ctx: Context) -> CommandResult:
    try:
        return helpdesk.commit(ctx, aggregate)
    except IntegrityError:
        raise ConflictError("It was created meanwhile by someone else.") from None


def update(
    helpdesk: Helpdesk,
    aggregate_id: UUID,
    load: Callable[[], A],
    action: Callable[[A, Stamp], None],
    ctx: Context,
    expected: int | None,
) -> CommandResult:
    """Without If-Match a lost race is retried on fresh state; with it, it is a conflict."""
    with helpdesk.writing(aggregate_id):
        for attempt in range(SAVE_ATTEMPTS):
            aggregate = load()
            check_version(aggregate, expected)
            action(aggregate, helpdesk.stamp(None, ctx))
            try:
                return helpdesk.commit(ctx, aggregate)
            except IntegrityError:
                if expected is not None:
                    raise VersionConflictError("It changed meanwhile; reload it.") from None
                back_off(attempt)
    raise VersionConflictError("It is busy; please retry.")
