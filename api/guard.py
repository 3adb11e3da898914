"""The door every API request passes before the framework touches it: size, then identity.

FastAPI reads and parses a request's body before it resolves any dependency, so a bearer-token
dependency alone let an anonymous client make the server hold and parse any body it sent (one
300 MB POST took the process to 1 GB before its 401). Here the declared length is checked first,
then the token, and only then is the body read, never past the limit.

Provider webhooks (`/api/v1/ingest/<kind>/<channel>…`) authenticate with the provider's own
signature over the raw body, so they pass without a token but under the same size limit.
"""

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from api.errors import ApiError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Asgi = Callable[[Scope, Receive, Send], Awaitable[None]]
Authenticate = Callable[[str | None], Awaitable[object]]

API_PREFIX = "/api/v1/"
PROVIDER_PREFIX = "/api/v1/ingest/"
STAFF_INGEST = ("dead-letters", "raw-mail")


class BodyTooLarge(ApiError):
    def __init__(self, limit: int) -> None:
        super().__init__(413, "payload_too_large", f"The request body is over the limit of {limit} bytes.")


class Guard:
    def __init__(self, app: Asgi, authenticate: Authenticate, max_body: int) -> None:
        self.app, self.authenticate, self.max_body = app, authenticate, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            check_length(header(scope, b"content-length"), self.max_body)
            if needs_token(scope["path"]):
                user = await self.authenticate(header(scope, b"authorization"))
                scope.setdefault("state", {})["user"] = user
            body = await read_body(receive, self.max_body)
        except ApiError as exc:
            await refuse(send, exc)
            return
        await self.app(scope, replay(body, receive), send)


def needs_token(path: str) -> bool:
    """Everything under the API but provider webhooks; the dead letters and raw mail are for staff."""
    if not path.startswith(API_PREFIX):
        return False
    if not path.startswith(PROVIDER_PREFIX):
        return True
    return path.removeprefix(PROVIDER_PREFIX).split("/", 1)[0] in STAFF_INGEST


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def check_length(value: str | None, limit: int) -> None:
    if value is None:
        return
    text = value.strip()
    if not (text.isascii() and text.isdigit()):
        raise ApiError(400, "invalid_content_length", "Content-Length must be a number of bytes.")
    if int(text) > limit:
        raise BodyTooLarge(limit)


async def read_body(receive: Receive, limit: int) -> bytes:
    """Whole, up to the limit: a chunked body that runs past it is refused without being kept."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, once; then whatever the server says next (a disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


async def refuse(send: Send, exc: ApiError) -> None:
    body = json.dumps({"error": exc.code, "detail": exc.detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if exc.status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    if exc.status == 413:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": exc.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
