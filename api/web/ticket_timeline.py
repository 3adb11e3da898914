"""A ticket's events as its page tells them: what the customer wrote, the replies with how far each
got, internal notes, and what happened in between (assigned, paused, resolved…), in log order.

A delivery report is a fact about a reply, not a step of the conversation: it is folded into the
reply it reports on (`reply_version`) instead of being told on its own. For the same reason it is
not a change an operator must look at before acting (`substantive`).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.event_types import EventType
from domain.values import ReplyStatus
from projections.records import record_from_event

KINDS = {
    EventType.TICKET_OPENED: "customer",
    EventType.CUSTOMER_MESSAGE_RECEIVED: "customer",
    EventType.REPLY_SENT: "reply",
    EventType.NOTE_ADDED: "note",
}
DELIVERY_REPORTS = frozenset(
    {EventType.REPLY_DELIVERED, EventType.REPLY_DELIVERY_FAILED, EventType.REPLY_STATUS_REPORTED}
)
RANK = {ReplyStatus.SENT: 1, ReplyStatus.DELIVERED: 2, ReplyStatus.READ: 3}


@dataclass(slots=True)
class Delivery:
    """How far a reply got: queued (nothing heard yet), sent, delivered, read, or failed (why)."""

    state: str = "queued"
    error: str | None = None
    at: datetime | None = None


@dataclass(slots=True)
class Item:
    kind: str
    """customer (a message), reply, note, or event (anything else that happened)."""
    type: str
    version: int
    position: int
    actor: str
    at: datetime
    data: Mapping[str, Any]
    delivery: Delivery | None = None
    attachments: list[Mapping[str, Any]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return str(self.data.get("text") or "")

    @property
    def author(self) -> Mapping[str, Any] | None:
        """Who wrote a customer message in a group conversation (a VK chat, a Telegram group);
        None where the ticket's customer wrote it."""
        found = self.data.get("author") if self.kind == "customer" else None
        return found if isinstance(found, Mapping) else None


def timeline(events: Sequence[Any], positions: Mapping[int, int], pulled: bool = False) -> list[Item]:
    """Every event but delivery reports, each of those folded into its reply. On a channel whose
    customers' own client fetches replies (the widget), nothing is sent, so none is "queued"."""
    items: list[Item] = []
    replies: dict[int, Item] = {}
    for event in events:
        record = record_from_event(positions.get(event.originator_version, 0), event)
        if record.type in DELIVERY_REPORTS:
            reply = replies.get(int(record.data["reply_version"]))
            if reply is not None and reply.delivery is not None:
                report(reply.delivery, record.type, record.data, record.occurred_at)
            continue
        item = Item(
            KINDS.get(record.type, "event"),
            record.type,
            record.version,
            record.position,
            record.actor,
            record.occurred_at,
            record.data,
            attachments=list(record.data.get("attachments") or []),
        )
        if item.kind == "reply":
            item.delivery = Delivery("pulled" if pulled else "queued")
            replies[item.version] = item
        items.append(item)
    return items


def report(delivery: Delivery, kind: str, data: Mapping[str, Any], at: datetime) -> None:
    """A failure stands once heard; otherwise the furthest state reported, whatever the order."""
    if delivery.state == "failed":
        return
    if kind == EventType.REPLY_DELIVERY_FAILED:
        delivery.state, delivery.error, delivery.at = "failed", str(data.get("error") or ""), at
    elif kind == EventType.REPLY_DELIVERED:
        if delivery.state == "queued":
            delivery.state, delivery.at = ReplyStatus.SENT.value, at
    elif data.get("status") == ReplyStatus.FAILED:
        delivery.state, delivery.error, delivery.at = "failed", str(data.get("error") or ""), at
    elif RANK.get(data.get("status"), 0) > RANK.get(delivery.state, 0):
        delivery.state, delivery.at = str(data["status"]), at


def since(items: Iterable[Item], version: int) -> list[Item]:
    """What happened after `version`: what an operator acting on that version has not seen."""
    return [item for item in items if item.version > version]


def substantive(events: Iterable[Any], version: int) -> bool:
    """Did anything but delivery reports happen after `version`? Those only tell how a reply
    travelled; acting on a ticket that moved on by them alone is not acting blindly."""
    return any(type(e).__name__ not in DELIVERY_REPORTS for e in events if e.originator_version > version)
