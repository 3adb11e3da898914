"""`deskstream channel add …` and `deskstream smtp --port P`: channel intake from the command line."""

import argparse
import sys
from typing import Any

from api.bootstrap import open_helpdesk, open_intake
from api.settings import Settings
from api.signals import stop_on_signals
from application.command import Context
from ingest import registry
from ingest.smtp_server import smtp_controller


def register(sub: Any) -> None:
    channel_p = sub.add_parser("channel", help="channels customers write from").add_subparsers(
        required=True, metavar="ACTION"
    )
    add_p = channel_p.add_parser("add", help="add a channel (provider settings as --set key=value)")
    add_p.add_argument("--kind", required=True, choices=registry.names())
    add_p.add_argument("--name", required=True)
    add_p.add_argument("--owner", help="operator who gets the channel's new tickets")
    add_p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="settings")
    add_p.set_defaults(handler=add)

    smtp_p = sub.add_parser("smtp", help="receive e-mail for the e-mail channels' addresses")
    smtp_p.add_argument("--host", default="127.0.0.1")
    smtp_p.add_argument("--port", type=int, default=2525)
    smtp_p.set_defaults(handler=smtp)


def add(settings: Settings, args: argparse.Namespace) -> int:
    pairs = dict(item.split("=", 1) for item in args.settings if "=" in item)
    helpdesk = open_helpdesk(settings)
    try:
        required = registry.kind_of(args.kind).required_settings
        result = helpdesk.add_channel(args.name, args.kind, args.owner, pairs, Context("admin"), required)
        print(f"channel {args.name} ({args.kind}) added at position {result.position}")
        return 0
    finally:
        helpdesk.close()


def smtp(settings: Settings, args: argparse.Namespace) -> int:
    """Runs until SIGTERM or SIGINT; the views are caught up first so addresses are known."""
    helpdesk, ingest = open_intake(settings)
    try:
        controller = smtp_controller(ingest, args.host, args.port)
        controller.start()
        stop = stop_on_signals()
        print(f"deskstream: SMTP intake on {args.host}:{args.port}", file=sys.stderr)
        stop.wait()
        controller.stop()
        return 0
    finally:
        ingest.close()
        helpdesk.close()
