"""Text analysis for search: words, their stems (Russian and English Snowball), and highlighting.

The index stores stems, so "карта", "карты" and "картой" are one term, as are "payment" and
"payments". Highlighting runs the same analysis over the original text, so what is marked is
exactly what matched, in the words the customer wrote. Text is folded first (NFKC, case-folded,
invisible characters removed: domain.text_forms.fold), at index time and at query time alike, so
"ＣＡＦÉ", "café" typed decomposed and "ca\u200bfé" are one word.
"""

import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import Stemmer

from domain.text_forms import fold

WORD = re.compile(r"[^\W_]+")
CYRILLIC = re.compile(r"[а-яё]")
LATIN = re.compile(r"[a-z]")
SCRIPT_RUN = re.compile(r"[а-яё]+|[a-z]+|[^а-яёa-z]+")
# Letters that look alike in both alphabets: "кapта" typed with a Latin "a" and "p" is still "карта".
LATIN_LOOKALIKES = "aeopcxykbhmt"
CYRILLIC_LOOKALIKES = "аеорсхуквнмт"
TO_CYRILLIC = str.maketrans(LATIN_LOOKALIKES, CYRILLIC_LOOKALIKES)
TO_LATIN = str.maketrans(CYRILLIC_LOOKALIKES[:8], LATIN_LOOKALIKES[:8])
MAX_WORD = 64
WORDS_CACHE_BYTES = 6 << 20
"""Each memo below (stems per word, stems per piece) keeps about this much, by estimate. Counted
in entries (500,000) they grew all day on a busy desk, whose ids and names are words seen once;
emptied when full, each swings the heap by up to its size, so they are kept small."""
ENTRY_BYTES = 120

_russian = Stemmer.Stemmer("russian")
_english = Stemmer.Stemmer("english")
_stems: dict[str, tuple[str, ...]] = {}
_pieces: dict[str, str] = {}  # lower-case text between spaces -> its folded words' stems, joined (index_text)


class Budget:
    """The estimated bytes a memo holds; a full memo is emptied, so the words in use come back
    at once and those seen once go (cheaper on the hot path than tracking recency)."""

    def __init__(self, limit: int) -> None:
        self.limit, self.used = limit, 0

    def keep(self, memo: dict[str, Any], key: str, value: Any, size: int) -> None:
        cost = ENTRY_BYTES + 2 * (len(key) + size)
        if self.used + cost > self.limit:
            memo.clear()
            self.used = 0
        memo[key] = value
        self.used += cost


_stems_budget = Budget(WORDS_CACHE_BYTES)
_pieces_budget = Budget(WORDS_CACHE_BYTES)


def terms(text: str) -> list[str]:
    """The stems of every word in `text`, in order, repeats kept (they count for ranking)."""
    result: list[str] = []
    cache = _stems
    for word in WORD.findall(fold(text.lower())):
        found = cache.get(word)
        result.extend(word_stems(word) if found is None else found)
    return result


def index_text(text: str) -> str:
    """What goes into the full-text index: the stems of `terms`, separated by spaces.

    This is the projection's hot path. Words never span white space, so the text is split on it
    (fast, in C) and each distinct lower-case piece ("карта," with its comma) is folded and analysed once:
    its stems are kept as one ready-made string. A message of known pieces then costs a split,
    one dictionary lookup per piece and a join, not a Unicode regex scan. Pieces without a word
    (emoji, dashes) give empty strings, which only add spaces.
    """
    pieces = text.lower().split()
    known = _pieces
    try:
        return " ".join([known[piece] for piece in pieces])
    except KeyError:
        return " ".join([known.get(piece) or piece_stems(piece) for piece in pieces])


def piece_stems(piece: str) -> str:
    joined = " ".join([s for word in WORD.findall(fold(piece)) for s in word_stems(word)])
    _pieces_budget.keep(_pieces, piece, joined, len(joined))
    return joined


def name_text(text: str) -> str:
    """Names are indexed as stems and as whole words, so prefixes of either form find them."""
    return " ".join([*terms(text), *words(text)])


def words(text: str) -> list[str]:
    return [part for word in WORD.findall(fold(text.lower())) for part in normalise(word)]


def prefix_query(text: str) -> str:
    """Every word must start a stem or a whole word of the name: "пет" and "Петрова" find Петров."""
    clauses = []
    for word in dict.fromkeys(words(text)):
        options = dict.fromkeys([stem(word), word])
        clauses.append("(" + " OR ".join(f'"{o}"*' for o in options) + ")")
    return " AND ".join(clauses)


def query_terms(text: str) -> list[str]:
    """The distinct stems of a query, in the order typed."""
    return list(dict.fromkeys(terms(text)))


def word_stems(word: str) -> tuple[str, ...]:
    cached = _stems.get(word)
    if cached is None:
        cached = tuple(stem(part) for part in normalise(word))
        _stems_budget.keep(_stems, word, cached, sum(map(len, cached)))
    return cached


def normalise(word: str) -> list[str]:
    """Folded, ё as е; a word in two alphabets is mended if it can be, else split."""
    clean = fold(word).replace("ё", "е")[:MAX_WORD]
    has_cyrillic, has_latin = CYRILLIC.search(clean), LATIN.search(clean)
    if not (has_cyrillic and has_latin):
        return [clean]
    latin = set(LATIN.findall(clean))
    if latin <= set(LATIN_LOOKALIKES):
        return [clean.translate(TO_CYRILLIC)]
    cyrillic = set(CYRILLIC.findall(clean))
    if cyrillic <= set(CYRILLIC_LOOKALIKES[:8]):
        return [clean.translate(TO_LATIN)]
    return SCRIPT_RUN.findall(clean)


def stem(word: str) -> str:
    if CYRILLIC.search(word):
        return str(_russian.stemWord(word))
    if LATIN.search(word):
        return str(_english.stemWord(word))
    return word


def fts_query(stems: Iterable[str]) -> str:
    """An FTS5 expression needing every stem; stems hold only word characters, so quoting is safe."""
    return " AND ".join(f'"{s}"' for s in stems)


@dataclass(frozen=True, slots=True)
class Fragment:
    text: str
    highlights: list[tuple[int, int]]

    def html(self) -> str:
        """The fragment, HTML-escaped, with each match in <mark>."""
        out, last = [], 0
        for start, end in self.highlights:
            out.append(html.escape(self.text[last:start]))
            out.append(f"<mark>{html.escape(self.text[start:end])}</mark>")
            last = end
        out.append(html.escape(self.text[last:]))
        return "".join(out)


def matches(text: str, stems: Iterable[str]) -> Iterator[tuple[int, int]]:
    """Spans of the original words whose stems are among `stems`."""
    wanted = set(stems)
    for found in WORD.finditer(text):
        if wanted.intersection(word_stems(found.group())):
            yield found.span()


def fragments(text: str, stems: Iterable[str], width: int = 160, limit: int = 3) -> list[Fragment]:
    """Up to `limit` windows of the original text around matches, or its beginning if none."""
    spans = list(matches(text, stems))
    if not spans:
        return [Fragment(shorten(text, 0, width), [])]
    result: list[Fragment] = []
    covered = -1
    for start, _ in spans:
        if start < covered or len(result) >= limit:
            continue
        begin = word_start(text, max(0, start - width // 3))
        end = word_end(text, min(len(text), begin + width))
        inside = [(s - begin, e - begin) for s, e in spans if s >= begin and e <= end]
        result.append(Fragment(text[begin:end], inside))
        covered = end
    return result


def shorten(text: str, begin: int, width: int) -> str:
    return text[begin : word_end(text, min(len(text), begin + width))]


def word_start(text: str, index: int) -> int:
    """Moves back to the start of the word `index` falls in, so no word is cut in half."""
    while 0 < index < len(text) and not text[index - 1].isspace():
        index -= 1
    return index


def word_end(text: str, index: int) -> int:
    while index < len(text) and not text[index].isspace():
        index += 1
    return index
