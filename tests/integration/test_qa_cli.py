"""`deskstream qa sample` draws a recorded sample again from the event store alone: the same seed
and tickets when nothing is amiss, and says so when they differ (another time zone's month)."""

from pathlib import Path

import pytest

from api.cli import main
from tests.integration.qa_desk import draw, qa_desk, week


def cli(data: Path, *args: str) -> int:
    return main(["--data", str(data), "qa", "sample", "--month", "2026-03", "--size", "2", *args])


def test_the_cli_re_derives_the_recorded_sample_from_the_log_and_says_when_it_differs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    with qa_desk(data) as desk:
        week(desk)
        late = desk.at("2026-03-31T22:00").open("late")  # 31 March in UTC, 1 April in Moscow
        desk.act("anna", late, "resolve", {"resolution": "solved"})
        desk.runtime.runner.catch_up()
        desk.at("2026-04-01T06:00")
        recorded = draw(desk, tz="UTC").json()
        assert recorded["population"] == 4
        capsys.readouterr()
        assert cli(data, "--tz", "UTC") == 0  # while the service runs
        out = capsys.readouterr().out
        assert recorded["seed"] in out and "equals the recorded one" in out
    (data / "analytics.duckdb").unlink()  # the views play no part in it
    assert cli(data, "--tz", "UTC") == 0
    assert cli(data, "--tz", "Europe/Moscow") == 1
    moved = capsys.readouterr()
    assert "3 resolved tickets re-derived, 4 recorded" in moved.out and "DIFFERS" in moved.err


def test_the_cli_says_when_no_sample_is_recorded_and_refuses_a_malformed_month(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    with qa_desk(data):
        pass
    assert cli(data) == 1
    assert "no QA sample of 2026-03 with 2 tickets is recorded" in capsys.readouterr().err
    assert main(["--data", str(data), "qa", "sample", "--month", "2026-13"]) == 2
    assert "YYYY-MM" in capsys.readouterr().err
