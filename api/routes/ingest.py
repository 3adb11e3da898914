"""Provider webhooks (authenticated by each provider's secret or signature, not by bearer tokens),
the dead-letter store and the raw mail kept by the SMTP intake (admin).

The webhook operations are made from the registered channel kinds: `POST /ingest/<kind>/{channel}`
for every kind with a `webhook`, and `GET` beside it for a kind whose provider verifies the URL
first. Each is named after its kind, so its operation id and summary stay what they were.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi import Path as FastPath
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth import CurrentUser, RuntimeDep, require
from api.choices import one_of
from api.errors import ApiError
from api.public import DeadLettersPublic, RawMailsPublic
from application.thread_history import ITEM_KINDS
from domain.values import Role
from ingest import registry
from ingest.channel_kind import ChannelKind, Webhook
from ingest.contract import BadSignature
from ingest.kinds.widget import KIND as WIDGET
from ingest.runtime import IngestRuntime
from ingest.service import Outcome
from ingest.widget_conversation import pull

router = APIRouter(prefix="/ingest", tags=["ingest"])
MAX_BODY = 1_000_000
ADMINS = (Role.ADMIN,)


class RetryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str | None = Field(default=None, max_length=MAX_BODY, description="A corrected payload to use")


class WidgetItemPublic(BaseModel):
    id: str = Field(description="<ticket id>:<version>")
    ticket_id: str
    kind: one_of(ITEM_KINDS)
    text: str
    sent_at: str = Field(description="When it happened (ISO 8601)")
    author: str | None = Field(description="null for the visitor, else the operator")
    message_id: str | None = Field(description="The widget's own message_id (visitor messages)")


class WidgetMessagesPublic(BaseModel):
    data: list[WidgetItemPublic]
    count: int
    cursor: str = Field(description="Pass as `after` to get only what is newer")
    first: str | None = Field(description="Pass as `before` to scroll back past this page")
    more: bool = Field(description="Polling: newer items than this page exist; ask again with `cursor`")
    earlier: bool = Field(description="Opening or scrolling back: there are older items than this page")


def ingest_of(runtime: Any) -> IngestRuntime:
    if runtime.ingest is None:
        raise ApiError(404, "not_found", "Channel intake is not enabled.")
    return runtime.ingest  # type: ignore[no-any-return]


async def receive(kind: str, channel: str, request: Request, runtime: Any) -> Response:
    body = await request.body()
    service = ingest_of(runtime).service
    outcome = await run_in_threadpool(service.receive, kind, channel, body, dict(request.headers))
    return respond(outcome)


def respond(outcome: Outcome) -> Response:
    if outcome.text is not None and outcome.status < 400:
        return PlainTextResponse(outcome.text, status_code=outcome.status)
    return JSONResponse(outcome.body, status_code=outcome.status)


def webhook(kind: str) -> Callable[[str, Request, Any], Awaitable[Response]]:
    async def endpoint(channel: str, request: Request, runtime: RuntimeDep) -> Response:
        return await receive(kind, channel, request, runtime)

    return endpoint


def challenge(kind: ChannelKind) -> Callable[..., Response]:
    def endpoint(
        channel: str,
        runtime: RuntimeDep,
        mode: Annotated[str | None, Query(alias="hub.mode")] = None,
        token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
        value: Annotated[str | None, Query(alias="hub.challenge", max_length=500)] = None,
    ) -> Response:
        try:
            config = ingest_of(runtime).service.channel(channel, kind.kind)
            return PlainTextResponse(kind.challenge(config, mode, token, value))
        except BadSignature as exc:
            raise ApiError(kind.forged_status, "bad_signature", str(exc)) from None
        except LookupError as exc:
            raise ApiError(404, "channel_not_found", str(exc)) from None

    return endpoint


def add_webhooks(kind: ChannelKind, hook: Webhook) -> None:
    """The kind's operations, named as they were when written by hand (`telegram`, `whatsapp_verify`),
    so their operation ids and summaries stay the same."""
    path = f"/{kind.kind}/{{channel}}"
    if hook.challenge_doc is not None:
        name, doc = f"{kind.kind}_verify", hook.challenge_doc
        router.add_api_route(path, challenge(kind), methods=["GET"], name=name, description=doc)
    router.add_api_route(path, webhook(kind.kind), methods=["POST"], name=kind.kind, description=hook.doc)


for _kind in registry.kinds():
    if _kind.webhook is not None:
        add_webhooks(_kind, _kind.webhook)


@router.get(f"/{WIDGET}/{{channel}}/messages", response_model=WidgetMessagesPublic)
def widget_messages(
    channel: str,
    runtime: RuntimeDep,
    visitor_id: Annotated[str, Query(max_length=1000)],
    after: Annotated[str | None, Query(max_length=100, description="Poll: a `cursor` from an answer")] = None,
    before: Annotated[str | None, Query(max_length=100, description="Scroll back: a page's `first`")] = None,
    x_widget_key: Annotated[str, Header()] = "",
    x_widget_visitor_signature: Annotated[str, Header(description="With identity_secret")] = "",
    limit: Annotated[int, Query(ge=1, le=500, description="Items per answer")] = 100,
) -> Response:
    """The visitor's conversation, oldest first: their messages and operators' replies (polled).
    Without cursors, the newest `limit` items; `after` gives the next `limit` newer than a cursor,
    `before` the `limit` just older than a page's `first`."""
    service = ingest_of(runtime).service
    signature = x_widget_visitor_signature
    return respond(pull(service, channel, visitor_id, (after, before), x_widget_key, signature, limit))


@router.get("/dead-letters", response_model=DeadLettersPublic)
def dead_letters(
    runtime: RuntimeDep,
    user: CurrentUser,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
) -> dict[str, Any]:
    """Payloads kept because they could not be (or are not) handled, oldest first."""
    require(user, ADMINS, "read dead letters")
    letters, count = ingest_of(runtime).dead_letters.list(status, limit, offset)
    return {"data": [letter.public() for letter in letters], "count": count}


@router.post("/dead-letters/{letter_id}/retry")
def retry(letter_id: str, runtime: RuntimeDep, user: CurrentUser, body: RetryIn | None = None) -> Response:
    """Run a dead letter through intake again, optionally with a corrected body."""
    require(user, ADMINS, "retry dead letters")
    replacement = body.body.encode() if body and body.body is not None else None
    outcome = ingest_of(runtime).service.retry(letter_id, replacement)
    if outcome is None:
        raise ApiError(404, "not_found", f"There is no dead letter {letter_id}.")
    return JSONResponse(outcome.body or {"status": "ok"}, status_code=outcome.status)


@router.get("/raw-mail", response_model=RawMailsPublic)
def raw_mails(
    runtime: RuntimeDep,
    user: CurrentUser,
    message_id: Annotated[str, Query(min_length=1, max_length=1000, description="e.g. <q1@example.ru>")],
) -> dict[str, Any]:
    """The mails kept as they came over SMTP under a Message-ID (a ticket event's external id)."""
    require(user, ADMINS, "read raw mail")
    found = ingest_of(runtime).raw_mail.with_message_id(message_id)
    return {"data": [mail.public() for mail in found], "count": len(found)}


@router.get(
    "/raw-mail/{raw_id}", responses={200: {"content": {"message/rfc822": {}}, "description": "The mail"}}
)
def raw_mail(
    raw_id: Annotated[str, FastPath(max_length=64)], runtime: RuntimeDep, user: CurrentUser
) -> Response:
    """One mail byte for byte, as our SMTP server took it (with its Return-Path on top)."""
    require(user, ADMINS, "read raw mail")
    body = ingest_of(runtime).raw_mail.body(raw_id)
    if body is None:
        raise ApiError(404, "not_found", f"There is no raw mail {raw_id}.")
    disposition = f'attachment; filename="{raw_id}.eml"'
    return Response(body, media_type="message/rfc822", headers={"Content-Disposition": disposition})
