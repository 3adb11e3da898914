"""An event's data as the history pages show it: field names in words, values in words where
the catalogue has them (a resolution, a pause reason), ids linked to their own history, times in
the viewer's zone. The stored JSON stays beside it, so nothing is lost in the telling.

Only what the event stores is shown: events are read through `projections.records`, which masks
every secret a Channel or User event holds; ticket and customer events hold none, and a delivery
error (a provider's own words) is recorded with the channel's secrets masked (ingest/outbox.py).
"""

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from api.models import EventPublic
from api.views import author_label
from api.web.catalogue import messages, translate
from api.web.history_times import Times
from projections.records import EventRecord

VALUE_WORDS: dict[str, tuple[str, ...]] = {
    "type": ("ticket.type_",),
    "priority": ("ticket.priority_",),
    "resolution": ("ticket.resolution_",),
    "score": ("ticket.score_",),
    "status": ("ticket.delivery_",),
    "reason": ("ticket.reason_", "history.reason_"),
}
"""Fields whose values the catalogue has words for, and the keys they are found under."""
FREE_TEXT = frozenset({"text", "comment", "subject", "error"})
TICKET_LINKS = frozenset({"target_id", "source_id"})
CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    """As stored: the raw JSON's key."""
    label: str
    text: str
    href: str | None = None
    free: bool = False
    """Free text (a message, a comment): shown as written, line breaks kept."""


def event_label(language: str, event_type: str) -> str:
    """An event type in words ("Назначено" for an assignment); one the catalogue lacks stays as stored."""
    return words(language, f"history.event_{snake(event_type)}") or event_type


def fields(record: EventRecord, language: str, times: Times) -> list[Field]:
    """The fields with a value, in the order the event declares them."""
    found = (field(record, name, value, language, times) for name, value in record.data.items())
    return [f for f in found if f is not None]


def field(record: EventRecord, name: str, value: Any, language: str, times: Times) -> Field | None:
    if value is None or value == [] or value == "":
        return None
    label = words(language, f"history.field_{name}") or name
    href = link(record.aggregate_type, name, value)
    if name == "reply_version":
        return Field(name, label, translate(language, "history.reply_version", version=value), href)
    return Field(name, label, text_of(name, value, language, times), href, name in FREE_TEXT)


def link(aggregate_type: str, name: str, value: Any) -> str | None:
    """Where an id in the data leads: a customer's or a ticket's own history, or the reply's row."""
    if name == "customer_id" or (aggregate_type == "Customer" and name in TICKET_LINKS):
        return f"/customers/{value}/history"
    if name in TICKET_LINKS:
        return f"/tickets/{value}/history"
    if name == "reply_version":
        return f"#event-v{value}"
    return None


def text_of(name: str, value: Any, language: str, times: Times) -> str:
    if isinstance(value, datetime):
        return times.local(value)
    if isinstance(value, bool):
        return translate(language, "history.yes" if value else "history.no")
    if isinstance(value, list):
        return ", ".join(text_of(name, v, language, times) for v in value)
    if isinstance(value, Mapping) and name == "attachments":
        return attachment(value, language)
    if isinstance(value, Mapping) and name == "author":
        return author_label(value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    for prefix in VALUE_WORDS.get(name, ()):
        said = words(language, f"{prefix}{value}")
        if said:
            return said
    return str(value)


def attachment(file: Mapping[str, Any], language: str) -> str:
    """`выписка.pdf (application/pdf, 20.0 KB)`."""
    details = [str(file[k]) for k in ("mime_type",) if file.get(k)]
    if isinstance(file.get("size"), int | float):
        details.append(translate(language, "ticket.kilobytes", size=round(file["size"] / 1024, 1)))
    name = str(file.get("name") or file.get("kind") or "")
    return f"{name} ({', '.join(details)})" if details else name


def words(language: str, key: str) -> str | None:
    return messages(language).get(key)


def snake(name: str) -> str:
    return CAMEL.sub("_", name).lower()


@dataclass(frozen=True, slots=True)
class Row:
    """One event as a history table shows it."""

    record: EventRecord
    label: str
    fields: list[Field]
    raw: str
    """The event as `GET /api/v1/tickets/{id}/events` answers it, indented."""
    step: int
    later: bool
    """Recorded after the as-of instant: not part of the ticket shown beside it."""


def rows(
    records: Sequence[EventRecord],
    public: Sequence[EventPublic],
    language: str,
    times: Times,
    shown: Collection[str] = (),
    recorded_by: datetime | None = None,
) -> list[Row]:
    """Every event, or those of the `shown` types; each numbered by its step of the slider."""
    return [
        Row(
            record,
            event_label(language, record.type),
            fields(record, language, times),
            stored.model_dump_json(indent=2),
            step,
            recorded_by is not None and record.recorded_at > recorded_by,
        )
        for step, (record, stored) in enumerate(zip(records, public, strict=True), start=1)
        if not shown or record.type in shown
    ]
