"""Try a widget channel: a stand-in for the product's own page with the widget embedded as the
product team embeds it (`static/widget.js`), so an admin sees the channel work end to end.

Admins only, as adding the channel is. Not for the public key's sake: that ships in the product's
page for anyone to read (`ingest/kinds/widget.py`). But the page writes real tickets into the queue
as a customer, and on a channel with an `identity_secret` it signs a visitor id, which only the
product's backend may do; the desk masks channel keys everywhere else (`GET /channels`) too.
"""

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.auth import get_runtime, require
from api.bootstrap import Runtime
from api.errors import ApiError
from api.routes.ingest import ingest_of
from api.web.templating import render
from api.web.viewer import PageViewer
from domain.channel import Channel
from domain.values import Role
from ingest.kinds.widget import KIND, visitor_signature
from ingest.service import UnknownChannel

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
ADMINS = (Role.ADMIN,)


@router.get("/widget-demo/{channel}")
async def widget_demo(channel: str, request: Request, runtime: RuntimeDep, viewer: PageViewer) -> Response:
    require(viewer.user, ADMINS, "try the widget")
    config = await to_thread.run_sync(widget_channel, runtime, channel)
    secret = config.setting("identity_secret")
    visitor = f"widget-demo-{viewer.name}" if secret else ""
    context = {
        "channel": config.name,
        "key": config.setting("public_key"),
        "origins": [o.strip() for o in config.setting("allowed_origins").split(",") if o.strip()],
        "visitor": visitor,
        "signature": visitor_signature(secret, visitor) if secret else "",
        "script_url": f"{str(request.base_url).rstrip('/')}/static/widget.js",
    }
    return render(request, "widget_demo.html", context)


def widget_channel(runtime: Runtime, name: str) -> Channel:
    """The channel as the widget's own routes read it."""
    try:
        return ingest_of(runtime).service.channel(name, KIND)
    except UnknownChannel as exc:
        raise ApiError(404, "not_found", str(exc)) from None
