"""The Jinja2 environment and what every page is rendered with.

Templates hold loops and conditionals only: handlers pass them what the use cases and queries
returned, and the helpers here turn values into text (a catalogue string, a time in the viewer's
zone, a duration). Autoescaping is on for every template.
"""

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api.web.catalogue import choose_language, translate
from api.web.formatting import format_duration, format_time
from api.web.navigation import links_for
from api.web.sessions import COOKIE, Session

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
"""Pages load only their own assets (no inline script can run), and no other site may frame them."""


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static"] = static_url
    env.globals["nav_links"] = links_for
    return env


@cache
def static_url(name: str) -> str:
    """`/static/<name>?v=<hash of its bytes>`: browsers cache assets until they change."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]
    return f"/static/{name}?v={digest}"


def render(request: Request, template: str, context: Mapping[str, Any], status: int = 200) -> HTMLResponse:
    """A page or fragment, with the viewer's language, zone, session and the text helpers."""
    viewer = request.state.viewer if hasattr(request.state, "viewer") else None
    language = viewer.language if viewer else choose_language(None, request.headers.get("accept-language"))
    zone = viewer.zone if viewer else "UTC"
    now = datetime.now(UTC)
    helpers = {
        "t": lambda key, **params: translate(language, key, **params),
        "when": lambda at: format_time(at, language, zone, now),
        "took": lambda seconds: format_duration(seconds, language),
        "viewer": viewer,
        "language": language,
        "now": now,
        "request_path": request.url.path,
    }
    html = environment().get_template(template).render({**helpers, **context})
    response = HTMLResponse(html, status_code=status, headers=HEADERS)
    if viewer is not None:
        keep_fresh(request, response, viewer.session)
    return response


def keep_fresh(request: Request, response: Response, session: Session) -> None:
    """A page served to a session more than a minute after its cookie was set renews the
    cookie, so the idle expiry counts from the last page, not from the sign-in."""
    runtime = request.app.state.runtime
    fresh = runtime.sessions.refreshed(request.cookies.get(COOKIE, ""), session)
    if fresh:
        set_session_cookie(request, response, fresh, runtime.settings.session_idle_minutes * 60)


def set_session_cookie(request: Request, response: Response, value: str, max_age: int) -> None:
    response.set_cookie(
        COOKIE,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
