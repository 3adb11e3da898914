"""Mentions from media-monitoring tools and review/map aggregators, as HMAC-signed JSON.

Body: one mention or {"mentions": [...]}, each {"id"?, "source", "url", "author", "text",
"published_at" (ISO 8601), "rating"?, "place"?}; header `X-Signature-256: sha256=<hex>` is the
HMAC-SHA256 of the raw body with the channel's secret (the scheme GitHub and Meta use).
Mentions do not open tickets: they wait in the moderation queue for triage.
"""

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from domain.channel import Channel
from ingest.channel_kind import NoReplies, Webhook, register
from ingest.contract import (
    BadSignature,
    Malformed,
    MentionIn,
    Parsed,
    header,
    iso_time,
    load_json,
    obj,
    text_of,
)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@register
class MentionsAdapter(NoReplies):
    kind = "mentions"
    required_settings = ("secret",)
    no_replies = "mentions are answered on the site where they were published (then marked answered_on_site)."
    reports_statuses = False
    forged_status = 401
    acknowledgement = None
    webhook = Webhook("Mentions from monitoring tools and review aggregators; checks X-Signature-256 (HMAC).")

    def verify(self, channel: Channel, body: bytes, headers: Mapping[str, str]) -> None:
        given = header(headers, "X-Signature-256").encode()
        if not hmac.compare_digest(given, signature(channel.setting("secret"), body).encode()):
            raise BadSignature("X-Signature-256 is missing or does not match the body.")

    def parse(self, channel: Channel, body: bytes) -> Parsed:
        return Parsed(mentions=self.parse_mentions(body))

    def parse_mentions(self, body: bytes) -> list[MentionIn]:
        payload = load_json(body)
        items = payload.get("mentions") if isinstance(payload, dict) and "mentions" in payload else [payload]
        if not isinstance(items, list) or not items or len(items) > 500:
            raise Malformed("mentions must be a non-empty list of at most 500.")
        return [mention(obj(item, "mention")) for item in items]


def mention(item: dict[str, Any]) -> MentionIn:
    fields: dict[str, Any] = {}
    for key, limit in (("source", 100), ("url", 2000), ("author", 300), ("text", 100_000)):
        value = text_of(item.get(key), key).strip()
        if not value or len(value) > limit:
            raise Malformed(f"{key} is required, up to {limit} characters.")
        fields[key] = value
    fields["published_at"] = published(item.get("published_at"))
    rating = item.get("rating")
    if rating is not None and (isinstance(rating, bool) or not isinstance(rating, int | float)):
        raise Malformed("rating must be a number.")
    fields["rating"] = float(rating) if rating is not None else None
    place = text_of(item.get("place"), "place", required=False).strip()
    fields["place"] = place[:300] or None
    external_id = text_of(item.get("id"), "id", required=False).strip() or fields["url"]
    return MentionIn(f"{fields['source']}:{external_id}"[:2500], fields)


def published(value: Any) -> datetime:
    return iso_time(text_of(value, "published_at"), "published_at")
