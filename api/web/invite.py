"""An invite link (`deskstream user invite`): the colleague chooses a password and is signed in.

The link is the secret, so the form needs no session; like the sign-in form it refuses a post
from another site by its Origin (else a site could sign a visitor in as its own invitee). A link
used, replaced or past its week gets a page saying so, never the form.
"""

import copy
import logging
import re
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import get_runtime
from api.bootstrap import Runtime
from api.web.navigation import home_of
from api.web.signin import same_origin
from api.web.templating import render, set_session_cookie
from api.web.viewer import parse_form
from application.passwords import MAX_LENGTH, MIN_LENGTH, PasswordTooLongError, WeakPasswordError
from domain.users import InviteExpiredError, InviteSpentError, InviteUnknownError
from domain.values import Role

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
REFUSED: dict[type[Exception], tuple[str, int]] = {
    InviteUnknownError: ("invite.unknown", 404),
    InviteSpentError: ("invite.spent", 410),
    InviteExpiredError: ("invite.expired", 410),
}
"""Why a link opens no form: the page's sentence and status."""
INVITE_ERRORS = (InviteUnknownError, InviteSpentError, InviteExpiredError)
INVITE_PATH = re.compile(r"^/invite/[^/?]+")


@router.get("/invite/{token}")
async def invite_page(request: Request, runtime: RuntimeDep, token: str) -> Response:
    try:
        user = await to_thread.run_sync(runtime.helpdesk.invited_user, token)
    except INVITE_ERRORS as exc:
        return refused(request, exc)
    return render(request, "invite.html", form_context(user.name, token, None))


@router.post("/invite/{token}")
async def accept(request: Request, runtime: RuntimeDep, token: str) -> Response:
    form = parse_form(await request.body())
    password = next(iter(form.get("password", [])), "")
    again = next(iter(form.get("again", [])), "")
    if not same_origin(request):
        return await refused_form(request, runtime, token, "signin.forged", 403)
    if password != again:
        return await refused_form(request, runtime, token, "invite.differ", 422)
    try:
        user = await to_thread.run_sync(runtime.helpdesk.accept_invite, token, password)
    except INVITE_ERRORS as exc:
        return refused(request, exc)
    except WeakPasswordError as exc:
        key = "invite.too_long" if isinstance(exc, PasswordTooLongError) else "invite.too_short"
        return await refused_form(request, runtime, token, key, 422)
    assert runtime.sessions is not None
    cookie = await to_thread.run_sync(runtime.sessions.start, user)
    response = RedirectResponse(home_of(Role(user.role)), status_code=303)
    set_session_cookie(request, response, cookie, runtime.settings.session_idle_minutes * 60)
    return response


async def refused_form(request: Request, runtime: Runtime, token: str, error: str, status: int) -> Response:
    """The form again with what was wrong beside the password; the link is checked again first."""
    try:
        user = await to_thread.run_sync(runtime.helpdesk.invited_user, token)
    except INVITE_ERRORS as exc:
        return refused(request, exc)
    return render(request, "invite.html", form_context(user.name, token, error), status)


def form_context(name: str, token: str, error: str | None) -> dict[str, object]:
    return {
        "refused": None,
        "name": name,
        "token": token,
        "error": error,
        "min": MIN_LENGTH,
        "max": MAX_LENGTH,
    }


def refused(request: Request, exc: Exception) -> Response:
    key, status = REFUSED[type(exc)]
    return render(request, "invite.html", {"refused": key}, status)


class InviteLinksHidden(logging.Filter):
    """The access log would keep every invite link, usable until spent: it gets `/invite/***`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) > 2 and isinstance(record.args[2], str):
            path = INVITE_PATH.sub("/invite/***", record.args[2])
            record.args = (*record.args[:2], path, *record.args[3:])
        return True


def log_config(base: dict[str, Any]) -> dict[str, Any]:
    """uvicorn's logging configuration (`base`) with invite links hidden from its access log."""
    config = copy.deepcopy(base)
    config.setdefault("filters", {})["invite_links"] = {"()": InviteLinksHidden}
    config["handlers"]["access"].setdefault("filters", []).append("invite_links")
    return config
