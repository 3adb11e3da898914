"""A wrong DESKSTREAM_* value stops the process with one line saying what is allowed."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import main
from api.settings import VARIABLES, Settings, SettingsError

REPO = Path(__file__).resolve().parents[2]
SOURCES = ("api", "domain", "projections", "ingest", "relay", "schemas")

WRONG = {
    "DESKSTREAM_DATA": None,  # any folder name is allowed
    "DESKSTREAM_POSTGRES_URL": (
        "mysql://desk:s3cret@db/desk",
        "postgresql://user:password@host:5432/database",
    ),
    "DESKSTREAM_HOST": ("0.0.0.0 8000", "one host name or IP address"),
    "DESKSTREAM_PORT": ("abc", "a port number from 0 to 65535"),
    "DESKSTREAM_PROJECTIONS": ("of", "on or off"),
    "DESKSTREAM_MAX_BODY": ("1MB", "a whole number of 1 or more"),
    "DESKSTREAM_MAX_WAITING_READERS": ("many", "a whole number of 1 or more"),
    "DESKSTREAM_ANALYTICS_PACE": ("-1", "a number of seconds, 0 or more"),
    "DESKSTREAM_ACCESS_LOG": ("false", "on or off"),
    "DESKSTREAM_KAFKA_BOOTSTRAP": ("kafka:port", "host:port of a Kafka broker"),
    "DESKSTREAM_KAFKA_TOPIC": ("ticket events", "a Kafka topic name"),
    "DESKSTREAM_KAFKA_PARTITIONS": ("0", "a whole number of 1 or more"),
    "DESKSTREAM_AGGREGATE_CACHE_MB": ("32MB", "a whole number of 1 or more"),
    "DESKSTREAM_HISTORY_CACHE_MB": ("-1", "a whole number of 1 or more"),
    "DESKSTREAM_DUCKDB_MEMORY_MB": ("lots", "a whole number of 1 or more"),
    "DESKSTREAM_SQLITE_MEMORY_MB": ("16MiB", "a whole number of 1 or more"),
    "DESKSTREAM_SESSION_KEY": ("short", "at least 32 characters"),
    "DESKSTREAM_SESSION_IDLE_MINUTES": ("0", "a whole number of 1 or more"),
    "DESKSTREAM_TIME_ZONE": ("Mars/Olympus", "an IANA time zone name"),
    "DESKSTREAM_SHIFTS": ("09:00-20:00", "no shift covers 20:00-09:00"),
    "DESKSTREAM_FORWARDED_ALLOW_IPS": ("10.0.0.300", "IP addresses or networks separated by commas"),
}


def problems(environ: dict[str, str]) -> list[str]:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(environ)
    return raised.value.problems


@pytest.mark.parametrize("name", [n for n, wrong in WRONG.items() if wrong])
def test_a_wrong_value_is_one_line_naming_the_variable_the_value_and_what_is_allowed(name: str) -> None:
    value, allowed = WRONG[name]  # type: ignore[misc]
    [line] = problems({name: value})
    assert line.startswith(f"{name}=") and allowed in line and "\n" not in line
    if name == "DESKSTREAM_SESSION_KEY":
        assert value not in line.partition("=")[2]  # a secret, even a wrong one, is not echoed
    else:
        assert value in line or name == "DESKSTREAM_POSTGRES_URL"


def test_the_password_in_a_wrong_postgres_url_is_not_printed() -> None:
    [line] = problems({"DESKSTREAM_POSTGRES_URL": "mysql://desk:s3cret@db/desk"})
    assert "s3cret" not in line and "mysql://desk:***@db/desk" in line


def test_every_wrong_variable_is_reported_at_once() -> None:
    lines = problems({"DESKSTREAM_PORT": "abc", "DESKSTREAM_PROJECTIONS": "of"})
    assert [line.split("=")[0] for line in lines] == ["DESKSTREAM_PORT", "DESKSTREAM_PROJECTIONS"]


def test_projections_off_is_no_longer_confused_with_a_typo() -> None:
    assert Settings.from_env({"DESKSTREAM_PROJECTIONS": "off"}).run_projections is False
    assert Settings.from_env({"DESKSTREAM_PROJECTIONS": "OFF"}).run_projections is False
    assert Settings.from_env({"DESKSTREAM_PROJECTIONS": "on"}).run_projections is True
    assert problems({"DESKSTREAM_PROJECTIONS": "of"})


def test_good_values_are_read_and_empty_ones_count_as_unset() -> None:
    settings = Settings.from_env(
        {
            "DESKSTREAM_DATA": "/srv/desk",
            "DESKSTREAM_POSTGRES_URL": "postgresql://desk:pw@db:5433/desk",
            "DESKSTREAM_HOST": "0.0.0.0",
            "DESKSTREAM_PORT": "8080",
            "DESKSTREAM_MAX_BODY": "2000000",
            "DESKSTREAM_ANALYTICS_PACE": "0.5",
            "DESKSTREAM_ACCESS_LOG": "off",
            "DESKSTREAM_KAFKA_BOOTSTRAP": "k1:9092,k2:9092",
            "DESKSTREAM_KAFKA_TOPIC": "",
            "DESKSTREAM_KAFKA_PARTITIONS": "8",
        }
    )
    assert settings == Settings(
        data_dir=Path("/srv/desk"),
        postgres_url="postgresql://desk:pw@db:5433/desk",
        host="0.0.0.0",
        port=8080,
        max_body_bytes=2_000_000,
        analytics_pace=0.5,
        access_log=False,
        kafka_bootstrap="k1:9092,k2:9092",
        kafka_partitions=8,
    )
    assert Settings.from_env({"DESKSTREAM_PORT": "", "DESKSTREAM_POSTGRES_URL": ""}) == Settings()


def test_every_deskstream_variable_the_service_reads_is_a_checked_setting() -> None:
    """One read elsewhere would escape the checks; tests' and bench's own variables are not the service's."""
    read = set()
    for folder in SOURCES:
        for path in (REPO / folder).rglob("*.py"):
            read |= set(re.findall(r"[\"'](DESKSTREAM_[A-Z_]+)[\"']", path.read_text()))
    assert read == {v.name for v in VARIABLES} == set(WRONG)


def test_the_cli_prints_error_lines_and_exits_2_on_a_wrong_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("DESKSTREAM_PORT", "abc")
    monkeypatch.setenv("DESKSTREAM_PROJECTIONS", "of")
    assert main(["replay", "--data", str(tmp_path / "data")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: DESKSTREAM_PORT='abc': expected a port number from 0 to 65535",
        "error: DESKSTREAM_PROJECTIONS='of': expected on or off",
    ]
    assert not (tmp_path / "data").exists()


def test_a_wrong_port_stops_deskstream_serve_without_a_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "serve", "--data", str(tmp_path)],
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "DESKSTREAM_PORT": "abc"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr == "error: DESKSTREAM_PORT='abc': expected a port number from 0 to 65535\n"
