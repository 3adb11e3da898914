"""Remembers who a token belongs to for a few seconds.

Every request authenticates; loading the token and its user from the event store cost as much as
the command itself. A revoked token or a changed role takes effect within `ttl` seconds.
"""

import threading
import time
from collections.abc import Callable

from domain.users import User

TTL_SECONDS = 5.0
MAX_TOKENS = 10_000


class TokenCache:
    def __init__(self, ttl: float = TTL_SECONDS, max_tokens: int = MAX_TOKENS) -> None:
        self.ttl, self.max_tokens = ttl, max_tokens
        self._entries: dict[str, tuple[float, User]] = {}
        self._lock = threading.Lock()

    def peek(self, token_hash: str) -> User | None:
        """The user of a token seen within `ttl` seconds, without asking the store."""
        with self._lock:
            entry = self._entries.get(token_hash)
        return entry[1] if entry is not None and entry[0] > time.monotonic() else None

    def user(self, token_hash: str, authenticate: Callable[[str], User | None]) -> User | None:
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(token_hash)
        if entry is not None and entry[0] > now:
            return entry[1]
        user = authenticate(token_hash)
        if user is not None:
            with self._lock:
                if len(self._entries) >= self.max_tokens:
                    self._entries.clear()
                self._entries[token_hash] = (now + self.ttl, user)
        return user

    def forget(self, token_hash: str) -> None:
        """A token revoked here stops working here at once, not only after `ttl`."""
        with self._lock:
            self._entries.pop(token_hash, None)
