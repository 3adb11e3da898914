"""Who is looking at a page: the signed-in user, their language and zone, and their CSRF token.

The language is the user's own choice (/me), else the browser's Accept-Language, else English;
the zone is the user's own, else the team's (DESKSTREAM_TIME_ZONE).

`PageViewer` is the dependency of every page: without a valid session a page redirects to the
sign-in form (and comes back after it). `FormViewer` is the dependency of every form post: it
checks the session and then the CSRF token, both before the form's fields are parsed, and gives
the parsed form. A forged or expired post gets a page saying so, never a change.
"""

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qsl, quote

from fastapi import Depends, Request

from api.auth import get_runtime
from api.bootstrap import Runtime
from api.web.catalogue import choose_language
from api.web.sessions import COOKIE, Session
from domain.users import User
from domain.values import Role

CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"


@dataclass(frozen=True)
class Viewer:
    user: User
    session: Session
    language: str
    zone: str

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def role(self) -> Role:
        return Role(self.user.role)

    @property
    def csrf(self) -> str:
        return self.session.csrf

    def may(self, roles: tuple[Role, ...]) -> bool:
        return self.role in roles


class SignInRequired(Exception):
    """Raised by a page's dependency; the workspace answers with a redirect to /signin."""

    def __init__(self, back_to: str) -> None:
        super().__init__(back_to)
        self.back_to = back_to


class ForgedForm(Exception):
    """A post without this session's CSRF token: from another site, or a page kept open too long."""


Form = dict[str, list[str]]


def viewer_of(request: Request, runtime: Runtime) -> Viewer | None:
    sessions = runtime.sessions
    session = sessions.read(request.cookies.get(COOKIE)) if sessions else None
    if session is None:
        return None
    user = session.user
    language = choose_language(user.language, request.headers.get("accept-language"))
    viewer = Viewer(user, session, language, user.time_zone or runtime.settings.time_zone)
    request.state.viewer = viewer
    return viewer


async def page_viewer(request: Request, runtime: Annotated[Runtime, Depends(get_runtime)]) -> Viewer:
    viewer = viewer_of(request, runtime)
    if viewer is None:
        back_to = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(quote(back_to, safe="/"))
    return viewer


async def form_viewer(
    request: Request, runtime: Annotated[Runtime, Depends(get_runtime)]
) -> tuple[Viewer, Form]:
    viewer = viewer_of(request, runtime)
    if viewer is None:
        raise SignInRequired(request.headers.get("referer", "/") or "/")
    given = request.headers.get(CSRF_HEADER)
    form = parse_form(await request.body())
    if given is None:
        given = next(iter(form.get(CSRF_FIELD, [])), None)
    assert runtime.sessions is not None
    if not runtime.sessions.csrf_ok(viewer.session, given):
        raise ForgedForm()
    return viewer, form


def parse_form(body: bytes) -> Form:
    """`application/x-www-form-urlencoded`, as browsers send forms and as the page script does."""
    form: Form = {}
    for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        form.setdefault(key, []).append(value)
    return form


PageViewer = Annotated[Viewer, Depends(page_viewer)]
FormViewer = Annotated[tuple[Viewer, Form], Depends(form_viewer)]
