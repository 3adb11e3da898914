"""Library use cases: snippets (saved replies) and knowledge-base articles.

Each loads, acts, saves and returns a CommandResult; an edit with If-Match is refused when the
snippet or article changed meanwhile, one without it is run again on the fresh state.
"""

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from application.command import CommandResult, Context
from application.desk import Desk
from application.once import answered_once
from application.saving import check_version, retrying
from domain.article import Article
from domain.errors import ConflictError, InvalidValueError, NotFoundError
from domain.snippet import Snippet
from domain.stamp import Stamp

A = TypeVar("A", bound=Aggregate)


class SnippetNotFoundError(NotFoundError):
    code = "snippet_not_found"


class ArticleNotFoundError(NotFoundError):
    code = "article_not_found"


class InternalArticleError(InvalidValueError):
    code = "internal_article"


def snippet(desk: Desk, ref: str) -> Snippet:
    """A snippet by its id or its shortcut."""
    try:
        snippet_id = UUID(ref)
    except ValueError:
        snippet_id = Snippet.create_id(ref)
    found = desk.find(snippet_id)
    if not isinstance(found, Snippet):
        raise SnippetNotFoundError(f"There is no snippet {ref!r}.")
    return found


def article(desk: Desk, article_id: UUID, version: int | None = None) -> Article:
    found = desk.find(article_id)
    if not isinstance(found, Article):
        raise ArticleNotFoundError(f"There is no article {article_id}.")
    if version is not None and version != found.version:
        if not 1 <= version <= found.version:
            raise ArticleNotFoundError(f"Article {article_id} has versions 1 to {found.version}.")
        return desk.repository.get(article_id, version=version)  # type: ignore[no-any-return]
    return found


@answered_once
def create_snippet(
    desk: Desk, shortcut: str, title: str, body: str, category: str | None, ctx: Context
) -> CommandResult:
    if desk.find(Snippet.create_id(shortcut)) is not None:
        raise ConflictError(f"A snippet with the shortcut {shortcut!r} exists already.")
    return created(desk, Snippet.create(shortcut, title, body, category, desk.stamp(None, ctx)), ctx)


@answered_once
def edit_snippet(
    desk: Desk,
    ref: str,
    title: str,
    body: str,
    category: str | None,
    ctx: Context,
    expected: int | None,
) -> CommandResult:
    """By shortcut or id."""
    snippet_id = snippet(desk, ref).id
    load = partial(snippet, desk, str(snippet_id))
    return update(desk, snippet_id, load, lambda s, st: s.edit(title, body, category, st), ctx, expected)


@answered_once
def archive_snippet(desk: Desk, ref: str, ctx: Context) -> CommandResult:
    """Past replies keep pointing at it; it can no longer be sent."""
    snippet_id = snippet(desk, ref).id
    load = partial(snippet, desk, str(snippet_id))
    return update(desk, snippet_id, load, lambda s, st: s.archive(st), ctx, None)


@answered_once
def write_article(desk: Desk, content: dict[str, Any], ctx: Context) -> CommandResult:
    return created(desk, Article.write(uuid4(), content, desk.stamp(None, ctx)), ctx)


@answered_once
def revise_article(
    desk: Desk, article_id: UUID, content: dict[str, Any], ctx: Context, expected: int | None
) -> CommandResult:
    """A new version when anything changed."""
    load = partial(article, desk, article_id)
    return update(desk, article_id, load, lambda a, s: a.revise(content, s), ctx, expected)


def created(desk: Desk, aggregate: Aggregate, ctx: Context) -> CommandResult:
    try:
        return desk.commit(ctx, aggregate)
    except IntegrityError:
        raise ConflictError("It was created meanwhile by someone else.") from None


def update(
    desk: Desk,
    aggregate_id: UUID,
    load: Callable[[], A],
    action: Callable[[A, Stamp], None],
    ctx: Context,
    expected: int | None,
) -> CommandResult:
    """Without If-Match a lost race is retried on fresh state; with it, it is a conflict."""

    def attempt() -> CommandResult:
        aggregate = load()
        check_version(aggregate, expected)
        action(aggregate, desk.stamp(None, ctx))
        return desk.commit(ctx, aggregate)

    busy, changed = "It is busy; please retry.", "It changed meanwhile; reload it."
    return retrying(desk, (aggregate_id,), attempt, busy, expected, changed)
