"""What channel kinds hand over, and the helpers they share to read provider payloads.

A kind (`ingest.channel_kind`) is pure translation: it checks the provider's signature, turns a raw
body into `Inbound` messages, `DeliveryStatus` reports or `MentionIn` mentions (or a handshake
answer, or "nothing for us"), and turns an operator's reply into the provider's send request.
HTTP, storage and threading live elsewhere.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from application.intake import Inbound


class BadSignature(Exception):
    """The request does not come from the provider: refuse it, record nothing."""


class Malformed(Exception):
    """Authenticated, but not a payload we can read: 4xx and a dead letter."""


class DeliveryError(Exception):
    """The provider refused a reply; `permanent` ones are not retried."""

    def __init__(self, message: str, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class DeliveryStatus:
    """The provider's report on a message we sent: which one, what became of it, when."""

    provider_message_id: str
    status: str  # sent | delivered | read | failed (domain.values.ReplyStatus)
    occurred_at: datetime
    error: str | None = None  # the provider's reason, for a failed message


@dataclass(frozen=True)
class MentionIn:
    """A mention from a monitoring tool: captured for triage, it opens no ticket by itself."""

    external_id: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class Parsed:
    messages: list[Inbound] = field(default_factory=list)
    statuses: list[DeliveryStatus] = field(default_factory=list)
    mentions: list[MentionIn] = field(default_factory=list)
    unsupported: str | None = None  # the authenticated update is of a kind we keep but do not handle
    answer: str | None = None  # a handshake's plain-text answer (VK confirmation, hub.challenge)


@dataclass(frozen=True)
class ReplyAddress:
    """What the outbox knows of a ticket's conversation, to address a reply."""

    ticket_id: str
    channel: str
    subject: str | None
    external_ids: Sequence[str]
    handle: str


@dataclass(frozen=True)
class Outgoing:
    url: str
    json_body: dict[str, Any] | None = None
    form: dict[str, str] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


def load_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise Malformed(f"The body is not JSON: {exc}") from None


def obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Malformed(f"{what} must be an object.")
    return value


def text_of(value: Any, what: str, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise Malformed(f"{what} must be a string.")
    return str(value)


def string_of(value: Any, what: str) -> str:
    """Strictly a non-empty string: for a field whose meaning is a word or an id, not a number."""
    if not isinstance(value, str) or not value.strip():
        raise Malformed(f"{what} must be a non-empty string.")
    return value


def int_of(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise Malformed(f"{what} must be an integer.")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Malformed(f"{what} must be an integer.") from None


def unix_time(value: Any, what: str) -> datetime:
    seconds = int_of(value, what)
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise Malformed(f"{what} is not a valid time.") from None


def iso_time(text: str, field: str, form: str = "ISO 8601") -> datetime:
    """An ISO 8601 time with its zone, in UTC; otherwise Malformed, naming the field."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise Malformed(f"{field} must be {form}.") from None
    if parsed.tzinfo is None:
        raise Malformed(f"{field} needs a time zone.")
    return in_utc(parsed, field)


def in_utc(moment: datetime, what: str) -> datetime:
    """A provider's time with a time zone, in UTC; year 1 at +23:59 has no UTC and is refused."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise Malformed(f"{what} is not a valid time.") from None


def header(headers: Mapping[str, str], name: str) -> str:
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), "")
