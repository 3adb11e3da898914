"""Names for VK users the Callback API leaves unnamed: `users.get`, asked through the channel's
`api_base` and remembered.

A `message_new` event carries the sender's id only (https://dev.vk.com/ru/api/community-events/
json-schema), so without this every VK customer and every writer in a group chat is a number.
A channel opts in with the setting `user_names=users.get` (it needs `access_token`; a community
token may call https://dev.vk.com/ru/method/users.get). The token goes in the POST body, never in
a URL, and is never logged: a failure is logged by VK's error code and its words, with the
channel's secrets masked. A failed lookup leaves the names empty and is not tried again for
`RETRY_AFTER` seconds, so a VK outage never holds up intake for more than one timeout.
"""

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from domain.channel import Channel
from ingest.channel_kind import post
from ingest.contract import DeliveryError, Outgoing
from ingest.secret_mask import without_secrets

log = logging.getLogger(__name__)
SETTING = "user_names"
ENABLED = "users.get"
MAX_CACHED = 4096
KEEP_SECONDS = 24 * 3600.0
RETRY_AFTER = 60.0
MAX_TIMEOUT = 3.0
BATCH = 100  # users.get takes at most this many ids per call


class UserNames:
    """(channel, user id) → "First Last", least recently used first out, at most `size` kept."""

    def __init__(
        self,
        size: int = MAX_CACHED,
        keep_seconds: float = KEEP_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.size = size
        self.keep_seconds = keep_seconds
        self.clock = clock
        self._names: OrderedDict[tuple[str, str], tuple[float, str]] = OrderedDict()
        self._down_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def names(self, channel: Channel, user_ids: Iterable[str], api: str, version: str) -> dict[str, str]:
        """The names known or found for these ids (positive numbers: users); the others are left out."""
        wanted = sorted({u for u in user_ids if u.isdigit()})
        found, missing = self.cached(channel.name, wanted)
        if missing and self.clock() >= self._down_until.get(channel.name, 0.0):
            for start in range(0, len(missing), BATCH):
                fetched = self.fetch(channel, missing[start : start + BATCH], api, version)
                if fetched is None:
                    self._down_until[channel.name] = self.clock() + RETRY_AFTER
                    break
                self.remember(channel.name, fetched)
                found.update(fetched)
        return found

    def cached(self, channel: str, wanted: list[str]) -> tuple[dict[str, str], list[str]]:
        now = self.clock()
        found: dict[str, str] = {}
        missing: list[str] = []
        with self._lock:
            for user in wanted:
                entry = self._names.get((channel, user))
                if entry is None or entry[0] <= now:
                    missing.append(user)
                    continue
                self._names.move_to_end((channel, user))
                found[user] = entry[1]
        return found, missing

    def remember(self, channel: str, names: dict[str, str]) -> None:
        until = self.clock() + self.keep_seconds
        with self._lock:
            for user, name in names.items():
                self._names[(channel, user)] = (until, name)
                self._names.move_to_end((channel, user))
            while len(self._names) > self.size:
                self._names.popitem(last=False)

    def fetch(self, channel: Channel, users: list[str], api: str, version: str) -> dict[str, str] | None:
        """One `users.get` call; None when it failed (logged without the token)."""
        form = {"user_ids": ",".join(users), "access_token": channel.setting("access_token"), "v": version}
        timeout = min(float(channel.setting("timeout_seconds", "10")), MAX_TIMEOUT)
        try:
            status, body = post(Outgoing(url=f"{api.rstrip('/')}/users.get", form=form), timeout)
        except DeliveryError as exc:
            return self.failed(channel, str(exc))
        try:
            answer = json.loads(body)
        except ValueError:
            answer = None
        people = answer.get("response") if isinstance(answer, dict) else None
        if status != 200 or not isinstance(people, list):
            error = answer.get("error") if isinstance(answer, dict) else None
            said = error if isinstance(error, dict) else {}
            return self.failed(channel, f"{status} {said.get('error_code', '')} {said.get('error_msg', '')}")
        named = {str(p.get("id")): full_name(p) for p in people if isinstance(p, dict)}
        return {user: named[user] for user in users if user in named}

    def failed(self, channel: Channel, reason: str) -> None:
        log.warning(
            "vk users.get for channel %s failed: %s", channel.name, without_secrets(channel.settings, reason)
        )
        return None


def full_name(person: dict[str, object]) -> str:
    parts = (person.get("first_name"), person.get("last_name"))
    return " ".join(" ".join(p.split()) for p in parts if isinstance(p, str) and p.strip())


def enabled(channel: Channel) -> bool:
    return channel.setting(SETTING) == ENABLED and bool(channel.setting("access_token"))
