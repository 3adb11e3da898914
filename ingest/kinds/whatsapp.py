"""WhatsApp Cloud API adapter: webhook notifications in, the `messages` endpoint out.

Payloads: https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples
(object whatsapp_business_account → entry[].changes[].value with messages / statuses; status
reports: https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/status/);
verification: the hub.challenge GET and `X-Hub-Signature-256` = sha256 HMAC of the raw body
with the app secret. Replies: https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
Message types: https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/
(text, image, audio, video, document, sticker, location, contacts, interactive, button, order,
reaction, system, unsupported, request_welcome; `context` for replies, forwards and product
questions, `referral` for a click-to-WhatsApp ad).

Every type a customer sends becomes a ticket message: its text or caption, or a placeholder
(ingest/placeholders.py) with the content kept as an attachment. Reactions, system messages (a
changed number) and welcome requests carry nothing to answer: 200 and a dead letter "ignored: <type>".
"""

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
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
    int_of,
    load_json,
    obj,
    string_of,
    text_of,
    unix_time,
)
from ingest.placeholders import FORWARDED, bracket, contact, ignored, joined, location, order, structured

KIND = "whatsapp"
DEFAULT_API = "https://graph.facebook.com/v21.0"
MEDIA = ("image", "document", "audio", "video", "sticker")
IGNORED_TYPES = frozenset({"reaction", "system", "request_welcome"})
"""A reaction to a message, a changed number or id, a first opening of the chat: nothing to answer."""
KEY_LENGTH = 200
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

    def dead_letter_key(self, body: bytes) -> str | None:
        """Meta retries a notification with the same message ids (and status ids with their status)."""
        ids = ",".join(sorted(message_ids(body)))
        if len(ids) > KEY_LENGTH:
            return "ids-sha256:" + hashlib.sha256(ids.encode()).hexdigest()
        return ids or None

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
                    skipped.append(f"field {change.get('field')}")
                    continue
                value = obj(change.get("value"), "changes[].value")
                names = contact_names(value.get("contacts", []))
                for message in list_of(value, "messages"):
                    inbound = self.message(channel, obj(message, "messages[]"), names)
                    if isinstance(inbound, str):
                        skipped.append(inbound)
                    else:
                        messages.append(inbound)
                for report in list_of(value, "statuses"):
                    status = delivery_status(obj(report, "statuses[]"))
                    if status is None:
                        skipped.append(f"status {report.get('status')}")
                    else:
                        statuses.append(status)
        if not messages and not statuses and skipped:
            return Parsed(unsupported=ignored(", ".join(dict.fromkeys(skipped))))
        return Parsed(messages=messages, statuses=statuses)

    def message(self, channel: Channel, message: dict[str, Any], names: dict[str, str]) -> Inbound | str:
        """The customer's message, or the kind of an update that carries none (kept as ignored)."""
        sender = text_of(message.get("from"), "messages[].from")
        kind = text_of(message.get("type"), "messages[].type")
        if kind in IGNORED_TYPES:
            return kind
        text, attachments = READERS.get(kind, read_unsupported)(message, kind)
        if not text.strip():
            raise Malformed("The message text is empty.")
        context = obj(message.get("context") or {}, "messages[].context")
        if context.get("forwarded") or context.get("frequently_forwarded"):
            text = f"{FORWARDED}{text}"
        attachments.extend(context_attachments(context, obj(message.get("referral") or {}, "referral")))
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
    for item in contacts:
        sender = obj(item, "contacts[]")
        profile = sender.get("profile") or {}
        if isinstance(profile, dict) and isinstance(sender.get("wa_id"), str):
            names[sender["wa_id"]] = str(profile.get("name") or "")
    return names


Read = Callable[[dict[str, Any], str], tuple[str, list[dict[str, Any]]]]


def read_text(message: dict[str, Any], kind: str) -> tuple[str, list[dict[str, Any]]]:
    return text_of(obj(message.get("text"), "text").get("body"), "text.body"), []


def read_media(message: dict[str, Any], kind: str) -> tuple[str, list[dict[str, Any]]]:
    """A file stays at Meta, kept by its media id; a voice note is an `audio` with `voice: true`."""
    media = obj(message.get(kind), kind)
    name = text_of(media.get("filename"), "filename", required=False) or None
    shown = "voice" if kind == "audio" and media.get("voice") is True else kind
    file = {
        "kind": shown,
        "id": text_of(media.get("id"), f"{kind}.id"),
        "name": name,
        "mime_type": text_of(media.get("mime_type"), "mime_type", required=False) or None,
        "size": None,
    }
    caption = text_of(media.get("caption"), "caption", required=False)
    return caption or bracket(shown, name or ""), [file]


def read_location(message: dict[str, Any], kind: str) -> tuple[str, list[dict[str, Any]]]:
    place = obj(message.get("location"), "location")
    for key in ("latitude", "longitude"):
        if isinstance(place.get(key), bool) or not isinstance(place.get(key), int | float):
            raise Malformed(f"location.{key} must be a number.")
    name = text_of(place.get("name"), "location.name", required=False)
    address = text_of(place.get("address"), "location.address", required=False)
    text = location(place["latitude"], place["longitude"], name, address)
    return text, [structured("location", place, name or None)]


def read_contacts(message: dict[str, Any], kind: str) -> tuple[str, list[dict[str, Any]]]:
    """Each shared contact card: `[contact: Ivan Petrov, +7 900 123-45-67]`."""
    cards = [obj(card, "contacts[]") for card in list_of(message, "contacts")]
    texts, kept = [], []
    for card in cards:
        named = obj(card.get("name") or {}, "contacts[].name")
        first_last = joined(text_of(named.get(k), k, required=False) for k in ("first_name", "last_name"))
        name = text_of(named.get("formatted_name"), "formatted_name", required=False) or first_last
        phones = [
            text_of(obj(p, "phones[]").get("phone"), "phone", required=False) for p in list_of(card, "phones")
        ]
        texts.append(contact(name, *filter(None, phones)))
        kept.append(structured("contact", card, name or None, next(filter(None, phones), None)))
    return joined(texts) or bracket("contact"), kept


def read_interactive(message: dict[str, Any], kind: str) -> tuple[str, list[dict[str, Any]]]:
    """A tap on a reply button or list row reads as its title, a submitted form (Flows, address) as
    `[form reply: flow]`; an interactive message without its object as `[interactive reply]`."""
    chosen = message.get("interactive") if isinstance(message.get("interactive"), dict) else {}
    reply = chosen.get(chosen.get("type")) if isinstance(chosen.get("type"), str) else None
    kept = [structured("interactive", chosen)]
    if not isinstance(reply, dict):
        return bracket("interactive reply"), kept
    if chosen["type"] == "nfm_reply":
        return bracket("form reply", text_of(reply.get("name"), "nfm_reply.name", required=False)), kept
    title = text_of(reply.get("title"), "interactive title", required=False)
    return title or bracket("interactive reply"), kept


def read_button(message: dict[str, Any], kind: str) -> tuple[str, list[dict[str, Any]]]:
    """A quick-reply button of a template: its label (its payload kept)."""
    button = obj(message.get("button"), "button")
    label = text_of(button.get("text"), "button.text", required=False)
    return label or text_of(button.get("payload"), "button.payload"), [structured("button", button)]


def read_order(message: dict[str, Any], kind: str) -> tuple[str, list[dict[str, Any]]]:
    """`[order: 3 items]` (quantities summed) and the customer's note, the cart kept whole."""
    cart = obj(message.get("order"), "order")
    items = [obj(item, "product_items[]") for item in list_of(cart, "product_items")]
    quantity = sum(int_of(item.get("quantity", 1), "product_items[].quantity") for item in items)
    note = text_of(cart.get("text"), "order.text", required=False)
    catalog = text_of(cart.get("catalog_id"), "order.catalog_id", required=False) or None
    return joined((order(quantity), note)), [structured("order", cart, id=catalog)]


def read_unsupported(message: dict[str, Any], kind: str) -> tuple[str, list[dict[str, Any]]]:
    """What Cloud API cannot show (a poll, an edit, a message unavailable for now), and any type
    newer than this module: the operator learns that something came and looks on the phone."""
    inner = message.get(kind) if isinstance(message.get(kind), dict) else {}
    shown = text_of(inner.get("type"), "unsupported.type", required=False) if kind == "unsupported" else kind
    kept = {"type": kind, kind: inner, "errors": message.get("errors", [])}
    return bracket("unsupported message", shown), [structured("unsupported", kept)]


READERS: dict[str, Read] = {
    "text": read_text,
    **dict.fromkeys(MEDIA, read_media),
    "location": read_location,
    "contacts": read_contacts,
    "interactive": read_interactive,
    "button": read_button,
    "order": read_order,
    "unsupported": read_unsupported,
}


def context_attachments(context: dict[str, Any], referral: dict[str, Any]) -> list[dict[str, Any]]:
    """What the message answers (`context.id`), that it was forwarded, the product it asks about
    (`context.referred_product`) and the ad it came from (`referral`), kept beside it."""
    kept = []
    if context.get("id"):
        kept.append(structured("reply_to", context, id=text_of(context["id"], "context.id")))
    elif context.get("forwarded") or context.get("frequently_forwarded"):
        kept.append(structured("forwarded", context))
    product = obj(context.get("referred_product") or {}, "context.referred_product")
    if product:
        product_id = text_of(product.get("product_retailer_id"), "product_retailer_id", required=False)
        kept.append(structured("product", product, id=product_id or None))
    if referral:
        headline = text_of(referral.get("headline"), "referral.headline", required=False)
        source = text_of(referral.get("source_id"), "referral.source_id", required=False)
        kept.append(structured("referral", referral, headline or None, source or None))
    return kept


def message_ids(body: bytes) -> list[str]:
    """The wamids of a notification's messages and (id, status) of its reports, from any body."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return []
    found = []
    for entry in dicts(payload, "entry"):
        for change in dicts(entry, "changes"):
            value = change.get("value")
            found += [f"message:{m.get('id')}" for m in dicts(value, "messages")]
            found += [f"status:{s.get('id')}:{s.get('status')}" for s in dicts(value, "statuses")]
    return found


def dicts(value: Any, key: str) -> list[dict[str, Any]]:
    items = value.get(key) if isinstance(value, dict) else None
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
