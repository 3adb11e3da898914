"""What a token is: a random secret the caller keeps, and its SHA-256, which is all the log keeps."""

import hashlib
import secrets


def new_token() -> str:
    return "ds_" + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
