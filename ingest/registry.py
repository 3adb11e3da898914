"""The registered channel kinds: every module in `ingest/kinds/`, imported here once.

Everything that varies by kind asks this module (API routes and enum, CLI choices, settings checks,
the outbox, the webhook router), so a new kind is one new file in `ingest/kinds/`.
"""

import importlib
import pkgutil

import ingest.kinds
from domain.errors import InvalidValueError
from ingest.channel_kind import REGISTERED, ChannelKind, Replies

for _module in sorted(pkgutil.iter_modules(ingest.kinds.__path__), key=lambda m: m.name):
    importlib.import_module(f"{ingest.kinds.__name__}.{_module.name}")


def kinds() -> tuple[ChannelKind, ...]:
    """In the order of their names, so the API's enum and routes are the same on every start."""
    return tuple(REGISTERED[name] for name in sorted(REGISTERED))


def names() -> tuple[str, ...]:
    return tuple(sorted(REGISTERED))


def find(name: str) -> ChannelKind | None:
    return REGISTERED.get(name)


def kind_of(name: str) -> ChannelKind:
    """The kind a channel is being added with; any other name is the caller's mistake."""
    found = REGISTERED.get(name)
    if found is None:
        raise InvalidValueError(f"kind must be one of {', '.join(names())}; got {name!r}.")
    return found


def with_webhook() -> tuple[ChannelKind, ...]:
    return tuple(k for k in kinds() if k.webhook is not None)


def queues_replies(name: str) -> bool:
    """Whether a reply on a configured channel of this kind becomes an outbox job: every kind but the
    pulled ones. A kind this deskstream does not know gets a job too, so it fails with a reason."""
    found = REGISTERED.get(name)
    return found is None or found.replies is not Replies.PULLED


def reports_statuses(name: str) -> bool:
    found = REGISTERED.get(name)
    return found is not None and found.reports_statuses


def why_unsendable(name: str) -> str | None:
    """The reason recorded in ReplyDeliveryFailed when the outbox cannot send on this kind at all."""
    found = REGISTERED.get(name)
    if found is None:
        return f"This deskstream has no channel kind {name!r}, so the reply cannot be sent."
    if found.replies is Replies.NONE:
        return f"A {name} channel cannot send replies: {found.no_replies}"
    return None
