"""`deskstream demo`: a fresh data directory with a seeded year of a support desk, then serve it.

    deskstream demo                       # ./data-demo, 40,000 tickets, then serve at :8000
    deskstream demo --no-serve --data /tmp/desk --tickets 2000 --until 2026-12-01T00:00:00Z

The year (application/demo/) ends at `--until`, by default now to the minute, and starts on the
first of the month twelve months before, so that "last month" is a whole month. Its arrivals
follow the team's day, in DESKSTREAM_TIME_ZONE (Europe/Moscow unless set). The views are built
by a replay before serving, and both steps are timed. The demo users' passwords are fixed and
published (`demo-only-<name>`), so the data directory is refused unless it is new or empty.
"""

import argparse
import os
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from api.bootstrap import open_helpdesk
from api.cli import port_argument, replay, serve
from api.clock import system_clock
from api.data_dir import secure
from api.setting_values import positive_whole
from api.settings import Settings
from application.demo.arrivals import year_ending
from application.demo.history import DEFAULT_SEED, write_year
from application.demo.staff import team
from domain.calendar import zone

DEMO_ZONE = "Europe/Moscow"
"""The team's zone when DESKSTREAM_TIME_ZONE is unset: the teams we build for sit there, and
it has no daylight saving time, so every day of the demo has 24 hours."""
DEFAULT_TICKETS = 40_000
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="fill a fresh data directory with a demo year, then serve it")
    p.add_argument("--tickets", type=whole_argument, default=DEFAULT_TICKETS, help="tickets in the year")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="the same seed gives the same events")
    p.add_argument("--until", type=instant_argument, help="the year's end, ISO 8601 (default: now)")
    p.add_argument("--no-serve", action="store_true", help="write and replay, then exit")
    p.add_argument("--host")
    p.add_argument("--port", type=port_argument)
    p.set_defaults(handler=demo)


def demo(settings: Settings, args: argparse.Namespace) -> int:
    settings = demo_settings(settings, getattr(args, "data", None), os.environ)
    until = args.until or system_clock().replace(second=0, microsecond=0)
    problem = not_fresh(settings) or in_future(until)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    write(settings, args.tickets, args.seed, until)
    replay(settings, args)
    print_users()
    if args.no_serve:
        print(f"serve it with: {serve_command(settings)}")
        return 0
    if settings.host not in LOOPBACK:
        print(f"warning: serving on {settings.host}: the demo passwords are public", file=sys.stderr)
    return serve(settings, args)


def demo_settings(settings: Settings, typed_data: Path | None, environ: Any) -> Settings:
    """The demo's own embedded store: `--data`, else a `-demo` directory beside the usual one
    (./data-demo); never the PostgreSQL store the environment may name."""
    data_dir = typed_data or settings.data_dir.parent / f"{settings.data_dir.resolve().name}-demo"
    chosen_zone = str(environ.get("DESKSTREAM_TIME_ZONE", "")).strip()
    return replace(settings, data_dir=data_dir, postgres_url=None, time_zone=chosen_zone or DEMO_ZONE)


def serve_command(settings: Settings) -> str:
    """How to serve the demo again later, in the zone it was made for."""
    return f"DESKSTREAM_TIME_ZONE={settings.time_zone} deskstream --data {settings.data_dir} serve"


def not_fresh(settings: Settings) -> str | None:
    """Why the demo may not write there, or None: only a new or empty directory will do."""
    data_dir = settings.data_dir
    if data_dir.exists() and not data_dir.is_dir():
        return f"{data_dir} is a file; the demo needs a new or empty directory (pass --data DIR)."
    if data_dir.is_dir() and any(data_dir.iterdir()):
        return (
            f"{data_dir} is not empty; the demo writes only into a new or empty directory. "
            f"Serve what is there with `{serve_command(settings)}`, remove it, or pass --data DIR."
        )
    return None


def in_future(until: datetime) -> str | None:
    if until > system_clock():
        return f"--until {until.isoformat()} is in the future; a history ends by now."
    return None


def write(settings: Settings, tickets: int, seed: int, until: datetime) -> None:
    secure(settings.data_dir)
    year = year_ending(until, zone(settings.time_zone))
    print(
        f"demo: {tickets:,} tickets from {year.start.date()} to {until.isoformat()} "
        f"({settings.time_zone}) into {settings.data_dir}",
        file=sys.stderr,
    )
    started = time.perf_counter()
    helpdesk = open_helpdesk(settings)
    try:
        written = write_year(helpdesk, year, tickets, seed, progress=progress)
    finally:
        helpdesk.close()
    seconds = time.perf_counter() - started
    print(
        f"\nwrote {written.tickets:,} tickets, {written.mentions:,} mentions and {written.customers:,} "
        f"customers ({written.events:,} events) in {seconds:.1f} s",
        file=sys.stderr,
    )


def progress(tickets: int, events: int) -> None:
    print(f"\r{tickets:>9,} tickets, {events:>11,} events", end="", file=sys.stderr, flush=True)


def print_users() -> None:
    """On stdout, once: who to sign in as. The passwords are the published demo ones."""
    print("\nDemo users (sign in at /signin; demo-only passwords, published in README):")
    for member in team():
        shift = f", {member.shift} shift" if member.shift else ""
        print(f"  {member.name:<8} {member.role:<11} {member.password}{shift}")


def whole_argument(text: str) -> int:
    try:
        return positive_whole(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None


def instant_argument(text: str) -> datetime:
    """An ISO 8601 time; without an offset it is UTC."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
