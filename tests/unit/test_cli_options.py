"""Global options go where users type them: before the command, after it, or after its action."""

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.cli import parser, settings_of

ID = "7b0e4f0e-8c1a-4a57-9d1a-3f1f5a0c9b11"
COMMANDS = [
    ["serve"],
    ["serve", "--port", "8001"],
    ["token", "create", "--name", "x", "--role", "operator"],
    ["token", "revoke", "ds_x"],
    ["user", "add", "anna", "--role", "operator"],
    ["user", "password", "anna"],
    ["user", "invite", "anna", "--role", "operator"],
    ["ticket", "show", ID],
    ["ticket", "history", ID],
    ["replay"],
    ["project", "--once"],
    ["channel", "add", "--kind", "vk", "--name", "support-vk"],
    ["smtp"],
    ["analytics", "snapshot", "--to", "snap.duckdb"],
    ["relay", "--once"],
    ["demo", "--no-serve"],
    ["qa", "sample", "--month", "2026-03"],
]


def leaf_commands(p: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    actions = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
    if not actions:
        yield path
    for action in actions:
        for name, child in action.choices.items():
            yield from leaf_commands(child, (*path, name))


def data_of(argv: list[str]) -> Path:
    return settings_of(parser().parse_args(argv), environ={}).data_dir


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_data_given_after_the_command_is_the_data_directory_used(command: list[str]) -> None:
    assert data_of([*command, "--data", "/srv/desk"]) == Path("/srv/desk")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_data_given_before_the_command_is_not_overwritten_by_the_commands_default(command: list[str]) -> None:
    assert data_of(["--data", "/srv/desk", *command]) == Path("/srv/desk")


def test_data_between_a_command_and_its_action_is_used_too() -> None:
    assert data_of(["token", "--data", "/srv/desk", "create", "--name", "x", "--role", "admin"]) == Path(
        "/srv/desk"
    )


def test_the_data_directory_typed_last_wins_when_given_twice() -> None:
    assert data_of(["--data", "/first", "replay", "--data", "/second"]) == Path("/second")


def test_without_data_the_environment_then_the_default_decide() -> None:
    args = parser().parse_args(["replay"])
    assert settings_of(args, environ={}).data_dir == Path("data")
    assert settings_of(args, environ={"DESKSTREAM_DATA": "/env"}).data_dir == Path("/env")
    typed = parser().parse_args(["replay", "--data", "/typed"])
    assert settings_of(typed, environ={"DESKSTREAM_DATA": "/env"}).data_dir == Path("/typed")


def test_every_command_the_cli_has_is_listed_here_and_takes_data_after_it() -> None:
    """A new subcommand (an extension's too) gets `--data` without anyone remembering to add it."""
    leaves = set(leaf_commands(parser()))
    grouped = ("token", "user", "ticket", "channel", "analytics", "qa")
    listed = {tuple(c[:2]) if c[0] in grouped else (c[0],) for c in COMMANDS}
    assert leaves == listed


def test_serve_takes_host_and_port_with_data_in_any_order() -> None:
    settings = settings_of(
        parser().parse_args(["serve", "--data", "/d", "--port", "9000", "--host", "0.0.0.0"]), environ={}
    )
    assert (settings.data_dir, settings.host, settings.port) == (Path("/d"), "0.0.0.0", 9000)


def test_a_port_out_of_range_on_the_command_line_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        parser().parse_args(["serve", "--port", "70000"])
    assert exit_.value.code == 2
    assert "--port: '70000': expected a port number from 0 to 65535" in capsys.readouterr().err
