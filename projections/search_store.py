"""Where the search index lives: one SQLite file with FTS5 tables, in every deployment mode.

The full-text tables hold Snowball stems (see search_text), not the original words, and keep no
copy of the text (`content=''`); the original text sits once in `search_docs` for display and
highlighting. Rows and the tracked position commit in one transaction.
"""

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from projections.sql import SqliteCursor
from projections.tracking import ViewSchema

# Stems arrive space-separated and already folded, so the cheapest tokenizer ('ascii') is enough.
FTS_OPTIONS = "content='', tokenize='ascii'"
# Bumped whenever the tables change shape or the terms change (6: words NFKC-folded): an index file
# of another version is dropped and rebuilt from the log (the tracked position goes with it, so the
# runner replays from the start).
SCHEMA_VERSION = 6
# search_fts rowid = doc_id * 4 + kind code: the kind filter (notes hidden from service tokens) is
# arithmetic on the rowid FTS5 already returns, not a lookup per match nor a very common MATCH term.
KIND_CODES = {"message": 0, "reply": 1, "note": 2}
SCHEMA = [
    """CREATE TABLE IF NOT EXISTS search_tickets (
        tid INTEGER PRIMARY KEY, ticket_id TEXT NOT NULL UNIQUE, customer_id TEXT NOT NULL,
        channel TEXT NOT NULL, status TEXT NOT NULL, assignee TEXT, subject TEXT,
        tags TEXT NOT NULL, opened_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS search_tickets_customer ON search_tickets (customer_id)",
    """CREATE TABLE IF NOT EXISTS search_ticket_tags (
        tag TEXT NOT NULL, tid INTEGER NOT NULL, PRIMARY KEY (tag, tid)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS search_docs (
        doc_id INTEGER PRIMARY KEY, tid INTEGER NOT NULL, kind TEXT NOT NULL,
        occurred_at TEXT NOT NULL, actor TEXT NOT NULL, text TEXT NOT NULL,
        snippet TEXT, article TEXT)""",
    "CREATE INDEX IF NOT EXISTS search_docs_ticket ON search_docs (tid, occurred_at)",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(body, name, meta, {FTS_OPTIONS})",
    """CREATE TABLE IF NOT EXISTS search_customers (
        cid INTEGER PRIMARY KEY, customer_id TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
        identities TEXT NOT NULL, merged_into TEXT, registered_at TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS search_customers_merged ON search_customers (merged_into)",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS search_customer_fts USING fts5(name, identities, {FTS_OPTIONS})",
    """CREATE INDEX IF NOT EXISTS search_docs_snippet ON search_docs (snippet, occurred_at)
        WHERE snippet IS NOT NULL""",
    """CREATE INDEX IF NOT EXISTS search_docs_article ON search_docs (article, occurred_at)
        WHERE article IS NOT NULL""",
    """CREATE TABLE IF NOT EXISTS kb_articles (
        aid INTEGER PRIMARY KEY, article_id TEXT NOT NULL UNIQUE, title TEXT NOT NULL, body TEXT NOT NULL,
        category TEXT, tags TEXT NOT NULL, visibility TEXT NOT NULL, version INTEGER NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL)""",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS kb_article_fts USING fts5(title, body, tags, {FTS_OPTIONS})",
    """CREATE TABLE IF NOT EXISTS kb_snippets (
        snippet_id TEXT PRIMARY KEY, shortcut TEXT NOT NULL UNIQUE, title TEXT NOT NULL, body TEXT NOT NULL,
        category TEXT, archived INTEGER NOT NULL, version INTEGER NOT NULL, updated_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS search_tracking (
        source TEXT PRIMARY KEY, position INTEGER NOT NULL)""",
]
TABLES = (
    "search_tickets",
    "search_ticket_tags",
    "search_docs",
    "search_fts",
    "search_customers",
    "search_customer_fts",
    "kb_articles",
    "kb_article_fts",
    "kb_snippets",
    "search_tracking",
)
VIEW = ViewSchema("search", SCHEMA_VERSION, TABLES, tuple(SCHEMA), "search_tracking")


class SearchDb:
    """One connection per thread; WAL lets queries go on while the projector writes a batch."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        with self.writing() as con:
            cur = SqliteCursor(con)
            if con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
                VIEW.stamp(cur, SCHEMA_VERSION)  # an index from before search_schema kept its version here
            VIEW.upgrade(cur)

    def connection(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            # 16 MiB of pages per connection, all of them under the process-wide soft heap limit
            # (api/sqlite_heap.py); at 64 MiB SQLite's memory grew by 1.7 MiB a minute for as long
            # as a soak ran (bench/heap_growth.py). No mmap: mapped pages of a growing index count in
            # the server's RSS without bound (+39 MiB in 19 soak minutes), and on 1M messages
            # bench/search.py ran as fast without it (two words p99 24.8–28.2 ms vs 30.5–31.7).
            con.execute("PRAGMA cache_size=-16384")
            # A checkpoint (and its fsync) every ~40 MB of WAL instead of every 4 MB: a rebuild writes
            # the index several times over as FTS5 merges segments. Commits stay atomic as before.
            con.execute("PRAGMA wal_autocheckpoint=10000")
            self._local.con = con
            with self._lock:
                self._connections.append(con)
        return con

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        con = self.connection()
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """One snapshot for all of a query's statements (its page and its count agree)."""
        con = self.connection()
        con.execute("BEGIN")
        try:
            yield con
        finally:
            con.execute("COMMIT")

    def positions(self) -> dict[str, int]:
        with self.reading() as con:
            return VIEW.positions(SqliteCursor(con))

    def reset(self) -> None:
        with self.writing() as con:
            for table in TABLES:
                if table.endswith("_fts"):
                    con.execute(f"INSERT INTO {table} ({table}) VALUES ('delete-all')")
                else:
                    con.execute(f"DELETE FROM {table}")

    def size_bytes(self) -> int:
        con = self.connection()
        pages = con.execute("PRAGMA page_count").fetchone()[0]
        return int(pages) * int(con.execute("PRAGMA page_size").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            for con in self._connections:
                con.close()
            self._connections.clear()
        self._local = threading.local()


def fts_rowid(doc_id: int, kind: str) -> int:
    return doc_id * 4 + KIND_CODES[kind]


def meta_text(channel: str, customer_id: str, tags: Iterable[str]) -> str:
    """The filter terms of a document's `meta` column: its ticket's channel, (canonical) customer,
    tags, and each tag paired with the channel.

    The pairs are for ranking's sake: BM25 first counts the documents holding each term of the
    query, so a channel (an eighth of the archive) and a tag (a fifth) cost more than the words
    searched for; their pair is forty times rarer and halves a filtered query's time.
    """
    tags = list(tags)
    return " ".join(
        [
            channel_term(channel),
            customer_term(customer_id),
            *map(tag_term, tags),
            *(channel_tag_term(channel, tag) for tag in tags),
        ]
    )


# The middle dot is no word character, so no stem (words are runs of letters and digits) can ever
# equal a filter term and queries need no column filter; the 'ascii' tokenizer keeps non-ASCII
# characters inside tokens, so "ch·766b" stays one term. Hex keeps any value one token.
def channel_term(channel: str) -> str:
    return "ch\u00b7" + channel.encode().hex()


def customer_term(customer_id: str) -> str:
    return "cu\u00b7" + customer_id.encode().hex()


def tag_term(tag: str) -> str:
    return "tg\u00b7" + tag.encode().hex()


def channel_tag_term(channel: str, tag: str) -> str:
    return "ct\u00b7" + channel.encode().hex() + "\u00b7" + tag.encode().hex()
