"""Analysts get a consistent DuckDB copy while the service holds the live file."""

import subprocess
import sys
from pathlib import Path

import duckdb

from domain.helpdesk import Context
from projections.duckdb_snapshot import SNAPSHOT_NAME, take_snapshot
from tests.support import Clock, sqlite_runtime


def test_a_snapshot_is_copied_from_the_running_service(tmp_path: Path) -> None:
    data = tmp_path / "data"
    runtime = sqlite_runtime(data, Clock())
    try:
        runtime.helpdesk.open_ticket("vk", "Ivan", "id1", None, "Help", None, Context("bot"))
        runtime.runner.catch_up()
        assert runtime.analytics is not None
        position = take_snapshot(runtime.analytics, data / SNAPSHOT_NAME)
        target = tmp_path / "mine.duckdb"
        command = ["analytics", "snapshot", "--to", str(target)]
        done = subprocess.run(
            [sys.executable, "-m", "api.cli", "--data", str(data), *command],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert "service is running" in done.stderr
        con = duckdb.connect(str(target), read_only=True)
        assert con.execute("SELECT max(position) FROM tracking").fetchall()[0][0] == position
        assert con.execute("SELECT count(*) FROM tickets").fetchall()[0][0] == 1
        con.close()
    finally:
        runtime.close()
