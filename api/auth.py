"""Bearer tokens and roles. Tokens are random secrets; only their SHA-256 is ever stored."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from anyio import to_thread
from fastapi import Depends, Header, Request

from api.bootstrap import Runtime
from api.errors import ApiError
from api.token_values import hash_token, new_token
from domain.users import User
from domain.values import Role

STAFF = (Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN)
WRITERS = (*STAFF, Role.SERVICE)
CUSTOMER_SIDE = (Role.SERVICE, Role.ADMIN)
HISTORY_READERS = (*STAFF, Role.AUDITOR)
READERS = HISTORY_READERS
"""Who may read the queue, customers, search and the knowledge base. Not `service`: a channel
adapter or an import writes tickets and reads back only the one it acts on (GET /tickets/{id},
without notes); the widget's conversation goes through the ingest routes, on the visitor's key."""
TRUSTED_CLOCKS = (Role.SERVICE, Role.ADMIN)
REPORT_READERS = (Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)
"""Who may read reports, the dashboard and the staffing figures."""
TICKET_READERS = (*HISTORY_READERS, Role.QA)
"""Who may read a ticket's whole history, notes included: staff, auditors and QA reviewers (who
read nothing else of the desk: not the queue, customers, search or the knowledge base)."""
QA_READERS = (Role.QA, *REPORT_READERS)
"""Who may draw and read the monthly QA samples, read every review and the QA report. An operator
reads only the reviews that concern them."""
QA_REVIEWERS = (Role.QA, Role.SUPERVISOR, Role.ADMIN)
"""Who may record QA reviews: the only thing the `qa` role writes."""
CHECKLIST_WRITERS = (Role.SUPERVISOR, Role.ADMIN)
"""Who may change the QA checklist."""
SIGNED_IN = (*READERS, Role.QA)
"""Everyone who signs in to the workspace: who may choose their own language and time zone."""
__all__ = ["hash_token", "new_token"]


async def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def authenticate(runtime: Runtime, authorization: str | None) -> User:
    """The user an `Authorization: Bearer <token>` header names, or a 401 saying what is wrong."""
    if not authorization:
        raise ApiError(401, "unauthorized", "Send an 'Authorization: Bearer <token>' header.")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "The Authorization header must be 'Bearer <token>'.")
    user = runtime.tokens.user(hash_token(token.strip()), runtime.helpdesk.authenticate)
    if user is None:
        raise ApiError(401, "unauthorized", "The token is unknown or revoked.")
    return user


def gatekeeper(runtime: Runtime) -> Callable[[str | None], Awaitable[User]]:
    """For `api.guard`: a known token is answered from memory, else looked up off the event loop."""

    async def check(authorization: str | None) -> User:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            known = runtime.tokens.peek(hash_token(token.strip()))
            if known is not None:
                return known
        return await to_thread.run_sync(authenticate, runtime, authorization)

    return check


async def current_user(
    request: Request, runtime: RuntimeDep, authorization: Annotated[str | None, Header()] = None
) -> User:
    """The guard in front of the app has authenticated the caller before the body was read."""
    user = getattr(request.state, "user", None)
    if isinstance(user, User):
        return user
    return await to_thread.run_sync(authenticate, runtime, authorization)


CurrentUser = Annotated[User, Depends(current_user)]


def require(user: User, roles: tuple[Role, ...], action: str) -> None:
    if user.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise ApiError(403, "forbidden", f"Only {allowed} users may {action}; you are {user.role}.")


class Allowed:
    """A dependency: the caller, once their role may do `action`. Declared before any other
    dependency of a route, it refuses a wrong role before anything runs or is revealed (e.g. a
    read-your-writes wait, whose answer says how far the log goes)."""

    def __init__(self, roles: tuple[Role, ...], action: str) -> None:
        self.roles, self.action = roles, action

    async def __call__(self, user: CurrentUser) -> User:
        require(user, self.roles, self.action)
        return user
