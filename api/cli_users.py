"""`deskstream user add|password`: the staff who sign in to the workspace.

A password is typed twice at a terminal (never an argument, so it stays out of shell history)
or read from the first line of stdin for scripts: `printf 'secret\n' | deskstream user password
anna`. Only its scrypt hash is recorded.
"""

import argparse
import getpass
import sys
from typing import Any

from api.bootstrap import open_helpdesk
from api.settings import Settings
from application.passwords import WeakPasswordError, check_strength
from domain.values import Role


def register(sub: Any) -> None:
    actions = sub.add_parser("user", help="staff who sign in to the workspace").add_subparsers(
        required=True, metavar="ACTION"
    )
    add_p = actions.add_parser("add", help="add a user (or change its role) and set its password")
    add_p.add_argument("name")
    add_p.add_argument("--role", required=True, choices=[r.value for r in Role if r != Role.SERVICE])
    add_p.set_defaults(handler=add)
    password_p = actions.add_parser("password", help="set a user's password")
    password_p.add_argument("name")
    password_p.set_defaults(handler=password)


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
        helpdesk.user(args.name)
        secret = read_password(args.name)
        if secret is None:
            return 2
        helpdesk.set_password(args.name, secret)
    finally:
        helpdesk.close()
    print(f"password of {args.name} set; sessions already open stay open until they sign out")
    return 0


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
