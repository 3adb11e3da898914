"""`deskstream analytics …`: give analysts a DuckDB file they can open while the service runs."""

import argparse
import shutil
import sys
from pathlib import Path

import duckdb

from api.bootstrap import Runtime, build, view_file
from api.settings import Settings
from projections.duckdb_snapshot import SNAPSHOT_NAME, snapshot_position, take_snapshot


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    analytics = subparsers.add_parser("analytics", help="analytics for analysts (DuckDB)")
    actions = analytics.add_subparsers(required=True, metavar="ACTION")
    snap = actions.add_parser("snapshot", help="write a consistent DuckDB copy of the analytics tables")
    snap.add_argument("--to", type=Path, required=True, help="the DuckDB file to write")
    snap.set_defaults(handler=snapshot)


def snapshot(settings: Settings, args: argparse.Namespace) -> int:
    """Takes a fresh snapshot if no service holds the file, else copies the service's latest one."""
    try:
        runtime = build(settings)
    except duckdb.IOException:
        return copy_latest(settings, args.to)
    try:
        return fresh(runtime, args.to)
    finally:
        runtime.close()


def fresh(runtime: Runtime, target: Path) -> int:
    runtime.runner.catch_up()
    assert runtime.analytics is not None
    position = take_snapshot(runtime.analytics, target)
    print(f"snapshot of log position {position} written to {target}", file=sys.stderr)
    return 0


def copy_latest(settings: Settings, target: Path) -> int:
    latest = view_file(settings, SNAPSHOT_NAME)
    if not latest.exists():
        print("error: the service holds the analytics file and has written no snapshot yet", file=sys.stderr)
        return 1
    shutil.copyfile(latest, target)
    position = snapshot_position(target)
    print(f"the service is running: copied its latest snapshot (log position {position}) to {target}",
          file=sys.stderr)  # fmt: skip
    return 0
