"""Every string the workspace shows, in Russian and English, from one catalogue.

The catalogue is a folder per language holding one JSON file per page (`locales/en/inbox.json`),
so that each page's strings sit together and two pages never edit the same file. Keys are
`<file>.<key>`: `inbox.title`. A test checks that both languages have the same keys and that
every key a template uses exists.
"""

import json
from functools import cache
from pathlib import Path

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = ("en", "ru")
DEFAULT_LANGUAGE = "en"


@cache
def messages(language: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted((LOCALES / language).glob("*.json")):
        for key, text in json.loads(path.read_text(encoding="utf-8")).items():
            found[f"{path.stem}.{key}"] = text
    return found


def translate(language: str, key: str, **params: object) -> str:
    """The text for `key`, with `{name}` placeholders filled; the key itself if it is missing, so
    that a forgotten string shows up on the page instead of breaking it."""
    text = messages(language).get(key) or messages(DEFAULT_LANGUAGE).get(key) or key
    return text.format(**params) if params else text


def choose_language(preferred: str | None, accept_language: str | None) -> str:
    """The user's own choice, else the browser's first language we have, else English."""
    if preferred in LANGUAGES:
        return preferred
    for part in (accept_language or "").split(","):
        tag = part.split(";", 1)[0].strip().lower()
        base = tag.split("-", 1)[0]
        if base in LANGUAGES:
            return base
    return DEFAULT_LANGUAGE
