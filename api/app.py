"""The FastAPI application: routers under /api/v1, OpenAPI at /docs, lifecycle of the runtime."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import errors, heap, openapi
from api.auth import gatekeeper
from api.bootstrap import Runtime
from api.guard import Guard
from api.routes import (
    channels,
    customers,
    explain,
    ingest,
    kb,
    mentions,
    qa,
    reports,
    search,
    sla_compare,
    sla_policies,
    snippets,
    tickets,
)
from api.web import workspace
from api.webhooks import Webhooks
from api.widget_cors import WidgetCors
from ingest.service import IngestService

DESCRIPTION = """Event-sourced omnichannel helpdesk core. Every change to a ticket is an immutable
event; the queue and reports are projections of the event log. Authenticate with
`Authorization: Bearer <token>` (create one with `deskstream token create`)."""


def create_app(runtime: Runtime) -> FastAPI:
    """The runtime is built by the caller, so tests and the CLI choose its settings and clock."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        runtime.start()
        try:
            async with heap.kept():
                yield
        finally:
            runtime.close()

    app = FastAPI(title="deskstream", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.runtime = runtime
    errors.install(app)
    openapi.install(app)
    max_body = runtime.settings.max_body_bytes
    app.add_middleware(Guard, authenticate=gatekeeper(runtime), max_body=max_body)

    def intake() -> IngestService | None:
        return runtime.ingest.service if runtime.ingest else None

    app.add_middleware(Webhooks, service=intake, max_body=max_body)
    app.add_middleware(WidgetCors, service=intake)  # outermost: it only adds headers
    routers = (
        tickets,
        customers,
        search,
        kb,
        snippets,
        channels,
        mentions,
        ingest,
        reports,
        sla_policies,
        qa,
        explain,
        sla_compare,
    )
    for module in routers:
        app.include_router(module.router, prefix="/api/v1")

    workspace.install(app)

    @app.get("/health", tags=["health"])
    def health() -> dict[str, object]:
        """Liveness for load balancers and compose: also says how far the views have read."""
        return {"status": "ok", "position": runtime.runner.position()}

    return app
