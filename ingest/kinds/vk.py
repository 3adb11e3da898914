"""VK Callback API adapter: message_new and wall_reply_new in; messages.send / wall.createComment out.

Payloads: https://dev.vk.com/ru/api/callback/getting-started (a `confirmation` handshake answered
with the community's string; every other event carries `secret`, `group_id`, `event_id`, `object`)
and https://dev.vk.com/ru/api/community-events/json-schema (message_new, wall_reply_new).
Replies: https://dev.vk.com/ru/method/messages.send, https://dev.vk.com/ru/method/wall.createComment
"""

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from application.intake import Inbound
from domain.channel import Channel
from ingest.channel_kind import HttpReplies, Replies, Webhook, register
from ingest.contract import (
    BadSignature,
    DeliveryError,
    Malformed,
    Outgoing,
    Parsed,
    ReplyAddress,
    int_of,
    load_json,
    obj,
    text_of,
    unix_time,
)

KIND = "vk"
DEFAULT_API = "https://api.vk.com/method"
API_VERSION = "5.199"
TRANSIENT = {1, 6, 9, 10}  # unknown, too many requests, flood control, internal server error


@register
class VkAdapter(HttpReplies):
    kind = KIND
    required_settings = ("confirmation", "secret")
    replies = Replies.PUSHED
    reports_statuses = False
    forged_status = 403
    acknowledgement = "ok"  # VK wants the plain string "ok" back, or it retries the event
    secret_body_fields = ("secret",)  # VK signs nothing: the shared secret travels in the body
    webhook = Webhook(
        "VK Callback API: confirmation handshake, message_new, wall_reply_new; checks `secret`."
    )

    def verify(self, channel: Channel, body: bytes, headers: Mapping[str, str]) -> None:
        """VK signs nothing: the shared `secret` is inside the body, so it is read first."""
        try:
            event = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise BadSignature("The body is not JSON, so it carries no secret.") from None
        if not isinstance(event, dict):
            raise BadSignature("The body carries no secret.")
        group = channel.setting("group_id")
        if group and str(event.get("group_id")) != group:
            raise BadSignature("The event is for another community.")
        if event.get("type") == "confirmation" and group:
            return
        given = event.get("secret")
        if not isinstance(given, str) or not hmac.compare_digest(
            given.encode(), channel.setting("secret").encode()
        ):
            raise BadSignature("The secret is missing or wrong.")

    def parse(self, channel: Channel, body: bytes) -> Parsed:
        event = obj(load_json(body), "The event")
        kind = text_of(event.get("type"), "type")
        if kind == "confirmation":
            return Parsed(answer=channel.setting("confirmation"))
        payload = obj(event.get("object"), "object")
        if kind == "message_new":
            return Parsed(messages=[self.message(channel, obj(payload.get("message", payload), "message"))])
        if kind == "wall_reply_new":
            return Parsed(messages=[self.comment(channel, payload)])
        return Parsed(unsupported=f"VK event {kind!r} is not handled.")

    def message(self, channel: Channel, message: dict[str, Any]) -> Inbound | None:
        peer_id = int_of(message.get("peer_id"), "message.peer_id")
        number = message.get("conversation_message_id", message.get("id"))
        attachments = attachments_of(message.get("attachments", []))
        text = text_or_placeholder(message.get("text"), attachments)
        return Inbound(
            channel=channel.name,
            kind=KIND,
            handle=str(int_of(message.get("from_id"), "message.from_id")),
            name="",
            thread=f"dialog:{peer_id}",
            external_id=f"msg:{peer_id}:{int_of(number, 'message.conversation_message_id')}",
            text=text,
            occurred_at=unix_time(message.get("date"), "message.date"),
            attachments=attachments,
        )

    def comment(self, channel: Channel, comment: dict[str, Any]) -> Inbound:
        owner = int_of(comment.get("post_owner_id", comment.get("owner_id")), "post_owner_id")
        post = int_of(comment.get("post_id"), "post_id")
        comment_id = int_of(comment.get("id"), "id")
        author = int_of(comment.get("from_id"), "from_id")
        attachments = attachments_of(comment.get("attachments", []))
        return Inbound(
            channel=channel.name,
            kind=KIND,
            handle=str(author),
            name="",
            thread=f"wall:{owner}_{post}:{author}",
            external_id=f"wall:{owner}_{post}:{comment_id}",
            text=text_or_placeholder(comment.get("text"), attachments),
            occurred_at=unix_time(comment.get("date"), "date"),
            subject=f"Comment under post {owner}_{post}",
            attachments=attachments,
        )

    def request(self, channel: Channel, address: ReplyAddress, text: str, reply_key: str) -> Outgoing:
        base = channel.setting("api_base", DEFAULT_API).rstrip("/")
        common = {"access_token": channel.setting("access_token"), "v": API_VERSION, "message": text}
        last = address.external_ids[-1] if address.external_ids else f"msg:{address.handle}:0"
        if last.startswith("wall:"):
            post, comment_id = last.removeprefix("wall:").split(":")
            owner, post_id = post.rsplit("_", 1)
            form = {
                **common,
                "owner_id": owner,
                "post_id": post_id,
                "reply_to_comment": comment_id,
                "from_group": channel.setting("group_id") or owner.lstrip("-"),
                "guid": reply_key,
            }
            return Outgoing(url=f"{base}/wall.createComment", form=form)
        peer_id = last.split(":")[1]
        form = {**common, "peer_id": peer_id, "random_id": str(random_id(reply_key))}
        return Outgoing(url=f"{base}/messages.send", form=form)

    def delivered(self, status: int, body: bytes) -> str | None:
        try:
            answer = json.loads(body)
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or status >= 500:
            raise DeliveryError(f"vk {status}: {body[:200].decode(errors='replace')}", permanent=False)
        if "response" in answer:
            result = answer["response"]
            return str(result.get("comment_id") if isinstance(result, dict) else result)
        error = answer.get("error") or {}
        code = error.get("error_code", 0) if isinstance(error, dict) else 0
        message = error.get("error_msg", "") if isinstance(error, dict) else str(error)
        raise DeliveryError(f"vk {code}: {message}", permanent=code not in TRANSIENT)


def random_id(reply_key: str) -> int:
    """Deterministic per reply, so VK itself drops a resend of the same reply."""
    return int.from_bytes(hashlib.sha256(reply_key.encode()).digest()[:4], "big") & 0x7FFFFFFF


def text_or_placeholder(value: Any, attachments: list[dict[str, Any]]) -> str:
    text = text_of(value, "text", required=False)
    if not text.strip():
        text = " ".join(f"[{a['kind']}{': ' + a['name'] if a.get('name') else ''}]" for a in attachments)
    if not text.strip():
        raise Malformed("The message has neither text nor attachments.")
    return text


def attachments_of(items: Any) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        raise Malformed("attachments must be a list.")
    found = []
    for item in items:
        item = obj(item, "attachments[]")
        kind = text_of(item.get("type"), "attachments[].type")
        media = item.get(kind)
        media = media if isinstance(media, dict) else {}
        found.append(
            {
                "kind": kind,
                "id": f"{media.get('owner_id', '')}_{media.get('id', '')}",
                "name": media.get("title") if isinstance(media.get("title"), str) else None,
                "mime_type": None,
                "size": media.get("size") if isinstance(media.get("size"), int) else None,
            }
        )
    return found
