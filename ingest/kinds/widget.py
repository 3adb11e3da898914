"""The in-app chat widget: our own JSON, authenticated by the channel's public key.

Body: {"visitor_id", "name"?, "message_id", "text", "sent_at"? (ISO 8601 or unix seconds)};
header `X-Widget-Key: <public_key>`. The key only tells channels apart: it ships in the app. With an
`identity_secret` on the channel, `X-Widget-Visitor-Signature` (hex HMAC-SHA256 of the visitor id,
made by the app's backend) must match too, so nobody holding the key can write as a signed-in visitor.
Operators' replies are not sent anywhere: the widget pulls them (`ingest/widget_conversation.py`).
The widget itself is `api/web/static/widget.js`; `allowed_origins` (comma-separated, any if unset)
names the sites a browser may use it from (`api/widget_cors.py`).
"""

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime

from application.intake import Inbound
from domain.channel import Channel
from ingest.channel_kind import PulledReplies, Webhook, register
from ingest.contract import (
    BadSignature,
    Malformed,
    Parsed,
    header,
    iso_time,
    load_json,
    obj,
    text_of,
    unix_time,
)

KIND = "widget"


@register
class WidgetAdapter(PulledReplies):
    kind = KIND
    required_settings = ("public_key",)
    reports_statuses = False
    forged_status = 401
    acknowledgement = None
    webhook = Webhook("The in-app chat widget; checks X-Widget-Key.")

    def verify(self, channel: Channel, body: bytes, headers: Mapping[str, str]) -> None:
        if not hmac.compare_digest(
            header(headers, "X-Widget-Key").encode(), channel.setting("public_key").encode()
        ):
            raise BadSignature("X-Widget-Key is missing or wrong.")
        secret = channel.setting("identity_secret")
        visitor = readable_visitor(body) if secret else None
        if visitor is not None:
            check_visitor_signature(secret, visitor, header(headers, "X-Widget-Visitor-Signature"))

    def parse(self, channel: Channel, body: bytes) -> Parsed:
        payload = obj(load_json(body), "The message")
        visitor = text_of(payload.get("visitor_id"), "visitor_id").strip()
        text = text_of(payload.get("text"), "text")
        message_id = text_of(payload.get("message_id"), "message_id").strip()
        if not visitor or not message_id or not text.strip() or len(visitor) > 200 or len(message_id) > 200:
            raise Malformed("visitor_id, message_id and text are required (ids up to 200 characters).")
        return Parsed(
            messages=[
                Inbound(
                    channel=channel.name,
                    kind=KIND,
                    handle=visitor,
                    name=text_of(payload.get("name"), "name", required=False)[:200],
                    thread=visitor,
                    external_id=scoped(visitor, message_id),
                    text=text,
                    occurred_at=sent_at(payload.get("sent_at")),
                )
            ]
        )


def scoped(visitor: str, message_id: str) -> str:
    """Widgets number messages per visitor ("1", "2"…), so the id is unique only with the visitor's:
    unscoped, a second visitor's "1" was taken for a retry of the first's and dropped."""
    return f"{visitor}:{message_id}"


def widget_message_id(visitor: str, external_id: str | None) -> str | None:
    """The id as the widget sent it (messages stored before ids were scoped have no prefix)."""
    return external_id.removeprefix(f"{visitor}:") if external_id is not None else None


def readable_visitor(body: bytes) -> str | None:
    """The visitor id as parse() will read it; None when it cannot, and parse() then refuses the body."""
    try:
        payload = load_json(body)
    except Malformed:
        return None
    visitor = payload.get("visitor_id") if isinstance(payload, dict) else None
    return visitor.strip() if isinstance(visitor, str) else None


def visitor_signature(secret: str, visitor_id: str) -> str:
    """What the app's backend sends as `X-Widget-Visitor-Signature` for a signed-in visitor."""
    return hmac.new(secret.encode(), visitor_id.encode(), hashlib.sha256).hexdigest()


def check_visitor_signature(secret: str, visitor_id: str, signature: str) -> None:
    expected = visitor_signature(secret, visitor_id)
    if not hmac.compare_digest(signature.strip().lower().encode(), expected.encode()):
        raise BadSignature("X-Widget-Visitor-Signature is missing or wrong.")


def sent_at(value: object) -> datetime:
    if value is None:
        return datetime.max.replace(tzinfo=UTC)  # "now": intake caps times at the server clock
    if isinstance(value, str):
        return iso_time(value, "sent_at", "ISO 8601 or unix seconds")
    return unix_time(value, "sent_at")
