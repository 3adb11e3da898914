"""WhatsApp Cloud API adapter: webhook notifications in, the `messages` endpoint out.

Payloads: https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples
(object whatsapp_business_account → entry[].changes[].value with messages / statuses; status
reports: https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/status/);
verification: the hub.challenge GET and `X-Hub-Signature-256` = sha256 HMAC of the raw body
with the app secret. Replies: https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
"""

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from application.intake import Inbound
from domain.channel import Channel
from domain.values import ReplyStatus
from ingest.channel_kind import HttpReplies, Replies, Webhook, register
from ingest.contract import (
    BadSignature,
    DeliveryError,
    DeliveryStatus,
    Malformed,
    Outgoing,
    Parsed,
    ReplyAddress,
    header,
    load_json,
    obj,
    string_of,
    text_of,
    unix_time,
)

KIND = "whatsapp"
DEFAULT_API = "https://graph.facebook.com/v21.0"
MEDIA = ("image", "document", "audio", "video", "sticker")
RECORDED_STATUSES = frozenset(s.value for s in ReplyStatus)


def challenge(channel: Channel, mode: str | None, token: str | None, challenge_value: str | None) -> str:
    expected = channel.setting("verify_token").encode()
    if mode != "subscribe" or not hmac.compare_digest((token or "").encode(), expected):
        raise BadSignature("hub.verify_token does not match.")
    return challenge_value or ""


@register
class WhatsAppAdapter(HttpReplies):
    kind = KIND
    required_settings = ("verify_token", "app_secret")
    replies = Replies.PUSHED
    reports_statuses = True
    forged_status = 403
    acknowledgement = None
    webhook = Webhook(
        "WhatsApp Cloud API notifications; checks X-Hub-Signature-256 over the raw body.",
        challenge_doc=(
            "WhatsApp Cloud API webhook verification: echoes hub.challenge for the right verify token."
        ),
    )

    def challenge(self, channel: Channel, mode: str | None, token: str | None, value: str | None) -> str:
        return challenge(channel, mode, token, value)

    def verify(self, channel: Channel, body: bytes, headers: Mapping[str, str]) -> None:
        given = header(headers, "X-Hub-Signature-256")
        digest = hmac.new(channel.setting("app_secret").encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(given.encode(), f"sha256={digest}".encode()):
            raise BadSignature("X-Hub-Signature-256 is missing or does not match the body.")

    def parse(self, channel: Channel, body: bytes) -> Parsed:
        payload = obj(load_json(body), "The notification")
        if payload.get("object") != "whatsapp_business_account":
            raise Malformed("object must be whatsapp_business_account.")
        entries = payload.get("entry")
        if not isinstance(entries, list):
            raise Malformed("entry must be a list.")
        messages: list[Inbound] = []
        statuses: list[DeliveryStatus] = []
        skipped: list[str] = []
        for entry in entries:
            changes = obj(entry, "entry[]").get("changes")
            if not isinstance(changes, list):
                raise Malformed("entry[].changes must be a list.")
            for change in changes:
                change = obj(change, "changes[]")
                if change.get("field") != "messages":
                    skipped.append(f"field {change.get('field')!r}")
                    continue
                value = obj(change.get("value"), "changes[].value")
                names = contact_names(value.get("contacts", []))
                for message in list_of(value, "messages"):
                    inbound = self.message(channel, obj(message, "messages[]"), names)
                    if inbound is None:
                        skipped.append(f"message type {message.get('type')!r}")
                    else:
                        messages.append(inbound)
                for report in list_of(value, "statuses"):
                    status = delivery_status(obj(report, "statuses[]"))
                    if status is None:
                        skipped.append(f"status {report.get('status')!r}")
                    else:
                        statuses.append(status)
        if not messages and not statuses and skipped:
            return Parsed(unsupported="WhatsApp notification not handled: " + ", ".join(skipped))
        return Parsed(messages=messages, statuses=statuses)

    def message(self, channel: Channel, message: dict[str, Any], names: dict[str, str]) -> Inbound | None:
        sender = text_of(message.get("from"), "messages[].from")
        kind = text_of(message.get("type"), "messages[].type")
        attachments: list[dict[str, Any]] = []
        if kind == "text":
            text = text_of(obj(message.get("text"), "text").get("body"), "text.body")
        elif kind in MEDIA:
            media = obj(message.get(kind), kind)
            attachments.append(
                {
                    "kind": kind,
                    "id": text_of(media.get("id"), f"{kind}.id"),
                    "name": text_of(media.get("filename"), "filename", required=False) or None,
                    "mime_type": text_of(media.get("mime_type"), "mime_type", required=False) or None,
                    "size": None,
                }
            )
            caption = text_of(media.get("caption"), "caption", required=False)
            text = caption or f"[{kind}{': ' + attachments[0]['name'] if attachments[0]['name'] else ''}]"
        elif kind == "location":
            place = obj(message.get("location"), "location")
            text = f"[location {place.get('latitude')}, {place.get('longitude')}] {place.get('name') or ''}"
        elif kind == "button":
            text = text_of(obj(message.get("button"), "button").get("text"), "button.text")
        elif kind == "interactive":
            chosen = obj(message.get("interactive"), "interactive")
            reply = obj(chosen.get(text_of(chosen.get("type"), "interactive.type")), "interactive reply")
            text = text_of(reply.get("title"), "interactive title")
        else:
            return None
        if not text.strip():
            raise Malformed("The message text is empty.")
        return Inbound(
            channel=channel.name,
            kind=KIND,
            handle=sender,
            name=names.get(sender, ""),
            thread=sender,
            external_id=text_of(message.get("id"), "messages[].id"),
            text=text,
            occurred_at=unix_time(message.get("timestamp"), "messages[].timestamp"),
            attachments=attachments,
        )

    def request(self, channel: Channel, address: ReplyAddress, text: str, reply_key: str) -> Outgoing:
        base = channel.setting("api_base", DEFAULT_API).rstrip("/")
        body: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": address.handle,
            "type": "text",
            "text": {"preview_url": False, "body": text},
        }
        return Outgoing(
            url=f"{base}/{channel.setting('phone_number_id')}/messages",
            json_body=body,
            headers={"Authorization": f"Bearer {channel.setting('access_token')}"},
        )

    def delivered(self, status: int, body: bytes) -> str | None:
        try:
            answer = json.loads(body)
        except ValueError:
            answer = None
        if 200 <= status < 300 and isinstance(answer, dict) and answer.get("messages"):
            return str(answer["messages"][0].get("id", ""))
        error = answer.get("error", {}) if isinstance(answer, dict) else {}
        error = error if isinstance(error, dict) else {}
        message = error.get("message") or body[:200].decode(errors="replace")
        detail = f"whatsapp {status} {error.get('code', '')}: {message}"
        raise DeliveryError(detail, permanent=400 <= status < 500 and status != 429)


def delivery_status(report: dict[str, Any]) -> DeliveryStatus | None:
    """None for a status word we do not record (the retired "deleted", a future one): kept as
    unsupported, while a report that is not what Meta documents is malformed."""
    status = string_of(report.get("status"), "statuses[].status")
    if status not in RECORDED_STATUSES:
        return None
    return DeliveryStatus(
        provider_message_id=string_of(report.get("id"), "statuses[].id"),
        status=status,
        occurred_at=unix_time(report.get("timestamp"), "statuses[].timestamp"),
        error=error_text(list_of(report, "errors")),
    )


def error_text(errors: list[Any]) -> str | None:
    """Meta's errors[] of a failed message as one line, e.g. `131026 Message undeliverable: <details>`,
    so an operator reads why without the provider's console."""
    lines = []
    for error in errors:
        error = obj(error, "errors[]")
        code = text_of(error.get("code"), "errors[].code", required=False)
        title = text_of(error.get("title") or error.get("message"), "errors[].title", required=False)
        data = obj(error.get("error_data") or {}, "errors[].error_data")
        details = text_of(data.get("details"), "errors[].error_data.details", required=False)
        line = " ".join(part for part in (code, title) if part)
        lines.append(f"{line}: {details}" if line and details else line or details)
    return "; ".join(line for line in lines if line) or None


def list_of(value: dict[str, Any], key: str) -> list[Any]:
    items = value.get(key, [])
    if not isinstance(items, list):
        raise Malformed(f"{key} must be a list.")
    return items


def contact_names(contacts: Any) -> dict[str, str]:
    if not isinstance(contacts, list):
        raise Malformed("contacts must be a list.")
    names = {}
    for contact in contacts:
        contact = obj(contact, "contacts[]")
        profile = contact.get("profile") or {}
        if isinstance(profile, dict) and isinstance(contact.get("wa_id"), str):
            names[contact["wa_id"]] = str(profile.get("name") or "")
    return names
