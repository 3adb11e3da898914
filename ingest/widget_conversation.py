"""The widget pulls operators' replies: it is our own client, so nothing is pushed to it (no outbox job).

`GET /api/v1/ingest/widget/{channel}/messages?visitor_id=…&after=<cursor>` with `X-Widget-Key`.
The key ships inside the app, so it only names the channel; the visitor id is what keeps one
visitor from reading another's conversation. With an `identity_secret` setting the app's backend
signs the id (`X-Widget-Visitor-Signature` = hex HMAC-SHA256(identity_secret, visitor_id), as in
Intercom's and Crisp's identity verification); without one the id itself must be an unguessable
random string, so short ones are refused.
"""

import base64
import binascii
import re
from typing import Any

from application.thread_history import ThreadItem, thread_history
from domain.customer import identities
from ingest import registry
from ingest.contract import BadSignature, Malformed
from ingest.kinds.widget import KIND, check_visitor_signature, widget_message_id
from ingest.service import IngestService, Outcome, UnknownChannel

MIN_VISITOR_ID = 16
MAX_VISITOR_ID = 200
CURSOR = re.compile(r"p(0|[1-9][0-9]{0,18})")


def pull(
    service: IngestService,
    name: str,
    visitor_id: str,
    cursors: tuple[str | None, str | None],
    key: str,
    signature: str,
    limit: int = 100,
) -> Outcome:
    """A page of the visitor's messages and operators' replies on this channel. `cursors` is
    (after, before): polling after a cursor gives the first `limit` newer items (`more`: poll again
    at once); scrolling back before one, or opening the chat with neither, the last `limit` older
    ones (`earlier`: there are older still)."""
    visitor_id = visitor_id.strip()  # as the widget's POST stores it
    try:
        config = service.channel(name, KIND)
    except UnknownChannel as exc:
        return Outcome(404, {"error": "channel_not_found", "detail": str(exc)})
    try:
        registry.kind_of(KIND).verify(config, b"", {"X-Widget-Key": key})
        check_visitor(config.setting("identity_secret"), visitor_id, signature)
        after, before = window(*cursors)
    except BadSignature as exc:
        return Outcome(401, {"error": "bad_signature", "detail": str(exc)})
    except Malformed as exc:
        return Outcome(400, {"error": "invalid_request", "detail": str(exc)})
    items = thread_history(service.helpdesk, config.name, visitor_id, identities(KIND, visitor_id), after)
    if before is not None:
        items = [item for item in items if item.position < before]
    polling = cursors[0] is not None
    page = items[:limit] if polling else items[-limit:]
    body = {
        "data": [public(item, visitor_id) for item in page],
        "count": len(page),
        "cursor": encode_cursor(max([after, *(item.position for item in page)])),
        "first": encode_cursor(page[0].position) if page else None,
        "more": polling and len(items) > limit,
        "earlier": not polling and len(items) > limit,
    }
    return Outcome(200, body)


def window(after: str | None, before: str | None) -> tuple[int, int | None]:
    if after is not None and before is not None:
        raise Malformed("Give after (to poll) or before (to scroll back), not both.")
    return decode_cursor(after), None if before is None else decode_cursor(before)


def check_visitor(secret: str, visitor_id: str, signature: str) -> None:
    if not visitor_id.strip() or len(visitor_id) > MAX_VISITOR_ID:
        raise Malformed(f"visitor_id is required (up to {MAX_VISITOR_ID} characters).")
    if secret:
        check_visitor_signature(secret, visitor_id, signature)
    elif len(visitor_id) < MIN_VISITOR_ID:
        raise Malformed(
            f"visitor_id must be an unguessable random id of at least {MIN_VISITOR_ID} characters "
            "(or the channel needs an identity_secret and signed visitor ids)."
        )


def encode_cursor(position: int) -> str:
    """The log position of the last item returned, wrapped so clients treat it as a token: the same
    items always give the same cursor, and anything stored later has a higher position."""
    return base64.urlsafe_b64encode(f"p{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """Only the exact strings `encode_cursor` makes: lenient base64 would take many spellings of one."""
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        raw = ""
    found = CURSOR.fullmatch(raw)
    if found is None or encode_cursor(int(found.group(1))) != cursor:
        raise Malformed("after must be a cursor this endpoint returned.")
    return int(found.group(1))


def public(item: ThreadItem, visitor_id: str) -> dict[str, Any]:
    return {
        "id": f"{item.ticket_id}:{item.version}",
        "ticket_id": str(item.ticket_id),
        "kind": item.kind,
        "text": item.text,
        "sent_at": item.sent_at.isoformat(),
        "author": item.author,
        "message_id": widget_message_id(visitor_id, item.message_id),
    }
