"""A least-recently-used cache bounded by an estimate of the bytes its values hold.

A server's caches were bounded by entries (20,000 aggregates, 200,000 ticket histories) while an
entry's size grows with the ticket's events; at 200 commands/s neither limit was reached in half
an hour and RSS rose by about a kilobyte per command (bench/soak.py, bench/heap_growth.py). Here
each value is weighed when it is stored and weighed again when it is read (an event-sourced
aggregate grows in place as the event library fast-forwards it), and the oldest entries go
whenever the total passes the budget.

It speaks both dialects its users need: `get(key, evict=)` raising KeyError and `put` for the
event library's repository, `find` returning None for the analytics projection.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
MIB = 2**20


class ByteBudgetCache(Generic[K, V]):
    def __init__(self, budget_bytes: int, weigh: Callable[[V], int]) -> None:
        self.budget = budget_bytes
        self.weigh = weigh
        self.size = 0
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __bool__(self) -> bool:
        """Always true: the event library tests `if repository.cache` to know one is configured."""
        return True

    def __contains__(self, key: K) -> bool:
        return key in self._entries

    @property
    def count(self) -> int:
        return len(self._entries)

    def get(self, key: K, *, evict: bool = False) -> V:
        """The event library's read; a miss raises KeyError."""
        with self._lock:
            value, weight = self._entries.pop(key) if evict else self._entries[key]
            if evict:
                self.size -= weight
                return value
            self._store(key, value)
            return value

    def find(self, key: K) -> V | None:
        try:
            return self.get(key)
        except KeyError:
            return None

    def put(self, key: K, value: V | None) -> None:
        if value is None:
            return
        with self._lock:
            self._store(key, value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0

    def _store(self, key: K, value: V) -> None:
        """Re-weighs the entry, makes it the newest, and drops the oldest beyond the budget."""
        old = self._entries.pop(key, None)
        if old is not None:
            self.size -= old[1]
        weight = self.weigh(value)
        self._entries[key] = (value, weight)
        self.size += weight
        while self.size > self.budget and len(self._entries) > 1:
            _, (_, dropped) = self._entries.popitem(last=False)
            self.size -= dropped
