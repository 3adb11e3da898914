"""Real `deskstream` processes: the CLI and a uvicorn server, as a user starts them."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0


def deskstream(data: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Runs one CLI command to completion and returns what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "--data", str(data), *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def spawn(data: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "--data", str(data), *args],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(data: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """A uvicorn server on a free port; yields its base URL and stops it with SIGTERM."""
    port = free_port()
    process = spawn(data, "serve", "--port", str(port), env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def wait_until_healthy(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            if httpx2.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx2.TransportError:
            time.sleep(0.1)
    raise TimeoutError(f"no healthy server at {base} after {START_TIMEOUT} s")
