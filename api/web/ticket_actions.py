"""What the ticket page's forms do: reply, note, assign, tag, classify, pause, resume, resolve,
reopen, merge. Each calls the use case its API route calls, by name, with the same roles.

A form says which version of the ticket it was filled in against (`version`, the If-Match of the
API). When the ticket has moved on since, nothing is applied: the answer shows what happened after
that version, and the operator sends anyway (`send_anyway`, the version they have now seen) or
revises. Delivery reports alone (a reply sent, read…) do not count as moving on: they tell how a
reply travelled, nothing an operator decides on. Without the page script, a form gets the page back
(303); with it, the fresh conversation. A refused form keeps what was typed, the reason beside it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from api.auth import WRITERS, get_runtime, require
from api.bootstrap import Runtime
from api.caller import parse_if_match
from api.errors import STATUS_BY_ERROR
from api.models import (
    AssignIn,
    CommandIn,
    MergeIn,
    PauseIn,
    PriorityIn,
    ReplyIn,
    ResolveIn,
    TagsIn,
    TextIn,
    TypeIn,
)
from api.web.pages_errors import FRAGMENT_HEADER
from api.web.templating import render
from api.web.ticket_forms import (
    Collision,
    Problem,
    draft,
    every,
    first,
    form_key,
    invalid,
    parsed,
    refused,
)
from api.web.ticket_timeline import since, substantive
from api.web.ticket_view import load, page, ticket_context
from api.web.viewer import Form, FormViewer, Viewer
from application.command import CommandResult, Context
from application.helpdesk import Helpdesk
from domain.errors import DomainError, InvalidValueError, UserNotFoundError, VersionConflictError
from domain.values import Role

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Command = Callable[[Helpdesk, UUID, Any, Context, int | None], CommandResult]


@dataclass(frozen=True, slots=True)
class Action:
    form: str
    """The form on the page, and the last part of the path it posts to."""
    roles: tuple[Role, ...]
    what: str
    model: type[BaseModel]
    fields: Callable[[Form], dict[str, Any]]
    command: Command


def or_none(value: str) -> str | None:
    return value if value.strip() else None


def tags_in(form: Form) -> dict[str, Any]:
    """Tags are typed separated by commas; each chip of a tag removes it."""
    added = [tag for text in every(form, "add") for tag in text.split(",") if tag.strip()]
    return {"add": added, "remove": every(form, "remove")}


def reply(h: Helpdesk, t: UUID, body: ReplyIn, ctx: Context, expected: int | None) -> CommandResult:
    return h.reply(t, body.text, body.snippet, body.article, ctx, expected)


def note(h: Helpdesk, t: UUID, body: TextIn, ctx: Context, expected: int | None) -> CommandResult:
    return h.add_note(t, body.text, ctx, expected)


class UnknownAssigneeError(InvalidValueError):
    """Bad input (422), as the API answers it (`Caller.existing_user`), not a missing page."""


def assign(h: Helpdesk, t: UUID, body: AssignIn, ctx: Context, expected: int | None) -> CommandResult:
    try:
        h.user(body.assignee)
    except UserNotFoundError as exc:
        raise UnknownAssigneeError(str(exc)) from None
    return h.assign(t, body.assignee, body.comment, ctx, expected)


def tags(h: Helpdesk, t: UUID, body: TagsIn, ctx: Context, expected: int | None) -> CommandResult:
    return h.change_tags(t, body.add, body.remove, ctx, expected)


def set_type(h: Helpdesk, t: UUID, body: TypeIn, ctx: Context, expected: int | None) -> CommandResult:
    return h.set_type(t, body.type, ctx, expected)


def priority(h: Helpdesk, t: UUID, body: PriorityIn, ctx: Context, expected: int | None) -> CommandResult:
    return h.set_priority(t, body.priority, ctx, expected)


def pause(h: Helpdesk, t: UUID, body: PauseIn, ctx: Context, expected: int | None) -> CommandResult:
    return h.pause(t, body.reason, body.department, ctx, expected)


def resume(h: Helpdesk, t: UUID, body: CommandIn, ctx: Context, expected: int | None) -> CommandResult:
    return h.resume(t, ctx, expected)


def resolve(h: Helpdesk, t: UUID, body: ResolveIn, ctx: Context, expected: int | None) -> CommandResult:
    return h.resolve(t, body.resolution, ctx, expected)


def reopen(h: Helpdesk, t: UUID, body: CommandIn, ctx: Context, expected: int | None) -> CommandResult:
    return h.reopen(t, ctx, expected)


def merge(h: Helpdesk, t: UUID, body: MergeIn, ctx: Context, expected: int | None) -> CommandResult:
    return h.merge(t, body.into, ctx, expected)


ACTIONS = (
    Action(
        "reply",
        WRITERS,
        "reply",
        ReplyIn,
        lambda f: {
            "text": first(f, "text"),
            "snippet": or_none(first(f, "snippet")),
            "article": or_none(first(f, "article")),
        },
        reply,
    ),
    Action("note", WRITERS, "add notes", TextIn, lambda f: {"text": first(f, "text")}, note),
    Action(
        "assign",
        WRITERS,
        "assign tickets",
        AssignIn,
        lambda f: {"assignee": first(f, "assignee").strip(), "comment": or_none(first(f, "comment"))},
        assign,
    ),
    Action("tags", WRITERS, "tag tickets", TagsIn, tags_in, tags),
    Action("type", WRITERS, "set the type", TypeIn, lambda f: {"type": first(f, "type")}, set_type),
    Action(
        "priority",
        WRITERS,
        "set the priority",
        PriorityIn,
        lambda f: {"priority": first(f, "priority")},
        priority,
    ),
    Action(
        "pause",
        WRITERS,
        "pause tickets",
        PauseIn,
        lambda f: {"reason": first(f, "reason"), "department": or_none(first(f, "department"))},
        pause,
    ),
    Action("resume", WRITERS, "resume tickets", CommandIn, lambda f: {}, resume),
    Action(
        "resolve",
        WRITERS,
        "resolve tickets",
        ResolveIn,
        lambda f: {"resolution": first(f, "resolution")},
        resolve,
    ),
    Action("reopen", WRITERS, "reopen tickets", CommandIn, lambda f: {}, reopen),
    Action("merge", WRITERS, "merge tickets", MergeIn, lambda f: {"into": first(f, "into").strip()}, merge),
)


def perform(action: Action, ticket_id: UUID, request: Request, runtime: Runtime, posted: Any) -> Response:
    viewer, form = posted
    require(viewer.user, action.roles, action.what)
    expected = parse_if_match(or_none(first(form, "send_anyway")) or or_none(first(form, "version")))
    problem, status = Problem(), 200
    try:
        body = parsed(action.model, action.fields(form))
        ctx = Context(actor=viewer.name, key=form_key(request, viewer, form))
        result = attempt(runtime, action, ticket_id, body, ctx, expected)
    except ValidationError as exc:
        problem.messages, status = invalid(viewer.language, exc), 422
    except VersionConflictError:
        view = load(runtime, ticket_id)
        problem.collision = Collision(view.ticket.version, since(view.items, expected or 0), view.customer)
        status = 409
    except DomainError as exc:
        problem.messages = [refused(viewer.language, exc)]
        status = next((s for cls, s in STATUS_BY_ERROR if isinstance(exc, cls)), 422)
    if status != 200:
        return refusal(request, runtime, viewer, ticket_id, action.form, form, problem, status)
    runtime.runner.wake()
    if FRAGMENT_HEADER not in request.headers:
        return RedirectResponse(f"/tickets/{ticket_id}", status_code=303)
    acted = {"form": action.form, "from": expected, "to": result.version, "position": result.position}
    context = ticket_context(runtime, viewer, load(runtime, ticket_id), acted=acted)
    return render(request, "ticket_conversation.html", context)


def attempt(
    runtime: Runtime, action: Action, ticket_id: UUID, body: Any, ctx: Context, expected: int | None
) -> CommandResult:
    """The command at `expected`; once more at the current version when all that happened since
    are delivery reports."""
    helpdesk = runtime.helpdesk
    try:
        return action.command(helpdesk, ticket_id, body, ctx, expected)
    except VersionConflictError:
        events = helpdesk.history(ticket_id)
        if expected is None or substantive(events, expected):
            raise
        return action.command(helpdesk, ticket_id, body, ctx, events[-1].originator_version)


def refusal(
    request: Request,
    runtime: Runtime,
    viewer: Viewer,
    ticket_id: UUID,
    name: str,
    form: Form,
    problem: Problem,
    status: int,
) -> Response:
    """With the page script, the reason alone (it goes beside the form, which keeps its text);
    without it, the page with the form as it was posted and the reason in it."""
    if FRAGMENT_HEADER in request.headers:
        return render(request, "ticket_problem.html", {"problem": problem, "form_name": name}, status)
    return page(request, runtime, viewer, ticket_id, {name: draft(form)}, {name: problem}, status=status)


def route(action: Action) -> Callable[..., Response]:
    def handler(ticket_id: UUID, request: Request, runtime: RuntimeDep, posted: FormViewer) -> Response:
        return perform(action, ticket_id, request, runtime, posted)

    handler.__name__ = f"ticket_{action.form}"
    handler.__doc__ = f"The ticket page's {action.form} form."
    return handler


for _action in ACTIONS:
    router.add_api_route(f"/tickets/{{ticket_id}}/{_action.form}", route(_action), methods=["POST"])
