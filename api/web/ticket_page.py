"""The ticket page, `/tickets/{id}`: the conversation, a reply and a note box, the controls, the
customer card and the SLA clock.

Every form on it carries the version the ticket was rendered at; acting on a ticket that has
moved on since shows what changed instead of acting blindly (api/web/ticket_actions.py). The
conversation and the controls are fragments of their own, so the page script refreshes them when
the ticket changes (live, or after the operator's own action) without touching what is typed.
"""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.auth import HISTORY_READERS, STAFF, get_runtime, require
from api.bootstrap import Runtime
from api.web import customer_notes, ticket_actions, ticket_pickers
from api.web.templating import render
from api.web.ticket_view import load, page, ticket_context
from api.web.viewer import PageViewer, Viewer
from domain.errors import DomainError

router = APIRouter(include_in_schema=False)
"""The page's own routes, and those of its pickers, forms and customer card."""
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Text = Annotated[str, Query(max_length=200)]


@router.get("/tickets/{ticket_id}")
def ticket_page(
    ticket_id: UUID,
    request: Request,
    runtime: RuntimeDep,
    viewer: PageViewer,
    snippet: Text = "",
    article: UUID | None = None,
    snippet_q: Text = "",
    kb_q: Text = "",
    merge_q: Text = "",
) -> Response:
    """`snippet` and `article` fill the reply box as the page script would: the page works
    without it. The `…_q` parameters are what the pickers were asked."""
    require(viewer.user, HISTORY_READERS, "read ticket history")
    drafts = prefilled(runtime, viewer, ticket_id, snippet, article, kb_q)
    queries = {"snippet_q": snippet_q, "kb_q": kb_q, "merge_q": merge_q}
    return page(request, runtime, viewer, ticket_id, drafts=drafts, queries=queries)


def prefilled(
    runtime: Runtime, viewer: Viewer, ticket_id: UUID, snippet: str, article: UUID | None, kb_q: str
) -> dict[str, dict[str, str]]:
    """A snippet filled in goes into the reply box; an article's excerpt into the reply box if the
    article is public, else into the note box."""
    try:
        if snippet and viewer.may(STAFF):
            text = ticket_pickers.filled(runtime, viewer, ticket_id, snippet)
            return {"reply": {"text": text, "snippet": snippet}}
        if article is not None:
            text, public = ticket_pickers.excerpt(runtime, article, kb_q)
            return {"reply": {"text": text, "article": str(article)}} if public else {"note": {"text": text}}
    except DomainError:
        return {}
    return {}


@router.get("/tickets/{ticket_id}/conversation")
def conversation(ticket_id: UUID, request: Request, runtime: RuntimeDep, viewer: PageViewer) -> Response:
    require(viewer.user, HISTORY_READERS, "read ticket history")
    view = load(runtime, ticket_id)
    return render(request, "ticket_conversation.html", ticket_context(runtime, viewer, view))


@router.get("/tickets/{ticket_id}/controls")
def controls(ticket_id: UUID, request: Request, runtime: RuntimeDep, viewer: PageViewer) -> Response:
    require(viewer.user, HISTORY_READERS, "read ticket history")
    view = load(runtime, ticket_id)
    targets = ticket_pickers.merge_targets(runtime, view.ticket, "")
    return render(request, "ticket_controls.html", ticket_context(runtime, viewer, view, targets=targets))


@router.get("/tickets/{ticket_id}/composer")
def composer(ticket_id: UUID, request: Request, runtime: RuntimeDep, viewer: PageViewer) -> Response:
    """The reply and note boxes, when the ticket became workable or stopped being so."""
    require(viewer.user, HISTORY_READERS, "read ticket history")
    view = load(runtime, ticket_id)
    snippets = ticket_pickers.snippet_list(runtime, "")
    return render(request, "ticket_composer.html", ticket_context(runtime, viewer, view, snippets=snippets))


for part in (ticket_pickers, ticket_actions, customer_notes):
    router.include_router(part.router)
