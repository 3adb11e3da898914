"""The `deskstream` command: serve the API, manage tokens, inspect tickets, rebuild projections."""

import argparse
import importlib
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from uuid import UUID

import duckdb

from api import malloc
from api.bootstrap import Runtime, build, open_helpdesk
from api.data_dir import private_umask
from api.kafka_views import parse_views
from api.setting_values import port
from api.settings import Settings, SettingsError
from api.signals import stop_on_signals
from api.views import author_label
from application.helpdesk import Helpdesk
from domain.errors import DomainError
from projections.records import record_from_event

EXTENSIONS: tuple[str, ...] = (
    "api.cli_tokens",
    "api.cli_users",
    "api.cli_ingest",
    "api.cli_analytics",
    "api.cli_kafka",
    "api.cli_demo",
    "api.cli_qa",
)
"""Modules that add their own subcommands through `register(subparsers)`."""


def main(argv: Sequence[str] | None = None) -> int:
    private_umask()
    malloc.limit_arenas()
    args = parser().parse_args(argv)
    try:
        settings = settings_of(args)
        return int(args.handler(settings, args) or 0)
    except SettingsError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


class CommandParser(argparse.ArgumentParser):
    """Every parser in the command tree, each subcommand's included, takes the global options.

    So `deskstream serve --data DIR` and `deskstream --data DIR serve` mean the same. Subparsers
    are built with the parser's own class, so extensions' subcommands get them too. The default
    is SUPPRESS: a subcommand that is not given `--data` leaves the value given before it alone.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_argument(
            "--data",
            type=Path,
            default=argparse.SUPPRESS,
            metavar="DIR",
            help="data directory (env DESKSTREAM_DATA, default ./data); before or after the command",
        )


def parser() -> argparse.ArgumentParser:
    p = CommandParser(prog="deskstream", description=__doc__)
    sub = p.add_subparsers(required=True, metavar="COMMAND")

    serve_p = sub.add_parser("serve", help="serve the HTTP API (OpenAPI at /docs)")
    serve_p.add_argument("--host")
    serve_p.add_argument("--port", type=port_argument)
    serve_p.set_defaults(handler=serve)

    ticket_p = sub.add_parser("ticket", help="inspect tickets").add_subparsers(
        required=True, metavar="ACTION"
    )
    show_p = ticket_p.add_parser("show", help="current state of a ticket")
    show_p.add_argument("id", type=UUID)
    show_p.set_defaults(handler=show_ticket)
    history_p = ticket_p.add_parser("history", help="a ticket's full history as a timeline")
    history_p.add_argument("id", type=UUID)
    history_p.set_defaults(handler=ticket_history)

    replay_p = sub.add_parser("replay", help="rebuild every projection from the event log")
    replay_p.set_defaults(handler=replay)

    project_p = sub.add_parser("project", help="run the projectors in the foreground (scaled mode)")
    project_p.add_argument("--source", choices=["log", "kafka"], default="log", help="where events come from")
    project_p.add_argument("--batch-size", type=int, default=2000)
    project_p.add_argument("--once", action="store_true", help="catch up, then exit")
    project_p.add_argument("--rebuild", action="store_true", help="reset the views, rebuild them, then exit")
    project_p.add_argument(
        "--views",
        type=parse_views,
        default=("queue",),
        help="with --source kafka: which views to feed, comma-separated (queue, analytics, search) or all",
    )
    project_p.set_defaults(handler=project)

    for module in EXTENSIONS:
        importlib.import_module(module).register(sub)
    return p


def settings_of(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> Settings:
    """The environment's settings, with what was typed on the command line taking precedence."""
    typed = {name: getattr(args, name, None) for name in ("host", "port")}
    return Settings.from_env(environ, data_dir=getattr(args, "data", None), **typed)


def port_argument(text: str) -> int:
    """`serve --port` is held to what DESKSTREAM_PORT is held to."""
    try:
        return port(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None


def with_helpdesk(settings: Settings, work: Callable[[Helpdesk], int]) -> int:
    """For commands that only read or append events, so they work while the server runs."""
    helpdesk = open_helpdesk(settings)
    try:
        return work(helpdesk)
    finally:
        helpdesk.close()


def with_runtime(settings: Settings, work: Callable[[Runtime], int]) -> int:
    try:
        runtime = build(settings)
    except duckdb.IOException as exc:
        print(
            f"error: another deskstream process holds the views (stop the server first): {exc}",
            file=sys.stderr,
        )
        return 2
    try:
        return work(runtime)
    finally:
        runtime.close()


SHUTDOWN_SECONDS = 3
"""On a stop, how long requests in flight may finish before they are ended: an open page's live
stream (api/web/live.py) never ends by itself, and uvicorn would wait for it forever."""


def serve(settings: Settings, _: argparse.Namespace) -> int:
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from api.app import create_app
    from api.web.invite import log_config

    app = create_app(build(settings))
    print(f"deskstream: data in {settings.postgres_url or settings.data_dir.resolve()}", file=sys.stderr)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="info",
        log_config=log_config(LOGGING_CONFIG),
        access_log=settings.access_log,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=SHUTDOWN_SECONDS,
    )
    return 0


def show_ticket(settings: Settings, args: argparse.Namespace) -> int:
    def work(helpdesk: Helpdesk) -> int:
        t = helpdesk.ticket(args.id)
        customer = helpdesk.customer(t.customer_id)
        rows = [
            ("ticket", str(t.id)),
            ("status", t.status + (f" ({t.resolution})" if t.resolution else "")),
            ("channel", t.channel),
            ("customer", f"{customer.name} ({', '.join(customer.identities)})"),
            ("subject", t.subject or "-"),
            ("assignee", t.assignee or "unassigned"),
            ("type / priority", f"{t.type or '-'} / {t.priority}"),
            ("tags", ", ".join(t.tags) or "-"),
            ("opened", t.opened_at.isoformat()),
            ("waiting since", t.waiting_since.isoformat() if t.waiting_since else "answered"),
            ("version", str(t.version)),
        ]
        for label, value in rows:
            print(f"{label:>16}: {value}")
        return 0

    return with_helpdesk(settings, work)


def ticket_history(settings: Settings, args: argparse.Namespace) -> int:
    def work(helpdesk: Helpdesk) -> int:
        positions = helpdesk.positions(args.id)
        for event in helpdesk.history(args.id):
            record = record_from_event(positions[event.originator_version], event)
            when = record.occurred_at.strftime("%Y-%m-%d %H:%M:%S")
            data = {**record.data, "author": author_label(record.data.get("author"))}  # a group's writer
            details = "  ".join(f"{k}={v!r}" for k, v in data.items() if v not in (None, [], ""))
            print(f"{when}  #{record.version:<3} {record.type:<24} {record.actor:<16} {details}")
        return 0

    return with_helpdesk(settings, work)


def replay(settings: Settings, _: argparse.Namespace) -> int:
    def work(runtime: Runtime) -> int:
        total = runtime.runner.source.head()
        started = time.perf_counter()
        bar = ProgressBar(total)
        count = runtime.runner.rebuild(progress=bar.update)
        bar.finish(count, time.perf_counter() - started)
        return 0

    return with_runtime(settings, work)


def project(settings: Settings, args: argparse.Namespace) -> int:
    """Runs until SIGTERM or SIGINT; each batch commits with its position, so a kill loses nothing."""
    if args.source == "kafka":
        from api.cli_kafka import project_kafka

        return project_kafka(settings, args)

    def work(runtime: Runtime) -> int:
        runner = runtime.runner
        runner.set_batch_size(args.batch_size)
        if args.rebuild:
            runner.rebuild()
            return 0
        if args.once:
            runner.catch_up()
            return 0
        stop = stop_on_signals()
        print(f"deskstream: projecting from {args.source} at position {runner.position()}", file=sys.stderr)
        runner.start()
        stop.wait()
        return 0

    return with_runtime(replace(settings, run_projections=False), work)


class ProgressBar:
    """A plain text bar on stderr: log positions can have gaps, so it reports events read too."""

    def __init__(self, total: int, width: int = 30) -> None:
        self.total, self.width = max(total, 1), width

    def update(self, done: int) -> None:
        share = min(done / self.total, 1.0)
        filled = int(share * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        print(f"\rreplay [{bar}] {share:6.1%}  {done:,} events", end="", file=sys.stderr, flush=True)

    def finish(self, count: int, seconds: float) -> None:
        self.update(self.total)
        rate = count / seconds if seconds > 0 else 0.0
        print(f"\nreplayed {count:,} events in {seconds:.1f} s ({rate:,.0f} events/s)", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
