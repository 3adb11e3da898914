"""Analysts get a consistent DuckDB copy while the service holds the live file."""

import subprocess
import sys
from pathlib import Path

import duckdb

from application.command import Context
from projections.duckdb_snapshot import SNAPSHOT_NAME
from tests.support import Clock, sqlite_runtime


def test_a_snapshot_is_copied_from_the_running_service(tmp_path: Path) -> None:
    data = tmp_path / "data"
    runtime = sqlite_runtime(data, Clock())
    try:
        runtime.helpdesk.open_ticket("vk", "Ivan", "id1", None, "Help", None, Context("bot"))
        runtime.runner.catch_up()  # the service's first commit writes the analysts' copy at once
        position = runtime.runner.position()
        assert (data / SNAPSHOT_NAME).exists()
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


def test_snapshots_keep_to_a_share_of_the_time(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import projections.duckdb_snapshot as snapshots

    now = [0.0]
    taken: list[int] = []

    def fake_take(db: object, target: Path) -> int:
        now[0] += 2.0  # a snapshot takes 2 s
        taken.append(len(taken))
        return positions[-1]

    monkeypatch.setattr(snapshots, "take_snapshot", fake_take)
    hook = snapshots.Snapshotter(None, tmp_path / "s.duckdb", every=10, share=0.1, clock=lambda: now[0])  # type: ignore[arg-type]
    positions: list[int] = []
    for position in range(10, 1000, 10):
        positions.append(position)
        now[0] += 1.0  # one batch of 10 positions a second
        hook(position)
    # one snapshot, then none for the next 20 s (2 s / 0.1): one per 22 batches, not one per batch
    assert len(taken) == 5


def test_no_snapshot_while_far_behind_the_log_then_one_on_arrival(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import projections.duckdb_snapshot as snapshots

    taken: list[int] = []

    def fake_take(db: object, target: Path) -> int:
        taken.append(position)
        return position

    monkeypatch.setattr(snapshots, "take_snapshot", fake_take)
    head = 1000
    now = [0.0]
    hook = snapshots.Snapshotter(
        None, tmp_path / "s.duckdb", every=100, clock=lambda: now[0], head=lambda: head
    )  # type: ignore[arg-type]
    for position in range(50, head + 1, 50):
        now[0] += 1.0
        hook(position)
    # a partial copy during the replay would replace a fuller one: the first comes within `every`
    assert taken == [900, 1000]


def test_a_quiet_service_refreshes_its_copy_after_the_interval(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import projections.duckdb_snapshot as snapshots

    now = [0.0]
    taken: list[int] = []

    def fake_take(db: object, target: Path) -> int:
        taken.append(hook.seen)
        return hook.seen

    monkeypatch.setattr(snapshots, "take_snapshot", fake_take)
    hook = snapshots.Snapshotter(None, tmp_path / "s.duckdb", interval=60, clock=lambda: now[0])  # type: ignore[arg-type]
    hook(3)  # the first commit: a copy at once, however few positions
    now[0] = 10.0
    hook(5)  # too soon after it
    hook.tick()
    now[0] = 70.0
    hook.tick()  # idle, a minute on: the copy catches up with what the commit skipped
    now[0] = 200.0
    hook.tick()  # nothing new since: no copy
    assert taken == [3, 5]
