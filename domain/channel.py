"""The Channel aggregate: one configured way customers reach us (a bot, a number, an address…).

Its settings hold the provider's secrets, so only the command side (webhook checks, the outbox)
loads it; lists read the ingest view, which never shows secret values. Which kinds exist and the
settings each needs are the channel kinds' own (`ingest/kinds/`): the caller that adds a channel
passes them in as `required`.
"""

from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.copying import CheapCopy
from domain.errors import ConflictError, InvalidValueError
from domain.event_base import StampedEvent, event_stamp
from domain.stamp import Stamp

NAMESPACE = uuid5(NAMESPACE_URL, "https://deskstream.dev/channel")
DEFAULT_REOPEN_HOURS = 72.0


class ChannelExistsError(ConflictError):
    code = "channel_exists"


class Channel(CheapCopy, Aggregate):
    class Event(StampedEvent):
        """What every channel event records (domain.event_base)."""

    class ChannelAdded(Event, Aggregate.Created):
        name: str
        kind: str
        owner: str | None
        settings: dict[str, str]

        def update(self, channel: "Channel") -> None:
            channel.name, channel.kind = self.name, self.kind
            channel.owner, channel.settings = self.owner, dict(self.settings)

    class ChannelChanged(Event):
        owner: str | None
        settings: dict[str, str]

        def update(self, channel: "Channel") -> None:
            channel.owner, channel.settings = self.owner, dict(self.settings)

    name: str
    kind: str
    owner: str | None
    settings: dict[str, str]

    def __init__(self) -> None:
        self.owner, self.settings = None, {}

    @staticmethod
    def create_id(name: str) -> UUID:
        return uuid5(NAMESPACE, name)

    @classmethod
    def add(
        cls,
        name: str,
        kind: str,
        owner: str | None,
        settings: dict[str, str],
        stamp: Stamp,
        required: Sequence[str] = (),
    ) -> "Channel":
        check_settings(kind, settings, required)
        return cls._create(
            cls.ChannelAdded,
            id=cls.create_id(name),
            name=name,
            kind=kind,
            owner=owner or None,
            settings=dict(settings),
            **event_stamp(stamp),
        )

    def change(
        self, owner: str | None, settings: dict[str, str], stamp: Stamp, required: Sequence[str] = ()
    ) -> None:
        merged = {**self.settings, **settings}
        check_settings(self.kind, merged, required)
        if merged != self.settings or (owner or None) != self.owner:
            self.trigger_event(
                self.ChannelChanged, owner=owner or None, settings=merged, **event_stamp(stamp)
            )

    def setting(self, key: str, default: str = "") -> str:
        return self.settings.get(key, default)

    @property
    def reopen_window(self) -> timedelta:
        return timedelta(hours=float(self.settings.get("reopen_window_hours", DEFAULT_REOPEN_HOURS)))


def check_settings(kind: str, settings: dict[str, Any], required: Sequence[str]) -> None:
    missing = [key for key in required if not str(settings.get(key, "")).strip()]
    if missing:
        raise InvalidValueError(f"A {kind} channel needs the settings: {', '.join(missing)}.")
    window = settings.get("reopen_window_hours")
    if window is not None:
        try:
            if float(window) < 0:
                raise ValueError
        except ValueError:
            raise InvalidValueError("reopen_window_hours must be a number of hours >= 0.") from None


def is_secret(key: str) -> bool:
    return any(word in key for word in ("secret", "token", "password", "key", "confirmation"))


def redacted(settings: dict[str, str]) -> dict[str, str]:
    return {k: ("***" if is_secret(k) and v else v) for k, v in settings.items()}
