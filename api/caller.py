"""Who is calling and how: the request-level context every command route needs.

A command route checks the caller's role and builds the use case's Context (`context`), calls the
use case by name on `helpdesk`, and shapes its answer (`done`).
"""

import re
from dataclasses import dataclass
from datetime import UTC
from typing import Annotated

from fastapi import Depends, Header, Request

from api.auth import TRUSTED_CLOCKS, CurrentUser, RuntimeDep, require
from api.bootstrap import Runtime
from api.errors import ApiError
from api.idempotency import request_key
from api.models import CommandIn, CommandPublic
from application.command import CommandResult, Context
from application.helpdesk import Helpdesk
from domain.errors import InvalidValueError, UserNotFoundError
from domain.idempotency import RequestKey
from domain.users import User
from domain.values import Role

VERSION = re.compile(r"[0-9]{1,19}")  # ASCII digits only: str.isdigit() also takes "²" and "٣"
MAX_VERSION = 2**62


@dataclass(frozen=True)
class Caller:
    runtime: Runtime
    user: User
    if_match: int | None
    key: RequestKey | None

    @property
    def helpdesk(self) -> Helpdesk:
        return self.runtime.helpdesk

    def context(self, body: CommandIn | None, roles: tuple[Role, ...], what: str) -> Context:
        """The use case's Context, once the caller's role may `what`. Only adapters and imports may
        say when something happened, or act for someone else."""
        require(self.user, roles, what)
        occurred_at = body.occurred_at if body else None
        actor = body.actor if body else None
        if (occurred_at or actor) and self.user.role not in TRUSTED_CLOCKS:
            raise ApiError(403, "forbidden", "Only service and admin tokens may set occurred_at or actor.")
        if actor:
            self.existing_user(actor)
        return Context(
            actor=actor or self.user.name,
            occurred_at=occurred_at.astimezone(UTC) if occurred_at else None,
            key=self.key,
        )

    def existing_user(self, name: str) -> User:
        try:
            return self.runtime.helpdesk.user(name)
        except UserNotFoundError as exc:
            raise InvalidValueError(str(exc)) from None

    def done(self, result: CommandResult) -> CommandPublic:
        self.runtime.runner.wake()
        return CommandPublic(id=result.id, version=result.version, position=result.position)


def parse_if_match(value: str | None) -> int | None:
    """Accepts `3`, `"3"` and `W/"3"`: clients often echo an ETag as they got it."""
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not VERSION.fullmatch(text) or int(text) > MAX_VERSION:
        detail = f"If-Match must be a version number up to 2**62; got {value[:80]!r}."
        raise ApiError(400, "invalid_if_match", detail)
    return int(text)


async def get_caller(
    request: Request,
    runtime: RuntimeDep,
    user: CurrentUser,
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> Caller:
    """Keys are per user: the same key from two users names two requests."""
    key = await request_key(request, user.name, idempotency_key) if idempotency_key else None
    return Caller(runtime, user, parse_if_match(if_match), key)


CallerDep = Annotated[Caller, Depends(get_caller)]
