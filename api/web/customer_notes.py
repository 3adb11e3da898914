"""The customer card as a fragment of its own, and its note box: the same use case and roles as
`POST /api/v1/customers/{id}/notes`. A note stays typed when it is refused."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from api.auth import READERS, STAFF, get_runtime, require
from api.bootstrap import Runtime
from api.errors import STATUS_BY_ERROR, ApiError
from api.models import TextIn
from api.reading import views_at
from api.web.customer_card import card
from api.web.pages_errors import FRAGMENT_HEADER
from api.web.templating import render
from api.web.ticket_forms import Problem, draft, first, form_key, invalid, new_key, parsed, refused
from api.web.ticket_view import page
from api.web.viewer import Form, FormViewer, PageViewer
from application.command import Context
from domain.errors import DomainError

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
FORM = "customer_note"


def card_context(runtime: Runtime, customer_id: UUID, ticket_id: UUID, can_note: bool) -> dict[str, Any]:
    customer = runtime.helpdesk.survivor(runtime.helpdesk.customer(customer_id))
    return {
        "card": card(runtime, customer, ticket_id),
        "can_note_customer": can_note,
        "new_key": new_key,
        "drafts": {},
        "problems": {},
    }


def ticket_of(form: Form) -> UUID:
    """The ticket whose page the note was added from, to go back to."""
    try:
        return UUID(first(form, "ticket"))
    except ValueError:
        raise ApiError(400, "invalid_ticket", "The form does not say which ticket it came from.") from None


@router.get("/customers/{customer_id}/card")
async def customer_card(
    customer_id: UUID,
    request: Request,
    runtime: RuntimeDep,
    viewer: PageViewer,
    ticket: UUID,
    min_position: Annotated[int, Query(ge=0, le=2**62)] = 0,
) -> Response:
    """`ticket`: the ticket the card is shown beside; `min_position`: the queue view has applied
    that position (a merge's), so the other tickets are listed as it left them."""
    require(viewer.user, READERS, "read customers")
    await views_at(runtime, min_position, ("queue",))
    return render(
        request, "customer_card.html", card_context(runtime, customer_id, ticket, viewer.may(STAFF))
    )


@router.post("/customers/{customer_id}/notes")
def add_customer_note(
    customer_id: UUID, request: Request, runtime: RuntimeDep, posted: FormViewer
) -> Response:
    viewer, form = posted
    require(viewer.user, STAFF, "add customer notes")
    ticket_id = ticket_of(form)
    problem, status = Problem(), 422
    try:
        body = parsed(TextIn, {"text": first(form, "text")})
        ctx = Context(actor=viewer.name, key=form_key(request, viewer, form))
        runtime.helpdesk.add_customer_note(customer_id, body.text, ctx)
    except ValidationError as exc:
        problem.messages = invalid(viewer.language, exc)
    except DomainError as exc:
        problem.messages = [refused(viewer.language, exc)]
        status = next((s for cls, s in STATUS_BY_ERROR if isinstance(exc, cls)), 422)
    if problem.messages and FRAGMENT_HEADER in request.headers:
        return render(request, "ticket_problem.html", {"problem": problem, "form_name": FORM}, status)
    if problem.messages:
        return page(request, runtime, viewer, ticket_id, {FORM: draft(form)}, {FORM: problem}, status=status)
    runtime.runner.wake()
    if FRAGMENT_HEADER not in request.headers:
        return RedirectResponse(f"/tickets/{ticket_id}", status_code=303)
    return render(request, "customer_card.html", card_context(runtime, customer_id, ticket_id, True))
