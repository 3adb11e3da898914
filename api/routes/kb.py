"""Knowledge base: versioned Markdown articles, internal or public, searchable by word form."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from api.auth import READERS, STAFF, Allowed, CurrentUser, RuntimeDep, require
from api.caller import CallerDep
from api.models import ArticleIn, CommandPublic
from api.public import ArticlePublic, ArticlesPublic
from api.reading import ViewsAt
from domain.users import User
from projections.kb import articles

router = APIRouter(prefix="/kb", tags=["knowledge base"])
CONTENT = {"title", "body", "category", "tags", "visibility"}


@router.get("/articles", response_model=ArticlesPublic)
def list_articles(
    runtime: RuntimeDep,
    user: Annotated[User, Depends(Allowed(READERS, "read the knowledge base"))],
    q: Annotated[str, Query(max_length=500)] = "",
    category: str | None = None,
    tag: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
    min_position: Annotated[int, Depends(ViewsAt("search"))] = 0,
) -> dict[str, Any]:
    """Search articles (title weighs most), or list the newest; filters AND together."""
    data, count = articles(runtime.search, q, category, tag, False, limit, offset)
    return {"data": data, "count": count, "position": runtime.runner.position(("search",))}


@router.get("/articles/{article_id}", response_model=ArticlePublic)
def get_article(
    article_id: UUID,
    runtime: RuntimeDep,
    user: CurrentUser,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> dict[str, Any]:
    """One article, as it is now or at an earlier `version`."""
    require(user, READERS, "read the knowledge base")
    found = runtime.helpdesk.article(article_id)
    shown = runtime.helpdesk.article(article_id, version)
    return {
        "id": str(shown.id),
        "version": shown.version,
        "latest_version": found.version,
        "title": shown.title,
        "body": shown.body,
        "category": shown.category,
        "tags": list(shown.tags),
        "visibility": shown.visibility,
        "updated_at": shown.modified_on.isoformat(),
    }


@router.post("/articles", status_code=201)
def write_article(body: ArticleIn, caller: CallerDep) -> CommandPublic:
    """Write a new article (internal unless said otherwise)."""
    content = body.model_dump(include=CONTENT)
    ctx = caller.context(body, STAFF, "write articles")
    return caller.done(caller.helpdesk.write_article(content, ctx))


@router.put("/articles/{article_id}")
def revise_article(article_id: UUID, body: ArticleIn, caller: CallerDep) -> CommandPublic:
    """Replace the article's content; a new version when anything changed. If-Match is honoured."""
    content = body.model_dump(include=CONTENT)
    ctx = caller.context(body, STAFF, "revise articles")
    return caller.done(caller.helpdesk.revise_article(article_id, content, ctx, caller.if_match))
