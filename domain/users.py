"""Users and their API tokens, event-sourced so that who could act, and since when, is audited."""

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.calendar import check_zone
from domain.copying import CheapCopy
from domain.errors import ConflictError, InvalidCommandError, InvalidValueError, NotFoundError
from domain.text_forms import check_name
from domain.values import Role, parse

USER_NAMESPACE = uuid5(NAMESPACE_URL, "https://deskstream.dev/user")
TOKEN_NAMESPACE = uuid5(NAMESPACE_URL, "https://deskstream.dev/token")
LANGUAGES = ("en", "ru")
"""The languages the workspace speaks (its catalogue, api/web/locales/, has one folder each)."""


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

    class InviteIssued(Aggregate.Event):
        """A one-time link to set a password; only the link's hash is recorded. A newer invite
        replaces an older one."""

        invite_hash: str
        expires_at: datetime
        occurred_at: datetime

        def apply(self, user: "User") -> None:
            user.invite_hash, user.invite_expires_at = self.invite_hash, self.expires_at

    class InviteAccepted(Aggregate.Event):
        invite_hash: str
        occurred_at: datetime

        def apply(self, user: "User") -> None:
            user.invite_hash, user.invite_expires_at = None, None
            user.spent_invite_hash = self.invite_hash

    class PreferencesChosen(Aggregate.Event):
        """The user's own language and time zone; None leaves it to the browser and the team."""

        language: str | None
        time_zone: str | None
        occurred_at: datetime

        def apply(self, user: "User") -> None:
            user.language, user.time_zone = self.language, self.time_zone

    name: str
    role: str
    password_hash: str | None
    invite_hash: str | None
    invite_expires_at: datetime | None
    spent_invite_hash: str | None
    language: str | None
    time_zone: str | None

    def __init__(self, name: str, role: str, occurred_at: datetime) -> None:
        self.name = name
        self.role = role
        self.password_hash = None
        self.invite_hash = self.invite_expires_at = self.spent_invite_hash = None
        self.language = self.time_zone = None

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
        check_may_sign_in(self.role)
        self.trigger_event(self.PasswordSet, password_hash=password_hash, occurred_at=at, timestamp=at)

    def invite(self, invite_hash: str, expires_at: datetime, at: datetime) -> None:
        check_may_sign_in(self.role)
        self.trigger_event(
            self.InviteIssued, invite_hash=invite_hash, expires_at=expires_at, occurred_at=at, timestamp=at
        )

    def check_invite(self, invite_hash: str, at: datetime) -> None:
        """Raises unless `invite_hash` is this user's pending invite and it has not expired."""
        if invite_hash == self.spent_invite_hash:
            raise InviteSpentError("This invite link has already been used.")
        if invite_hash != self.invite_hash or self.invite_expires_at is None:
            raise InviteUnknownError("This invite link is not valid (a newer one may have replaced it).")
        if at >= self.invite_expires_at:
            raise InviteExpiredError("This invite link has expired.")

    def accept_invite(self, invite_hash: str, password_hash: str, at: datetime) -> None:
        """Spends the invite and sets the password, in one save."""
        self.check_invite(invite_hash, at)
        self.trigger_event(self.InviteAccepted, invite_hash=invite_hash, occurred_at=at, timestamp=at)
        self.set_password(password_hash, at)

    def choose_preferences(self, language: str | None, time_zone: str | None, at: datetime) -> None:
        check_preferences(language, time_zone)
        if (language, time_zone) != (self.language, self.time_zone):
            self.trigger_event(
                self.PreferencesChosen, language=language, time_zone=time_zone, occurred_at=at, timestamp=at
            )


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


class ServiceSignInError(InvalidCommandError):
    """Channel adapters and imports act with tokens; a password would let one into the workspace."""

    code = "service_sign_in"


class InviteUnknownError(NotFoundError):
    code = "invite_unknown"


class InviteSpentError(ConflictError):
    code = "invite_spent"


class InviteExpiredError(ConflictError):
    code = "invite_expired"


class UnknownLanguageError(InvalidValueError):
    pass


class InvalidTimeZoneError(InvalidValueError):
    pass


def check_may_sign_in(role: str) -> None:
    if role == Role.SERVICE:
        raise ServiceSignInError("A service user acts with a token and has no password or invite.")


def check_preferences(language: str | None, time_zone: str | None) -> None:
    if language is not None and language not in LANGUAGES:
        raise UnknownLanguageError(f"The language is one of {', '.join(LANGUAGES)}; got {language!r}.")
    if time_zone is not None:
        try:
            check_zone(time_zone)
        except InvalidValueError as exc:
            raise InvalidTimeZoneError(str(exc)) from None


class InvalidUserNameError(InvalidValueError):
    """User names are typed into tokens, logs and assignments: short, plain and visible."""


def check_user_name(name: str) -> None:
    check_name(name, "A user name")
    if not name or len(name) > 64 or not all(c.isalnum() or c in "._-@" for c in name):
        raise InvalidUserNameError(
            f"A user name has 1 to 64 letters, digits or . _ - @ characters; got {name!r}."
        )
