"""The one change-and-retry loop every use case saves through.

A use case locks the aggregates it writes (only other processes race it then), runs one attempt
(load, act, commit) and, when another writer saved first, runs it again on fresh state after a
jittered pause. With If-Match (`expected`) a lost race is a conflict instead: the caller's version
is stale. The same loop serves tickets, customers, conversations, mentions and the library.
"""

import random
import time
from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from application.desk import Desk
from domain.errors import VersionConflictError

SAVE_ATTEMPTS = 8
R = TypeVar("R")


def retrying(
    desk: Desk,
    locks: tuple[UUID, ...],
    attempt: Callable[[], R],
    busy: str,
    expected: int | None = None,
    changed: str = "",
) -> R:
    """`busy`: the error after SAVE_ATTEMPTS lost races; `changed`: after one, with If-Match."""
    with desk.writing(*locks):
        for n in range(SAVE_ATTEMPTS):
            try:
                return attempt()
            except IntegrityError:
                if expected is not None:
                    raise VersionConflictError(changed) from None
                back_off(n)
    raise VersionConflictError(busy)


def back_off(attempt: int) -> None:
    """Jittered, so writers in other processes that collided do not collide again in step."""
    time.sleep(random.uniform(0, 0.002 * 2**attempt))


def check_version(aggregate: Aggregate, expected: int | None) -> None:
    if expected is not None and aggregate.version != expected:
        raise VersionConflictError(
            f"The ticket is at version {aggregate.version}, not {expected}; reload it."
        )
