"""Running a command once per Idempotency-Key: the part of the Helpdesk that answers retries.

Every use case saves through `commit`, which adds the record of a keyed request to the same
transaction; `once` looks that record up before running the command, and after losing a race with
a concurrent retry of the same request. A use case marked `@answered_once` does that itself, so an
entry point calls it by name with the caller's Context and never hands a function over.
"""

import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from application.command import CommandResult, Context
from domain.errors import DomainError
from domain.idempotency import AlreadyAnswered, KeyedRequest, RequestKey

UseCase = TypeVar("UseCase", bound=Callable[..., Any])


class Store(Protocol):
    """What the Helpdesk offers the mixin."""

    clock: Callable[[], datetime]

    def find(self, aggregate_id: UUID) -> Any: ...

    def save(self, *objs: Aggregate) -> Sequence[Any]: ...

    def positions(self, aggregate_id: UUID) -> dict[int, int]: ...

    def result_at(self, aggregate_id: UUID, version: int) -> CommandResult: ...

    def keyed_request(self, key: RequestKey) -> KeyedRequest | None: ...


class AnswersOnce:
    def once(self: Store, ctx: Context, use_case: Callable[[Context], CommandResult]) -> CommandResult:
        """Runs a command once per Idempotency-Key: a retry gets the first answer and appends
        nothing; the same key with another request is refused. Without a key, it just runs."""
        if ctx.key is None:
            return use_case(ctx)
        earlier = self.keyed_request(ctx.key)
        if earlier is None:
            try:
                return use_case(ctx)
            except AlreadyAnswered as exc:
                earlier = exc.request
            except DomainError:
                # the loser of a race with its own retry may fail ("exists already"): answer it
                earlier = self.keyed_request(ctx.key)
                if earlier is None:
                    raise
        earlier.check_same_request(ctx.key)
        position = self.positions(earlier.last_id)[earlier.last_version]
        return CommandResult(earlier.answer_id, earlier.answer_version, position)

    def commit(self: Store, ctx: Context, answer: Aggregate, *saved: Aggregate) -> CommandResult:
        """Saves the aggregates (the answer alone by default) and, for a keyed request, its record,
        in one transaction. Reports the answer's id and version and the last event's position."""
        changed = [a for a in saved or (answer,) if a.pending_events]
        last = changed[-1] if changed else answer
        record = [KeyedRequest.answer(ctx.key, answer, last, self.clock(), ctx.actor)] if ctx.key else []
        if not changed and not record:
            return self.result_at(answer.id, answer.version)
        try:
            recordings = self.save(*changed, *record)
        except IntegrityError:
            earlier = self.keyed_request(ctx.key) if ctx.key else None
            if earlier is not None:
                raise AlreadyAnswered(earlier) from None
            raise
        if not changed:
            return self.result_at(answer.id, answer.version)
        return CommandResult(answer.id, answer.version, recordings[-1 - len(record)].notification.id)

    def keyed_request(self: Store, key: RequestKey) -> KeyedRequest | None:
        found = self.find(KeyedRequest.create_id(key.user, key.key))
        return found if isinstance(found, KeyedRequest) else None


def answered_once(use_case: UseCase) -> UseCase:
    """Runs the use case once per Idempotency-Key of the Context among its arguments (`once`)."""

    @functools.wraps(use_case)
    def run(desk: AnswersOnce, *args: Any, **kwargs: Any) -> Any:
        ctx = next(a for a in (*args, *kwargs.values()) if isinstance(a, Context))
        if ctx.key is None:
            return use_case(desk, *args, **kwargs)
        return desk.once(ctx, lambda _: use_case(desk, *args, **kwargs))

    return run  # type: ignore[return-value]
