"""The ticket page's pickers: snippets by name, knowledge-base articles, and tickets to merge into.

Each is a fragment the page script fetches as the operator types, and the same list the page
itself renders for a query in its address (pages work without script). A snippet is filled in
for this ticket as `GET /api/v1/snippets/{ref}/preview` fills it; articles are found by the
query behind `GET /api/v1/kb/articles`; merge targets come from the queue and the archive search.
"""

from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse, Response

from api.auth import HISTORY_READERS, READERS, STAFF, WRITERS, get_runtime, require
from api.bootstrap import Runtime
from api.web.templating import HEADERS, render
from api.web.viewer import PageViewer, Viewer
from domain.errors import TicketNotFoundError
from domain.placeholders import render as fill
from domain.ticket import Ticket
from domain.values import Status
from projections.kb import articles, snippets
from projections.queue_store import QueueFilter
from projections.search_queries import SearchQuery, search
from projections.search_text import fragments, query_terms

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Text = Annotated[str, Query(max_length=200)]
SHOWN = 12
EXCERPT_WIDTH = 480
WORKABLE = (Status.OPEN.value, Status.PAUSED.value)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A ticket this one could be merged into."""

    id: str
    subject: str | None
    channel: str
    status: str
    customer: str | None


def snippet_list(runtime: Runtime, q: str) -> list[dict[str, object]]:
    """Snippets whose shortcut or title holds what was typed, by shortcut."""
    wanted = q.strip().casefold()
    found = [
        s
        for s in snippets(runtime.search, False)
        if wanted in str(s["shortcut"]).casefold() or wanted in str(s["title"]).casefold()
    ]
    return found[:SHOWN]


def filled(runtime: Runtime, viewer: Viewer, ticket_id: UUID, ref: str) -> str:
    helpdesk = runtime.helpdesk
    found = helpdesk.snippet(ref)
    return fill(found.body, helpdesk.placeholder_values(helpdesk.ticket(ticket_id), viewer.name))


def article_list(runtime: Runtime, q: str) -> list[dict[str, object]]:
    return articles(runtime.search, q, None, None, False, SHOWN // 2, 0)[0]


def excerpt(runtime: Runtime, article_id: UUID, q: str) -> tuple[str, bool]:
    """The article's title and the passage that matches the query (its opening without one), and
    whether it is public: an internal article may go into a note, never to a customer."""
    found = runtime.helpdesk.article(article_id)
    passage = fragments(found.body, query_terms(q), width=EXCERPT_WIDTH, limit=1)[0].text
    return f"{found.title}\n\n{passage}", found.public


def merge_targets(runtime: Runtime, ticket: Ticket, q: str) -> list[Candidate]:
    """Without words, the customer's other open tickets (the usual repeat); with a ticket's id,
    that ticket; with words, open tickets whose messages or customer match them."""
    words = q.strip()
    if not words:
        rows, _ = runtime.queue.query(
            QueueFilter(status=WORKABLE, customer_id=str(ticket.customer_id)), SHOWN + 1, 0
        )
        found = [
            Candidate(r["id"], r["subject"], r["channel"], r["status"], r["customer"]["name"]) for r in rows
        ]
    elif (named := ticket_id_in(words)) is not None:
        found = one_ticket(runtime, named)
    else:
        hits = search(runtime.search, SearchQuery(text=words, statuses=WORKABLE, limit=SHOWN * 2)).hits
        seen = {h["ticket"]["id"]: h for h in hits}
        found = [
            Candidate(
                i,
                h["ticket"]["subject"],
                h["ticket"]["channel"],
                h["ticket"]["status"],
                h["customer"]["name"],
            )
            for i, h in seen.items()
        ]
    return [c for c in found if c.id != str(ticket.id)][:SHOWN]


def ticket_id_in(text: str) -> UUID | None:
    try:
        return UUID(text.removeprefix("#"))
    except ValueError:
        return None


def one_ticket(runtime: Runtime, ticket_id: UUID) -> list[Candidate]:
    try:
        other = runtime.helpdesk.ticket(ticket_id)
    except TicketNotFoundError:
        return []
    name = runtime.helpdesk.survivor(runtime.helpdesk.customer(other.customer_id)).name
    return [Candidate(str(other.id), other.subject, other.channel, other.status, name)]


@router.get("/tickets/{ticket_id}/snippets")
def snippet_picker(
    ticket_id: UUID, request: Request, runtime: RuntimeDep, viewer: PageViewer, q: Text = ""
) -> Response:
    require(viewer.user, HISTORY_READERS, "read snippets")
    context = {"ticket_id": ticket_id, "snippets": snippet_list(runtime, q)}
    return render(request, "ticket_snippets.html", context)


@router.get("/tickets/{ticket_id}/snippets/{ref}")
def snippet_text(ticket_id: UUID, ref: str, runtime: RuntimeDep, viewer: PageViewer) -> Response:
    """The snippet filled in for this ticket and this operator, as plain text to insert."""
    require(viewer.user, STAFF, "use snippets")
    return PlainTextResponse(filled(runtime, viewer, ticket_id, ref), headers=HEADERS)


@router.get("/tickets/{ticket_id}/kb")
def kb_panel(
    ticket_id: UUID, request: Request, runtime: RuntimeDep, viewer: PageViewer, q: Text = ""
) -> Response:
    require(viewer.user, READERS, "read the knowledge base")
    articles_found = article_list(runtime, q)
    context = {
        "ticket_id": ticket_id,
        "articles": articles_found,
        "kb_q": q,
        "can_write": viewer.may(WRITERS),
    }
    return render(request, "ticket_kb_results.html", context)


@router.get("/tickets/{ticket_id}/kb/{article_id}")
def kb_excerpt(
    ticket_id: UUID, article_id: UUID, runtime: RuntimeDep, viewer: PageViewer, q: Text = ""
) -> Response:
    """The excerpt as plain text; `X-Public` says whether it may go into a reply."""
    require(viewer.user, READERS, "read the knowledge base")
    text, public = excerpt(runtime, article_id, q)
    return PlainTextResponse(text, headers={**HEADERS, "X-Public": "1" if public else "0"})


@router.get("/tickets/{ticket_id}/merge-targets")
def merge_picker(
    ticket_id: UUID, request: Request, runtime: RuntimeDep, viewer: PageViewer, q: Text = ""
) -> Response:
    require(viewer.user, WRITERS, "merge tickets")
    ticket = runtime.helpdesk.ticket(ticket_id)
    context = {"ticket": ticket, "targets": merge_targets(runtime, ticket, q)}
    return render(request, "ticket_merge_targets.html", context)
