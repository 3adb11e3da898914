"""The inbox: the queue as the API serves it (`GET /api/v1/tickets`), as a page."""

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.auth import READERS, get_runtime, require
from api.bootstrap import Runtime
from api.web.templating import render
from api.web.viewer import PageViewer
from projections.queue_store import QueueFilter

router = APIRouter(include_in_schema=False)
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
PAGE_SIZE = 50


@router.get("/inbox")
async def inbox(request: Request, runtime: RuntimeDep, viewer: PageViewer) -> Response:
    require(viewer.user, READERS, "read the queue")
    filters = QueueFilter(status=("open", "paused"))
    rows, count = await to_thread.run_sync(runtime.queue.query, filters, PAGE_SIZE, 0)
    return render(request, "inbox.html", {"rows": rows, "count": count})
