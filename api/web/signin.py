"""Sign-in and sign-out: a name and a password give a session cookie.

The form posts to itself. A sign-in from another site is refused by its Origin (the browser
sends it with every cross-site post); the session cookie is HttpOnly and SameSite=Lax, and
Secure whenever the page was served over https.
"""

import math
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import get_runtime
from api.bootstrap import Runtime
from api.web.sessions import COOKIE
from api.web.templating import render, set_session_cookie
from api.web.viewer import FormViewer, parse_form, viewer_of

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def safe_next(value: str | None) -> str:
    """Only a path on this site: never `//evil.example` or `https://…`."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def same_origin(request: Request) -> bool:
    """Browsers name the page a post came from; a client that names none (curl) is not a browser
    another site could have steered. Behind a TLS proxy the scheme is the proxy's
    (X-Forwarded-Proto, from DESKSTREAM_FORWARDED_ALLOW_IPS)."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return False
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.url.scheme}://{request.url.netloc}"


@router.get("/signin")
def signin_page(request: Request, runtime: RuntimeDep, next: str | None = None) -> Response:
    if viewer_of(request, runtime) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "signin.html", {"next": safe_next(next), "error": None, "name": ""})


@router.post("/signin")
async def sign_in(request: Request, runtime: RuntimeDep) -> Response:
    form = parse_form(await request.body())
    name = next(iter(form.get("name", [])), "").strip()
    password = next(iter(form.get("password", [])), "")
    back_to = safe_next(next(iter(form.get("next", [])), None))
    address = request.client.host if request.client else "-"
    throttle = request.app.state.throttle
    context = {"next": back_to, "name": name}
    if not same_origin(request):
        return render(request, "signin.html", {**context, "error": ("signin.forged", {})}, 403)
    wait = throttle.wait_for(address)
    if wait > 0:
        error = ("signin.throttled", {"seconds": math.ceil(wait)})
        response = render(request, "signin.html", {**context, "error": error}, 429)
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    user = await to_thread.run_sync(runtime.helpdesk.check_password, name, password)
    if user is None:
        throttle.failed(address)
        return render(request, "signin.html", {**context, "error": ("signin.wrong", {})}, 401)
    throttle.succeeded(address)
    assert runtime.sessions is not None
    cookie = await to_thread.run_sync(runtime.sessions.start, user)
    response = RedirectResponse(back_to, status_code=303)
    set_session_cookie(request, response, cookie, runtime.settings.session_idle_minutes * 60)
    return response


@router.post("/signout")
async def sign_out(request: Request, runtime: RuntimeDep, posted: FormViewer) -> Response:
    viewer, _ = posted
    assert runtime.sessions is not None
    await to_thread.run_sync(runtime.sessions.end, viewer.session)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
