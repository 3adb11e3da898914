"""`deskstream token create|revoke`: who may call the API.

A token is named by itself when revoked: the store keeps only its hash, keyed by that hash, so
nothing else finds it without reading the whole log. Revoking every token of a user would need
an index of tokens per user, which the event store does not keep.
"""

import argparse
import getpass
import sys
from typing import Any

from api.auth import hash_token, new_token
from api.bootstrap import open_helpdesk
from api.settings import Settings
from api.token_cache import TTL_SECONDS
from domain.values import Role


def register(sub: Any) -> None:
    actions = sub.add_parser("token", help="API tokens").add_subparsers(required=True, metavar="ACTION")
    create_p = actions.add_parser("create", help="create a user (or change its role) and print a new token")
    create_p.add_argument("--name", required=True)
    create_p.add_argument("--role", required=True, choices=[r.value for r in Role])
    create_p.set_defaults(handler=create)
    revoke_p = actions.add_parser("revoke", help="revoke a token: the API refuses it within seconds")
    revoke_p.add_argument(
        "token",
        nargs="?",
        default="-",
        help="the token (ds_…); leave it out or give - to type it or pipe it in (out of shell history)",
    )
    revoke_p.set_defaults(handler=revoke)


def create(settings: Settings, args: argparse.Namespace) -> int:
    helpdesk = open_helpdesk(settings)
    try:
        token = new_token()
        helpdesk.register_user(args.name, args.role)
        helpdesk.issue_token(hash_token(token), args.name)
        print(token)
        return 0
    finally:
        helpdesk.close()


def revoke(settings: Settings, args: argparse.Namespace) -> int:
    """Prints the user and the start of the token's hash (what the log keeps), never the token."""
    token = read_token(args.token)
    if not token:
        print("error: give the token to revoke (ds_…)", file=sys.stderr)
        return 2
    token_hash = hash_token(token)
    helpdesk = open_helpdesk(settings)
    try:
        user = helpdesk.revoke_token(token_hash)
    finally:
        helpdesk.close()
    if user is None:
        print(f"error: no token with hash {token_hash[:12]}… was ever issued here", file=sys.stderr)
        return 1
    print(
        f"revoked token {token_hash[:12]}… of user {user}; "
        f"the API refuses it within {TTL_SECONDS:g} s (its token cache)"
    )
    return 0


def read_token(given: str) -> str:
    if given != "-":
        return given.strip()
    if sys.stdin.isatty():
        return getpass.getpass("token to revoke: ").strip()
    return sys.stdin.readline().strip()
