"""E-mail adapter: MIME messages in (from the SMTP server), SMTP replies out with threading headers.

Formats: RFC 5322 (headers, Message-ID, In-Reply-To, References), RFC 2045-2049 MIME (multipart,
HTML-only mail, attachments kept as metadata only), RFC 2047 encoded words, RFC 3464 delivery
status reports, RFC 3834 automatic answers, RFC 5321 §4.4 Return-Path (the envelope sender, which
our SMTP server writes on top of each mail it takes). What is done with real mail, in `ingest/mail/`:
charsets by a documented fallback (`charsets`), HTML as text (`html_text`), quoted history and the
signature off the ticket text, kept whole beside it (`quotes`), bounces and automatic answers kept as
dead letters, not tickets (`automatic`), the raw message kept by the SMTP server (`raw_store`), and
the outbound Subject folded by us (`subject`).

A thread is keyed by its root Message-ID, so replies to our replies (which carry the customer's
References) land in the same ticket. Our own replies' Message-IDs (`<ticket id>.<version>@<our
domain>`) name the ticket, so a customer's answer linked only by In-Reply-To to one of them lands in
that ticket; a `[#<ticket id>]` token in the subject threads mail whose client dropped the headers.
"""

import hashlib
import re
import smtplib
from collections.abc import Mapping
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.utils import format_datetime, getaddresses, parsedate_to_datetime
from typing import Any
from uuid import UUID

from application.intake import Inbound
from domain.channel import Channel
from ingest.channel_kind import ChannelKind, Replies, register
from ingest.contract import DeliveryError, Malformed, Parsed, ReplyAddress
from ingest.mail.automatic import automatic
from ingest.mail.charsets import decode, header_text
from ingest.mail.html_text import html_to_text
from ingest.mail.quotes import newlines, own_words, tidied
from ingest.mail.subject import REPLY_POLICY
from ingest.placeholders import structured

KIND = "email"
UUID_TEXT = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
TOKEN = re.compile(rf"\[#({UUID_TEXT})\]", re.IGNORECASE)
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
OURS = re.compile(rf"<({UUID_TEXT})\.\d+@([^<>\s]+)>", re.IGNORECASE)
"""The Message-ID `send` gives a reply: `<ticket id>.<version>@<the channel address's domain>`."""
ADDRESS = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+")
MAX_TEXT = 100_000


@register
class EmailAdapter(ChannelKind):
    kind = KIND
    required_settings = ("address",)
    replies = Replies.PUSHED
    reports_statuses = False
    forged_status = 401
    acknowledgement = None
    webhook = None  # mail arrives over SMTP (ingest/smtp_server.py), addressed to the channel's `address`

    def verify(self, channel: Channel, body: bytes, headers: Mapping[str, str]) -> None:
        """SMTP mail is accepted by recipient address; the server checks it before DATA."""

    def dead_letter_key(self, body: bytes) -> str | None:
        """A mail server retries with the same Message-ID (the bytes may differ by a relay's lines)."""
        try:
            return f"message:{message_key(body)}"
        except (ValueError, TypeError, LookupError, UnicodeError):
            return None  # headers past reading: the letter is keyed on the body's hash

    def parse(self, channel: Channel, body: bytes) -> Parsed:
        try:
            message = BytesParser(policy=policy.default).parsebytes(body)
            return self.parsed(channel, message, body)
        except Malformed:
            raise
        except (ValueError, TypeError, LookupError, AttributeError, IndexError, UnicodeError) as exc:
            raise Malformed(f"Unreadable MIME: {type(exc).__name__}: {exc}") from None

    def parsed(self, channel: Channel, message: EmailMessage, raw: bytes) -> Parsed:
        """A bounce or an automatic answer is ignored (a dead letter); a mail from nobody we can
        answer (no usable From, no envelope sender) is malformed; anything else is a message."""
        hint = body_charset(message)
        envelope = envelope_sender(message)
        name, address = sender(message, hint)
        reason = automatic(message, envelope, address or "")
        if reason is not None:
            return Parsed(unsupported=reason)
        if address is None and envelope and ADDRESS.fullmatch(envelope):
            address = envelope
        if address is None:
            raise Malformed("The mail has no sender address: neither From: nor the SMTP envelope.")
        return Parsed(messages=[self.message(channel, message, raw, (name, address.lower()), hint)])

    def message(
        self, channel: Channel, message: EmailMessage, raw: bytes, who: tuple[str, str], hint: str | None
    ) -> Inbound:
        name, address = who
        own_id = own_message_id(message, raw)
        references = ids(raw_header(message, "References"))
        in_reply_to = first_id(raw_header(message, "In-Reply-To"))
        root = references[0] if references else (in_reply_to or own_id)
        domain = channel.setting("address").rsplit("@", 1)[-1]
        replied = ours(domain, [in_reply_to or "", *reversed(references)])
        rooted = ours(domain, [root])
        subject = " ".join(header_text(raw_header(message, "Subject"), hint).split())[:500] or None
        token = TOKEN.search(subject or "")
        full, attachments = content(message, hint)
        text = own_words(full)
        if text != full:
            attachments.append(full_text(full))
        if not text.strip():
            text = " ".join(f"[file: {a['name']}]" for a in attachments) or "(empty message)"
        return Inbound(
            channel=channel.name,
            kind=KIND,
            handle=address,
            name=name,
            thread=f"mail:{address}:ticket:{rooted}" if rooted else f"mail:{address}:{root}",
            external_id=own_id,
            text=text[:MAX_TEXT],
            occurred_at=sent_at(raw_header(message, "Date")),
            subject=subject,
            attachments=attachments,
            ticket_hint=replied or (UUID(token.group(1)) if token else None),
        )

    def send(self, channel: Channel, address: ReplyAddress, text: str, reply_key: str) -> str:
        ticket_id, version = reply_key.rsplit(":", 1)
        domain = channel.setting("address").rsplit("@", 1)[-1]
        mail = EmailMessage(policy=REPLY_POLICY)
        mail["From"] = channel.setting("address")
        mail["To"] = address.handle
        subject = address.subject or "Your request"
        mail["Subject"] = (
            f"Re: {subject} [#{ticket_id}]" if f"[#{ticket_id}]" not in subject else f"Re: {subject}"
        )
        mail["Message-ID"] = f"<{ticket_id}.{version}@{domain}>"
        mail["Date"] = format_datetime(datetime.now(UTC))
        ids = [i for i in address.external_ids if i.startswith("<")]
        if ids:
            mail["In-Reply-To"] = ids[-1]
            mail["References"] = " ".join(ids[-20:])
        mail.set_content(text)
        host, port = channel.setting("smtp_host", "127.0.0.1"), int(channel.setting("smtp_port", "25"))
        try:
            with smtplib.SMTP(host, port, timeout=10) as smtp:
                if channel.setting("smtp_user"):
                    smtp.login(channel.setting("smtp_user"), channel.setting("smtp_password"))
                smtp.send_message(mail)
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"smtp {exc.smtp_code}: {exc.smtp_error!r}", permanent=exc.smtp_code >= 500
            ) from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"smtp recipients refused: {exc.recipients}", permanent=True) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"smtp: {type(exc).__name__}: {exc}", permanent=False) from None
        return str(mail["Message-ID"])


def raw_header(message: EmailMessage, name: str) -> str:
    """The first such header as it came (8-bit bytes as surrogates): decoded here, not by the library,
    which turns unknown charsets and raw 8-bit text into U+FFFD."""
    lowered = name.lower()
    return next((str(v) for k, v in message.raw_items() if k.lower() == lowered), "")


def first_id(value: Any) -> str | None:
    found = ids(str(value or ""))
    return found[0] if found else None


def ids(value: str) -> list[str]:
    """The `<…>` ids of a header, 8-bit bytes in them read as text (an id is never shown, but it is
    stored, and must be text to be)."""
    return MESSAGE_ID.findall(decode(value.encode("utf-8", "surrogateescape"), "utf-8"))


def own_message_id(message: EmailMessage, raw: bytes) -> str:
    """The mail's Message-ID, or one made from its bytes: the external id intake is idempotent on."""
    found = first_id(raw_header(message, "Message-ID"))
    return found or f"<{hashlib.sha256(raw).hexdigest()}@no-message-id>"


def message_key(raw: bytes) -> str:
    """`own_message_id` from the headers alone: what the SMTP server files the raw message under."""
    return own_message_id(BytesHeaderParser(policy=policy.default).parsebytes(raw), raw)  # type: ignore[arg-type]


def ours(domain: str, ids: list[str]) -> UUID | None:
    """The ticket named by the first of `ids` that is one of our replies' Message-IDs on this channel."""
    for value in ids:
        found = OURS.fullmatch(value.strip())
        if found and found.group(2).lower() == domain.lower():
            return UUID(found.group(1))
    return None


def envelope_sender(message: EmailMessage) -> str | None:
    """The Return-Path our SMTP server put on top: "" for the null sender (`<>`), None if absent."""
    if not any(k.lower() == "return-path" for k, _ in message.raw_items()):
        return None
    value = header_text(raw_header(message, "Return-Path"), "utf-8").strip()
    return value.strip("<>").strip().lower()


def sender(message: EmailMessage, hint: str | None) -> tuple[str, str | None]:
    """(display name, address) from From:, the address None when there is none we could answer."""
    raw = raw_header(message, "From")
    pairs = getaddresses([raw]) if raw else []
    for name, address in pairs:
        address = header_text(address or "", "utf-8")  # SMTPUTF8 addresses (RFC 6532) come as 8-bit
        if ADDRESS.fullmatch(address):
            return clean(header_text(name, hint)), address
    if raw and "@" not in raw and "<" not in raw:  # `From: Nina Kozlova`: a name, no address
        return clean(header_text(raw, hint)), None
    names = [clean(header_text(name, hint)) for name, _ in pairs if name]
    return (names[0] if names else ""), None


def clean(text: str) -> str:
    return " ".join(text.split())[:500]


def sent_at(value: Any) -> datetime:
    try:
        parsed = parsedate_to_datetime(str(value))
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        return datetime.max.replace(tzinfo=UTC)  # no usable Date: intake uses the server clock


def body_charset(message: EmailMessage) -> str | None:
    """The first text part's declared charset: the best guess for raw 8-bit headers."""
    for part in message.walk():
        if part.get_content_maintype() == "text":
            charset = part.get_param("charset")
            if isinstance(charset, str) and charset:
                return charset
    return None


def part_text(part: EmailMessage) -> str:
    """A text part's content by the charset fallback, `\\n` line ends, HTML as readable text."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_param("charset")
    text = newlines(decode(payload, charset if isinstance(charset, str) else None))
    return html_to_text(text) if part.get_content_type() == "text/html" else text


def content(message: EmailMessage, hint: str | None) -> tuple[str, list[dict[str, Any]]]:
    body = message.get_body(preferencelist=("plain", "html"))
    text = part_text(body) if body is not None else ""  # type: ignore[arg-type]
    parts = list(message.iter_attachments())
    if body is None and not message.is_multipart():
        parts = [message]  # a mail that is one file, no text
    attachments = [file(part, hint) for part in parts]  # type: ignore[arg-type]
    return tidied(text), attachments


def file(part: EmailMessage, hint: str | None) -> dict[str, Any]:
    payload = part.get_payload(decode=True)
    try:
        name = part.get_filename()
    except (LookupError, ValueError, UnicodeError):
        name = None
    return {
        "kind": "file",
        "id": None,
        "name": clean(header_text(name, hint)) if name else "unnamed",
        "mime_type": part.get_content_type(),
        "size": len(payload) if isinstance(payload, bytes) else None,
    }


def full_text(text: str) -> dict[str, Any]:
    """The whole text, quoted history and signature included, beside the ticket text that lacks them:
    attachment metadata is where `Inbound` carries what is not the message's text, and its `payload`
    (`{"text": …}` as JSON) travels with the event to Kafka and the views like any other."""
    kept = text[:MAX_TEXT]
    whole = structured("full_text", {"text": kept}, name="full_text.txt")
    return {**whole, "mime_type": "text/plain", "size": len(kept.encode("utf-8"))}
