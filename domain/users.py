"""Users and their API tokens, event-sourced so that who could act, and since when, is audited."""

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.copying import CheapCopy
from domain.errors import InvalidValueError
from domain.text_forms import check_name
from domain.values import Role, parse

USER_NAMESPACE = uuid5(NAMESPACE_URL, "https://deskstream.dev/user")
TOKEN_NAMESPACE = uuid5(NAMESPACE_URL, "https://deskstream.dev/token")


class User(CheapCopy, Aggregate):
    class UserRegistered(Aggregate.Created):
        name: str
        role: str
        occurred_at: datetime

    class RoleChanged(Aggregate.Event):
        role: str
        occurred_at: datetime

        def apply(self, user: "User") -> None:
            user.role = self.role

    class PasswordSet(Aggregate.Event):
        """Only the password's memory-hard hash (application/passwords.py) is recorded."""

        password_hash: str
        occurred_at: datetime

        def apply(self, user: "User") -> None:
            user.password_hash = self.password_hash

    name: str
    role: str
    password_hash: str | None

    def __init__(self, name: str, role: str, occurred_at: datetime) -> None:
        self.name = name
        self.role = role
        self.password_hash = None

    @staticmethod
    def create_id(name: str) -> UUID:
        return uuid5(USER_NAMESPACE, name)

    @classmethod
    def register(cls, name: str, role: str, at: datetime) -> "User":
        check_user_name(name)
        value = parse(Role, role, "role")
        return cls._create(
            cls.UserRegistered, id=cls.create_id(name), name=name, role=value, occurred_at=at, timestamp=at
        )

    def change_role(self, role: str, at: datetime) -> None:
        value = parse(Role, role, "role")
        if value != self.role:
            self.trigger_event(self.RoleChanged, role=value, occurred_at=at, timestamp=at)

    def set_password(self, password_hash: str, at: datetime) -> None:
        self.trigger_event(self.PasswordSet, password_hash=password_hash, occurred_at=at, timestamp=at)


class ApiToken(CheapCopy, Aggregate):
    """Keyed by the token's hash: the secret itself is never stored."""

    class TokenIssued(Aggregate.Created):
        user_name: str
        occurred_at: datetime

    class TokenRevoked(Aggregate.Event):
        occurred_at: datetime

        def apply(self, token: "ApiToken") -> None:
            token.revoked = True

    user_name: str
    revoked: bool

    def __init__(self, user_name: str, occurred_at: datetime) -> None:
        self.user_name = user_name
        self.revoked = False

    @staticmethod
    def create_id(token_hash: str) -> UUID:
        return uuid5(TOKEN_NAMESPACE, token_hash)

    @classmethod
    def issue(cls, token_hash: str, user_name: str, at: datetime) -> "ApiToken":
        return cls._create(
            cls.TokenIssued,
            id=cls.create_id(token_hash),
            user_name=user_name,
            occurred_at=at,
            timestamp=at,
        )

    def revoke(self, at: datetime) -> None:
        if not self.revoked:
            self.trigger_event(self.TokenRevoked, occurred_at=at, timestamp=at)


class InvalidUserNameError(InvalidValueError):
    """User names are typed into tokens, logs and assignments: short, plain and visible."""


def check_user_name(name: str) -> None:
    check_name(name, "A user name")
    if not name or len(name) > 64 or not all(c.isalnum() or c in "._-@" for c in name):
        raise InvalidUserNameError(
            f"A user name has 1 to 64 letters, digits or . _ - @ characters; got {name!r}."
        )
