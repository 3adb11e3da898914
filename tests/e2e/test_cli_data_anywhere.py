"""`--data DIR` typed after the command, as README shows it: every command uses that one directory."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx2

from api.token_cache import TTL_SECONDS
from tests.e2e.server import REPO, free_port, wait_until_healthy

ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def run(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=cwd,
        env=ENV,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done


def test_data_after_each_command_is_the_directory_tokens_the_server_tickets_and_replay_share(
    tmp_path: Path,
) -> None:
    data, elsewhere = str(tmp_path / "desk"), tmp_path / "elsewhere"
    elsewhere.mkdir()
    bot = run(elsewhere, "token", "create", "--name", "vk-bot", "--role", "service", "--data", data)
    anna = run(elsewhere, "token", "create", "--name", "anna", "--role", "operator", "--data", data)
    bot_token, anna_token = bot.stdout.strip(), anna.stdout.strip()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--data", data],
        cwd=elsewhere,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", server)
        opened = httpx2.post(
            f"{base}/tickets",
            json={"channel": "vk", "customer": {"name": "Ivan", "handle": "id1"}, "text": "Card blocked"},
            headers={"Authorization": f"Bearer {bot_token}"},
        )
        assert opened.status_code == 201, opened.text
        ticket = opened.json()["id"]
        as_anna = {"Authorization": f"Bearer {anna_token}"}
        assert httpx2.get(f"{base}/tickets/{ticket}", headers=as_anna).status_code == 200

        revoked = run(elsewhere, "token", "revoke", "--data", data, stdin=anna_token + "\n")
        assert "of user anna" in revoked.stdout and anna_token not in revoked.stdout
        deadline = time.monotonic() + TTL_SECONDS + 1.5
        while (answer := httpx2.get(f"{base}/tickets/{ticket}", headers=as_anna)).status_code == 200:
            assert time.monotonic() < deadline, "the revoked token still works after the token cache TTL"
            time.sleep(0.2)
        assert answer.status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=20)

    assert ticket in run(elsewhere, "ticket", "show", ticket, "--data", data).stdout
    assert "TicketOpened" in run(elsewhere, "ticket", "history", ticket, "--data", data).stdout
    assert "replayed" in run(elsewhere, "replay", "--data", data).stderr
    assert not (elsewhere / "data").exists(), "a command ignored --data and used ./data"
