"""The outbound Subject, folded by us: never a line break right after "Subject:".

The standard library moves a whole unstructured value to the next line when it would fit there but
not after the header's name (`email._header_value_parser._refold_parse_tree`, "major syntactic
break"). A reply subject with our 39-character `[#<ticket id>]` token is often just that long, and
in SMTPUTF8 mode (a non-ASCII customer address) even a long Cyrillic subject goes out as
"Subject:\\r\\n Re: …", which some clients show as an empty subject or with a leading space.

`ReplyPolicy` folds only the Subject itself: the first word stays on the header's line; ASCII words
are written as they are; runs of other words become RFC 2047 UTF-8 encoded words (base64, each at
most 75 characters and never splitting a character), or stay UTF-8 under `utf8=True`; lines break
at spaces when they would pass 78 characters. Every other header is the library's.
"""

import base64
from email.policy import EmailPolicy

ENCODED_MAX = 75
"""RFC 2047 §2: an encoded word is at most 75 characters."""
PREFIX, SUFFIX = "=?utf-8?b?", "?="


class ReplyPolicy(EmailPolicy):
    """`email.policy.default` but for the Subject's folding (module docstring)."""

    def fold(self, name: str, value: str) -> str:
        if name.lower() == "subject":
            width = self.max_line_length or 78
            return folded(name, str(value), width, self.utf8, self.linesep) + self.linesep
        return super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        if name.lower() == "subject":
            return self.fold(name, value).encode("utf-8" if self.utf8 else "ascii")
        return super().fold_binary(name, value)


REPLY_POLICY = ReplyPolicy()


def tokens(value: str, utf8: bool) -> list[tuple[str, bool]]:
    """The Subject's words as (text, to encode): ASCII words as they are, each run of other words
    (or of words that look like encoded words) as one text to encode, spaces inside it included,
    as the space between two encoded words is not part of the text (RFC 2047 §6.2)."""
    out: list[tuple[str, bool]] = []
    for word in value.split():
        plain = utf8 or (word.isascii() and "=?" not in word)
        if not plain and out and out[-1][1]:
            out[-1] = (f"{out[-1][0]} {word}", True)
        else:
            out.append((word, not plain))
    return out


def folded(name: str, value: str, width: int, utf8: bool, linesep: str) -> str:
    """`Name: first-word …` with continuation lines that start with a space (RFC 5322 §2.2.3)."""
    lines = [f"{name}:"]

    def place(token: str) -> None:
        if lines[-1] == f"{name}:" or len(lines[-1]) + 1 + len(token) <= width:
            lines[-1] += " " + token
        else:
            lines.append(" " + token)

    for text, encode in tokens(value, utf8):
        if not encode:
            place(text)
            continue
        chunk = b""
        for char in text:
            octets = char.encode("utf-8")
            if chunk and word_length(chunk + octets) > room(lines[-1], width, name):
                place(word(chunk))
                chunk = b""
            chunk += octets
        place(word(chunk))
    return linesep.join(lines)


def room(line: str, width: int, name: str) -> int:
    """How long the next encoded word may be: what is left of this line, or a whole word's length
    on the next one (the header's first line always takes one)."""
    left = width - len(line) - 1
    if line == f"{name}:" or left >= len(PREFIX) + len(SUFFIX) + 4:
        return min(ENCODED_MAX, max(left, len(PREFIX) + len(SUFFIX) + 4))
    return ENCODED_MAX


def word_length(octets: bytes) -> int:
    return len(PREFIX) + -(-len(octets) // 3) * 4 + len(SUFFIX)


def word(octets: bytes) -> str:
    return PREFIX + base64.b64encode(octets).decode("ascii") + SUFFIX
