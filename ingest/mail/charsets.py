"""Bytes of a mail into text, whatever charset the mail claims: nothing dropped, no U+FFFD.

Real mail declares charsets that Python does not know (`x-unknown`, `windows-1251x`), declares one
and is written in another (cp1251 sent as `iso-8859-1`, UTF-8 sent as `koi8-r`), or sends 8-bit
Cyrillic with no charset at all, in bodies and in headers. The fallback, for a body part, an RFC 2047
encoded word and a header's raw 8-bit text alike:

1. pure ASCII is ASCII;
2. the candidates, in this order: the declared charset (when Python knows it), UTF-8, cp1251,
   koi8-r, latin-1;
3. charset-normalizer judges the candidates that decode without error (how much of the text is
   mess, how well it reads as a language). The declared charset is kept unless another candidate
   reads clearly better; between equals, the earlier candidate wins;
4. when the detector keeps none, the first candidate that decodes strictly; latin-1 decodes any
   byte, so the sequence always ends in text, and the raw message keeps the bytes.

A raw 8-bit header has no charset of its own: the mail's first text part's charset stands in for it,
as the clients that send such headers use the body's.
"""

import binascii
import codecs
import re

from charset_normalizer import from_bytes

FALLBACK = ("utf-8", "cp1251", "koi8-r", "latin-1")
"""After the declared charset, in this order (docs/channels.md, E-mail)."""
CLEARLY_BETTER = 0.1
"""How much less mess (charset-normalizer's chaos, 0–1) another candidate needs to beat the declared one."""
ENCODED_WORD = re.compile(rb"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
FOLD = re.compile(rb"\r?\n(?=[ \t])")


def codec(name: str | None) -> str | None:
    """Python's name for a declared MIME charset, or None when it is missing or unknown."""
    if not name:
        return None
    cleaned = name.strip().strip("\"'").split("*", 1)[0]  # RFC 2231 `utf-8*ru` carries a language
    try:
        info = codecs.lookup(cleaned)
    except (LookupError, ValueError):
        return None
    return info.name if getattr(info, "_is_text_encoding", True) else None  # not base64, rot13


def candidates(declared: str | None) -> list[str]:
    known = codec(declared)
    names = [known] if known else []
    names += [c for c in (codecs.lookup(f).name for f in FALLBACK) if c not in names]
    return names


def decode(data: bytes, declared: str | None = None) -> str:
    """The text of `data`, read by the documented fallback (module docstring)."""
    if data.isascii():
        return data.decode("ascii")
    names = candidates(declared)
    if names[0] == "utf-8":  # declared UTF-8, or nothing usable declared: valid UTF-8 is UTF-8
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    chosen = detected(data, names)
    for name in ([chosen] if chosen else []) + names:
        try:
            return data.decode(name)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # unreachable: latin-1 is among the candidates and decodes anything


def detected(data: bytes, names: list[str]) -> str | None:
    """charset-normalizer's pick among `names` (which it may not all know), biased to the first."""
    try:
        matches = list(from_bytes(data, cp_isolation=names, preemptive_behaviour=False))
    except (LookupError, ValueError):
        return None
    if not matches:
        return None

    def rank(encoding: str) -> int:
        normal = codec(encoding)
        return names.index(normal) if normal in names else len(names)

    def order(match: object) -> tuple[float, float, int]:
        chaos, coherence = round(match.chaos, 2), round(match.coherence, 2)  # type: ignore[attr-defined]
        return chaos, -coherence, min(rank(e) for e in match.could_be_from_charset)  # type: ignore[attr-defined]

    best = min(matches, key=order)
    first = names[0]
    for match in matches:
        if first in {codec(e) for e in match.could_be_from_charset} and match.chaos <= (
            best.chaos + CLEARLY_BETTER
        ):
            return first
    return min(best.could_be_from_charset, key=rank)


def header_text(raw: str, hint: str | None = None) -> str:
    """A header's value as stored by the parser (8-bit bytes as surrogates) into text: RFC 2047
    encoded words in their own charsets, raw 8-bit text by the fallback from `hint`. Encoded words
    of one charset next to each other are joined before decoding (a mailer may split a character
    between two); the space between encoded words is not text (RFC 2047 §6.2)."""
    data = FOLD.sub(b"", raw.encode("utf-8", "surrogateescape")).replace(b"\r", b"").replace(b"\n", b"")
    pieces: list[tuple[bytes, str | None]] = []  # (bytes, charset of an encoded word | None for plain)
    at = 0
    for word in ENCODED_WORD.finditer(data):
        between = data[at : word.start()]
        after_word = bool(pieces) and pieces[-1][1] is not None and not between.strip()
        if between and not after_word:
            pieces.append((between, None))
        charset = word.group(1).lower().decode("ascii", "replace")
        payload = word_bytes(word.group(2), word.group(3))
        if payload is None:
            pieces.append((word.group(0), None))
        elif after_word and pieces[-1][1] == charset:
            pieces[-1] = (pieces[-1][0] + payload, charset)
        else:
            pieces.append((payload, charset))
        at = word.end()
    if data[at:]:
        pieces.append((data[at:], None))
    return "".join(decode(chunk, charset if charset is not None else hint) for chunk, charset in pieces)


def word_bytes(encoding: bytes, payload: bytes) -> bytes | None:
    """The octets of one encoded word, or None when its base64 cannot be read (then it stays as text)."""
    if encoding in b"qQ":
        return binascii.a2b_qp(payload, header=True)
    try:
        return binascii.a2b_base64(payload + b"=" * (-len(payload) % 4))
    except binascii.Error:
        return None
