"""How the workspace answers what went wrong: a page in the viewer's language, never JSON or a
traceback. A page that needs a session redirects to the sign-in form and comes back after it."""

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from api.web.templating import render
from api.web.viewer import ForgedForm, SignInRequired

FRAGMENT_HEADER = "x-fragment"
"""Sent by the page script when it fetches a fragment: errors then come as a fragment too."""


def install_errors(app: FastAPI) -> None:
    app.state.page_error = page_error

    @app.exception_handler(SignInRequired)
    async def sign_in_first(request: Request, exc: SignInRequired) -> Response:
        if request.method == "GET" and FRAGMENT_HEADER not in request.headers:
            return RedirectResponse(f"/signin?next={exc.back_to}", status_code=303)
        return page_error(request, 401, "signed_out", "")

    @app.exception_handler(ForgedForm)
    async def forged(request: Request, _: ForgedForm) -> Response:
        return page_error(request, 403, "forged_form", "")


def page_error(request: Request, status: int, code: str, detail: str) -> Response:
    template = "error_fragment.html" if FRAGMENT_HEADER in request.headers else "error.html"
    return render(request, template, {"status": status, "code": code, "detail": detail}, status)
