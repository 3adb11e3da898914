"""Failed sign-ins from one address: after five, a wait that doubles with each further failure.

Kept in memory per process: it slows a guesser on one address down to a handful of tries an
hour without locking a name out (which would let anyone lock out a colleague). A success clears
the address. Entries older than the window are forgotten.
"""

import threading
import time
from collections.abc import Callable

FREE_FAILURES = 5
FIRST_WAIT_SECONDS = 30.0
MAX_WAIT_SECONDS = 900.0
WINDOW_SECONDS = 3600.0
MAX_ADDRESSES = 100_000


class SignInThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._failures: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def wait_for(self, address: str) -> float:
        """Seconds before this address may try again; 0 when it may now."""
        with self._lock:
            count, last = self._failures.get(address, (0, 0.0))
        if count < FREE_FAILURES:
            return 0.0
        wait = min(FIRST_WAIT_SECONDS * 2 ** (count - FREE_FAILURES), MAX_WAIT_SECONDS)
        return max(0.0, last + wait - self.clock())

    def failed(self, address: str) -> None:
        now = self.clock()
        with self._lock:
            if len(self._failures) >= MAX_ADDRESSES:
                self._forget_older_than(now - WINDOW_SECONDS)
            count, last = self._failures.get(address, (0, now))
            count = count + 1 if now - last < WINDOW_SECONDS else 1
            self._failures[address] = (count, now)

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)

    def _forget_older_than(self, moment: float) -> None:
        for address in [a for a, (_, last) in self._failures.items() if last < moment]:
            del self._failures[address]
