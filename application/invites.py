"""One-time invite links: an admin invites a colleague, who sets a password and is signed in.

An invite is a random secret prefixed with the user's id (`<id hex>.<secret>`), so that the link
alone finds its user without any index; only its SHA-256 is recorded (User.InviteIssued). The link
works once, for a week, and a newer invite replaces an older one.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from application.desk import Desk
from application.passwords import hash_password
from application.saving import retrying
from application.users import registered
from domain.users import InviteUnknownError, User

VALID_FOR = timedelta(days=7)


@dataclass(frozen=True)
class Invitation:
    user: User
    token: str
    expires_at: datetime


def invite_user(desk: Desk, name: str, role: str) -> Invitation:
    """Registers the user (or changes the role) and gives a fresh invite, in one save; the token
    is shown this once."""
    token = f"{User.create_id(name).hex}.{secrets.token_urlsafe(32)}"
    expires_at = desk.clock() + VALID_FOR

    def attempt() -> User:
        user = registered(desk, name, role)
        user.invite(invite_hash(token), expires_at, desk.clock())
        desk.save(user)
        return user

    user = retrying(desk, (User.create_id(name),), attempt, "The user is being changed elsewhere.")
    return Invitation(user, token, expires_at)


def invited_user(desk: Desk, token: str) -> User:
    """The user an invite link names, if it may still be used; else an Invite*Error saying why."""
    user = user_of(desk, token)
    user.check_invite(invite_hash(token), desk.clock())
    return user


def accept_invite(desk: Desk, token: str, password: str) -> User:
    """Sets the password and spends the invite; of two tabs posting at once, one wins."""
    user = invited_user(desk, token)
    password_hash = hash_password(password)

    def attempt() -> User:
        fresh = user_of(desk, token)
        fresh.accept_invite(invite_hash(token), password_hash, desk.clock())
        desk.save(fresh)
        return fresh

    return retrying(desk, (user.id,), attempt, "The invite is being used elsewhere; try again.")


def user_of(desk: Desk, token: str) -> User:
    prefix, dot, secret = token.partition(".")
    try:
        user_id = UUID(hex=prefix) if dot and secret else None
    except ValueError:
        user_id = None
    found = desk.find(user_id) if user_id else None
    if not isinstance(found, User):
        raise InviteUnknownError("This invite link is not valid.")
    return found


def invite_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
