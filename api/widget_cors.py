"""CORS for the widget's two routes: the widget runs on the product's own site, another origin.

`POST /api/v1/ingest/widget/{channel}` and `GET …/{channel}/messages` answer a browser's preflight
(OPTIONS) here, and their answers carry `Access-Control-Allow-Origin` when the page's Origin may
use the channel: the channel's `allowed_origins` setting, comma-separated origins
(`https://shop.example,https://m.shop.example`), or any origin (`*`) when it is unset, empty or `*`.

Any by default, because the origin authenticates nothing here: the public key ships in the
product's page, a script outside a browser sends whatever Origin it likes, and these routes use no
cookies (no `Allow-Credentials`), so `*` lends no session to anyone. The visitor id, or its
signature, is what keeps one visitor from another. A product sets the list so that other sites
cannot embed its chat (and fill the queue from their visitors' browsers). A request from an origin
not on the list is not refused by the server (the browser already withholds the answer, and the
POST's custom header means the browser asks first); the preflight is refused, so it is never sent.

This layer sits outside the others and only adds headers, so the webhook fast path and the
body-size guard still see every request but the preflight, which has no body. Other paths, and
requests without an Origin header (servers, curl), pass untouched and cost no channel lookup.
"""

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from anyio import to_thread

from api.guard import header
from domain.channel import Channel
from ingest.kinds.widget import KIND

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Asgi = Callable[[Scope, Receive, Send], Awaitable[None]]

PATH = re.compile(rf"/api/v1/ingest/{KIND}/([^/]+)(?:/messages)?")
SETTING = "allowed_origins"
ANY = "*"
PREFLIGHT = [
    (b"access-control-allow-methods", b"GET, POST"),
    (b"access-control-allow-headers", b"Content-Type, X-Widget-Key, X-Widget-Visitor-Signature"),
    (b"access-control-max-age", b"600"),
]


class WidgetCors:
    def __init__(self, app: Asgi, service: Callable[[], Any]) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = PATH.fullmatch(scope["path"]) if scope["type"] == "http" else None
        origin = header(scope, b"origin") if match else None
        service = self.service() if origin is not None else None
        if match is None or origin is None or service is None:
            await self.app(scope, receive, send)
            return
        channel = await to_thread.run_sync(service.configured, match.group(1))
        widget = channel if channel is not None and channel.kind == KIND else None
        allowed = allowed_origin(widget, origin)
        if scope["method"] == "OPTIONS" and header(scope, b"access-control-request-method"):
            await preflight(send, widget, allowed)
            return
        await self.app(scope, receive, with_cors(send, allowed))


def allowed_origin(channel: Channel | None, origin: str) -> str | None:
    """What `Access-Control-Allow-Origin` says for this page: `*`, its own origin, or nothing."""
    if channel is None:
        return None
    listed = {normal(part) for part in channel.setting(SETTING).split(",") if part.strip()}
    if not listed or ANY in listed:
        return ANY
    return origin if normal(origin) in listed else None


def normal(origin: str) -> str:
    """Origins compare without case and without a trailing slash, as an admin may type them."""
    return origin.strip().rstrip("/").lower()


def cors_headers(allowed: str | None) -> list[tuple[bytes, bytes]]:
    found = [(b"vary", b"Origin")]
    if allowed is not None:
        found.append((b"access-control-allow-origin", allowed.encode("latin-1")))
    return found


def with_cors(send: Send, allowed: str | None) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *cors_headers(allowed)]}
        await send(message)

    return sending


async def preflight(send: Send, channel: Channel | None, allowed: str | None) -> None:
    if channel is None:
        await refuse(send, 404, "channel_not_found", "There is no widget channel by this name.")
    elif allowed is None:
        detail = f"This channel's widget may not be used from this site (its {SETTING} setting)."
        await refuse(send, 403, "origin_not_allowed", detail)
    else:
        headers = [*cors_headers(allowed), *PREFLIGHT]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


async def refuse(send: Send, status: int, code: str, detail: str) -> None:
    body = json.dumps({"error": code, "detail": detail}).encode()
    headers = [*cors_headers(None), (b"content-type", b"application/json")]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
