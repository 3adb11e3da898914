"""Telegram Bot API adapter: webhook Updates in, `sendMessage` out.

Payloads: https://core.telegram.org/bots/api#update (Update, Message, PhotoSize, Document);
the webhook is authenticated by the `X-Telegram-Bot-Api-Secret-Token` header that `setWebhook`'s
`secret_token` makes Telegram send. Replies: https://core.telegram.org/bots/api#sendmessage.
"""

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
    header,
    int_of,
    load_json,
    obj,
    text_of,
    unix_time,
)

KIND = "telegram"
DEFAULT_API = "https://api.telegram.org"
MEDIA = ("photo", "document", "video", "voice", "audio", "sticker", "animation", "video_note")


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

    def parse(self, channel: Channel, body: bytes) -> Parsed:
        update = obj(load_json(body), "The update")
        int_of(update.get("update_id"), "update_id")
        if "message" in update:
            return Parsed(messages=[self.message(channel, obj(update["message"], "message"), edited=False)])
        if "edited_message" in update:
            edited = obj(update["edited_message"], "edited_message")
            return Parsed(messages=[self.message(channel, edited, edited=True)])
        kinds = sorted(k for k in update if k != "update_id")
        return Parsed(unsupported=f"Telegram update of kind {', '.join(kinds) or 'none'} is not handled.")

    def message(self, channel: Channel, message: dict[str, Any], edited: bool) -> Inbound:
        chat = obj(message.get("chat"), "message.chat")
        sender = obj(message.get("from", chat), "message.from")
        chat_id = int_of(chat.get("id"), "chat.id")
        message_id = int_of(message.get("message_id"), "message.message_id")
        sent_at = unix_time(message.get("edit_date") if edited else message.get("date"), "message.date")
        attachments = attachments_of(message)
        text = text_of(message.get("text", message.get("caption")), "message.text", required=False)
        if not text.strip():
            text = " ".join(f"[{a['kind']}{': ' + a['name'] if a.get('name') else ''}]" for a in attachments)
        if not text.strip():
            raise Malformed("The message has neither text nor an attachment we know.")
        if edited:
            text = f"[edited] {text}"
        external_id = f"{chat_id}:{message_id}" + (f":edit:{int(sent_at.timestamp())}" if edited else "")
        name = " ".join(
            text_of(sender.get(k), k, required=False) for k in ("first_name", "last_name") if sender.get(k)
        )
        return Inbound(
            channel=channel.name,
            kind=KIND,
            handle=str(int_of(sender.get("id"), "from.id")),
            name=name or text_of(sender.get("username"), "username", required=False),
            thread=str(chat_id),
            external_id=external_id,
            text=text,
            occurred_at=sent_at,
            attachments=attachments,
        )

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


def attachments_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for kind in MEDIA:
        value = message.get(kind)
        if value is None:
            continue
        if kind == "photo":
            if not isinstance(value, list) or not value:
                raise Malformed("message.photo must be a list of sizes.")
            value = value[-1]  # the largest size comes last
        item = obj(value, f"message.{kind}")
        found.append(
            {
                "kind": kind,
                "id": text_of(item.get("file_id"), f"{kind}.file_id"),
                "name": text_of(item.get("file_name"), "file_name", required=False) or None,
                "mime_type": text_of(item.get("mime_type"), "mime_type", required=False) or None,
                "size": int_of(item["file_size"], "file_size") if "file_size" in item else None,
            }
        )
    return found
