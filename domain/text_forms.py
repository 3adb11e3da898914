"""Normal forms of what people type: one spelling per tag, handle and search word, whatever the keyboard.

"café" typed composed or decomposed, "ＶＩＰ" in full width and "vip" with a zero-width space in
it look the same on screen; as identifiers they must be the same value, or one customer becomes
two and a tag filter misses half its tickets. Identifiers are therefore NFKC-normalised,
case-folded and stripped of invisible characters. Names are shown, not compared: they keep what
was typed, but a name carrying bidi overrides or zero-width characters (which can make "evil.exe"
display as "exe.live", or two names look equal) is refused when a person types it.
"""

import unicodedata

from domain.errors import EmptyTextError, HiddenCharacterError, InvalidTagError, TextTooLongError

MAX_PASSES = 4
MAX_TEXT = 100_000
MAX_TAG = 64


def _hidden_chars() -> frozenset[str]:
    """Every format character (Unicode category Cf: zero-width spaces and joiners, bidi marks,
    embeddings, overrides and isolates, the BOM, soft hyphens, tag characters) and every
    control character except white space. Planes 2 to 13 and the private-use planes hold none."""
    return frozenset(chr(c) for c in (*range(0x20000), *range(0xE0000, 0xE1000)) if _hidden(chr(c)))


def _hidden(char: str) -> bool:
    category = unicodedata.category(char)
    return category == "Cf" or (category == "Cc" and not char.isspace())


HIDDEN = _hidden_chars()
REMOVE_HIDDEN = dict.fromkeys(map(ord, HIDDEN))


def fold(text: str) -> str:
    """Prose for comparison (search): invisible characters removed, NFKC, case-folded; white
    space kept as it is, so words stay apart. Repeated until stable (case folding can undo NFKC)."""
    text = visible(text)
    if text.isascii():
        return text.lower()
    for _ in range(MAX_PASSES):
        composed = unicodedata.normalize("NFKC", text)
        folded = visible(unicodedata.normalize("NFKC", composed.casefold()))
        if folded == text:
            break
        text = folded
    return text


def identifier(text: str) -> str:
    """The one spelling of a tag or handle: `fold`, with runs of white space as one space and
    none at either end, so "  ＶＩＰ " and "vip" are one tag."""
    return " ".join(fold(text).split())


def visible(text: str) -> str:
    """The text without its invisible characters. Names from providers are cleaned so, never
    refused: the message is the customer's, and it must be kept."""
    if text.isprintable() or "".join(text.split()).isprintable():  # fast, in C: no Cc or Cf in it
        return text
    return text.translate(REMOVE_HIDDEN)


def check_name(text: str, what: str = "A name") -> None:
    """Names typed through the API may not hide characters; says which one and where."""
    found = next((i for i, char in enumerate(text) if char in HIDDEN), None)
    if found is not None:
        raise HiddenCharacterError(
            f"{what} may not contain invisible or text-direction characters; found "
            f"U+{ord(text[found]):04X} at position {found + 1}."
        )


def check_text(text: str) -> None:
    """Messages, replies, notes and bodies: something to read, and not a flood."""
    if not text.strip():
        raise EmptyTextError("The text is empty.")
    if len(text) > MAX_TEXT:
        raise TextTooLongError(f"The text is longer than {MAX_TEXT} characters.")


def normalise_tags(tags: list[str]) -> list[str]:
    """Tags compare as identifiers, so "VIP ", "ＶＩＰ" and "vi\u200bp" are "vip"."""
    result: list[str] = []
    for tag in tags:
        clean = identifier(tag) if len(tag) <= MAX_TAG * 4 else ""
        if not clean or len(clean) > MAX_TAG:
            raise InvalidTagError(f"A tag must have 1 to {MAX_TAG} characters; got {tag[:100]!r}.")
        if clean not in result:
            result.append(clean)
    return result
