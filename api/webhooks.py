"""Provider webhooks straight on ASGI, ahead of the framework's routing and middleware.

Webhooks are the busiest path (every customer message on every channel arrives this way) and the
one whose latency providers punish: Telegram and WhatsApp retry, and back off, when an answer is
slow. Their handling needs none of the framework (no bearer token, no body model: the adapter
verifies and parses the raw bytes), yet routing a request through ~100 routes and the middleware
stack cost more CPU than storing the message. The routes in `api.routes.ingest` declare the same
operations for the OpenAPI document (and answer the same way, through the same `receive`); in the
application `create_app` builds, these paths are answered here first.
"""

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from anyio import CapacityLimiter, to_thread

from api.guard import BodyTooLarge, read_body
from ingest import registry
from ingest.service import Outcome

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Asgi = Callable[[Scope, Receive, Send], Awaitable[None]]

PATH = re.compile(
    r"/api/v1/ingest/(" + "|".join(re.escape(k.kind) for k in registry.with_webhook()) + r")/([^/]+)"
)
"""Every registered kind with a webhook (`ingest.registry`)."""
WRITERS = 2
"""Threads storing webhook messages. SQLite takes one writer at a time anyway; more threads only
fight over the interpreter and the write lock, which cost a third of the time at 40 threads."""


class Webhooks:
    def __init__(self, app: Asgi, service: Callable[[], Any], max_body: int) -> None:
        self.app = app
        self.service = service
        self.max_body = max_body
        self._writers: CapacityLimiter | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = PATH.fullmatch(scope["path"]) if scope["type"] == "http" else None
        service = self.service() if match and scope["method"] == "POST" else None
        if service is None or match is None:
            await self.app(scope, receive, send)
            return
        try:
            body = await read_body(receive, self.max_body)
        except BodyTooLarge as exc:
            await answer(send, Outcome(413, {"error": exc.code, "detail": exc.detail}))
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        kind, channel = match.groups()
        if self._writers is None:
            self._writers = CapacityLimiter(WRITERS)
        outcome = await to_thread.run_sync(
            service.receive, kind, channel, body, headers, limiter=self._writers
        )
        await answer(send, outcome)


async def answer(send: Send, outcome: Outcome) -> None:
    if outcome.text is not None and outcome.status < 400:
        body, kind = outcome.text.encode(), b"text/plain; charset=utf-8"
    else:
        body = json.dumps(outcome.body, ensure_ascii=False, separators=(",", ":")).encode()
        kind = b"application/json"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": outcome.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
