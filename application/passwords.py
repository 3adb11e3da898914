"""Staff passwords, hashed with scrypt: memory-hard, in the standard library, one line to verify.

The hash is stored as `scrypt$n$r$p$salt$digest` so that the cost can be raised later and old
hashes still verify. A name that does not exist is checked against a fixed dummy hash, so that a
sign-in takes as long for an unknown name as for a wrong password.
"""

import base64
import hashlib
import hmac
import secrets

N, R, P = 2**14, 8, 1
"""16 MiB and about 50 ms per check on one core: OWASP's floor for scrypt."""
MIN_LENGTH = 8
MAX_LENGTH = 1024


class WeakPasswordError(ValueError):
    pass


class PasswordTooShortError(WeakPasswordError):
    pass


class PasswordTooLongError(WeakPasswordError):
    """Past this, a hash costs the server more than any real password needs."""


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordTooShortError(f"A password has at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise PasswordTooLongError(f"A password has at most {MAX_LENGTH} characters.")


def hash_password(password: str) -> str:
    check_strength(password)
    salt = secrets.token_bytes(16)
    digest = derive(password, salt, N, R, P)
    return "$".join(("scrypt", str(N), str(R), str(P), encode(salt), encode(digest)))


def verify_password(password: str, stored: str | None) -> bool:
    """Constant in time whether or not a hash is stored; False for anything malformed."""
    parts = (stored or DUMMY).split("$")
    if len(parts) != 6 or parts[0] != "scrypt" or len(password) > MAX_LENGTH:
        return False
    _, n, r, p, salt, digest = parts
    try:
        found = derive(password, decode(salt), int(n), int(r), int(p))
        expected = decode(digest)
    except ValueError:
        return False
    return hmac.compare_digest(found, expected) and stored is not None


def derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=2**26, dklen=32)


def encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


DUMMY = "$".join(("scrypt", str(N), str(R), str(P), encode(b"\0" * 16), encode(b"\0" * 32)))
