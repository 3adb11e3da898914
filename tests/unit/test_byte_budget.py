"""A cache bounded by bytes: what a long-running server's memory depends on (bench/soak.py)."""

from datetime import UTC, datetime
from uuid import uuid4

from api.settings import Settings
from api.store import aggregate_cache
from domain.stamp import Stamp
from domain.ticket import Ticket
from projections.byte_budget import ByteBudgetCache


def test_a_busy_server_keeps_its_cache_within_the_byte_budget_however_many_tickets_it_sees() -> None:
    cache: ByteBudgetCache[int, bytes] = ByteBudgetCache(10_000, len)
    for n in range(1_000):
        cache.put(n, b"x" * 300)
    assert cache.size <= 10_000
    assert cache.count == 33
    assert 999 in cache and 966 not in cache


def test_a_ticket_that_grows_while_cached_is_weighed_again_when_read() -> None:
    cache: ByteBudgetCache[str, list[int]] = ByteBudgetCache(1_000, lambda v: 100 * len(v))
    long_ticket = [1]
    cache.put("long", long_ticket)
    for n in range(8):
        cache.put(f"short{n}", [1])
    long_ticket.extend(range(5))  # the event library fast-forwards a cached aggregate in place
    assert cache.get("long") is long_ticket
    assert cache.size <= 1_000
    assert "short0" not in cache and "long" in cache


def test_the_least_recently_read_entry_goes_first() -> None:
    cache: ByteBudgetCache[str, str] = ByteBudgetCache(30, len)
    cache.put("a", "x" * 10)
    cache.put("b", "x" * 10)
    cache.put("c", "x" * 10)
    cache.get("a")
    cache.put("d", "x" * 10)
    assert "b" not in cache and {"a", "c", "d"} <= {k for k in "abcd" if k in cache}


def test_the_event_librarys_repository_sees_a_miss_as_keyerror_and_can_evict() -> None:
    cache: ByteBudgetCache[str, str] = ByteBudgetCache(100, len)
    assert cache  # an empty cache must still count as configured
    try:
        cache.get("nothing")
    except KeyError:
        pass
    else:
        raise AssertionError("a miss must raise KeyError")
    cache.put("a", "xyz")
    assert cache.get("a", evict=True) == "xyz"
    assert cache.size == 0 and cache.find("a") is None


def test_the_aggregate_cache_budget_comes_from_settings_and_weighs_tickets_by_their_events() -> None:
    cache = aggregate_cache(Settings(aggregate_cache_mb=0.05))
    at = datetime(2026, 1, 1, tzinfo=UTC)
    tickets = []
    for n in range(40):
        ticket = Ticket.open(uuid4(), "vk", uuid4(), None, f"hello {n}", None, Stamp(at, at, "bot"))
        cache.put(ticket.id, ticket)
        tickets.append(ticket)
    assert cache.size <= 0.05 * 2**20
    assert 0 < cache.count < 40
    assert tickets[-1].id in cache and tickets[0].id not in cache


def test_the_search_words_memo_stays_within_its_byte_budget_however_many_ids_it_sees() -> None:
    """A busy desk writes ids and names seen once; the memo of their stems must not grow all day."""
    from projections import search_text

    budget = search_text._pieces_budget
    for n in range(200_000):
        search_text.index_text(f"ticket-{n}: карта заблокирована {n * 7919}")
        assert budget.used <= budget.limit
    assert len(search_text._pieces) < 200_000
    assert search_text.index_text("Карта заблокирована") == search_text.index_text("карта заблокирована")
