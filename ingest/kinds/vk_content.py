"""What a VK message or wall comment says, as ticket text, and what it carries, as attachment metadata.

Objects: https://dev.vk.com/ru/reference/objects/message (text, geo, attachments, fwd_messages,
reply_message, payload), https://dev.vk.com/ru/reference/objects/attachments-message and
https://dev.vk.com/ru/reference/objects/attachments-wall (one `{"type": t, t: {...}}` per item).
A customer may send a message without a word in it (a location, a sticker, a forwarded message):
each part becomes a readable line ("[location 55.75, 37.61]", "[sticker]", "[forwarded] text"),
so nothing a customer sent is a blank ticket message, and the files stay with VK, named by id.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from domain.text_forms import MAX_TEXT
from ingest.contract import Malformed, obj, text_of

MAX_QUOTE = 300
"""Characters of a wall post, comment or quoted message repeated inside a placeholder."""
MAX_FORWARDED = 100
"""VK nests forwarded messages up to 45 deep and 500 in all; more lines than this help nobody."""
MAX_DEPTH = 45


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
    answers; a keyboard button's payload is kept as metadata (its label is the text)."""
    content = Content()
    read_message(message, content, depth=0)
    payload = message.get("payload")
    if payload is not None:
        button = text_of(payload, "message.payload")
        content.attachments.append(metadata("payload", None, button))
        if not content.text:
            content.lines.append(f"[button: {button}]")
    reply = message.get("reply_message")
    if reply is not None:
        quoted = quote(obj(reply, "message.reply_message"))
        content.lines.append(f"[reply to] {quoted}" if quoted else "[reply to a message]")
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
        content.lines.append(location(obj(geo, "message.geo"), content))
    read_attachments(message.get("attachments", []), content)
    forwarded = message.get("fwd_messages", [])
    if not isinstance(forwarded, list):
        raise Malformed("message.fwd_messages must be a list.")
    for item in forwarded:
        if sum(line.startswith("[forwarded]") for line in content.lines) >= MAX_FORWARDED:
            content.lines.append("[forwarded: more messages not shown]")
            return
        inner = Content()
        read_message(obj(item, "fwd_messages[]"), inner, depth + 1)
        content.attachments += inner.attachments
        content.lines += [f"[forwarded] {line}" for line in inner.lines if line.strip()] or ["[forwarded]"]


def read_attachments(items: Any, content: Content) -> None:
    if not isinstance(items, list):
        raise Malformed("attachments must be a list.")
    for item in items:
        item = obj(item, "attachments[]")
        kind = text_of(item.get("type"), "attachments[].type")
        media = item.get(kind)
        media = media if isinstance(media, dict) else {}
        line, meta = (DESCRIBED.get(kind) or other)(kind, media)
        content.lines.append(line)
        content.attachments.append(meta)


def location(geo: dict[str, Any], content: Content) -> str:
    """`coordinates` is {latitude, longitude} in current versions and "lat lon" in old ones; a
    place (a check-in) may come with its name. Degrees are kept as VK sent them, never rounded."""
    point = geo.get("coordinates")
    if isinstance(point, dict):
        lat, lon = coordinate(point.get("latitude")), coordinate(point.get("longitude"))
    else:
        first, _, second = words(point).partition(" ")
        lat, lon = coordinate(first), coordinate(second)
    place = geo.get("place") if isinstance(geo.get("place"), dict) else {}
    title = words(place.get("title")) or words(place.get("city"))
    where = f"{lat}, {lon}" if lat and lon else ""
    content.attachments.append(metadata("location", where.replace(" ", "") or None, title or None))
    return "[" + " ".join(w for w in ("location", where) if w) + (f": {title}]" if title else "]")


def coordinate(value: Any) -> str:
    """Degrees as written: 55.753215 stays 55.753215 (an address hangs on the last digits)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return ""
    try:
        float(value)
    except ValueError:
        return ""
    return repr(value) if isinstance(value, float) else str(value).strip()


Described = tuple[str, dict[str, Any]]


def photo(kind: str, media: dict[str, Any]) -> Described:
    caption = words(media.get("text"))
    return placeholder("photo", caption), metadata(kind, owned_id(media), None)


def video(kind: str, media: dict[str, Any]) -> Described:
    title = words(media.get("title"))
    return placeholder("video", title), metadata(kind, owned_id(media), title or None)


def audio(kind: str, media: dict[str, Any]) -> Described:
    title = " – ".join(w for w in (words(media.get("artist")), words(media.get("title"))) if w)
    return placeholder("audio", title), metadata(kind, owned_id(media), title or None)


def doc(kind: str, media: dict[str, Any]) -> Described:
    """VK gives a document's name, extension and size, but no MIME type."""
    name = words(media.get("title"))
    size = media.get("size") if isinstance(media.get("size"), int) else None
    return placeholder("file", name), metadata(kind, owned_id(media), name or None, None, size)


def link(kind: str, media: dict[str, Any]) -> Described:
    url = words(media.get("url"))
    return placeholder("link", url), metadata(kind, url or None, words(media.get("title")) or None)


def market(kind: str, media: dict[str, Any]) -> Described:
    price = media.get("price") if isinstance(media.get("price"), dict) else {}
    title = words(media.get("title"))
    said = ", ".join(w for w in (title, words(price.get("text"))) if w)
    return placeholder("product", said), metadata(kind, owned_id(media), title or None)


def market_album(kind: str, media: dict[str, Any]) -> Described:
    title = words(media.get("title"))
    return placeholder("product collection", title), metadata(kind, owned_id(media), title or None)


def wall(kind: str, media: dict[str, Any]) -> Described:
    """A post carries `to_id` (its wall) where other objects have `owner_id`."""
    owner = media.get("owner_id", media.get("to_id"))
    post = f"{owner}_{media['id']}" if owner is not None and media.get("id") is not None else None
    return placeholder("wall post", clipped(media.get("text"))), metadata(kind, post, None)


def wall_reply(kind: str, media: dict[str, Any]) -> Described:
    return placeholder("wall comment", clipped(media.get("text"))), metadata(kind, owned_id(media), None)


def sticker(kind: str, media: dict[str, Any]) -> Described:
    found = media.get("sticker_id")
    return "[sticker]", metadata(kind, str(found) if isinstance(found, int) else None, None)


def gift(kind: str, media: dict[str, Any]) -> Described:
    found = media.get("id")
    return "[gift]", metadata(kind, str(found) if isinstance(found, int) else None, None)


def audio_message(kind: str, media: dict[str, Any]) -> Described:
    """VK transcribes voice messages for some languages; the transcript is what an operator reads."""
    length, transcript = duration(media.get("duration")), words(media.get("transcript"))
    said = "voice message" + (f" {length}" if length else "")
    return placeholder(said, transcript), metadata(kind, owned_id(media), None)


def poll(kind: str, media: dict[str, Any]) -> Described:
    question = words(media.get("question"))
    return placeholder("poll", question), metadata(kind, owned_id(media), question or None)


def call(kind: str, media: dict[str, Any]) -> Described:
    what = "video call" if media.get("video") else "call"
    if media.get("state") not in (None, "reached"):
        what = f"missed {what}"
    length = duration(media.get("duration")) if media.get("state") == "reached" else ""
    return f"[{what}{' ' + length if length else ''}]", metadata(kind, None, None)


def other(kind: str, media: dict[str, Any]) -> Described:
    """Graffiti, stories and types VK adds later: the kind is all a placeholder needs to say."""
    return f"[{kind.replace('_', ' ')}]", metadata(kind, owned_id(media), None)


DESCRIBED: dict[str, Callable[[str, dict[str, Any]], Described]] = {
    "photo": photo,
    "video": video,
    "audio": audio,
    "doc": doc,
    "link": link,
    "market": market,
    "market_album": market_album,
    "wall": wall,
    "wall_reply": wall_reply,
    "sticker": sticker,
    "gift": gift,
    "audio_message": audio_message,
    "poll": poll,
    "call": call,
}


def quote(message: dict[str, Any]) -> str:
    """A quoted message in one line: its words, else what it carried."""
    inner = Content()
    read_message(message, inner, depth=1)
    return clipped(" ".join(line for line in inner.lines if line.strip()))


def placeholder(what: str, detail: str) -> str:
    return f"[{what}: {detail}]" if detail else f"[{what}]"


def metadata(
    kind: str, item_id: str | None, name: str | None, mime_type: str | None = None, size: int | None = None
) -> dict[str, Any]:
    return {"kind": kind, "id": item_id, "name": name, "mime_type": mime_type, "size": size}


def owned_id(media: dict[str, Any]) -> str | None:
    """VK names a media object `<owner_id>_<id>`, as `attachment=` parameters write it."""
    owner, item = media.get("owner_id"), media.get("id")
    if isinstance(owner, int) and isinstance(item, int):
        return f"{owner}_{item}"
    return None


def words(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def clipped(value: Any) -> str:
    text = words(value)
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1] + "…"


def duration(value: Any) -> str:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return ""
    minutes, seconds = divmod(value, 60)
    return f"{minutes}:{seconds:02d}"
