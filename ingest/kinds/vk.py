"""VK Callback API adapter: messages and wall comments in; messages.send / wall.createComment out.

Payloads: https://dev.vk.com/ru/api/callback/getting-started (a `confirmation` handshake answered
with the community's string; every other event carries `secret`, `group_id`, `event_id`, `object`)
and https://dev.vk.com/ru/api/community-events/json-schema (message_new, wall_reply_new,
wall_reply_edit). What a message says, whatever it carries, is read in `vk_content`. In a
multi-user chat (peer_id >= 2000000000) each message names its author; names come from the
payload's `profiles` when VK sends them, else from `users.get` (`vk_names`) where a channel opts in.
Every other event (our own replies, typing, joins, likes…) is answered `ok` and kept as a dead
letter "ignored: <type>", so VK stops retrying and an admin can see it.
Replies: https://dev.vk.com/ru/method/messages.send, https://dev.vk.com/ru/method/wall.createComment
"""

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from application.intake import Author, Inbound
from domain.channel import Channel
from ingest.channel_kind import HttpReplies, Replies, Webhook, register
from ingest.contract import (
    BadSignature,
    DeliveryError,
    Outgoing,
    Parsed,
    ReplyAddress,
    int_of,
    load_json,
    obj,
    text_of,
    unix_time,
)
from ingest.kinds.vk_content import comment_content, message_content
from ingest.kinds.vk_names import UserNames, enabled, full_name
from ingest.placeholders import EDITED, ignored

KIND = "vk"
DEFAULT_API = "https://api.vk.com/method"
API_VERSION = "5.199"
TRANSIENT = {1, 6, 9, 10}  # unknown, too many requests, flood control, internal server error
CHAT_PEERS = 2_000_000_000  # a multi-user chat's peer_id is 2000000000 + chat_id
MAX_EVENT_ID = 128  # VK's are 40 hex digits; a longer one keys its dead letter by the body's hash


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
        "VK Callback API: confirmation handshake; message_new, wall_reply_new and wall_reply_edit "
        "become ticket messages, other events are answered ok and kept as dead letters; checks `secret`."
    )
    user_names = UserNames()

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

    def dead_letter_key(self, body: bytes) -> str | None:
        """VK resends an event it got no `ok` for with the same `event_id`."""
        try:
            event = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None
        found = event.get("event_id") if isinstance(event, dict) else None
        return f"event:{found}" if isinstance(found, str) and 0 < len(found) <= MAX_EVENT_ID else None

    def parse(self, channel: Channel, body: bytes) -> Parsed:
        event = obj(load_json(body), "The event")
        kind = text_of(event.get("type"), "type")
        if kind == "confirmation":
            return Parsed(answer=channel.setting("confirmation"))
        if kind not in ("message_new", "wall_reply_new", "wall_reply_edit"):
            return Parsed(unsupported=ignored(kind))  # our own replies, typing, joins, likes…
        payload = obj(event.get("object"), "object")
        if kind == "message_new":
            return self.message_event(channel, payload)
        return self.comment_event(channel, payload, kind, event.get("event_id"))

    def message_event(self, channel: Channel, payload: dict[str, Any]) -> Parsed:
        """Since API 5.103 the object is {message, client_info}; before, the message itself.
        A chat's service messages (someone invited, the title changed) carry `action`."""
        message = obj(payload.get("message", payload), "message")
        action = message.get("action")
        if action is not None:
            return Parsed(unsupported=ignored(text_of(obj(action, "action").get("type"), "action.type")))
        found = self.message(channel, message, profile_names(payload))
        return (
            Parsed(messages=[found]) if found else Parsed(unsupported=ignored("message_new with no content"))
        )

    def message(self, channel: Channel, message: dict[str, Any], names: dict[int, str]) -> Inbound | None:
        peer_id = int_of(message.get("peer_id"), "message.peer_id")
        sender = int_of(message.get("from_id"), "message.from_id")
        number = message.get("conversation_message_id", message.get("id"))
        content = message_content(message)
        if not content.text:
            return None
        name = names.get(sender, "")
        return Inbound(
            channel=channel.name,
            kind=KIND,
            handle=str(sender),
            name=name,
            thread=f"dialog:{peer_id}",
            external_id=f"msg:{peer_id}:{int_of(number, 'message.conversation_message_id')}",
            text=content.text,
            occurred_at=unix_time(message.get("date"), "message.date"),
            attachments=content.attachments,
            author=Author(str(sender), name) if peer_id >= CHAT_PEERS else None,
        )

    def comment_event(self, channel: Channel, comment: dict[str, Any], kind: str, event_id: Any) -> Parsed:
        """An edited comment is a new message ("[edited] …"), kept once per event: VK resends an
        event with its `event_id`. The community's own comments (our replies) come back too."""
        owner = int_of(comment.get("post_owner_id", comment.get("owner_id")), "post_owner_id")
        post = int_of(comment.get("post_id"), "post_id")
        comment_id = int_of(comment.get("id"), "id")
        author = int_of(comment.get("from_id"), "from_id")
        group = channel.setting("group_id")
        if author < 0 and (str(-author) == group or author == owner):
            return Parsed(unsupported=ignored(f"{kind} by the community"))
        content = comment_content(comment)
        if not content.text:
            return Parsed(unsupported=ignored(f"{kind} with no content"))
        external_id = f"wall:{owner}_{post}:{comment_id}"
        text = content.text
        if kind == "wall_reply_edit":
            edit = text_of(event_id, "event_id", required=False) or digest(text)
            external_id, text = f"{external_id}:edit:{edit}", f"{EDITED}{text}"
        names = profile_names(comment)
        return Parsed(
            messages=[
                Inbound(
                    channel=channel.name,
                    kind=KIND,
                    handle=str(author),
                    name=names.get(author, ""),
                    thread=f"wall:{owner}_{post}:{author}",
                    external_id=external_id,
                    text=text,
                    occurred_at=unix_time(comment.get("date"), "date"),
                    subject=f"Comment under post {owner}_{post}",
                    attachments=content.attachments,
                )
            ]
        )

    def named(self, channel: Channel, messages: list[Inbound]) -> list[Inbound]:
        """Names from `users.get` for senders the payload left unnamed, on channels that opt in."""
        if not enabled(channel):
            return messages
        unnamed = {m.handle for m in messages if not m.name}
        unnamed |= {m.author.handle for m in messages if m.author and not m.author.name}
        if not unnamed:
            return messages
        api = channel.setting("api_base", DEFAULT_API)
        found = self.user_names.names(channel, unnamed, api, API_VERSION)
        return [with_names(m, found) for m in messages]

    def request(self, channel: Channel, address: ReplyAddress, text: str, reply_key: str) -> Outgoing:
        base = channel.setting("api_base", DEFAULT_API).rstrip("/")
        common = {"access_token": channel.setting("access_token"), "v": API_VERSION, "message": text}
        last = address.external_ids[-1] if address.external_ids else f"msg:{address.handle}:0"
        if last.startswith("wall:"):
            post, comment_id = last.removeprefix("wall:").split(":")[:2]  # an edit adds ":edit:…"
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


def profile_names(payload: dict[str, Any]) -> dict[int, str]:
    """`profiles` (users) and `groups` (communities, by negative id), when VK sends them along."""
    names: dict[int, str] = {}
    for person in payload.get("profiles") or []:
        if isinstance(person, dict) and isinstance(person.get("id"), int):
            names[person["id"]] = full_name(person)
    for community in payload.get("groups") or []:
        if isinstance(community, dict) and isinstance(community.get("id"), int):
            names[-abs(community["id"])] = text_of(community.get("name"), "groups[].name", required=False)
    return names


def with_names(message: Inbound, found: dict[str, str]) -> Inbound:
    author = message.author
    if author is not None and not author.name and author.handle in found:
        author = Author(author.handle, found[author.handle])
    return replace(message, name=message.name or found.get(message.handle, ""), author=author)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]
