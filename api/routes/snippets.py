"""Snippets (saved replies with placeholders) and the report of which ones are used most."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from api.auth import HISTORY_READERS, REPORT_READERS, STAFF, Allowed, CurrentUser, RuntimeDep, require
from api.caller import CallerDep
from api.known_parameters import known_parameters
from api.models import CommandIn, CommandPublic, Instant, SnippetEditIn, SnippetIn
from api.public import SnippetPreviewPublic, SnippetsPublic, SnippetUsagePublic
from api.reading import ViewsAt
from domain.placeholders import KNOWN, render
from domain.users import User
from projections.kb import snippet_usage, snippets

router = APIRouter(tags=["snippets"])


@router.get("/snippets", response_model=SnippetsPublic)
def list_snippets(runtime: RuntimeDep, user: CurrentUser, archived: bool = False) -> dict[str, Any]:
    """Every snippet by shortcut, and the placeholders a body may use."""
    require(user, HISTORY_READERS, "read snippets")
    data = snippets(runtime.search, archived)
    return {"data": data, "count": len(data), "placeholders": KNOWN}


@router.post("/snippets", status_code=201)
def create_snippet(body: SnippetIn, caller: CallerDep) -> CommandPublic:
    """Save a reply for reuse; placeholders like {{customer_name}} are filled when it is sent."""
    ctx = caller.context(body, STAFF, "create snippets")
    return caller.done(
        caller.helpdesk.create_snippet(body.shortcut, body.title, body.body, body.category, ctx)
    )


@router.put("/snippets/{ref}")
def edit_snippet(ref: str, body: SnippetEditIn, caller: CallerDep) -> CommandPublic:
    """Change a snippet's title, body or category (by shortcut or id)."""
    ctx = caller.context(body, STAFF, "edit snippets")
    result = caller.helpdesk.edit_snippet(ref, body.title, body.body, body.category, ctx, caller.if_match)
    return caller.done(result)


@router.post("/snippets/{ref}/archive")
def archive_snippet(ref: str, caller: CallerDep, body: CommandIn | None = None) -> CommandPublic:
    """Retire a snippet; past replies keep pointing at it."""
    ctx = caller.context(body, STAFF, "archive snippets")
    return caller.done(caller.helpdesk.archive_snippet(ref, ctx))


@router.get("/snippets/{ref}/preview", response_model=SnippetPreviewPublic)
def preview_snippet(ref: str, ticket: UUID, runtime: RuntimeDep, user: CurrentUser) -> dict[str, Any]:
    """The snippet filled in for one ticket, for the operator to edit before sending."""
    require(user, STAFF, "use snippets")
    helpdesk = runtime.helpdesk
    found = helpdesk.snippet(ref)
    values = helpdesk.placeholder_values(helpdesk.ticket(ticket), user.name)
    return {"id": str(found.id), "shortcut": found.shortcut, "text": render(found.body, values)}


@router.get("/reports/snippets", response_model=SnippetUsagePublic, dependencies=[Depends(known_parameters)])
def snippets_report(
    runtime: RuntimeDep,
    user: Annotated[User, Depends(Allowed(REPORT_READERS, "read reports"))],
    from_: Annotated[Instant | None, Query(alias="from")] = None,
    to: Instant | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
    min_position: Annotated[int, Depends(ViewsAt("search"))] = 0,
) -> dict[str, Any]:
    """The most used snippets: replies made from each in [from, to), by reply time."""
    data = snippet_usage(runtime.search, from_, to, limit)
    return {"data": data, "count": len(data), "position": runtime.runner.position(("search",))}
