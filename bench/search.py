"""Search benchmark: build the archive index from N messages, then time queries.

    .venv/bin/python bench/search.py --messages 1000000

Records are synthetic EventRecords (Russian and English words with real inflections, Zipf word
frequencies), fed to SearchProjection.apply in batches of 2,000 as the Runner does; the build rate
counts apply() time only. Queries run through the same function the API calls.
"""

import argparse
import itertools
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

from projections.records import EventRecord
from projections.search_projection import SearchProjection
from projections.search_queries import SearchQuery, search
from projections.search_store import SearchDb

STEMS_RU = [
    "карт",
    "плат",
    "оплат",
    "заказ",
    "достав",
    "счет",
    "деньг",
    "возврат",
    "доступ",
    "пароль",
    "приложен",
    "телефон",
]
STEMS_RU += [
    "сообщен",
    "ошибк",
    "подписк",
    "тариф",
    "банк",
    "перевод",
    "курьер",
    "товар",
    "скидк",
    "бонус",
    "адрес",
    "договор",
]
ENDINGS_RU = ["а", "ы", "е", "у", "ой", "ами", "ах", "", "ом", "и"]
WORDS_EN = [
    "payment",
    "card",
    "order",
    "delivery",
    "refund",
    "account",
    "password",
    "app",
    "phone",
    "error",
    "subscription",
]
ENDINGS_EN = ["", "s", "ed", "ing"]
FILLER = [
    "не",
    "могу",
    "почему",
    "когда",
    "уже",
    "снова",
    "please",
    "help",
    "still",
    "again",
    "сегодня",
    "вчера",
    "очень",
    "срочно",
]
# Subject words (the ones people search for) sit at Zipf ranks from here on; the ranks before them
# are function words and fillers, as in real text, and "very common" queries draw from those.
SUBJECT_RANK = 200
SYLLABLES_RU = ["ка", "ро", "ми", "ту", "не", "ла", "бо", "ви", "да", "ре", "зо"]
SYLLABLES_EN = ["ta", "ro", "mi", "ke", "lo", "ra", "vi", "de", "po"]
CHANNELS = ["vk", "telegram", "email", "whatsapp", "web"]
TAGS = ["billing", "delivery", "vip", "bug", "refund", "app"]
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def vocabulary(rng: random.Random, size: int, ranked: bool = False) -> list[str]:
    """Real inflected words first (they get the high Zipf ranks), then pseudo-words of both alphabets.

    This first version puts the subject words at the top ranks too, so each searched stem is in
    40-50 % of all messages (карт: 477k of 1M). `ranked` does what SUBJECT_RANK describes: the
    fillers and pseudo "function words" take the first SUBJECT_RANK ranks, subject words follow
    (a searched stem is then in a few % of messages, still far more than in a real archive).
    """
    subject = [s + e for s in STEMS_RU for e in ENDINGS_RU] + [w + e for w in WORDS_EN for e in ENDINGS_EN]
    if ranked:
        rng.shuffle(subject)
        ranks = list(FILLER)
        while len(ranks) < SUBJECT_RANK:
            ranks.append(pseudo_word(rng))
        ranks += subject
        while len(ranks) < size:
            ranks.append(pseudo_word(rng))
        return ranks
    words = subject + FILLER
    syllables_ru, syllables_en = (
        ["ка", "ро", "ми", "ту", "не", "ла", "бо", "ви", "да", "ре", "зо"],
        ["ta", "ro", "mi", "ke", "lo", "ra", "vi", "de", "po"],
    )
    rng.shuffle(words)
    pseudo: list[str] = []
    while len(words) + len(pseudo) < size:
        pool = syllables_ru if rng.random() < 0.7 else syllables_en
        pseudo.append("".join(rng.choice(pool) for _ in range(rng.randint(2, 4))))
    return words + pseudo


def pseudo_word(rng: random.Random) -> str:
    pool = SYLLABLES_RU if rng.random() < 0.7 else SYLLABLES_EN
    return "".join(rng.choice(pool) for _ in range(rng.randint(2, 4)))


def records(n_messages: int, seed: int = 7, ranked: bool = False) -> Iterator[EventRecord]:
    rng = random.Random(seed)
    vocab = vocabulary(rng, 30_000, ranked)
    cumulative = list(itertools.accumulate(1 / (r + 1) for r in range(len(vocab))))
    position, written, ticket_n = 0, 0, 0
    customers: list[str] = []
    while written < n_messages:
        ticket_n += 1
        at = T0 + timedelta(minutes=ticket_n * 2)
        if not customers or rng.random() < 0.6:
            position += 1
            customer = str(UUID(int=position))
            customers.append(customer)
            data = {"name": f"{rng.choice(['Иван', 'Анна', 'John', 'Ольга'])} {rng.choice(vocab)}",
                    "identities": [f"vk:{position}"]}  # fmt: skip
            yield EventRecord(position, customer, "Customer", 1, "CustomerRegistered", at, at, "bot", data)
        else:
            customer = rng.choice(customers)
        ticket = str(UUID(int=10**12 + ticket_n))
        for version in range(1, rng.randint(2, 8) + 1):
            position += 1
            text = " ".join(rng.choices(vocab, cum_weights=cumulative, k=rng.randint(6, 30)))
            if version == 1:
                kind = "TicketOpened"
                data = {"channel": rng.choice(CHANNELS), "customer_id": customer, "subject": None,
                        "text": text, "external_id": None}  # fmt: skip
            elif version == 3 and rng.random() < 0.5:
                kind, data = "TagsChanged", {"added": rng.sample(TAGS, 2), "removed": []}
            else:
                kind = rng.choice(["CustomerMessageReceived", "ReplySent", "ReplySent", "NoteAdded"])
                data = {"text": text, "external_id": None}
            at += timedelta(minutes=7)
            yield EventRecord(position, ticket, "Ticket", version, kind, at, at, "anna", data)
            written += kind != "TagsChanged"


def build(db: SearchDb, n_messages: int, batch_size: int, ranked: bool) -> tuple[float, float, int]:
    """Wall and process CPU seconds spent in apply(), and events applied. CPU time is what to
    compare on a shared machine: wall time also counts waiting for a core."""
    projection = SearchProjection(db)
    spent, cpu, count, batch, reported = 0.0, 0.0, 0, [], 0
    for record in itertools.chain(records(n_messages, ranked=ranked), [None]):
        if record is not None:
            batch.append(record)
            if len(batch) < batch_size:
                continue
        started, started_cpu = time.perf_counter(), time.process_time()
        count += projection.apply(batch, "log")
        spent += time.perf_counter() - started
        cpu += time.process_time() - started_cpu
        batch = []
        if count - reported >= 100_000:
            reported = count
            print(
                f"  {count:,} events in {spent:.1f} s ({cpu:.1f} s CPU): {count / spent:,.0f} events/s",
                flush=True,
            )
    return spent, cpu, count


def timed(db: SearchDb, queries: list[SearchQuery]) -> tuple[float, float, float]:
    times = []
    for q in queries:
        started = time.perf_counter()
        search(db, q)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return statistics.median(times), p99, times[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument(
        "--vocabulary",
        choices=["first", "ranked"],
        default="first",
        help="first: subject words at the top Zipf ranks (the figures so far); ranked: after SUBJECT_RANK",
    )
    parser.add_argument(
        "--batch", type=int, default=2000, help="events per apply() (the Runner's batch_size)"
    )
    parser.add_argument("--keep", type=Path, help="index file to keep; reused (not rebuilt) if it exists")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "search.sqlite"
        reuse = path.exists()
        db = SearchDb(path)
        if not reuse:
            seconds, cpu, applied = build(db, args.messages, args.batch, args.vocabulary == "ranked")
        with db.reading() as con:
            docs = con.execute("SELECT COUNT(*) FROM search_docs").fetchone()[0]
            customers = [r[0] for r in con.execute("SELECT customer_id FROM search_customers LIMIT 2000")]
        if reuse:
            print(f"reusing {path}: {docs:,} messages", flush=True)
        else:
            print(
                f"indexed {docs:,} messages ({applied:,} events) in {seconds:.1f} s: {docs / seconds:,.0f} "
                f"messages/s; {cpu:.1f} s CPU: {docs / cpu:,.0f} messages per CPU-second",
                flush=True,
            )
        print(
            f"index size {db.size_bytes() / 2**20:,.0f} MiB ({db.size_bytes() / docs:,.0f} B/message)",
            flush=True,
        )
        rng = random.Random(1)
        ru = [s + rng.choice(ENDINGS_RU) for s in STEMS_RU]
        en = [w + rng.choice(ENDINGS_EN) for w in WORDS_EN]
        common = ru + en
        n = args.queries
        one = [SearchQuery(text=rng.choice(common), include_notes=True) for _ in range(n)]
        two = [
            SearchQuery(text=f"{rng.choice(common)} {rng.choice(common)}", include_notes=True)
            for _ in range(n)
        ]
        filtered = [
            SearchQuery(text=f"{rng.choice(common)} {rng.choice(common)}", channels=[rng.choice(CHANNELS)],
                        tags=[rng.choice(TAGS)], since=T0 + timedelta(days=rng.randint(0, 300)))
            for _ in range(n)
        ]  # fmt: skip
        by_customer = [
            SearchQuery(text=rng.choice(common), customer_id=rng.choice(customers)) for _ in range(n)
        ]
        very_common = [
            SearchQuery(text=rng.choice(FILLER), include_notes=True) for _ in range(max(1, n // 5))
        ]
        runs = [
            ("one word", one),
            ("two words", two),
            ("two words + channel/tag/from", filtered),
            ("one word + customer", by_customer),
            ("one very common word (filler)", very_common),
        ]
        for label, queries in runs:
            p50, p99, worst = timed(db, queries)
            print(
                f"{label:32} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  max {worst:7.1f} ms  (n={len(queries)})",
                flush=True,
            )
        db.close()


if __name__ == "__main__":
    main()
