"""The contract of a channel kind: everything deskstream needs to know about one provider.

A kind is one module in `ingest/kinds/` holding one class decorated with `@register`. The API's
webhook routes and kind enum, the CLI's choices, the settings a channel must have, which replies
the outbox sends and how, whose delivery statuses are kept, how a webhook is acknowledged: all of it
is read from the registered kinds (`ingest.registry`), never restated. A kind that leaves out any
part of the contract fails when its module is imported, not at its first webhook.
"""

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from domain.channel import Channel
from ingest.contract import DeliveryError, Outgoing, Parsed, ReplyAddress


class Replies(StrEnum):
    """What becomes of an operator's reply on a ticket of the kind."""

    PUSHED = "pushed"  # the outbox sends it through `send` and records ReplyDelivered or ...Failed
    PULLED = "pulled"  # the customer's own client fetches it (the widget): no outbox job, no failure
    NONE = "none"  # the kind carries no replies: the outbox records ReplyDeliveryFailed(`no_replies`)


@dataclass(frozen=True)
class Webhook:
    """The provider calls `POST /api/v1/ingest/<kind>/{channel}`; `doc` is its OpenAPI text.
    `challenge_doc`: the provider also verifies the URL with a GET (Meta's hub.challenge), answered
    by the kind's `challenge`."""

    doc: str
    challenge_doc: str | None = None


class ChannelKind(ABC):
    """The base class of every channel kind.

    To create your own kind you need to implement:

    * `kind`: the name in `/api/v1/ingest/<kind>/…`, in `POST /channels {"kind"}` and in
      customer identities (`<kind>:<handle>`)
    * `required_settings`: the settings a channel of the kind must have (checked when it is added)
    * `replies`: `Replies.PUSHED`, `PULLED` or `NONE`; with `NONE`, `no_replies` says why
    * `reports_statuses`: whether the provider reports sent / delivered / read / failed by the id
      that `send` returned (then `parse` returns them as `Parsed.statuses`)
    * `forged_status`: the HTTP status a request with a wrong signature gets (401, or 403)
    * `acknowledgement`: the plain text the provider expects back (VK: "ok"), or None for JSON
    * `webhook`: a `Webhook`, or None when messages arrive another way (e-mail, over SMTP)
    * `verify(channel, body, headers)`: raise `BadSignature` unless the provider sent it
    * `parse(channel, body)`: the payload as `Parsed` messages / statuses / mentions, or raise
      `Malformed`
    * `send(channel, address, text, reply_key)`: deliver one reply, return the provider's message
      id, or raise `DeliveryError` (`HttpReplies` implements it from `request` and `delivered`)

    Register it with `@register` above the class. With `Webhook(challenge_doc=…)`, also override
    `challenge`. If the provider puts the channel's shared secret inside the JSON body (VK), name
    those top-level fields in `secret_body_fields`: dead letters drop them. If the provider names
    each delivery (Telegram's update_id, VK's event_id), override `dead_letter_key`, so that its
    retries of one payload count on one dead letter.
    """

    kind: str
    required_settings: tuple[str, ...]
    replies: Replies
    reports_statuses: bool
    forged_status: int
    acknowledgement: str | None
    webhook: Webhook | None
    no_replies: str = ""
    secret_body_fields: tuple[str, ...] = ()

    @abstractmethod
    def verify(self, channel: Channel, body: bytes, headers: Mapping[str, str]) -> None:
        """Raises BadSignature when the request does not come from the provider."""

    @abstractmethod
    def parse(self, channel: Channel, body: bytes) -> Parsed:
        """Raises Malformed when an authenticated body cannot be read."""

    @abstractmethod
    def send(self, channel: Channel, address: ReplyAddress, text: str, reply_key: str) -> str | None:
        """Delivers one reply; `reply_key` (`<ticket>:<version>`) is stable across retries."""

    def challenge(self, channel: Channel, mode: str | None, token: str | None, value: str | None) -> str:
        """The answer to the provider's GET verification of the webhook URL."""
        raise NotImplementedError(f"The {self.kind} kind has no webhook challenge.")

    def dead_letter_key(self, body: bytes) -> str | None:
        """What names this payload across the provider's retries (its update or event id), read
        from any body however broken; None when there is nothing: the dead-letter store then keys
        the letter on a hash of the body it keeps."""
        return None


class HttpReplies(ChannelKind):
    """A kind whose replies are one HTTP POST to the provider's send API (`timeout_seconds`)."""

    @abstractmethod
    def request(self, channel: Channel, address: ReplyAddress, text: str, reply_key: str) -> Outgoing:
        """The provider's send request for this reply."""

    @abstractmethod
    def delivered(self, status: int, body: bytes) -> str | None:
        """The provider's message id from its answer, or raises DeliveryError."""

    def send(self, channel: Channel, address: ReplyAddress, text: str, reply_key: str) -> str | None:
        outgoing = self.request(channel, address, text, reply_key)
        status, body = post(outgoing, float(channel.setting("timeout_seconds", "10")))
        return self.delivered(status, body)


class NoReplies(ChannelKind):
    """A kind on which no reply can be sent or pulled; the outbox records why (`no_replies`)."""

    replies = Replies.NONE

    def send(self, channel: Channel, address: ReplyAddress, text: str, reply_key: str) -> str | None:
        raise DeliveryError(self.no_replies, permanent=True)


class PulledReplies(ChannelKind):
    """A kind whose client fetches the replies itself: the outbox never gets them."""

    replies = Replies.PULLED

    def send(self, channel: Channel, address: ReplyAddress, text: str, reply_key: str) -> str | None:
        raise DeliveryError(f"{self.kind} replies are pulled by its client, not sent.", permanent=True)


def post(outgoing: Outgoing, timeout: float) -> tuple[int, bytes]:
    """One HTTP POST with the standard library; every failure is a (transient) DeliveryError."""
    if outgoing.form is not None:
        data = urllib.parse.urlencode(outgoing.form).encode()
        content_type = "application/x-www-form-urlencoded"
    else:
        data = json.dumps(outgoing.json_body, ensure_ascii=False).encode()
        content_type = "application/json"
    request = urllib.request.Request(
        outgoing.url, data=data, method="POST", headers={"Content-Type": content_type, **outgoing.headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (OSError, ValueError) as exc:
        raise DeliveryError(f"connection: {type(exc).__name__}: {exc}", permanent=False) from None


K = TypeVar("K", bound=type[ChannelKind])
DECLARED = (
    "kind",
    "required_settings",
    "replies",
    "reports_statuses",
    "forged_status",
    "acknowledgement",
    "webhook",
)
NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
REGISTERED: dict[str, ChannelKind] = {}
"""Filled as `ingest/kinds/` is imported (`ingest.registry` imports all of it)."""


def register(cls: K) -> K:
    """Class decorator: the kind is checked against the contract and registered, or the import fails."""
    missing = [name for name in DECLARED if not hasattr(cls, name)]
    if missing:
        raise TypeError(f"Channel kind {cls.__name__} does not declare: {', '.join(missing)}.")
    instance = cls()  # TypeError here names the abstract methods it lacks
    check_declarations(cls.__name__, instance)
    if instance.kind in REGISTERED and type(REGISTERED[instance.kind]) is not cls:
        raise TypeError(f"Two channel kinds are named {instance.kind!r}.")
    REGISTERED[instance.kind] = instance
    return cls


def check_declarations(name: str, kind: ChannelKind) -> None:
    if not isinstance(kind.kind, str) or not NAME.fullmatch(kind.kind):
        raise TypeError(f"{name}.kind must be a lower-case word (letters, digits, _), not {kind.kind!r}.")
    if not isinstance(kind.required_settings, tuple) or not all(
        isinstance(key, str) for key in kind.required_settings
    ):
        raise TypeError(f"{name}.required_settings must be a tuple of setting names.")
    if not isinstance(kind.replies, Replies):
        raise TypeError(f"{name}.replies must be a Replies value.")
    if kind.replies is Replies.NONE and not kind.no_replies:
        raise TypeError(f"{name} sends no replies, so its no_replies must say why.")
    if kind.forged_status not in (401, 403):
        raise TypeError(f"{name}.forged_status must be 401 or 403.")
    challenged = kind.webhook is not None and kind.webhook.challenge_doc is not None
    if challenged and type(kind).challenge is ChannelKind.challenge:
        raise TypeError(f"{name} declares a webhook challenge but does not implement challenge().")
