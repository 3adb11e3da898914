"""Staff sessions in the browser: a cookie holding a sign-in token, with an idle expiry.

A sign-in issues an ordinary API token (the log records `TokenIssued`, so sign-ins are audited
like tokens, and only the token's hash is stored); sign-out revokes it. The cookie carries the
token, the time it was last refreshed and an HMAC over both under the server's session key, so
an idle session expires without any server-side state, and every process that shares the key
(DESKSTREAM_SESSION_KEY) accepts the same cookie. The CSRF token of a session is an HMAC of its
token hash: forms and script send it back, and no other site can compute it.

A session is for staff only: a service user (a channel adapter, an import) never has one, even
if a cookie naming its token were signed with the key.
"""

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from api.token_cache import TokenCache
from api.token_values import hash_token, new_token
from application.helpdesk import Helpdesk
from domain.users import User, check_may_sign_in
from domain.values import Role

COOKIE = "ds_session"
REFRESH_SECONDS = 60
KEY_FILE = "session.key"


@dataclass(frozen=True)
class Session:
    user: User
    token_hash: str
    csrf: str
    refreshed_at: int


class Sessions:
    def __init__(
        self,
        helpdesk: Helpdesk,
        tokens: TokenCache,
        key: bytes,
        idle_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.helpdesk, self.tokens, self.key, self.idle = helpdesk, tokens, key, idle_seconds
        self.clock = clock

    def start(self, user: User) -> str:
        """A new session for a user whose password was checked: the cookie's value."""
        check_may_sign_in(user.role)
        token = new_token()
        self.helpdesk.issue_token(hash_token(token), user.name)
        return self.cookie(token, int(self.clock()))

    def read(self, value: str | None) -> Session | None:
        """The session a cookie names, or None if it is forged, idle too long, signed out, or
        a service user's."""
        token, refreshed_at = self.unpack(value or "")
        if token is None or self.clock() - refreshed_at > self.idle:
            return None
        token_hash = hash_token(token)
        user = self.tokens.user(token_hash, self.helpdesk.authenticate)
        if user is None or user.role == Role.SERVICE:
            return None
        return Session(user, token_hash, self.csrf_for(token_hash), refreshed_at)

    def refreshed(self, value: str, session: Session) -> str | None:
        """A fresher cookie once a minute of use has passed, so an active session stays open."""
        now = int(self.clock())
        if now - session.refreshed_at < REFRESH_SECONDS:
            return None
        token, _ = self.unpack(value)
        return self.cookie(token, now) if token else None

    def end(self, session: Session) -> None:
        """Revokes the session's token: the same cookie, in any tab, opens nothing any more."""
        self.helpdesk.revoke_token(session.token_hash)
        self.tokens.forget(session.token_hash)

    def changed(self, session: Session) -> None:
        """The user was changed through this session (their preferences): the next page reads it
        afresh instead of from the token cache."""
        self.tokens.forget(session.token_hash)

    def csrf_for(self, token_hash: str) -> str:
        return self.sign(f"csrf:{token_hash}")[:32]

    def csrf_ok(self, session: Session, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(session.csrf, given or "")

    def cookie(self, token: str, refreshed_at: int) -> str:
        body = f"{token}.{refreshed_at}"
        return f"{body}.{self.sign(body)}"

    def unpack(self, value: str) -> tuple[str | None, int]:
        token, _, rest = value.partition(".")
        stamp, _, signature = rest.partition(".")
        if not (token and stamp.isascii() and stamp.isdigit() and len(stamp) < 12):
            return None, 0
        if not hmac.compare_digest(self.sign(f"{token}.{stamp}"), signature):
            return None, 0
        return token, int(stamp)

    def sign(self, text: str) -> str:
        digest = hmac.new(self.key, text.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def session_key(configured: str | None, data_dir: Path) -> bytes:
    """The configured key, else one kept in the data directory (created 0600 on first start)."""
    if configured:
        return configured.encode()
    path = data_dir / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(32))
    return path.read_text().strip().encode()
