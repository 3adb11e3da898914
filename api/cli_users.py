"""`deskstream user add|password|invite`: the staff who sign in to the workspace.

A password is typed twice at a terminal (never an argument, so it stays out of shell history)
or read from the first line of stdin for scripts: `printf 'secret\n' | deskstream user password
anna`. Only its scrypt hash is recorded. `invite` prints a one-time link instead, with which the
colleague chooses the password themselves; only the link's hash is recorded.
"""

import argparse
import getpass
import sys
from datetime import UTC
from typing import Any

from api.bootstrap import open_helpdesk
from api.settings import Settings
from application.passwords import WeakPasswordError, check_strength
from domain.users import check_may_sign_in
from domain.values import Role

WORKSPACE_ROLES = [r.value for r in Role if r != Role.SERVICE]
"""Service users (channel adapters, imports) act with tokens and never sign in."""


def register(sub: Any) -> None:
    actions = sub.add_parser("user", help="staff who sign in to the workspace").add_subparsers(
        required=True, metavar="ACTION"
    )
    add_p = actions.add_parser("add", help="add a user (or change its role) and set its password")
    add_p.add_argument("name")
    add_p.add_argument("--role", required=True, choices=WORKSPACE_ROLES)
    add_p.set_defaults(handler=add)
    password_p = actions.add_parser("password", help="set a user's password")
    password_p.add_argument("name")
    password_p.set_defaults(handler=password)
    invite_p = actions.add_parser("invite", help="add a user (or change its role) and print a one-time link")
    invite_p.add_argument("name")
    invite_p.add_argument("--role", required=True, choices=WORKSPACE_ROLES)
    invite_p.add_argument(
        "--base-url",
        help="the address staff open, e.g. https://desk.example.com (default: host and port served)",
    )
    invite_p.set_defaults(handler=invite)


def add(settings: Settings, args: argparse.Namespace) -> int:
    secret = read_password(args.name)
    if secret is None:
        return 2
    helpdesk = open_helpdesk(settings)
    try:
        helpdesk.register_user(args.name, args.role)
        helpdesk.set_password(args.name, secret)
    finally:
        helpdesk.close()
    print(f"user {args.name} ({args.role}) can sign in at /signin")
    return 0


def password(settings: Settings, args: argparse.Namespace) -> int:
    helpdesk = open_helpdesk(settings)
    try:
        check_may_sign_in(helpdesk.user(args.name).role)
        secret = read_password(args.name)
        if secret is None:
            return 2
        helpdesk.set_password(args.name, secret)
    finally:
        helpdesk.close()
    print(
        f"password of {args.name} set; sessions already open stay open until they sign out "
        f"or are idle for {settings.session_idle_minutes} minutes"
    )
    return 0


def invite(settings: Settings, args: argparse.Namespace) -> int:
    helpdesk = open_helpdesk(settings)
    try:
        invitation = helpdesk.invite_user(args.name, args.role)
    finally:
        helpdesk.close()
    until = invitation.expires_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"user {args.name} ({args.role}) is invited; the link works once, until {until}:")
    print(f"{(args.base_url or served_at(settings)).rstrip('/')}/invite/{invitation.token}")
    return 0


def served_at(settings: Settings) -> str:
    """Where `deskstream serve` listens; a wildcard address is reached as localhost."""
    host = "localhost" if settings.host in ("0.0.0.0", "::", "") else settings.host
    return f"http://{f'[{host}]' if ':' in host else host}:{settings.port}"


def read_password(name: str) -> str | None:
    """Twice at a terminal, once from a pipe; None (with the reason printed) if unusable."""
    if sys.stdin.isatty():
        first = getpass.getpass(f"password for {name}: ")
        if getpass.getpass("again: ") != first:
            print("error: the two passwords differ", file=sys.stderr)
            return None
    else:
        first = sys.stdin.readline().rstrip("\n")
    try:
        check_strength(first)
    except WeakPasswordError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    return first
