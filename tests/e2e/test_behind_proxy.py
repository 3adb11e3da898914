"""`deskstream serve` behind a TLS proxy: the cookie is Secure when the proxy says https, and the
sign-in throttle counts the client's address; a proxy not named in DESKSTREAM_FORWARDED_ALLOW_IPS
is not believed, so nobody can talk the server out of either by sending the headers themselves.
What the server logs of each request never holds an invite link."""

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx2

from tests.e2e.server import REPO, deskstream, free_port, served, wait_until_healthy

PASSWORD = "correct horse battery"
HTTPS = {"X-Forwarded-Proto": "https"}


def add_user(data: Path) -> None:
    command = [sys.executable, "-m", "api.cli", "--data", str(data), "user", "add", "anna", "--role=operator"]
    typed = PASSWORD + "\n"
    done = subprocess.run(command, cwd=REPO, input=typed, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def sign_in(base: str, password: str, headers: dict[str, str]) -> httpx2.Response:
    form = {"name": "anna", "password": password, "next": "/inbox"}
    return httpx2.post(f"{base}/signin", data=form, headers=headers, timeout=10)


def test_behind_a_trusted_proxy_the_cookie_is_secure_and_clients_are_throttled_apart(tmp_path: Path) -> None:
    add_user(tmp_path / "data")
    with served(tmp_path / "data") as base:  # the proxy on the same host: uvicorn's default trust
        assert "Secure" in sign_in(base, PASSWORD, HTTPS).headers["set-cookie"]
        assert "Secure" not in sign_in(base, PASSWORD, {}).headers["set-cookie"]
        guesser = {**HTTPS, "X-Forwarded-For": "198.51.100.1"}
        for _ in range(5):
            assert sign_in(base, "wrong password", guesser).status_code == 401
        assert sign_in(base, PASSWORD, guesser).status_code == 429
        colleague = {**HTTPS, "X-Forwarded-For": "198.51.100.2"}
        assert sign_in(base, PASSWORD, colleague).status_code == 303


def test_headers_from_a_proxy_that_is_not_trusted_change_nothing(tmp_path: Path) -> None:
    add_user(tmp_path / "data")
    with served(tmp_path / "data", env={"DESKSTREAM_FORWARDED_ALLOW_IPS": "192.0.2.10"}) as base:
        assert "Secure" not in sign_in(base, PASSWORD, HTTPS).headers["set-cookie"]
        for n in range(5):
            assert sign_in(base, "wrong password", {"X-Forwarded-For": f"198.51.100.{n}"}).status_code == 401
        assert sign_in(base, PASSWORD, {"X-Forwarded-For": "198.51.100.99"}).status_code == 429


def test_the_access_log_never_holds_an_invite_link(tmp_path: Path) -> None:
    data, port = tmp_path / "data", free_port()
    printed = deskstream(
        data, "user", "invite", "vera", "--role", "operator", env={"DESKSTREAM_PORT": str(port)}
    )
    link = re.search(r"http://\S+/invite/\S+", printed)
    assert link
    log = tmp_path / "access.log"
    command = [sys.executable, "-m", "api.cli", "--data", str(data), "serve", "--port", str(port)]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=REPO, env=os.environ, stdout=out, stderr=subprocess.PIPE)
        try:
            wait_until_healthy(f"http://127.0.0.1:{port}", server)
            assert httpx2.get(link.group(0), timeout=10).status_code == 200
        finally:
            server.terminate()
            server.wait(timeout=20)
    logged = log.read_text()
    assert '"GET /invite/*** HTTP/1.1" 200' in logged
    assert link.group(0).rsplit("/", 1)[1] not in logged
