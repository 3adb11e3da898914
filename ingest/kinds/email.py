"""E-mail adapter: MIME messages in (from the SMTP server), SMTP replies out with threading headers.

Formats: RFC 5322 (headers, Message-ID, In-Reply-To, References), RFC 2047 encoded subjects
(e.g. =?utf-8?b?...?= Russian subjects), RFC 2045-2049 MIME (multipart, HTML-only mail,
attachments kept as metadata only). A thread is keyed by its root Message-ID, so replies to our
replies (which carry the customer's References) land in the same ticket; a `[#<ticket id>]`
token in the subject threads mail whose client dropped the headers.
"""

import hashlib
import re
import smtplib
from collections.abc import Mapping
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any
from uuid import UUID

from application.intake import Inbound
from domain.channel import Channel
from ingest.channel_kind import ChannelKind, Replies, register
from ingest.contract import DeliveryError, Malformed, Parsed, ReplyAddress

KIND = "email"
TOKEN = re.compile(r"\[#([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\]")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")


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

    def parse(self, channel: Channel, body: bytes) -> Parsed:
        try:
            message = BytesParser(policy=policy.default).parsebytes(body)
            return Parsed(messages=[self.message(channel, message, body)])
        except Malformed:
            raise
        except (ValueError, TypeError, LookupError, AttributeError, IndexError) as exc:
            raise Malformed(f"Unreadable MIME: {type(exc).__name__}: {exc}") from None

    def message(self, channel: Channel, message: EmailMessage, raw: bytes) -> Inbound:
        name, address = parseaddr(str(message.get("From", "")))
        if "@" not in address:
            raise Malformed("The mail has no sender address.")
        own_id = first_id(message.get("Message-ID")) or f"<{hashlib.sha256(raw).hexdigest()}@no-message-id>"
        references = MESSAGE_ID.findall(str(message.get("References", "")))
        in_reply_to = first_id(message.get("In-Reply-To"))
        root = references[0] if references else (in_reply_to or own_id)
        subject = " ".join(str(message.get("Subject", "")).split())[:500] or None
        token = TOKEN.search(subject or "")
        text, attachments = content(message)
        if not text.strip():
            text = " ".join(f"[file: {a['name']}]" for a in attachments) or "(empty message)"
        return Inbound(
            channel=channel.name,
            kind=KIND,
            handle=address.lower(),
            name=name,
            thread=f"mail:{address.lower()}:{root}",
            external_id=own_id,
            text=text[:100_000],
            occurred_at=sent_at(message.get("Date")),
            subject=subject,
            attachments=attachments,
            ticket_hint=UUID(token.group(1)) if token else None,
        )

    def send(self, channel: Channel, address: ReplyAddress, text: str, reply_key: str) -> str:
        ticket_id, version = reply_key.rsplit(":", 1)
        domain = channel.setting("address").rsplit("@", 1)[-1]
        mail = EmailMessage()
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
        return mail["Message-ID"]


def first_id(value: Any) -> str | None:
    found = MESSAGE_ID.findall(str(value or ""))
    return found[0] if found else None


def sent_at(value: Any) -> datetime:
    try:
        parsed = parsedate_to_datetime(str(value))
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        return datetime.max.replace(tzinfo=UTC)  # no usable Date: intake uses the server clock


def content(message: EmailMessage) -> tuple[str, list[dict[str, Any]]]:
    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        value = body.get_content()
        text = html_to_text(value) if body.get_content_type() == "text/html" else str(value)
    attachments = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True) or b""
        attachments.append(
            {
                "kind": "file",
                "id": None,
                "name": part.get_filename() or "unnamed",
                "mime_type": part.get_content_type(),
                "size": len(payload) if isinstance(payload, bytes) else None,
            }
        )
    return text.strip(), attachments


class _Text(HTMLParser):
    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "blockquote"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)
