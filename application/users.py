"""User use cases: registering users and their roles, issuing and revoking API tokens."""

from application.desk import Desk
from application.passwords import hash_password, verify_password
from application.saving import retrying
from domain.errors import InvalidValueError
from domain.users import ApiToken, User, check_user_name
from domain.values import Role


def register_user(desk: Desk, name: str, role: str) -> User:
    """Registers a new user, or changes an existing one's role."""
    user = registered(desk, name, role)
    desk.save(user)
    return user


def registered(desk: Desk, name: str, role: str) -> User:
    """The user with this name and role, not yet saved: found and given the role, or new."""
    user = desk.find(User.create_id(name))
    if isinstance(user, User):
        user.change_role(role, desk.clock())
        return user
    return User.register(name, role, desk.clock())


def issue_token(desk: Desk, token_hash: str, user_name: str) -> None:
    desk.user(user_name)
    desk.save(ApiToken.issue(token_hash, user_name, desk.clock()))


def revoke_token(desk: Desk, token_hash: str) -> str | None:
    """The name of the token's user, or None if no such token was issued; revoking twice is one."""
    token = desk.find(ApiToken.create_id(token_hash))
    if not isinstance(token, ApiToken):
        return None
    token.revoke(desk.clock())
    desk.save(token)
    return token.user_name


def authenticate(desk: Desk, token_hash: str) -> User | None:
    """The token's user, or None for a token never issued or revoked."""
    token = desk.find(ApiToken.create_id(token_hash))
    if not isinstance(token, ApiToken) or token.revoked:
        return None
    return desk.user(token.user_name)


def set_password(desk: Desk, name: str, password: str) -> User:
    """Raises WeakPasswordError for a password too short or too long, before anything is saved."""
    user = desk.user(name)
    user.set_password(hash_password(password), desk.clock())
    desk.save(user)
    return user


def check_password(desk: Desk, name: str, password: str) -> User | None:
    """The user, if the password is theirs and their role signs in (a service user never does);
    as slow for a name nobody has as for a wrong password."""
    found = desk.find(User.create_id(name)) if valid_name(name) else None
    user = found if isinstance(found, User) else None
    ok = verify_password(password, user.password_hash if user else None)
    return user if ok and user is not None and user.role != Role.SERVICE else None


def choose_preferences(desk: Desk, name: str, language: str | None, time_zone: str | None) -> User:
    """The user's own language and time zone; None for either leaves it to the browser or the team."""

    def attempt() -> User:
        user = desk.user(name)
        user.choose_preferences(language, time_zone, desk.clock())
        desk.save(user)
        return user

    return retrying(desk, (User.create_id(name),), attempt, "Your preferences are being saved elsewhere.")


def valid_name(name: str) -> bool:
    try:
        check_user_name(name)
    except InvalidValueError:
        return False
    return True
