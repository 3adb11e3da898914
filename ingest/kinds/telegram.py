"""Telegram Bot API adapter: webhook Updates in, `sendMessage` out.

Payloads: https://core.telegram.org/bots/api#update (Update) and #message (Message: text, the files
PhotoSize, Animation, Audio, Document, Video, VideoNote, Voice, Sticker; Contact, Location, Venue,
Poll, Dice, Game, Story, Checklist, PaidMediaInfo, Invoice, UsersShared, ChatShared, WebAppData;
forward_origin (MessageOrigin), reply_to_message, quote, external_reply; the service fields such
as pinned_message or new_chat_members). The webhook is authenticated by the
`X-Telegram-Bot-Api-Secret-Token` header that `setWebhook`'s `secret_token` makes Telegram send.
Replies: https://core.telegram.org/bots/api#sendmessage.

Every kind of content a customer can send becomes a ticket message: its text or caption, or a
placeholder (ingest/placeholders.py) with the content kept as an attachment. A message that
carries none (a pinned message, a member who joined, a payment) and every other update kind is
answered 200 and kept as a dead letter "ignored: <kind>".
"""

import hmac
import json
from collections.abc import Callable, Mapping
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
    header,
    int_of,
    load_json,
    obj,
    text_of,
    unix_time,
)
from ingest.placeholders import (
    EDITED,
    FORWARDED,
    bracket,
    contact,
    count,
    ignored,
    joined,
    location,
    structured,
)

KIND = "telegram"
DEFAULT_API = "https://api.telegram.org"
FILES = ("photo", "animation", "video", "video_note", "voice", "audio", "document", "sticker")
SHADOWS = {"document": "animation", "location": "venue"}
"""Telegram also sets `document` beside `animation`, and `location` beside `venue` (for older
clients): the second is the same content, so it is not read twice."""
REPLY_FIELDS = ("reply_to_message", "external_reply", "quote", "reply_to_story", "reply_to_checklist_task_id")
LEGACY_FORWARD = ("forward_from", "forward_from_chat", "forward_sender_name", "forward_date")
METADATA = frozenset(
    {
        "message_id", "message_thread_id", "direct_messages_topic", "from", "sender_chat",
        "sender_boost_count", "sender_business_bot", "sender_tag", "date", "business_connection_id",
        "chat", "forward_origin", "is_topic_message", "is_automatic_forward", "via_bot", "edit_date",
        "has_protected_content", "is_from_offline", "is_paid_post", "media_group_id",
        "author_signature", "paid_star_count", "text", "entities", "caption", "caption_entities",
        "link_preview_options", "suggested_post_info", "effect_id", "show_caption_above_media",
        "has_media_spoiler", "reply_markup", "forward_from_message_id", "forward_signature",
        "new_chat_participant", "new_chat_member", "left_chat_participant",
        *REPLY_FIELDS, *LEGACY_FORWARD,
    }
)  # fmt: skip
"""Fields about a message rather than its content (the last three are undocumented duplicates
Telegram still sends beside new_chat_members / left_chat_member)."""


@register
class TelegramAdapter(HttpReplies):
    kind = KIND
    required_settings = ("secret_token",)
    replies = Replies.PUSHED
    reports_statuses = False
    forged_status = 401
    acknowledgement = None
    webhook = Webhook("Telegram Bot API webhook (Update objects); checks X-Telegram-Bot-Api-Secret-Token.")

    def verify(self, channel: Channel, body: bytes, headers: Mapping[str, str]) -> None:
        given = header(headers, "X-Telegram-Bot-Api-Secret-Token").encode()
        if not hmac.compare_digest(given, channel.setting("secret_token").encode()):
            raise BadSignature("The X-Telegram-Bot-Api-Secret-Token header is missing or wrong.")

    def dead_letter_key(self, body: bytes) -> str | None:
        """Telegram resends an unanswered update with the same update_id."""
        try:
            update = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return None
        found = update.get("update_id") if isinstance(update, dict) else None
        return f"update:{found}" if isinstance(found, int) and not isinstance(found, bool) else None

    def parse(self, channel: Channel, body: bytes) -> Parsed:
        update = obj(load_json(body), "The update")
        int_of(update.get("update_id"), "update_id")
        for key, edited in (("message", False), ("edited_message", True)):
            if key in update:
                return self.read(channel, obj(update[key], key), edited)
        kinds = sorted(k for k in update if k != "update_id")
        return Parsed(unsupported=ignored(", ".join(kinds) or "empty update"))

    def read(self, channel: Channel, message: dict[str, Any], edited: bool) -> Parsed:
        """A ticket message, unless the message carries nothing a customer sent (a service message)
        or is a live location moving on (its first position was the message)."""
        chat = obj(message.get("chat"), "message.chat")
        chat_id = int_of(chat.get("id"), "chat.id")
        message_id = int_of(message.get("message_id"), "message.message_id")
        sent_at = unix_time(message.get("edit_date") if edited else message.get("date"), "message.date")
        if edited and "location" in message and not message.get("text"):
            return Parsed(unsupported=ignored("live location update"))
        found = content(message)
        if found is None:
            service = sorted(set(message) - METADATA)
            return Parsed(unsupported=ignored(", ".join(service) or "empty message"))
        text, attachments = found
        sender = obj(message.get("from", chat), "message.from")
        external_id = f"{chat_id}:{message_id}" + (f":edit:{int(sent_at.timestamp())}" if edited else "")
        inbound = Inbound(
            channel=channel.name,
            kind=KIND,
            handle=str(int_of(sender.get("id"), "from.id")),
            name=person(sender) or text_of(sender.get("username"), "username", required=False),
            thread=str(chat_id),
            external_id=external_id,
            text=f"{EDITED}{text}" if edited else text,
            occurred_at=sent_at,
            attachments=attachments,
        )
        return Parsed(messages=[inbound])

    def request(self, channel: Channel, address: ReplyAddress, text: str, reply_key: str) -> Outgoing:
        chat_id = address.external_ids[-1].split(":", 1)[0] if address.external_ids else address.handle
        base = channel.setting("api_base", DEFAULT_API).rstrip("/")
        token = channel.setting("bot_token")
        return Outgoing(
            url=f"{base}/bot{token}/sendMessage", json_body={"chat_id": int(chat_id), "text": text}
        )

    def delivered(self, status: int, body: bytes) -> str | None:
        try:
            answer = json.loads(body)
        except ValueError:
            answer = None
        answer = answer if isinstance(answer, dict) else {}
        if answer.get("ok") is True:
            result = answer.get("result")
            return str(result.get("message_id", "")) if isinstance(result, dict) else None
        code = answer.get("error_code", status)
        code = code if isinstance(code, int) else status
        description = answer.get("description") or body[:200].decode(errors="replace")
        raise DeliveryError(f"telegram {code}: {description}", permanent=code != 429 and code < 500)


def content(message: dict[str, Any]) -> tuple[str, list[dict[str, Any]]] | None:
    """The message's text (its caption, or the placeholders of what it carries) and attachments;
    None when it carries nothing a customer wrote or sent."""
    attachments = [file(kind, message[kind]) for kind in FILES if present(message, kind)]
    placeholders = [file_placeholder(a, message) for a in attachments]
    for key, reader in READERS.items():
        if present(message, key):
            placeholder, attachment = reader(obj(message[key], f"message.{key}"))
            placeholders.append(placeholder)
            attachments.append(attachment)
    text = text_of(message.get("text", message.get("caption")), "message.text", required=False)
    if not text.strip():
        text = joined(placeholders)
    if not text.strip():
        return None
    origin = forward_origin(message)
    if origin is not None:
        text = f"{FORWARDED}{text}"
        attachments.append(origin)
    replied = {key: message[key] for key in REPLY_FIELDS if key in message}
    if replied:
        attachments.append(structured("reply_to", replied))
    return text, attachments


def present(message: dict[str, Any], key: str) -> bool:
    return message.get(key) is not None and SHADOWS.get(key, "") not in message


def file(kind: str, value: Any) -> dict[str, Any]:
    """A file stays at Telegram: kept by its file_id, name, type and size."""
    if kind == "photo":
        if not isinstance(value, list) or not value:
            raise Malformed("message.photo must be a list of sizes.")
        value = value[-1]  # the largest size comes last
    item = obj(value, f"message.{kind}")
    name = item.get("file_name") or item.get("title")
    return {
        "kind": kind,
        "id": text_of(item.get("file_id"), f"{kind}.file_id"),
        "name": text_of(name, "file_name", required=False) or None,
        "mime_type": text_of(item.get("mime_type"), "mime_type", required=False) or None,
        "size": int_of(item["file_size"], "file_size") if "file_size" in item else None,
    }


def file_placeholder(attachment: dict[str, Any], message: dict[str, Any]) -> str:
    """`[document: act.pdf]`; a sticker is named by its emoji."""
    if attachment["kind"] == "sticker":
        emoji = obj(message["sticker"], "message.sticker").get("emoji")
        return bracket("sticker", text_of(emoji, "sticker.emoji", required=False))
    return bracket(attachment["kind"], attachment["name"] or "")


def person(user: dict[str, Any]) -> str:
    return " ".join(
        text_of(user.get(k), k, required=False) for k in ("first_name", "last_name") if user.get(k)
    )


def title(chat: Any) -> str:
    """A chat or channel by its title, else @username."""
    if not isinstance(chat, dict):
        return ""
    username = text_of(chat.get("username"), "username", required=False)
    return text_of(chat.get("title"), "chat.title", required=False) or (f"@{username}" if username else "")


def forward_origin(message: dict[str, Any]) -> dict[str, Any] | None:
    """Who first sent a forwarded message (MessageOrigin: user, hidden_user, chat, channel), or the
    fields Bot API versions before 7.0 used; kept as a `forwarded` attachment."""
    origin = message.get("forward_origin")
    if isinstance(origin, dict):
        name = (
            person(origin.get("sender_user") or {})
            or text_of(origin.get("sender_user_name"), "sender_user_name", required=False)
            or title(origin.get("sender_chat") or origin.get("chat"))
        )
        return structured("forwarded", origin, name=name or None)
    legacy = {key: message[key] for key in LEGACY_FORWARD if key in message}
    if legacy:
        name = person(legacy.get("forward_from") or {}) or title(legacy.get("forward_from_chat"))
        return structured("forwarded", legacy, name=name or legacy.get("forward_sender_name") or None)
    return None


def number(place: dict[str, Any], key: str, what: str) -> float | int:
    value = place.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Malformed(f"{what}.{key} must be a number.")
    return value


Read = Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]


def read_location(place: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    latitude, longitude = number(place, "latitude", "location"), number(place, "longitude", "location")
    return location(latitude, longitude), structured("location", place)


def read_venue(venue: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    name = text_of(venue.get("title"), "venue.title", required=False)
    address = text_of(venue.get("address"), "venue.address", required=False)
    return bracket("venue", ", ".join(p for p in (name, address) if p)), structured(
        "venue", venue, name or None
    )


def read_contact(card: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    name = person(card)
    phone = text_of(card.get("phone_number"), "contact.phone_number", required=False)
    return contact(name, phone), structured("contact", card, name or None, phone or None)


def read_poll(poll: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    question = text_of(poll.get("question"), "poll.question", required=False)
    poll_id = text_of(poll.get("id"), "poll.id", required=False) or None
    return bracket("poll", question), structured("poll", poll, question or None, poll_id)


def read_dice(dice: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    emoji = text_of(dice.get("emoji"), "dice.emoji", required=False)
    value = text_of(dice.get("value"), "dice.value", required=False)
    return bracket("dice", joined((emoji, value))), structured("dice", dice)


def read_story(story: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    chat = story.get("chat") if isinstance(story.get("chat"), dict) else {}
    story_id = f"{chat.get('id')}:{story.get('id')}"
    return bracket("story", title(chat)), structured("story", story, title(chat) or None, story_id)


def read_paid_media(paid: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    items = paid.get("paid_media") if isinstance(paid.get("paid_media"), list) else []
    return bracket("paid media", count(len(items), "item", "items")), structured("paid_media", paid)


def read_users_shared(shared: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    users = shared.get("users") if isinstance(shared.get("users"), list) else []
    names = [person(u) or str(u.get("user_id", "")) for u in users if isinstance(u, dict)]
    return bracket("users shared", ", ".join(names)), structured("users_shared", shared)


def titled(kind: str, label: str, key: str | None = None) -> Read:
    """A reader for content named by one of its fields (a game's title, a checklist's title), or
    by its kind alone."""

    def read(value: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        name = text_of(value.get(key), f"{kind}.{key}", required=False) if key else ""
        return bracket(label, name), structured(kind, value, name or None)

    return read


READERS: dict[str, Read] = {
    "contact": read_contact,
    "location": read_location,
    "venue": read_venue,
    "poll": read_poll,
    "dice": read_dice,
    "game": titled("game", "game", "title"),
    "story": read_story,
    "checklist": titled("checklist", "checklist", "title"),
    "paid_media": read_paid_media,
    "invoice": titled("invoice", "invoice", "title"),
    "users_shared": read_users_shared,
    "chat_shared": titled("chat_shared", "chat shared", "title"),
    "web_app_data": titled("web_app_data", "web app data", "button_text"),
    "passport_data": titled("passport_data", "passport data"),
    "giveaway": titled("giveaway", "giveaway"),
}
"""Content that is not a file, each read into its placeholder and its kept attachment."""
