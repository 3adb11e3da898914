"""The web workspace: server-rendered pages over the same use cases and queries as the API.

`install` adds the pages, the static assets and the page-side error handling to the app the
API runs in. Pages live in one module each (`inbox`, `ticket_page`, …); every page handler takes
a `PageViewer` or `FormViewer`, calls a use case or a query, and renders a template.
"""

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from api.web import (
    explain_page,
    history_page,
    inbox,
    invite,
    live,
    mentions_page,
    policy_page,
    preferences,
    qa_page,
    qa_review_page,
    search_page,
    signin,
    staffing_page,
    ticket_page,
    widget_demo,
)
from api.web.navigation import home_of
from api.web.pages_errors import install_errors
from api.web.templating import STATIC
from api.web.throttle import SignInThrottle
from api.web.viewer import PageViewer

PAGE_MODULES = (
    signin, invite, preferences, inbox, live, mentions_page, search_page, ticket_page, widget_demo,
    qa_page, qa_review_page, history_page, staffing_page,
)  # fmt: skip
PAGE_MODULES += (explain_page, policy_page)


def install(app: FastAPI) -> None:
    app.state.throttle = SignInThrottle()
    for module in PAGE_MODULES:
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_errors(app)

    @app.get("/", include_in_schema=False)
    def home(viewer: PageViewer) -> RedirectResponse:
        """The first page of the viewer's top bar: the inbox, or /qa for a QA reviewer."""
        return RedirectResponse(home_of(viewer.role), status_code=303)
