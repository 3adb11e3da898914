"""What an operator reads for a message that is not plain text, whichever provider carried it.

A customer's location, contact card, poll or order becomes a ticket message whose text is a short
bracketed placeholder, worded here once for every kind, e.g. `[location 55.751244, 37.618423]`,
`[contact: Ivan Petrov, +79001234567]`, `[poll: Which day suits you?]`, `[order: 3 items]`,
`[forwarded] Hello`. A file the customer sent reads `[photo]` or `[document: act.pdf]` when it has
no caption (the caption is the text otherwise).

What the placeholder leaves out is not lost: `structured(kind, payload)` is the attachment that
keeps the provider's object itself, as JSON text in `payload` (so that it travels unchanged in the
event log and over Kafka, where the Attachment record has the same field).
"""

import json
from collections.abc import Iterable
from typing import Any

FORWARDED = "[forwarded] "
EDITED = "[edited] "
IGNORED = "ignored: "


def ignored(kind: str) -> str:
    """The dead letter's reason for an authenticated update that carries nothing for a ticket."""
    return f"{IGNORED}{kind}"


def bracket(kind: str, detail: str = "") -> str:
    """`[kind]`, or `[kind: detail]` when there is something to name (a file name, a question)."""
    detail = " ".join(detail.split())
    return f"[{kind}: {detail}]" if detail else f"[{kind}]"


def coordinate(value: Any) -> str:
    """A latitude or longitude as the provider sent it (never rounded: an address hangs on it)."""
    return repr(value) if isinstance(value, float) else str(value)


def location(latitude: Any, longitude: Any, *names: Any) -> str:
    """`[location 55.751244, 37.618423]`, then the place's name and address if the provider has them."""
    where = ", ".join(" ".join(str(n).split()) for n in names if n)
    place = f"[location {coordinate(latitude)}, {coordinate(longitude)}]"
    return f"{place[:-1]}: {where}]" if where else place


def contact(name: str, *phones: Any) -> str:
    """`[contact: Ivan Petrov, +79001234567]`."""
    return bracket("contact", ", ".join(part for part in (name, *map(str, phones)) if part))


def count(items: int, one: str, many: str) -> str:
    return f"{items} {one if items == 1 else many}"


def order(items: int) -> str:
    """`[order: 3 items]`: the number of articles ordered (quantities summed)."""
    return bracket("order", count(items, "item", "items"))


def joined(parts: Iterable[str]) -> str:
    return " ".join(part for part in parts if part)


def structured(kind: str, payload: Any, name: str | None = None, id: str | None = None) -> dict[str, Any]:
    """An attachment that is not a file: what it is, and the provider's object as JSON text."""
    return {
        "kind": kind,
        "id": id,
        "name": name,
        "mime_type": None,
        "size": None,
        "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
    }
