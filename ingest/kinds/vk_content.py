"""What a VK message or wall comment says, as ticket text, and what it carries, as attachments.

Objects: https://dev.vk.com/ru/reference/objects/message (text, geo, attachments, fwd_messages,
reply_message, payload), https://dev.vk.com/ru/reference/objects/attachments-message and
https://dev.vk.com/ru/reference/objects/attachments-wall (one `{"type": t, t: {...}}` per item).
A customer may send a message without a word in it (a location, a sticker, a forwarded message):
each part becomes a line worded as for every provider (ingest/placeholders.py: "[location 55.75,
37.61]", "[sticker]", "[forwarded] text"), so nothing a customer sent is a blank ticket message.
A file stays with VK, named by VK's `<owner_id>_<id>`; what is not a file (a place, a poll, a
product, a shared post, a keyboard button's payload…) keeps VK's object as the attachment's
`payload`.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from domain.text_forms import MAX_TEXT
from ingest.contract import Malformed, obj, text_of
from ingest.placeholders import FORWARDED, bracket, location, structured

MAX_QUOTE = 300
"""Characters of a wall post, comment or quoted message repeated inside a placeholder."""
MAX_FORWARDED = 100
"""VK nests forwarded messages up to 45 deep and 500 in all; more lines than this help nobody."""
MAX_DEPTH = 45
REFERENCE = ("id", "conversation_message_id", "peer_id", "from_id", "date")
"""What names a forwarded or quoted message; its words are in the ticket text already."""


@dataclass
class Content:
    lines: list[str] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def text(self) -> str:
        text = "\n".join(line for line in self.lines if line.strip())
        return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def message_content(message: dict[str, Any]) -> Content:
    """The message's own text, then its location, attachments, forwarded messages, and what it
    answers; a keyboard button's payload is kept as an attachment (its label is the text)."""
    content = Content()
    read_message(message, content, depth=0)
    payload = message.get("payload")
    if payload is not None:
        button = text_of(payload, "message.payload")
        content.attachments.append(structured("payload", decoded(button)))
        if not content.text:
            content.lines.append(bracket("button", button))
    reply = message.get("reply_message")
    if reply is not None:
        replied = obj(reply, "message.reply_message")
        quoted = quote(replied)
        content.lines.append(f"[reply to] {quoted}" if quoted else "[reply to a message]")
        content.attachments.append(structured("reply_to", reference(replied)))
    return content


def comment_content(comment: dict[str, Any]) -> Content:
    content = Content([text_of(comment.get("text"), "text", required=False)])
    read_attachments(comment.get("attachments", []), content)
    return content


def read_message(message: dict[str, Any], content: Content, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise Malformed(f"fwd_messages nest deeper than VK allows ({MAX_DEPTH}).")
    content.lines.append(text_of(message.get("text"), "message.text", required=False))
    geo = message.get("geo")
    if geo is not None:
        content.lines.append(place(obj(geo, "message.geo"), content))
    read_attachments(message.get("attachments", []), content)
    forwarded = message.get("fwd_messages", [])
    if not isinstance(forwarded, list):
        raise Malformed("message.fwd_messages must be a list.")
    for item in forwarded:
        if sum(line.startswith(FORWARDED) for line in content.lines) >= MAX_FORWARDED:
            content.lines.append("[forwarded: more messages not shown]")
            return
        inner, item = Content(), obj(item, "fwd_messages[]")
        read_message(item, inner, depth + 1)
        if depth == 0:
            content.attachments.append(structured("forwarded", reference(item)))
        content.attachments += inner.attachments
        lines = [f"{FORWARDED}{line}" for line in inner.lines if line.strip()]
        content.lines += lines or [FORWARDED.strip()]


def read_attachments(items: Any, content: Content) -> None:
    if not isinstance(items, list):
        raise Malformed("attachments must be a list.")
    for item in items:
        item = obj(item, "attachments[]")
        kind = text_of(item.get("type"), "attachments[].type")
        media = item.get(kind)
        media = media if isinstance(media, dict) else {}
        line, kept = (DESCRIBED.get(kind) or other)(kind, media)
        content.lines.append(line)
        content.attachments.append(kept)


def place(geo: dict[str, Any], content: Content) -> str:
    """`coordinates` is {latitude, longitude} in current versions and "lat lon" in old ones; a
    place (a check-in) may come with its name. Degrees are kept as VK sent them."""
    point = geo.get("coordinates")
    if isinstance(point, dict):
        lat, lon = point.get("latitude"), point.get("longitude")
    else:
        lat, _, lon = words(point).partition(" ")
    spot = geo.get("place") if isinstance(geo.get("place"), dict) else {}
    title = words(spot.get("title")) or words(spot.get("city"))
    known = is_number(lat) and is_number(lon)
    content.attachments.append(structured("location", geo, title or None))
    return location(lat, lon, title) if known else bracket("location", title)


Described = tuple[str, dict[str, Any]]


def photo(kind: str, media: dict[str, Any]) -> Described:
    return bracket("photo", words(media.get("text"))), file(kind, media, None)


def video(kind: str, media: dict[str, Any]) -> Described:
    title = words(media.get("title"))
    return bracket("video", title), file(kind, media, title)


def audio(kind: str, media: dict[str, Any]) -> Described:
    title = " – ".join(w for w in (words(media.get("artist")), words(media.get("title"))) if w)
    return bracket("audio", title), file(kind, media, title)


def doc(kind: str, media: dict[str, Any]) -> Described:
    """VK gives a document's name, extension and size, but no MIME type."""
    name = words(media.get("title"))
    size = media.get("size")
    return bracket("file", name), file(kind, media, name, size if is_count(size) else None)


def audio_message(kind: str, media: dict[str, Any]) -> Described:
    """VK transcribes voice messages for some languages; the transcript is what an operator reads."""
    length, transcript = duration(media.get("duration")), words(media.get("transcript"))
    return bracket(f"voice message {length}".strip(), transcript), file(kind, media, None)


def graffiti(kind: str, media: dict[str, Any]) -> Described:
    return "[graffiti]", file(kind, media, None)


def link(kind: str, media: dict[str, Any]) -> Described:
    url = words(media.get("url"))
    return bracket("link", url), structured(kind, media, words(media.get("title")) or None, url or None)


def market(kind: str, media: dict[str, Any]) -> Described:
    price = media.get("price") if isinstance(media.get("price"), dict) else {}
    title = words(media.get("title"))
    said = ", ".join(w for w in (title, words(price.get("text"))) if w)
    return bracket("product", said), structured(kind, media, title or None, owned_id(media))


def market_album(kind: str, media: dict[str, Any]) -> Described:
    title = words(media.get("title"))
    return bracket("product collection", title), structured(kind, media, title or None, owned_id(media))


def wall(kind: str, media: dict[str, Any]) -> Described:
    """A post carries `to_id` (its wall) where other objects have `owner_id`."""
    owner = media.get("owner_id", media.get("to_id"))
    post = f"{owner}_{media['id']}" if owner is not None and media.get("id") is not None else None
    return bracket("wall post", clipped(media.get("text"))), structured(kind, media, None, post)


def wall_reply(kind: str, media: dict[str, Any]) -> Described:
    said = clipped(media.get("text"))
    return bracket("wall comment", said), structured(kind, media, None, owned_id(media))


def sticker(kind: str, media: dict[str, Any]) -> Described:
    found = media.get("sticker_id")
    return "[sticker]", structured(kind, media, None, str(found) if is_count(found) else None)


def gift(kind: str, media: dict[str, Any]) -> Described:
    found = media.get("id")
    return "[gift]", structured(kind, media, None, str(found) if is_count(found) else None)


def poll(kind: str, media: dict[str, Any]) -> Described:
    question = words(media.get("question"))
    return bracket("poll", question), structured(kind, media, question or None, owned_id(media))


def call(kind: str, media: dict[str, Any]) -> Described:
    what = "video call" if media.get("video") else "call"
    if media.get("state") not in (None, "reached"):
        what = f"missed {what}"
    length = duration(media.get("duration")) if media.get("state") == "reached" else ""
    return f"[{what}{' ' + length if length else ''}]", structured(kind, media)


def other(kind: str, media: dict[str, Any]) -> Described:
    """Stories and the types VK adds later: the kind is all a placeholder needs to say."""
    return f"[{kind.replace('_', ' ')}]", structured(kind, media, None, owned_id(media))


DESCRIBED: dict[str, Callable[[str, dict[str, Any]], Described]] = {
    "photo": photo,
    "video": video,
    "audio": audio,
    "doc": doc,
    "audio_message": audio_message,
    "graffiti": graffiti,
    "link": link,
    "market": market,
    "market_album": market_album,
    "wall": wall,
    "wall_reply": wall_reply,
    "sticker": sticker,
    "gift": gift,
    "poll": poll,
    "call": call,
}


def quote(message: dict[str, Any]) -> str:
    """A quoted message in one line: its words, else what it carried."""
    inner = Content()
    read_message(message, inner, depth=1)
    return clipped(" ".join(line for line in inner.lines if line.strip()))


def reference(message: dict[str, Any]) -> dict[str, Any]:
    return {key: message[key] for key in REFERENCE if key in message}


def file(kind: str, media: dict[str, Any], name: str | None, size: int | None = None) -> dict[str, Any]:
    """A file stays at VK: kept by its `<owner_id>_<id>`, name and size (VK gives no MIME type)."""
    return {"kind": kind, "id": owned_id(media), "name": name or None, "mime_type": None, "size": size}


def owned_id(media: dict[str, Any]) -> str | None:
    """VK names a media object `<owner_id>_<id>`, as `attachment=` parameters write it."""
    owner, item = media.get("owner_id"), media.get("id")
    return f"{owner}_{item}" if is_count(owner, signed=True) and is_count(item) else None


def decoded(payload: str) -> Any:
    """A button's payload is JSON text by VK's rules; kept as sent if it is not."""
    try:
        return json.loads(payload)
    except ValueError:
        return payload


def is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True


def is_count(value: Any, signed: bool = False) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and (signed or value >= 0)


def words(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def clipped(value: Any) -> str:
    text = words(value)
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1] + "…"


def duration(value: Any) -> str:
    if not is_count(value):
        return ""
    minutes, seconds = divmod(value, 60)
    return f"{minutes}:{seconds:02d}"
